"""Numbered references in a question: "den tredje hovudutfordringa", "utfordring nummer 2", "the
first recommendation", "den siste anbefalingen". Shared by the engine (a number and a kind in one
question) and the conversation's follow-ups ("og den andre?" after a listing).

The word tables are language, not domain: ordinals and the words for the report's two numbered
kinds of unit, in bokmål, nynorsk and English.
"""

from __future__ import annotations

import re

LAST = -1
_ORDINALS = {
    "første": 1, "fyrste": 1, "first": 1, "1st": 1,
    "andre": 2, "second": 2, "2nd": 2,
    "tredje": 3, "third": 3, "3rd": 3,
    "fjerde": 4, "fourth": 4, "4th": 4,
    "femte": 5, "fifth": 5,
    "siste": LAST, "sist": LAST, "last": LAST,
}
_CARDINALS = {"en": 1, "ein": 1, "ett": 1, "eitt": 1, "one": 1, "to": 2, "two": 2, "tre": 3, "three": 3,
              "fire": 4, "four": 4, "fem": 5, "five": 5}
_NUMBER_WORD = r"(?:nummer|nr\.?|number|no\.?|#)"
_AFTER_NUMBER = re.compile(_NUMBER_WORD + r"\s*(\d+|" + "|".join(_CARDINALS) + r")\b", re.I)
_KIND_THEN_DIGIT = re.compile(r"\b(utfordring\w*|anbefaling\w*|tilråding\w*|tilrådning\w*|challenge\w*|"
                              r"recommendation\w*)\s+(\d+)\b", re.I)
_WORD = re.compile(r"[a-zæøå0-9]+", re.I)
_DETERMINERS = {"den", "det", "dei", "de", "the", "nummer", "number", "nr"}
# Kind words by the start of the word (covers "hovudutfordringa", "anbefalingen", "tilrådingane").
_KINDS = (("utfordring", "U"), ("hovedutfordring", "U"), ("hovudutfordring", "U"), ("challenge", "U"),
          ("anbefaling", "A"), ("tilråding", "A"), ("tilrådning", "A"), ("recommendation", "A"))


def position(text: str) -> int | None:
    """1, 2, … for a numbered reference, LAST for "the last one", None when there is none."""
    lowered = text.lower()
    kind_digit = _KIND_THEN_DIGIT.search(lowered)
    if kind_digit:
        return int(kind_digit.group(2))
    after = _AFTER_NUMBER.search(lowered)
    if after:
        value = after.group(1)
        return int(value) if value.isdigit() else _CARDINALS[value]
    words = _WORD.findall(lowered)
    for i, word in enumerate(words):
        # "andre" is also "other" ("overfor andre departementer"): an ordinal only after a determiner,
        # right before a kind word, or alone in a short message ("og den andre?", "nummer tre").
        if word in _ORDINALS and (
            (i > 0 and words[i - 1] in _DETERMINERS)
            or any(_kind_of(w) for w in words[i + 1:i + 3])
            or len(words) <= 2
        ):
            return _ORDINALS[word]
    return None


_ONLY_A_NUMBER = re.compile(r"^(?:" + _NUMBER_WORD + r"\s*)?([a-zæøå0-9]+)[.?!]*$", re.I)


def number_alone(text: str) -> int | None:
    """The number when the text is nothing else: "2", "nummer fire", "nr. 2", "number two", "tredje"
    (a command's argument: "utfordring nummer fire"); None for anything more, or for "siste"."""
    match = _ONLY_A_NUMBER.match(" ".join(text.lower().split()))
    if not match:
        return None
    value = match.group(1)
    if value.isdigit():
        return int(value)
    number = _CARDINALS.get(value) or _ORDINALS.get(value)
    return number if number and number != LAST else None


def _kind_of(word: str) -> str | None:
    return next((prefix for start, prefix in _KINDS if word.startswith(start)), None)


def kind(text: str) -> str | None:
    """"U" when the question names challenges, "A" when recommendations, None for neither or both."""
    found = {k for word in _WORD.findall(text.lower()) if (k := _kind_of(word))}
    return found.pop() if len(found) == 1 else None
