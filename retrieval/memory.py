"""The memory of labelled questions: how near a new question comes to the ones owners have labelled.

The answerability models (retrieval/answerability.py) read two things from it: which units the
nearest labelled questions are answered by (a vote per unit, for the reranker), and how near the
nearest answerable and the nearest unanswerable labelled question are (for the gate). Stored beside
the index as `answerability-memory.npy` (the query vectors and the answerable flag) plus the unit ids
in `answerability.json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from retrieval.chunking import document_of

VOTERS = 100  # nearest labelled questions whose units vote in the reranker
NEIGHBOURS = 10  # nearest labelled questions whose units share the soft vote (`shares`)
SHARPNESS = 0.05  # cosine difference that weighs a neighbour e times less


MIN_LANGUAGE_QUESTIONS = 20  # labelled questions a language needs before its direction is estimated


def _centre(vectors: np.ndarray, mean: np.ndarray, languages: np.ndarray | None = None) -> np.ndarray:
    """Each vector (a row, or a single vector) less the mean and its part along `languages`, at unit
    length (a zero one stays zero)."""
    centred = vectors - mean
    if languages is not None and len(languages):
        centred = centred - (centred @ languages.T) @ languages
    norms = np.linalg.norm(centred, axis=-1, keepdims=True)
    return centred / np.where(norms > 1e-9, norms, 1.0)


def language_directions(vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
    """Orthonormal rows spanning how the labelled questions' languages differ (each language's mean less
    the commonest's). e5 places an English question nearer every other English question than a bokmål
    one is to other bokmål ones: centred on the mean alone, English questions about a report nobody
    labelled seemed familiar to the summary's English ones (36 % above `MEMORY_SPEAKS`, against 20 %
    of bokmål ones), and the memory took them to the summary."""
    langs = np.asarray(langs)
    names, counts = np.unique(langs, return_counts=True)
    if len(names) < 2:
        return np.zeros((0, vectors.shape[1]), np.float32)
    commonest = names[np.argmax(counts)]
    common = vectors[langs == commonest].mean(axis=0)
    differences = [vectors[langs == name].mean(axis=0) - common for name, count in zip(names, counts)
                   if name != commonest and count >= MIN_LANGUAGE_QUESTIONS]
    if not differences:
        return np.zeros((0, vectors.shape[1]), np.float32)
    basis, _ = np.linalg.qr(np.stack(differences).T)
    return np.ascontiguousarray(basis.T, dtype=np.float32)


@dataclass(frozen=True)
class Memory:
    """The labelled questions' query vectors: what the gate's nearest-neighbour features compare with."""

    vectors: np.ndarray  # (n, dim) float32, unit length
    answerable: np.ndarray  # (n,) bool
    units: tuple[tuple[str, ...], ...]  # per question, the ids of the chunks that answer it
    languages: np.ndarray | None = None  # (k, dim) orthonormal: how the questions' languages differ

    def cosines(self, query: np.ndarray | None, leave_out: np.ndarray | None = None,
                frame: "Memory | None" = None) -> np.ndarray:
        """Cosines after removing what all questions share (their mean: e5 puts every "What does the
        report say about …?" close together whatever comes after) and what a language shares
        (`language_directions`); so centred, the topic decides.
        `frame`: another memory to centre on (a handful of lessons has no mean of its own)."""
        if query is None or not len(self.vectors):
            return np.zeros(0, dtype=np.float32)
        mean, languages = (self._mean, self.languages) if frame is None else (frame._mean, frame.languages)
        rows = self._centred if frame is None else _centre(self.vectors, mean, languages)
        cosines = rows @ _centre(np.asarray(query, dtype=np.float32).reshape(-1), mean, languages)
        return np.where(leave_out, -1.0, cosines) if leave_out is not None else cosines

    @cached_property
    def _mean(self) -> np.ndarray:
        return self.vectors.mean(axis=0)

    @cached_property
    def _centred(self) -> np.ndarray:
        return np.ascontiguousarray(_centre(self.vectors, self._mean, self.languages), dtype=np.float32)

    @cached_property
    def known(self) -> frozenset[str]:
        """Every unit some labelled question answers."""
        return frozenset(unit for units in self.units for unit in units)

    @cached_property
    def documents(self) -> frozenset[str]:
        """The documents some labelled question is answered in."""
        return frozenset(document_of(unit) for unit in self.known)

    @cached_property
    def _rows_of(self) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for row, units in enumerate(self.units):
            for unit in units:
                rows.setdefault(unit, []).append(row)
        return {unit: np.array(found) for unit, found in rows.items()}

    def votes(self, cosines: np.ndarray, candidates: Iterable[str]) -> dict[str, float]:
        """Per candidate chunk id, the cosine of the nearest labelled question it answers, if that
        question is among the VOTERS nearest of all (a vote from far away says nothing)."""
        if not len(cosines):
            return {}
        cut = float(np.partition(cosines, -VOTERS)[-VOTERS]) if len(cosines) > VOTERS else -np.inf
        out: dict[str, float] = {}
        for unit in candidates:
            rows = self._rows_of.get(unit)
            if rows is not None:
                best = float(cosines[rows].max())
                if best >= cut:
                    out[unit] = best
        return out

    def shares(self, cosines: np.ndarray, candidates: Iterable[str]) -> dict[str, float]:
        """Per candidate chunk id, the weighted share of the NEIGHBOURS nearest labelled questions
        that it answers (a soft k-nearest-neighbour vote: several near questions agreeing say more
        than the single nearest one, which may be a near-copy with another answer)."""
        if not len(cosines):
            return {}
        top = np.argpartition(cosines, -NEIGHBOURS)[-NEIGHBOURS:] if len(cosines) > NEIGHBOURS else np.arange(len(cosines))
        weights = np.exp((cosines[top] - cosines[top].max()) / SHARPNESS)
        total = float(weights.sum())
        wanted = set(candidates)
        mass: dict[str, float] = {}
        for row, weight in zip(top.tolist(), weights.tolist()):
            for unit in self.units[row]:
                if unit in wanted:
                    mass[unit] = mass.get(unit, 0.0) + weight
        return {unit: mass.get(unit, 0.0) / total for unit in wanted if unit in self._rows_of}

    def features(self, cosines: np.ndarray) -> list[float]:
        if not len(cosines):
            return [0.0, 0.0, 0.0]
        near_yes = float(cosines[self.answerable].max(initial=-1.0))
        near_no = float(cosines[~self.answerable].max(initial=-1.0))
        return [near_yes, near_no, near_yes - near_no]
