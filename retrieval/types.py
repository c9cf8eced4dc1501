"""Data types of the retrieval layer. retrieval/ never imports bot/."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One structural piece of a parsed document: a paragraph or list item under a section."""

    section: tuple[str, ...]  # heading path, outermost first
    text: str
    key: str = ""  # explicit unit key from the source, e.g. "A2" (Markdown "{#A2}")
    page: int | None = None


@dataclass(frozen=True)
class Document:
    doc_id: str  # slug of the file name, stable
    title: str
    source: str  # how citations name the document, e.g. "Difi-rapport 2019:3"
    path: str
    blocks: tuple[Block, ...]
    meta: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Chunk:
    id: str  # stable: "<doc>#<key>" for keyed units, "<doc>#<hash>" otherwise
    doc: str
    section: tuple[str, ...]
    label: str  # human citation label, e.g. "Anbefaling 2 – overfor underliggende virksomheter"
    text: str  # verbatim source text (whitespace normalised)
    source: str
    page: int | None = None
    key: str = ""  # unit key ("U1", "H", …) when the source names one
    parent: str = ""  # key of the enclosing keyed unit ("U" for U1–U4, "H" for A1–A3)

    def search_text(self) -> str:
        """What the retrievers see: the label gives context the bare sentence may lack."""
        return f"{self.label}. {self.text}"


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused rank score
    dense: float  # cosine similarity of the query and the chunk
    lexical: float  # BM25 score
