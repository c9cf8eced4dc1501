"""What a chat message looks like once its markup is gone: the words a question is made of.

People paste questions with HTML (<b>…</b>), Markdown or Slack formatting (*bold*, _italic_,
`code`, ~strike~), emoji and runs of punctuation. None of that changes what they ask, so it must
not change whether or how the question is answered. The text is only read for retrieval: what the
user wrote is still what the answer echoes and what the feedback store sees (redacted).
"""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_FORMAT = re.compile(r"[*_~`]+")
_SPACES = re.compile(r"\s+")
_REPEATED = re.compile(r"([?!.,])\1+")
# "om `tillit`?" leaves "om tillit ?". A run of spaces is tried from its start only: from every
# space of a long run (emoji and markup become spaces) the pattern was quadratic in the run.
_SPACE_BEFORE_MARK = re.compile(r"(?<!\s)\s+([?!.,;:])")
# "@omstillingsbot hva er hovedanbefalingen?": a chat address names who is asked, not what. Read, its
# name's words ("omstilling") pulled the question to the units about omstilling (U3, U4) in
# cross-validation. An e-mail address (a word right before the @) is not an address to someone.
_ADDRESS = re.compile(r"(?<![\w@])<?@[\w.|-]+>?[:,]?")


def _symbol(ch: str) -> bool:
    """Emoji, pictographs and other symbols (Unicode So/Sk/Cs/Co) read as nothing."""
    return unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cn") or ch in "\ufe0f\u200d"


class _SymbolsToSpaces(dict):
    """`str.translate`'s table: a symbol becomes a space, any other character itself. Each character
    is classified once; a Python call per character of every question cost more than the rest of
    reading it. Cleared when full, so a flood of distinct characters cannot grow it."""

    def __missing__(self, code: int) -> str:
        if len(self) >= 65_536:
            self.clear()
        ch = chr(code)
        self[code] = " " if _symbol(ch) else ch
        return self[code]


_SYMBOLS_TO_SPACES = _SymbolsToSpaces()


def strip_markup(text: str) -> str:
    text = _ADDRESS.sub(" ", _TAG.sub(" ", text))
    text = _FORMAT.sub(" ", text)
    text = text.translate(_SYMBOLS_TO_SPACES)
    text = _REPEATED.sub(r"\1", text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
