"""The names a question asks about: a place, an institution, a person, written with a capital letter;
and the years it asks about.

A document that never mentions a name the question asks about cannot answer it: "Hvordan er
direktoratene organisert i Sverige?" about a report that never mentions Sverige, "Hvordan vurderer
Riksrevisjonen …?" about one that never cites Riksrevisjonen. Such questions sit close to the topic, and
every similarity the engine measures finds the report's paragraphs on it near; the name is what the
report lacks. Of 120 blind unanswerable questions about six restated DFØ reports, 20 named something
their report never mentions; of 360 answerable ones, none did once the country the reports are about
and English calendar words were set aside (`_NOT_NAMES`).

A word counts as a name when it is capitalised (or an acronym) and does not open a sentence. Only the
sentences that ask are read, without the asker's introduction of themselves ("Jeg jobber i Tolletaten og
lurer på …", "As a British academic, …"): the asker's workplace is context, not what is asked about. On
five reports held aside (never tuned on), it marked 15 unanswerable questions and no answerable one.
"""

from __future__ import annotations

import difflib
import re

# Not names a document must mention: the country every document here is about (a report on the Norwegian
# state rarely says "Norge"), the region it is part of, and words English capitalises that are not names.
_NOT_NAMES = frozenset({
    "norge", "noreg", "norway", "norwegian", "norwegians", "norsk", "norske", "nordmenn",
    "nordic", "nordisk", "nordiske", "norden", "scandinavia", "scandinavian", "skandinavia", "skandinavisk",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})
# Longer words are not names (the refusal repeats a name: a pasted run of letters is not worth repeating).
MAX_NAME = 40
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# A year is asked about like a name: "Hvor mye brukte virksomhetene i 2018?" about a report whose figures are
# for 2021, "Hvilke direktorater skal slås sammen i 2025?" about one written before. Not a series number
# ("2022:5") and not a decade or century ("2000-tallet").
_YEAR = re.compile(r"(?<![\w:])(?:19|20)\d\d(?![\w:]|-\w)")
_TOKEN = re.compile(r"[«\"“(]*([A-Za-zÆØÅæøåÄÖÜäöüÉé][\wÆØÅæøåÄÖÜäöüÉé'’-]*)")
_CLAUSE = re.compile(r"\s+(?:og|and|och)\s+|\s*[,;:–]\s*")
# How an asker introduces themselves: "Jeg jobber i …", "Eg er …", "I'm …", "As a …", "Som …".
_SELF = frozenset({"jeg", "eg", "jag", "vi", "me", "i", "we"})
_INTRO_VERBS = frozenset({"jobber", "jobbar", "arbeider", "arbeidar", "er", "sitter", "sit", "leder", "leiar",
                          "representerer", "work", "am", "are", "lead", "represent"})
_INTRO_WORDS = frozenset({"as", "som", "i'm", "i’m", "we're", "we’re"})
# A question for someone's view names whose: "Hva mente statsministeren om rapporten?", "Kva sa
# kommunalministeren …?". A report that never mentions the minister cannot tell what the minister thought;
# ten of eleven blind sets asked what a minister, a party, an ombudsman or the unions thought, and none of
# their answerable questions asked for a view the report does not hold (the report's own, "Hva sier
# rapporten …?", or one it quotes, "Hva sier retningslinjene …?"). Bokmål and nynorsk; the English form
# names its holder in too many ways.
_VIEW = re.compile(r"\b(?:hva|kva)\s+(?:mente|meinte|mener|meiner|syntes|synest|synes|sa|sier|seier|tenkte|tenker|tykte"
                   r"|tykkjer)\s+(?:egentlig\s+|eigentleg\s+)?([^\W\d_]+)", re.IGNORECASE)
# Not someone else's view: a pronoun, or the document itself (also misspelt: "raporten").
_NOT_HOLDERS = ("de", "dei", "den", "det", "denne", "dette", "du", "dere", "han", "hun", "ho", "vi", "man", "folk",
                "en", "ein", "noen", "nokon", "rapporten", "rapporta", "dokumentet", "sammendraget", "samandraget",
                "forfatterne", "forfattarane", "kapitlet", "kapittelet", "undersøkelsen", "undersøkinga",
                "evalueringen", "evalueringa", "kartleggingen", "kartlegginga", "analysen", "studien", "utredningen",
                "utgreiinga", "teksten")


def _asked(question: str) -> list[str]:
    """The sentences that ask (those ending in "?", when any does: the others are context, "In NPM terms
    the ministries seem stuck. What does the report say …?"), each without the asker's introduction of
    themselves: "Jeg jobber i Tolletaten og lurer på …" asks about something else than Tolletaten."""
    sentences = [s.strip() for s in _SENTENCE.split(question.strip()) if s.strip()]
    asking = [s for s in sentences if s.endswith("?")] or sentences
    out = []
    for sentence in asking:
        if _introduces(sentence):
            parts = _CLAUSE.split(sentence, maxsplit=1)
            sentence = parts[1] if len(parts) > 1 else ""
        if sentence:
            out.append(sentence)
    return out


def _introduces(sentence: str) -> bool:
    words = [w.strip("«\"").lower() for w in sentence.split()[:2]]
    return bool(words) and (words[0] in _INTRO_WORDS or
                            (len(words) == 2 and words[0] in _SELF and words[1] in _INTRO_VERBS))


def _is_name(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if not 2 <= len(letters) <= MAX_NAME:
        return False
    acronym = all(c.isupper() for c in letters)
    return (acronym or (letters[0].isupper() and any(c.islower() for c in letters[1:]))) \
        and word.lower() not in _NOT_NAMES


def _words(sentence: str) -> list[str]:
    """The sentence's words as names are read: "Denmark's" -> "Denmark", "Graver-kommisjonen" -> "Graver";
    "" for an English contraction ("I'd") and for an acronym that only qualifies a common noun
    ("HR-direktør", "EØS-saken", "OECD-style": a kind of thing, not a name)."""
    out = []
    for match in _TOKEN.finditer(sentence):
        word = re.sub(r"['’]s$", "", match.group(1))
        head, _, tail = word.partition("-")
        qualifies = head.isupper() and tail[:1].islower()
        out.append("" if "'" in head or "’" in head or qualifies else head)
    return out


def _holders(sentence: str) -> list[str]:
    """Whose view the sentence asks for, when that is not the document's own ("Hva mente statsministeren
    om …?" -> statsministeren; "Hva sier rapporten om …?", "Kva meiner dei …?" -> none)."""
    out = []
    for match in _VIEW.finditer(sentence):
        word = match.group(1)
        if len(word) <= MAX_NAME and not difflib.get_close_matches(word.lower(), _NOT_HOLDERS, n=1, cutoff=0.8):
            out.append(word)
    return out


def names_asked(question: str) -> tuple[str, ...]:
    """The names the question asks about, as written, in order, and whose view it asks for (`_holders`)."""
    names: list[str] = []
    for sentence in _asked(question):
        names.extend(w for w in _holders(sentence) + _YEAR.findall(sentence) if w not in names)
        words = _words(sentence)
        capital = [_is_name(word) and not word.isupper() for word in words]
        for position, word in enumerate(words):
            # Two capitalised words in a row are an English name of an institution ("the Norwegian Tax
            # Administration"): translated word by word, it never meets the Norwegian one (Skatteetaten).
            in_title = (position > 0 and capital[position - 1]) or (position + 1 < len(words) and capital[position + 1])
            if position > 0 and _is_name(word) and not (capital[position] and in_title) and word not in names:
                names.append(word)
    return tuple(names)
