"""Which language a user wrote in: bokmål, nynorsk or English, by marker words.

Short and cheap on purpose: it only picks the language of the bot's own framing sentences.
"""

from __future__ import annotations

import re

from bot.types import Lang

_EN = {"the", "what", "how", "why", "who", "which", "does", "do", "is", "are", "of", "and", "report",
       "recommendation", "recommendations", "challenge", "challenges", "ministries", "should", "about",
       "help", "can", "you", "please", "main", "when", "where", "this", "that", "for", "with"}
_NN = {"kva", "korleis", "kvifor", "kven", "kvar", "ikkje", "eg", "meir", "gjere", "vere", "dei",
       "departementa", "frå", "berre", "verksemder", "verksemd", "tilrådingar", "anbefalingar",
       "utfordringar", "kor", "òg", "vert", "ein", "eit", "seier", "korleis"}
_NB = {"hva", "hvordan", "hvorfor", "hvem", "hvilke", "hvilken", "ikke", "jeg", "mer", "gjøre", "være",
       "departementene", "fra", "bare", "rapporten", "er", "og", "om", "det", "en", "et", "bør", "til"}
_WORD = re.compile(r"[a-zæøåòô]+")


def detect(text: str) -> Lang:
    words = _WORD.findall(text.lower())
    en = sum(w in _EN for w in words)
    nn = sum(w in _NN for w in words)
    nb = sum(w in _NB for w in words)
    if en > max(nn, nb) and not re.search(r"[æøå]", text.lower()):
        return "en"
    return "nn" if nn > nb else "nb"
