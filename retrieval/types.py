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
    # Example questions per unit key ("? …" lines in Markdown); "none" holds questions the document
    # does not answer. Indexed as passages that point to their unit; never quoted.
    examples: dict = field(default_factory=dict, compare=False, hash=False)
    heading: str = ""  # the document's own first heading, when its front matter gives another title

    def names(self) -> str:
        """Every title the document goes by, for a question that names it: "Tydeligere, men fortsatt
        under press" (front matter) and the heading that goes on "– en undersøkelse av …"."""
        return self.title if not self.heading or self.heading == self.title else f"{self.title} · {self.heading}"


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


NOT_COVERED = -1  # Passage.unit of an example question the corpus does not answer


@dataclass(frozen=True)
class Passage:
    """What the dense index holds: a unit's own text, one of its sentences, or an example question.

    Every passage points to the chunk (unit) it stands for, by position in the chunk list; a hit on
    any passage is a hit on that unit, and only the unit's text is ever quoted."""

    unit: int  # position of the chunk in the chunk list, or NOT_COVERED
    kind: str  # "unit" | "sentence" | "example"
    text: str


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # rank score: fused, or the reranker's probability once reranked
    dense: float  # best cosine of the query and any passage of the chunk (pooled)
    lexical: float  # BM25 score
    text: float = 0.0  # best cosine of the chunk's own text or one of its sentences
    example: float | None = None  # best cosine of one of its example questions (None: it has none)

    def rescored(self, score: float) -> "Hit":
        """This hit with another rank score (`dataclasses.replace` costs ten times as much, per hit
        of every answer)."""
        return Hit(self.chunk, score, self.dense, self.lexical, self.text, self.example)
