"""Hybrid search: FAISS over passages (pooled per unit) and BM25 over units, fused into one score.

    fused(unit) = dense_scale * (pooled cosine - best pooled cosine) + lexical_weight * bm25 / best bm25

A unit's pooled cosine is the best cosine of any of its passages: its own text, one of its
sentences, or one of its example questions (retrieval/passages.py). Each part of the fused score
is measured against this query's best candidate, so both are on a per-query scale; `dense_scale`
says how many "best BM25 matches" one unit of cosine is worth for the embedder in use (e5's
cosines sit in a narrow band, so its scale is large). Score fusion beat reciprocal rank fusion on
the development questions: with RRF a nearly flat dense ranking outvoted a decisive BM25 match.

Besides the ranking, a search reports the `Signals` the answerability model decides on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from retrieval.documents import ABOUT_KEY, series_year
from retrieval.embedders import Embedder
from retrieval.lexical import LexicalIndex, QueryAnalysis
from retrieval.text import Analyzer
from retrieval.types import NOT_COVERED, Chunk, Hit, Passage

CANDIDATES = 50  # units taken from each retriever before fusion
PASSAGE_CANDIDATES = 256  # passages read from FAISS; pooled into units
# Units of the primary (labelled) document a search with several documents always hands on
# (`_primary_floor`). The summary's labelled pool cross-validated with DFØ-rapport 2022:4 beside it:
# answerable refused 15 -> 11 of 1,318 (alone: 13); with DFØ-rapport 2024:3, 24 -> 19 and recall@1
# 0.89 -> 0.90.
PRIMARY_FLOOR = 3


def dense_search(index, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k inner products for each query row: (scores, ids), ids -1 where fewer than k exist."""
    k = max(1, min(k, index.ntotal)) if index.ntotal else 1
    return index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), k)


@dataclass(frozen=True)
class Signals:
    """What one search says about how well the corpus answers the question (model features)."""

    dense_top: float = 0.0  # best pooled cosine of any unit
    dense_second: float = 0.0  # pooled cosine of the runner-up unit (by fused rank)
    text_top: float = 0.0  # best cosine of a unit's own text or one of its sentences
    example_top: float = 0.0  # best cosine of an example question of a unit
    not_covered: float = 0.0  # best cosine of an example question the corpus does not answer
    lexical_top: float = 0.0  # the top unit's BM25 over the best BM25 (0 when nothing matches)
    lexical_any: bool = False  # any unit shares a term with the question


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    analysis: QueryAnalysis
    signals: Signals = Signals()
    query: np.ndarray | None = None  # the query vector (1 x dim), for models that compare questions
    floor: int = 0  # the last hits, there only to hold PRIMARY_FLOOR units of the primary document

    def without_floor(self) -> "SearchResult":
        return replace(self, hits=self.hits[:len(self.hits) - self.floor], floor=0) if self.floor else self


@dataclass(frozen=True)
class UnitRole:
    """Where a unit stands in its document: answers to different kinds of question sit in each."""

    about: bool  # the facts about the document (made from its front matter)
    lead_in: bool  # introduces a list ("Vi ser fire hovedutfordringer:")


class HybridRetriever:
    def __init__(self, chunks: list[Chunk], faiss_index, embedder: Embedder, passages: list[Passage] | None = None,
                 dense_scale: float = 10.0, lexical_weight: float = 1.0, analyzer: Analyzer | None = None,
                 lexical: LexicalIndex | None = None,  # a persisted index (lexical_store)
                 titles: dict[str, str] | None = None) -> None:  # doc id -> title (retrieval/index.py Manifest)
        self.chunks = chunks
        self.titles = titles or {}
        self.index = faiss_index
        self.embedder = embedder
        # Without a passage list the index holds exactly one vector per chunk, in chunk order.
        self.passages = passages if passages is not None else [
            Passage(i, "unit", c.search_text()) for i, c in enumerate(chunks)]
        self._unit_row = {p.unit: row for row, p in enumerate(self.passages) if p.kind == "unit"}
        self._passage_units = [p.unit for p in self.passages]
        self._passage_is_example = [p.kind == "example" for p in self.passages]
        # Lists: a keyed unit whose text ends with ":" and that other units name as their parent.
        # Only the few list units are indexed here (a start with 100,000 chunks must stay fast).
        members: dict[tuple[str, str], list[int]] = {}
        for n, chunk in enumerate(chunks):
            if chunk.parent:
                members.setdefault((chunk.doc, chunk.parent), []).append(n)
        self._members: dict[str, tuple[Chunk, ...]] = {}
        self._lead_in_of: dict[str, Chunk] = {}
        self._lead_in_position: dict[int, int] = {}
        for n, chunk in enumerate(chunks):
            items = members.get((chunk.doc, chunk.key)) if chunk.key else None
            if items and chunk.text.rstrip().endswith(":"):
                self._members[chunk.id] = tuple(chunks[i] for i in items)
                for i in items:
                    self._lead_in_of[chunks[i].id], self._lead_in_position[i] = chunk, n
        self.lexical = lexical if lexical is not None else LexicalIndex([c.search_text() for c in chunks], analyzer)
        self.dense_scale, self.lexical_weight = dense_scale, lexical_weight
        # Unit keys ("A2") name the report's numbered parts; if another document reuses a key, the
        # first document in corpus order keeps it (the `primary: true` document comes first).
        self._by_key: dict[str, Chunk] = {}
        for chunk in chunks:
            if chunk.key:
                self._by_key.setdefault(chunk.key, chunk)
        self._position = {c.id: i for i, c in enumerate(chunks)}
        # Each document's passages are consecutive (chunking goes document by document): its span.
        self._doc_spans: dict[str, tuple[int, int]] = {}
        for n, chunk in enumerate(chunks):
            start, _ = self._doc_spans.get(chunk.doc, (n, n))
            self._doc_spans[chunk.doc] = (start, n + 1)
        self._years = {doc: series_year(chunks[start].source) for doc, (start, _) in self._doc_spans.items()}

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        position = self._position.get(chunk_id)
        return None if position is None else self.chunks[position]

    def position(self, chunk: Chunk) -> int:
        return self._position[chunk.id]

    def coverage(self, analysis: QueryAnalysis, chunk: Chunk) -> float:
        """Share of the question's topic words (idf-weighted) that this unit's text holds."""
        position = self._position[chunk.id]
        return self.lexical.covered_share(analysis, position, position + 1)

    def doc_coverage(self, analysis: QueryAnalysis, doc: str) -> float:
        """Share of the question's topic words found anywhere in one document."""
        return self.lexical.covered_share(analysis, *self._doc_spans[doc])

    def unmentioned(self, analysis: QueryAnalysis, doc: str) -> tuple[str, ...]:
        """Names the question asks about that one document never mentions (retrieval/names.py)."""
        return self.lexical.unmentioned(analysis, *self._doc_spans[doc])

    def followed_by(self, doc: str) -> bool:
        """Whether another document is, or may be, later than `doc` (by the years in their series numbers;
        a document without one may be): a later report can tell what came of an earlier one."""
        mine = self._years.get(doc, "")
        return any(other != doc and (not year or not mine or year > mine) for other, year in self._years.items())

    def documents(self) -> list[str]:
        """Document ids in corpus order (the primary document first)."""
        return list(self._doc_spans)

    def members(self, chunk: Chunk) -> tuple[Chunk, ...]:
        """The units a lead-in introduces, in order (empty for any other unit)."""
        return self._members.get(chunk.id, ())

    def lead_in_of(self, chunk: Chunk) -> Chunk | None:
        """The lead-in that introduces this unit, if it is one of a list."""
        return self._lead_in_of.get(chunk.id)

    def role(self, chunk: Chunk) -> UnitRole:
        return UnitRole(chunk.key == ABOUT_KEY, chunk.id in self._members)

    def chunk_by_key(self, key: str) -> Chunk | None:
        return self._by_key.get(key)

    def embed(self, question: str) -> np.ndarray:
        return self.embedder.embed_queries([question])

    def search(self, question: str, k: int = 5, query: np.ndarray | None = None) -> SearchResult:
        analysis = self.lexical.analyse(question)
        if not self.chunks:
            return SearchResult((), analysis)
        query = self.embed(question) if query is None else query
        pooled, text_best, example_best, not_covered = self._pool(query)
        bm25 = self.lexical.scores(analysis.terms)
        lexical_top = np.argpartition(-bm25, min(CANDIDATES, len(bm25) - 1))[:CANDIDATES]
        for i in lexical_top:
            if bm25[i] > 0 and int(i) not in pooled:
                pooled[int(i)] = self.unit_cosine(query[0], int(i))
        if not pooled:
            return SearchResult((), analysis)
        best_cosine = max(pooled.values())
        best_bm25 = float(bm25.max())
        scale = best_bm25 or 1.0
        fused = {i: self.dense_scale * (c - best_cosine) + self.lexical_weight * float(bm25[i]) / scale
                 for i, c in pooled.items()}
        ranked = sorted(fused, key=lambda i: (-fused[i], i))
        chosen = ranked[:k]
        # The list an item belongs to is a candidate too: "what are the challenges?" is answered by the
        # lead-in (with its list), which can rank far below the items it introduces.
        for i in list(chosen):
            lead = self._lead_in_position.get(i)
            if lead is not None and lead not in chosen:
                if lead not in pooled:
                    pooled[lead] = self.unit_cosine(query[0], lead)
                    fused[lead] = self.dense_scale * (pooled[lead] - best_cosine) + self.lexical_weight * float(bm25[lead]) / scale
                chosen.append(lead)
        floor = self._primary_floor(ranked[k:], chosen)
        chosen += floor
        hits = tuple(Hit(self.chunks[i], fused[i], pooled[i], float(bm25[i]), text_best.get(i, pooled[i]),
                         example_best.get(i)) for i in chosen)
        signals = Signals(
            dense_top=best_cosine,
            dense_second=pooled[ranked[1]] if len(ranked) > 1 else 0.0,
            text_top=max(text_best.values(), default=0.0),
            example_top=max(example_best.values(), default=0.0),
            not_covered=not_covered,
            lexical_top=float(bm25[ranked[0]]) / scale if best_bm25 > 0 else 0.0,
            lexical_any=best_bm25 > 0,
        )
        return SearchResult(hits, analysis, signals, query, len(floor))

    def _primary_floor(self, rest: list[int], chosen: list[int]) -> list[int]:
        """With several documents, the primary document's best units after `chosen` up to PRIMARY_FLOOR
        of them. A question like the primary document's labelled ones is often best matched, word for
        word, by a report added beside it, and its own unit falls out of the candidates before the
        reranker, which knows those questions, can see it (retrieval/answerability.py trims these
        units again for a question unlike the labelled ones)."""
        if len(self._doc_spans) < 2:
            return []
        primary = self.chunks[0].doc
        missing = PRIMARY_FLOOR - sum(self.chunks[i].doc == primary for i in chosen)
        return [i for i in rest if self.chunks[i].doc == primary and i not in chosen][:max(0, missing)]

    def _pool(self, query: np.ndarray) -> tuple[dict[int, float], dict[int, float], dict[int, float], float]:
        """Best cosine per unit over its passages, split by kind; and the best "not covered" cosine.
        FAISS returns passages best first, so a unit's first passage of a kind is its best."""
        scores, ids = dense_search(self.index, query, PASSAGE_CANDIDATES)
        pooled: dict[int, float] = {}
        text_best: dict[int, float] = {}
        example_best: dict[int, float] = {}
        not_covered = 0.0
        units, examples = self._passage_units, self._passage_is_example
        for score, row in zip(scores[0].tolist(), ids[0].tolist()):
            if row < 0:
                continue
            unit = units[row]
            if unit == NOT_COVERED:
                not_covered = max(not_covered, score)
                continue
            pooled.setdefault(unit, score)
            (example_best if examples[row] else text_best).setdefault(unit, score)
        return pooled, text_best, example_best, not_covered

    def unit_cosine(self, query: np.ndarray, unit: int) -> float:
        """Cosine of a query vector and a unit's own text (by the unit's position in the chunk list)."""
        return float(np.dot(self.index.reconstruct(self._unit_row[unit]), query))
