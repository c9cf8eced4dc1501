"""Questions for an amount, and whether a text holds the amount asked for.

"Hvor mange intervjuer bygger rapporten på?" is answered by "til sammen 75 … dybdeintervjuer", not by
any passage with a digit in it; "Hvor mye kostet evalueringen?" by a sum of money, not by "19
intervjuer". Near-topic questions a report does not answer are very often such questions: of 74 blind
questions for an amount about six restated reports, 41 were not answered by their report. The gate
reads whether the first passage holds the *kind* of amount asked for (retrieval/answerability.py,
"amount_missing"). Leave-one-document-out over those six reports, the share of unanswerable
questions refused went from 0.24 to 0.43 at the same answerable refusals (the gate's AUC 0.75 ->
0.80), when "holds an amount" changed from "holds a digit or a number word" to this.

The kinds, first match wins: how often, how long, a share, a sum of money, a count of something
(a number within a few words of what is counted), and any other amount (a number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text import STOP, YEAR, Analyzer

_NUMBER_WORDS = (r"tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|femten|tjue|tretti|førti|femti|hundre|tusen"
                 r"|millioner|million|milliarder|milliard|halvparten|three|four|five|six|seven|eight|nine|ten"
                 r"|twelve|twenty|fifty|hundred|thousand|million|billion|half")
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_NUMBER_TOKEN = re.compile(rf"\d[\d.,]*%?|(?:{_NUMBER_WORDS})", re.I)
# Not amounts: footnote markers ("[4]") and years ("i 2022") are in most passages of a report.
_NOT_AMOUNT = re.compile(rf"\[\d+\]|{YEAR}")

_HOW = r"\b(?:hvor|kor|how)\s+"
_OFTEN = re.compile(_HOW + r"(?:ofte|often)\b", re.I)
_LONG = re.compile(_HOW + r"(?:lenge|lang tid|long)\b", re.I)
_SHARE = re.compile(r"\b(?:andel\w*|prosent\w*|share|percent\w*|proportion)\b", re.I)
_COUNT = re.compile(_HOW + r"(?:mange|many)\b(.*)|\b(?:antall|antal|number of)\b(.*)", re.I)
_MUCH = re.compile(_HOW + r"(?:mye|mykje|much|stor|store|large|big)\b", re.I)
_MONEY_ASKED = re.compile(r"\b(?:kost\w*|penger|pengar|kroner|budsjett\w*|spar\w*|cost\w*|money|budget\w*|sav\w*"
                          r"|spen[dt]\w*)\b", re.I)

_FREQUENCY = re.compile(r"\b(?:hver|hvert|kvar|kvart|årlig\w*|månedlig\w*|ukentlig\w*|jevnlig\w*|ganger|gonger"
                        r"|annenhver|annakvar|every|annual\w*|monthly|weekly|times)\b", re.I)
_DURATION = re.compile(r"\b(?:år|måneder|månader|uker|veker|dager|dagar|timer|years?|months?|weeks?|days?|hours?)\b",
                       re.I)
_PART = re.compile(r"%|\b(?:prosent|halvparten|flertall\w*|mindretall\w*|per cent|percent|majority"
                   rf"|(?:\d+|{_NUMBER_WORDS})\s+av\s+(?:\d+|{_NUMBER_WORDS}))\b", re.I)
_MONEY = re.compile(r"\b(?:kroner|kr|nok|mill\w*|mrd|milliard\w*|budsjett\w*)\b", re.I)

# Verbs that follow "hvor mange" without a noun between (the auxiliaries are stop words already).
_COUNT_VERBS = frozenset({"jobber", "arbeider", "svarte", "svarde", "deltok", "deltar", "fikk", "fekk", "kom", "finnes",
                          "fins", "mener", "meiner", "sier", "seier", "work", "worked", "answered", "responded",
                          "took", "participated", "said", "think"})
_COUNT_ADJECTIVES = frozenset({"nye", "nya", "flere", "fleire", "ulike", "forskjellige", "ekstra", "faste", "new",
                               "different", "additional", "more"})
COUNTED_WINDOW = 4  # words between a number and what it counts ("75 semistrukturerte dybdeintervjuer")


@dataclass(frozen=True)
class AmountAsked:
    kind: str  # "often", "long", "share", "money", "count" or "other"
    counted: str = ""  # "count": the index term of what is counted ("intervju"); "" when the question names none


def amount_asked(question: str, analyzer: Analyzer) -> AmountAsked | None:
    if _OFTEN.search(question):
        return AmountAsked("often")
    if _LONG.search(question):
        return AmountAsked("long")
    if _SHARE.search(question):
        return AmountAsked("share")
    if _MUCH.search(question) and _MONEY_ASKED.search(question):
        return AmountAsked("money")
    count = _COUNT.search(question)
    if count:
        return AmountAsked("count", _counted(count.group(1) or count.group(2) or "", analyzer))
    return AmountAsked("other") if _MUCH.search(question) else None


def _counted(rest: str, analyzer: Analyzer) -> str:
    """What "hvor mange" counts: the next word, past an adjective ("hvor mange nye klagenemnder"),
    none when a verb follows ("hvor mange jobber i NAV", "hvor mange var med"): then any number does."""
    words = [w for w in analyzer.words(rest)[:2] if w not in _COUNT_ADJECTIVES]
    if not words or words[0] in STOP or words[0] in _COUNT_VERBS:
        return ""
    terms = analyzer.terms(words[0])
    return terms[0] if terms else ""


def holds_amount(asked: AmountAsked, text: str, analyzer: Analyzer) -> bool:
    """Whether `text` holds the kind of amount `asked` for."""
    text = _NOT_AMOUNT.sub(" ", text)
    kind = asked.kind
    if kind == "often":
        return bool(_FREQUENCY.search(text))
    if kind == "long":
        return bool(_DURATION.search(text) and _NUMBER.search(text))
    if kind == "share":
        return bool(_PART.search(text))
    if kind == "money":
        return bool(_MONEY.search(text) and re.search(r"\d", text))
    if kind == "count" and asked.counted:
        return _counts(asked.counted, text, analyzer)
    return bool(_NUMBER.search(text))


def _counts(counted: str, text: str, analyzer: Analyzer) -> bool:
    """A number within COUNTED_WINDOW words of a word whose term holds the first five letters of
    `counted`: inflections and compounds ("intervju" meets "dybdeintervjuer")."""
    words = re.findall(r"\w+%?|%", text.lower())
    # Only the words near a number are stemmed: this runs on every question for a count.
    near = {j for i, word in enumerate(words) if _NUMBER_TOKEN.fullmatch(word)
            for j in range(max(0, i - COUNTED_WINDOW), min(len(words), i + COUNTED_WINDOW + 1))}
    head = counted[:5]
    return any(head in term for j in near for term in analyzer.terms(words[j]))
