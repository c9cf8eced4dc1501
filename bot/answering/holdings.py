"""What the bot holds: one `Holding` per document in the corpus, for every place that says so (the
start page, `hjelp`, the Slack and Teams greetings, a refusal).

A document's facts come from the engine (its citation name and title, as the index has them) and
from its front matter where it has one: `title:`, `url:` (the full report's address), `contact:`
(who to ask about it) and `summary: true` (the file is the report's summary page, not the whole
report, so the bot says «sammendraget»). Files without front matter (PDF, plain text) are named by
their first heading and series number, with no link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval import documents

MARKDOWN = (".md", ".markdown")


@dataclass(frozen=True)
class Holding:
    doc: str  # the document id (chunk ids begin "<doc>#")
    title: str
    source: str  # the citation name, e.g. "Difi-rapport 2019:3"
    url: str = ""
    summary: bool = False
    contact: str = ""
    topics: tuple[str, ...] = ()  # front matter `topics:`, in order


def front_matter(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """doc id -> its front matter (lower-case names), for the corpus's Markdown files that have one,
    read as the index reads it (retrieval/documents.py)."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(Path(corpus_dir).rglob("*")):
        if path.is_file() and path.suffix.lower() in MARKDOWN:
            meta, _ = documents.front_matter(path.read_text(encoding="utf-8", errors="replace"))
            if meta:
                found[documents.slug(path.stem)] = meta
    return found


def holdings(engine, corpus_dir: Path) -> tuple[Holding, ...]:
    """The documents the engine answers from, in corpus order (the primary document first)."""
    meta = front_matter(corpus_dir)
    sources = {c.doc: c.source for c in engine.retriever.chunks}
    out = []
    for doc in engine.retriever.documents():
        m = meta.get(doc, {})
        topics = tuple(t.strip() for t in m.get("topics", "").split(",") if t.strip())
        out.append(Holding(doc, m.get("title") or engine.titles.get(doc, sources[doc]), sources[doc],
                           m.get("url", ""), m.get("summary", "").lower() == "true", m.get("contact", ""), topics))
    return tuple(out)
