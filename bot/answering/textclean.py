"""One input normaliser for every surface (Slack, Teams, web, CLI), run before the engine, the
embedder or the database see a message.

`normalise` works in linear time and never grows the text:
  * lone surrogates (JSON "\\ud800"), which no encoder can turn into UTF-8, are dropped;
  * terminal escape sequences (ECMA-48: colours, cursor moves, titles) are dropped whole, so pasted
    terminal output does not leave "[31m" behind as words;
  * at most 30 combining marks in a row are kept (Unicode's stream-safe format: retrieval/streamsafe.py);
  * NFC, so "e" + combining acute and "é" are the same word to the lexical index and the cache;
  * control characters (NUL included: PostgreSQL refuses it in text) become spaces, and
    format characters (zero-width space/joiner, bidi marks, soft hyphen, BOM) are dropped;
  * runs of whitespace collapse to one space, and the ends are stripped;
  * the result is cut at `HARD_CAP` characters, so nothing downstream ever handles more (the
    engine still says "too long" above its own, smaller limit).

`has_content` says whether anything is left to answer: a message with no letter or digit
(only "?", emoji, punctuation) gets the "empty" reply rather than a guessed, cited answer.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.streamsafe import stream_safe

# Far above the engine's question limit (2,000), far below the HTTP body limit (64 KiB).
HARD_CAP = 8_000

_DROP = {"Cf", "Cs", "Cn", "Co"}  # format, surrogate, unassigned, private use
_SPACE = {"Cc", "Zs", "Zl", "Zp"}  # control (tab, newline, NUL …) and separators
# ECMA-48: a control sequence (ESC [ or the one-character CSI, parameters, intermediates, final byte),
# an operating-system command or string (ESC ] / P / ^ / _ … BEL or ESC \), or any other escape
# (ESC, intermediates, final byte: ESC ( B selects a character set).
# Each part is a character class that the next cannot match, so matching stays linear.
_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[\]P^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?")


def normalise(text: str, cap: int = HARD_CAP) -> str:
    """The message as the bot handles it; see the module docstring for each step."""
    if not text:
        return ""
    # Surrogates first (NFC on a lone surrogate is fine, but encoders downstream are not).
    # Cut before the slower per-character pass: a run of format characters could otherwise
    # make the input longer than the cap with no visible content; 4x keeps every real letter.
    raw = unicodedata.normalize("NFC", stream_safe(_ESCAPE.sub("", text[: cap * 4])))
    out: list[str] = []
    space = False
    for ch in raw:
        if ch.isascii() and (ch.isalnum() or ch in "?!.,:;-'\"()/&%+*@#=_<>[]{}|`~^$\\"):
            category = "L"
        else:
            category = unicodedata.category(ch)
        if category in _SPACE or ch in "\t\n\r\x0b\x0c":
            space = bool(out)
            continue
        if category in _DROP:
            continue
        if space:
            out.append(" ")
            space = False
        out.append(ch)
        if len(out) >= cap:
            break
    return "".join(out)


def has_content(text: str) -> bool:
    """True when the text has at least one letter or digit (in any script)."""
    return any(ch.isalnum() for ch in text)


def clean_question(text: str, cap: int = HARD_CAP) -> str:
    """Normalised text, or "" when nothing is left to answer (the engine then says "empty")."""
    cleaned = normalise(text, cap)
    return cleaned if has_content(cleaned) else ""
