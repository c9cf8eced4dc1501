"""Unicode's stream-safe text format (UAX #15), for every text that is normalised later.

CPython's NFC and NFKC reorder a run of combining marks in quadratic time: a 64 KiB chat message of
U+0F73 held the interpreter for 3-6 s. Questions (bot/answering/textclean.py) and documents dropped into
`corpus/` (retrieval/documents.py) both pass through `stream_safe` before any normalisation.
"""

from __future__ import annotations

import unicodedata

# UAX #15's stream-safe format allows 30 non-starters (combining marks) in a row. No writing system
# needs more; the rest of a longer run is dropped.
MAX_NON_STARTERS = 30
# Combining class 0, but their decompositions begin with a non-starter: a scan of all of Unicode finds
# these three (tests/test_robustness.py repeats it), and U+0F73 is the one that reorders slowest.
NON_STARTER_DECOMPOSITIONS = frozenset("\u0f73\u0f75\u0f81")


def stream_safe(text: str) -> str:
    """Without lone surrogates, and without the combining marks past MAX_NON_STARTERS in a row."""
    out: list[str] = []
    run = 0
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            continue
        if unicodedata.combining(ch) or ch in NON_STARTER_DECOMPOSITIONS:
            run += 1
            if run > MAX_NON_STARTERS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)
