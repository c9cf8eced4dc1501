"""Overview questions, answered from a document's own structure, in any document.

"Kan du oppsummere rapporten?", "Hva er hovedfunnene?", "Hva konkluderer de med?" have no topic for
search to match: every passage is about the report. They are answered from where a report puts its
overview: its summary section ("Sammendrag", "Hovedfunn", …: the headings are a closed class in
dialogue.json), else its opening passages. "Hva handler kapittel 4 om?" gets the chapter's opening.
Which document: the one the question names (its series number, "2024:3", or words of its title),
else the one search finds nearest, else the primary document.

The signal words are closed classes kept as data (bot/answering/dialogue.json `overview`,
`chapter_words`, and retrieval/text.py `SUMMARY_HEADINGS`); nothing here knows one report's wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from retrieval.documents import ABOUT_KEY
from retrieval.text import in_summary, summary_headings
from retrieval.types import Chunk

MAX_OVERVIEW_CHUNKS = 3
MAX_OTHER_WORDS = 2  # content words besides the overview words: more, and it is a question about a topic
_WORD = re.compile(r"[\wæøåÆØÅ:-]+")
_SERIES = re.compile(r"\b(\d{4})\s*[:/]\s*(\d{1,3})\b")
_QUOTED = re.compile(r"[«\"“]([^»\"”]{3,200})[»\"”]")
_ABOUT_REPORT = re.compile(r"\b(?:rapporten|rapporta|report)\s+(om|on|about)\s+(.+)", re.I)
_CHAPTER = re.compile(r"\b(?:kapit+e?l+(?:et)?|chapter|del)\s+(\d{1,2})\b", re.I)


@dataclass(frozen=True)
class Words:
    overview: tuple[str, ...]
    stopwords: frozenset[str]
    document_nouns: frozenset[str]


@lru_cache(maxsize=1)
def words() -> Words:
    data = json.loads(resources.files("bot.answering").joinpath("dialogue.json").read_text(encoding="utf-8"))
    return Words(tuple(data["overview"]), frozenset(data["stopwords"]),
                 frozenset(data["document_nouns"]))


def chapter_asked(text: str) -> int | None:
    """"Hva handler kapittel 4 om?" -> 4."""
    match = _CHAPTER.search(text)
    return int(match.group(1)) if match else None


def is_overview(text: str, document_words: frozenset[str] = frozenset()) -> bool:
    """An overview word, and at most MAX_OTHER_WORDS other content words (a document's own name words
    do not count: "Oppsummer rapporten om direktoratene")."""
    lowered = text.lower()
    w = words()
    # "Hva handler rapporten om?" is an overview; "Hvilken anbefaling handler om tillit?" names its topic
    # right after "om": a phrase ending in a preposition counts only when no content word follows it.
    found = [o for o in w.overview if o in lowered
             and not (o.endswith((" om", " about")) and _content_words(lowered.split(o, 1)[1], w, document_words))]
    if not found:
        return chapter_asked(text) is not None and bool({"om", "about"} & set(_WORD.findall(lowered)))
    rest = lowered
    for o in found:
        rest = rest.replace(o, " ")
    return len(_content_words(rest, w, document_words)) <= MAX_OTHER_WORDS


def _content_words(text: str, w: Words, document_words: frozenset[str]) -> list[str]:
    """Words that are neither function words, nor words for a document, nor the document's own name."""
    return [t for t in _WORD.findall(text) if t not in w.stopwords and t not in w.document_nouns
            and t not in document_words and not _SERIES.fullmatch(t) and len(t) > 2]


def named_document(text: str, sources: dict[str, str], titles: dict[str, str]) -> str | None:
    """The document a question names: its series number ("DFØ-rapport 2024:3", "2024:3"), a phrase of its
    title (`_title_phrases`: quoted, or after "rapporten om"), or most of its title's longer words.
    `sources`: doc id -> citation name (series number); `titles`: doc id -> its titles."""
    lowered = text.lower()
    series = {f"{m.group(1)}:{int(m.group(2))}" for m in _SERIES.finditer(lowered)}
    if series:
        for doc, source in sources.items():
            for m in _SERIES.finditer(source.lower()):
                if f"{m.group(1)}:{int(m.group(2))}" in series:
                    return doc
    phrases = _title_phrases(lowered)
    # Titles are spelled out only for a question that quotes one or says "rapporten om": every question asks.
    spelled = {doc: _spelled(title) for doc, title in titles.items()} if phrases else {}
    for phrase in phrases:
        named = [doc for doc, title in spelled.items() if _spelled(phrase) in title]
        if len(named) == 1:
            return named[0]
    asked = set(_WORD.findall(lowered))
    best, best_share = None, 0.0
    for doc, title in titles.items():
        title_words = {t for t in _WORD.findall(title.lower()) if len(t) > 4}
        found = title_words & asked
        if len(found) >= 2 and len(found) / len(title_words) > best_share:
            best, best_share = doc, len(found) / len(title_words)
    return best if best_share >= 0.5 else None


def _title_phrases(lowered: str) -> list[str]:
    """Phrases of a question that name a document when one title holds them: a quoted phrase of three
    words or more ("rapporten «Mye mer enn ord»": short words), and the three words after "rapporten
    om" when two are longer than four letters ("rapporten om direktoratenes faglige rolle", the end of a
    title). Two words alone may be any phrase of a title; words elsewhere in a question are its topic
    ("… i statlige etater"), which several documents share."""
    phrases = [" ".join(_WORD.findall(quoted)) for quoted in _QUOTED.findall(lowered)]
    phrases = [p for p in phrases if len(p.split()) >= 3]
    for match in _ABOUT_REPORT.finditer(lowered):
        run = _WORD.findall(match.group(2))[:3]
        if len(run) == 3 and sum(len(w) > 4 for w in run) >= 2:
            phrases.append(" ".join(run))
    return phrases


_SERIES_NAME = re.compile(r"\b(?:[\wæøåÆØÅ]+-)?(?:rapport(?:en)?|report)?\s*\d{4}\s*[:/]\s*\d{1,3}\b", re.I)


def without_name(text: str, title: str) -> str:
    """The question without what names its document: the series number ("Hva sier DFØ-rapport 2022:5 om
    X?" -> "Hva sier om X?"), a quoted phrase of its title, and the words of its title after "rapporten
    om" ("Hvem står bak rapporten om direktoratenes faglige rolle?" -> "Hvem står bak rapporten?"). Once
    the document is chosen, they only pull the search to whatever passage repeats the title."""
    spelled = _spelled(title)
    text = _SERIES_NAME.sub(" ", text)
    text = _QUOTED.sub(lambda m: " " if _spelled(m.group(1)) in spelled else m.group(0), text)
    match = _ABOUT_REPORT.search(text)
    if match:
        words = list(_WORD.finditer(text, match.start(2)))
        named = 0
        while named < len(words) and _spelled(text[words[0].start():words[named].end()]) in spelled:
            named += 1
        if named >= 3:
            # from the preposition on ("rapporten om …", whatever space stands between them)
            text = text[:match.start(1)].rstrip() + text[words[named - 1].end():]
    return " ".join(text.split())


def _spelled(text: str) -> str:
    """`text` as its words, lower case, each between spaces: a phrase is in a title when its spelling is
    in the title's."""
    return f" {' '.join(_WORD.findall(text.lower()))} "


def overview_chunks(chunks: list[Chunk], doc: str, chapter: int | None = None,
                    is_lead_in: Callable[[Chunk], bool] = lambda chunk: False, question: str = "") -> list[Chunk]:
    """The passages that give a document's overview (or a chapter's opening), in document order: its
    summary sections ("Sammendrag", "1 Hovedfunn og vurderinger"), the one the question names first
    («Hva er hovedfunnene?»); else its opening passage and the lead-ins of its lists, each of which
    names what its list holds ("Vi ser fire hovedutfordringer:")."""
    own = [c for c in chunks if c.doc == doc and c.key != ABOUT_KEY]
    if chapter is not None:
        prefix = re.compile(rf"^{chapter}(?:[ .]|$)")
        inside = [c for c in own if c.section and any(prefix.match(s) for s in c.section)]
        return inside[:MAX_OVERVIEW_CHUNKS]
    summary = [c for c in own if in_summary(c.section)]
    if summary:
        asked = question.lower()
        named = [c for c in summary if any(heading.split()[0][:7] in asked for heading in summary_headings(c.section))]
        return (named + [c for c in summary if c not in named])[:MAX_OVERVIEW_CHUNKS]
    return (own[:1] + [c for c in own[1:] if is_lead_in(c)])[:MAX_OVERVIEW_CHUNKS]

