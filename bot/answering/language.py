"""Which language a user wrote in: bokmål, nynorsk or English, by marker words.

Short and cheap on purpose: it only picks the language of the bot's own framing sentences.
"""

from __future__ import annotations

import re

from bot.types import Lang

_EN = {"the", "what", "how", "why", "who", "which", "does", "do", "is", "are", "of", "and", "report",
       "recommendation", "recommendations", "challenge", "challenges", "ministries", "should", "about",
       "help", "can", "you", "please", "main", "when", "where", "this", "that", "for", "with",
       # words of English chat around a question ("Hi there, I'm writing a thesis."); none is Norwegian
       "hi", "hello", "there", "thanks", "thank", "my", "me", "we", "it", "in", "on", "an", "have", "has",
       "was", "were", "am", "not", "would", "could", "want", "need", "know", "writing", "working",
       # follow-ups and short questions, which have few words to go by ("the second one?")
       "first", "second", "third", "fourth", "next", "one", "more", "tell", "say", "says", "recommend",
       "agency", "agencies", "summarize", "summarise"}
_NN = {"kva", "korleis", "kvifor", "kven", "kvar", "ikkje", "eg", "meir", "gjere", "vere", "dei",
       "departementa", "frå", "berre", "verksemder", "verksemd", "tilrådingar", "anbefalingar",
       "utfordringar", "kor", "òg", "vert", "ein", "eit", "seier", "korleis", "tek", "gjer", "sjølv", "mykje"}
# Only words nynorsk does not share: "Kva seier rapporten om tillit?" counted "rapporten" and "om" as
# bokmål, tied two-two and was framed in bokmål.
_NB = {"hva", "hvordan", "hvorfor", "hvem", "hvilke", "hvilken", "ikke", "jeg", "mer", "gjøre", "være",
       "departementene", "fra", "bare", "en", "et"}
# Words bokmål and nynorsk share and English does not: they tell against English without taking a side
# between the two ("Er embetsverket for defensivt?" has only "for" in English and was framed in English).
_NO = {"er", "av", "og", "til", "som", "det", "har", "kan", "skal", "om", "ved", "mot", "etter", "eller",
       "seg", "sin", "sine", "blir", "denne", "dette", "disse", "rapporten", "styringen"}
_WORD = re.compile(r"[a-zæøåòô]+")
_I_AM = re.compile(r"\bi['’](?:m|ve|d|ll)\b")
_ACRONYM = re.compile(r"\b[A-ZÆØÅ]{2,}\b")


def detect(text: str) -> Lang:
    words = _WORD.findall(text.lower())
    en = sum(w in _EN for w in words) + len(_I_AM.findall(text.lower()))
    nn = sum(w in _NN for w in words)
    nb = sum(w in _NB for w in words)
    shared = sum(w in _NO for w in words)
    # One English marker in a longer message is not enough: "Tek embetsverket for lite initiativ?" has only
    # "for". Letters English lacks tell against it, except in an acronym ("What is DFØ?").
    norwegian_letters = re.search(r"[æøå]", _ACRONYM.sub("", text).lower())
    if en > max(nn, nb) + shared and (en >= 2 or len(words) <= 2) and not norwegian_letters:
        return "en"
    return "nn" if nn > nb else "nb"
