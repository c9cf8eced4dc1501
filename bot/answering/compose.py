"""Building Answers from chunks: the one place that decides how quoted report text is laid out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from bot.types import Answer, AnswerKind, Citation, Lang, marker
from retrieval.documents import ABOUT_KEY
from retrieval.types import Chunk


MAX_ANSWER_ID_CHARS = 64
_ANSWER_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ANSWER_ID_CHARS}}}")


def new_answer_id() -> str:
    """Random, never derived from any platform id (the feedback store's anonymity relies on it)."""
    return uuid.uuid4().hex


def is_answer_id(value: object) -> bool:
    """Could `value`, sent back by a client (a web vote, a Teams card button), name an answer? Anything
    else (a lone surrogate, a newline, a kilobyte) is refused before it reaches the store."""
    return isinstance(value, str) and _ANSWER_ID.fullmatch(value) is not None


def citation(chunk: Chunk) -> Citation:
    return Citation(chunk.id, chunk.label, chunk.text, chunk.source, chunk.page)


def is_fact_sheet(chunk: Chunk) -> bool:
    """The "Om rapporten" unit is made from the corpus file's front matter, not written by the
    report's authors: it is shown as facts, never inside «» as if the report said it."""
    return chunk.key == ABOUT_KEY


def is_answer_line(line: str, text: str, mark: str) -> bool:
    """Is `line` the whole of `text` quoted with its marker, as `quoted` writes it?"""
    return line in (f"«{text}» {mark}", f"{text} {mark}")


def quoted(intro: str, chunks: Sequence[Chunk], lang: Lang, question: str, kind: AnswerKind,
           confidence: float, from_doc: str = "") -> Answer:
    """An intro sentence, then each chunk quoted verbatim with its citation marker [a], [b] … («» only
    around the report's own sentences). Quotes from several documents are never merged under one
    intro: they are grouped by document, each group under its own `from_doc` line ("Fra {source}:"),
    in the order of the first quote of each."""
    sources = list(dict.fromkeys(c.source for c in chunks))
    grouped = len(sources) > 1 and bool(from_doc)
    if grouped:
        chunks = [c for source in sources for c in chunks if c.source == source]
    lines = [intro]
    shown_source = None
    for n, c in enumerate(chunks):
        if grouped and c.source != shown_source:
            lines.append(from_doc.format(source=c.source))
            shown_source = c.source
        lines.append(f"{c.text} [{marker(n)}]" if is_fact_sheet(c) else f"«{c.text}» [{marker(n)}]")
    return Answer(
        text="\n".join(lines), citations=tuple(citation(c) for c in chunks), confidence=confidence,
        abstained=False, answer_id=new_answer_id(), kind=kind, lang=lang, question=question,
    )


def plain(kind: AnswerKind, text: str, lang: Lang, question: str, confidence: float = 0.0,
          abstained: bool = False, chunks: Sequence[Chunk] = ()) -> Answer:
    """A reply in the bot's own words (help, errors, abstention, the about card); cites `chunks` if given."""
    answer_id = new_answer_id() if kind in ("abstain", "answer", "listing") else ""
    return Answer(text=text, citations=tuple(citation(c) for c in chunks), confidence=confidence,
                  abstained=abstained, answer_id=answer_id, kind=kind, lang=lang, question=question)
