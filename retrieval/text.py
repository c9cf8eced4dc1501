"""Lexical analysis for Norwegian (bokmål and nynorsk) with an English glossary.

`terms(text)` turns text into index terms: lower-case words, nynorsk forms
mapped to bokmål, English domain words translated, stop words dropped, then
the Snowball Norwegian stemmer, then synonyms folded to one canonical term
(etat / virksomhet / direktorat are the same thing in this report).

The glossary and synonym lists are about the *domain* (Norwegian central
government), not about particular questions.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[0-9]+(?::[0-9]+)?|[a-zæøåéèüöä]+", re.I)

# Nynorsk -> bokmål for frequent function words and verb/noun forms the stemmer does not fold.
NYNORSK = {
    "kva": "hva", "korleis": "hvordan", "kvifor": "hvorfor", "kven": "hvem", "kvar": "hvor", "kor": "hvor",
    "ikkje": "ikke", "eg": "jeg", "meir": "mer", "mykje": "mye", "gjere": "gjøre", "vere": "være",
    "vore": "vært", "dei": "de", "desse": "disse", "frå": "fra", "berre": "bare", "òg": "også",
    "departementa": "departementene", "etatane": "etatene", "verksemd": "virksomhet",
    "verksemder": "virksomheter", "verksemdene": "virksomhetene", "tilrår": "anbefaler",
    "tilråing": "anbefaling", "tilrådingar": "anbefalinger", "tilråingar": "anbefalinger",
    "anbefalingar": "anbefalinger", "utfordringar": "utfordringer", "utfordringane": "utfordringene",
    "leiing": "ledelse", "tenestemenn": "embetsverket", "sektorar": "sektorer", "omstillinga": "omstillingen",
    "føreseielegheit": "forutsigbarhet", "føreseieleg": "forutsigbar", "samordna": "samordnet",
    "vanskeleg": "vanskelig", "rolla": "rollen", "styrkje": "styrke", "fornying": "fornyelse",
    "underliggjande": "underliggende", "skriven": "skrevet", "skreiv": "skrevet", "proaktivt": "proaktiv",
    "gjeld": "gjelder", "gjer": "gjør", "laga": "laget", "lagd": "laget", "seier": "sier", "hovud": "hoved",
    "tilråding": "anbefaling", "tilrådinga": "anbefalingen", "tilrådingane": "anbefalingene",
    "sjukefråvær": "sykefravær", "sjukefråværet": "sykefraværet", "meiner": "mener", "høyrer": "hører",
}

# English domain words -> Norwegian report vocabulary (one or more words).
ENGLISH = {
    "recommendation": "anbefaling", "recommendations": "anbefalinger", "recommend": "anbefaler",
    "recommends": "anbefaler",
    "challenge": "utfordring", "challenges": "utfordringer", "problem": "utfordring", "problems": "utfordringer",
    "ministry": "departement", "ministries": "departementene", "ministerial": "departement",
    "department": "departement", "departments": "departementene",
    "agency": "virksomhet", "agencies": "virksomheter", "directorate": "virksomhet", "directorates": "virksomheter",
    "subordinate": "underliggende", "underlying": "underliggende",
    "reform": "omstilling", "reforms": "omstilling", "change": "omstilling", "transformation": "omstilling",
    "restructuring": "omstilling", "renewal": "fornyelse", "modernisation": "fornyelse", "modernization": "fornyelse",
    "cross": "tvers", "across": "tvers", "sector": "sektor", "sectors": "sektor", "sectoral": "sektor",
    "political": "politisk", "leadership": "ledelse", "leaders": "ledelse", "management": "ledelse",
    "trust": "tillit", "predictability": "forutsigbarhet", "predictable": "forutsigbar",
    "strategic": "strategisk", "strategy": "strategisk", "role": "rolle", "actor": "aktør",
    "proactive": "proaktiv", "defensive": "defensiv", "passive": "defensiv",
    "long": "langsiktig", "term": "langsiktig", "longterm": "langsiktig",
    "civil": "embetsverket", "servants": "embetsverket", "bureaucracy": "embetsverket",
    "governance": "styring", "steering": "styring", "control": "styring",
    "coordination": "samordning", "coordinated": "samordnet", "cooperation": "samarbeid", "collaboration": "samarbeid",
    "dialogue": "styringsdialogen", "operations": "drift", "operational": "drift",
    "priority": "prioritet", "prioritised": "prioritet", "low": "lav",
    "critical": "kritiske", "questions": "spørsmål", "initiative": "initiativ", "initiatives": "initiativ",
    "responsibility": "ansvar", "responsible": "ansvar", "minister": "statsråd", "ministers": "statsråd",
    "plans": "planer", "plan": "planer", "vision": "målbilde", "goals": "målbilde", "autonomy": "handlingsrom",
    "leeway": "handlingsrom", "discretion": "handlingsrom", "pressure": "press", "build": "bygge",
    "towards": "overfor", "toward": "overfor", "four": "fire", "three": "tre", "cost": "koste", "costs": "koste", "professional": "faglighet",
    "expertise": "faglighet", "updated": "oppdatert", "published": "utgitt", "publisher": "utgitt",
    "author": "utgitt", "authors": "utgitt", "wrote": "utgitt", "written": "utgitt", "topics": "fagområder",
    "topic": "fagområder", "number": "nummer", "purpose": "formål", "aim": "formål", "about": "om",
    "proposals": "forslag", "proposal": "forslag", "propose": "forslag",
}

# Words that only say *what kind* of question it is; they neither count as covered nor uncovered.
QUESTION_WORDS = {
    "hva", "hvordan", "hvorfor", "hvem", "hvilken", "hvilket", "hvilke", "når", "hvor", "mye", "mange",
    "what", "how", "why", "who", "which", "when", "where", "whom", "does", "do", "did", "is", "are",
    "rapport", "rapporten", "rapportens", "report", "reports", "si", "sier", "står", "skriver", "mener",
    "handler", "nevner", "tell", "say", "says", "said", "explain", "forklar", "beskriv", "describe",
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "it", "its", "this", "that", "with",
    "be", "by", "as", "at", "should", "can", "could", "would", "will", "i", "my", "me", "we", "our", "you",
    "your", "they", "their", "them", "there", "from", "into", "than", "so", "if", "not", "no", "yes", "get",
    "ja", "nei", "gjøre", "gjør", "bety", "betyr", "om", "egentlig", "kort", "please", "briefly",
    # generic verbs of questions ("hva hører til", "hvordan fungerer"), in bokmål, nynorsk and English
    "hører", "høyrer", "fungerer", "gjelder", "gjeld", "finnes", "fins", "ligger", "heter", "kalles",
    "mean", "means", "belong", "belongs", "work", "works", "happen", "happens", "need", "needs",
    # words that ask about the document itself rather than a topic in it
    "nummer", "formål", "formålet", "hensikt", "hensikten", "tema", "temaet", "temaer", "oppsummering",
    "sammendrag", "sammendraget", "konklusjon", "konklusjonen", "konklusjonene", "hovedpoeng", "hovedpoengene",
    "innhold", "innholdet", "number", "purpose", "summary", "summarise", "summarize", "conclusion", "conclusions",
    "content", "contents", "main", "points", "point", "document", "paper", "study",
    "budskap", "budskapet", "hovedbudskap", "hovedbudskapet", "poeng", "poenget", "message", "takeaway",
    "takeaways", "gist", "essens", "essensen", "kjernen", "funn", "funnene", "hovedfunn", "hovedfunnene",
    "resultat", "resultatene", "findings", "finding", "results", "gir", "too",
    # generic English verbs of questions
    "play", "plays", "make", "makes", "take", "takes", "have", "has", "had", "been", "being", "want", "use", "very", "much",
    "many", "more", "most", "some", "any", "all", "other", "others", "also", "only", "just",
    # evaluative words that frame a question ("why is X hard?") without naming its topic
    "vanskelig", "vanskeleg", "lett", "viktig", "viktigst", "hard", "difficult", "easy", "important", "good",
    "bad", "bra", "dårlig", "godt", "beste", "best",
}

# Norwegian stop words (Snowball's list, abridged to what occurs in questions).
STOP = {
    "og", "i", "jeg", "det", "at", "en", "et", "den", "til", "er", "som", "på", "de", "med", "han", "av",
    "ikke", "der", "så", "var", "meg", "seg", "men", "ett", "har", "ha", "hadde", "for", "fra", "ble", "bli",
    "blir", "blitt", "kan", "kunne", "skal", "skulle", "vil", "ville", "bør", "burde", "må", "måtte", "være", "vært",
    "noe", "noen", "sin", "sitt", "sine", "sitt", "deres", "dere", "vi", "oss", "du", "deg", "din", "ditt", "dine",
    "min", "mitt", "mine", "hun", "henne", "ham", "hans", "hennes", "den", "denne", "dette", "disse", "dem",
    "da", "nå", "opp", "ut", "inn", "over", "under", "etter", "før", "mot", "uten", "hos", "eller", "også", "bare",
    "enn", "mer", "mest", "selv", "slik", "sånn", "her", "hit", "dit", "alle", "all", "alt", "hver", "hvert",
    "ene", "annen", "annet", "andre", "mellom", "ved", "om", "eg", "dei", "ein", "eit", "ei", "ho", "vere",
    "vore", "gjennom", "både", "hvis", "dersom", "fordi", "derfor", "nok", "grad", "særlig", "å", "få",
    "sammen", "våre", "vår", "vårt", "sine", "sin",
}

# Canonical forms (after stemming) of synonyms the report uses interchangeably.
SYNONYMS = {
    "etat": "virksom", "direktorat": "virksom", "verksemd": "virksom",
    "forfatt": "utgitt", "skrev": "utgitt", "utgiv": "utgitt", "laget": "utgitt", "utgitt": "utgitt",
    "publiser": "utgitt", "publisert": "utgitt", "publish": "utgitt",
    "fornying": "forny", "anbefal": "anbefaling", "styr": "styring", "problem": "utfordring",
    "problemet": "utfordring",
}

# Compound heads that are not words on their own but carry meaning ("hovedanbefaling" is an "anbefaling").
PREFIXES = ("hoved", "hovud")
_LINKS = ("", "s", "e")
MIN_PART = 4

_stemmer = snowballstemmer.stemmer("norwegian")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    base = _stemmer.stemWord(word)
    return SYNONYMS.get(base, SYNONYMS.get(word, base))


# Multi-word terms read as one: English terms whose Norwegian equivalent is one compound word,
# and Norwegian phrases that mean something else than their words.
ENGLISH_PHRASES = {
    "main recommendations": "hovedanbefaling", "main recommendation": "hovedanbefaling",
    "main challenges": "hovedutfordringer", "main challenge": "hovedutfordringer",
    "civil service": "embetsverket", "civil servants": "embetsverket", "political leadership": "politisk ledelse",
    "long term": "langsiktig", "cross sector": "tvers sektor",
    # Norwegian phrases whose words would mislead on their own ("står overfor" = faces)
    "står overfor": "står", "stå overfor": "står", "står framfor": "står", "står foran": "står",
    "står bak": "utgitt", "stod bak": "utgitt", "står bakom": "utgitt",
}
# Norwegian particle verbs mean something else than the verb alone ("legges ned" is not "legges vekt
# på"): the particle is glued to the verb, so the pair only matches the same pair.
_PARTICLE_VERB = re.compile(r"\b([a-zæøå]{3,}) (ned|opp|bort)\b")
_POSSESSIVE = re.compile(r"(\w)['’]s\b")
_PHRASE = re.compile("|".join(sorted(ENGLISH_PHRASES, key=len, reverse=True)))


def words(text: str) -> list[str]:
    """Lower-cased words with nynorsk and English domain words mapped to bokmål."""
    out: list[str] = []
    lowered = _POSSESSIVE.sub(r"\1", text.lower()).replace("-", " ")
    lowered = _PHRASE.sub(lambda m: ENGLISH_PHRASES[m.group(0)], lowered)
    lowered = _PARTICLE_VERB.sub(r"\1\2", lowered)
    for raw in _WORD.findall(lowered):
        mapped = NYNORSK.get(raw) or ENGLISH.get(raw) or _prefixed(raw) or raw
        out.extend(mapped.split())
    return out


def _prefixed(word: str) -> str:
    """"hovudtilrådinga" -> "hovedanbefalingen": map the part after a compound prefix."""
    for prefix in PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and (NYNORSK.get(rest) or ENGLISH.get(rest)):
            return "hoved" + (NYNORSK.get(rest) or ENGLISH.get(rest) or rest)
    return ""


def terms(text: str) -> list[str]:
    """Index terms for BM25, used for documents and queries alike (question words and stop words removed)."""
    return [stem(w) for w in words(text) if w not in STOP and w not in QUESTION_WORDS]


def compound_parts(word: str, vocabulary: set[str]) -> tuple[str, ...]:
    """Split a compound stem into two known stems ("omstillingsforslag" -> omstilling, forslag).

    Norwegian writes compounds as one word, so a question's "omstillingsforslag" should meet the
    report's "forslag om omstilling". Both parts must be stems of the corpus vocabulary (or the head a
    known prefix such as "hoved"), which keeps the split from inventing words."""
    if len(word) < 2 * MIN_PART:
        return ()
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_PART:
            rest = word[len(prefix):]
            return (rest,) + compound_parts(rest, vocabulary)
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            base = head[: len(head) - len(link)] if link else head
            if len(base) >= MIN_PART and stem(base) in vocabulary and stem(tail) in vocabulary:
                return (stem(base), stem(tail))
    return ()
