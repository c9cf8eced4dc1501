"""The reranker and gate for documents nobody labelled, learned from other documents.

Fitted on the corpus's own labelled page, the reranker and gate learn that page's habits, and in a
report nobody labelled they did worse than the search alone. So where the search lands in such a
document, the engine ranks and gates with models fitted on *other* documents: restated DFØ reports,
each beside the summary as an owner adds one, with blind questions written from the report alone
(tests/library). Their rows hold only signals that mean the same in every document (scores relative
to the search's best, 0-1 shares, roles), so what is learned on them carries over; whether it does is
measured leave-one-document-out (`omstillingsbot eval --library` drops the measured document's rows).

The rows ship with the package (`TRANSFER_FILE`), written by `omstillingsbot transfer`; no document
text is in them, only numbers. For each blind question: each of its search's candidates' reranker
features and labels, and the gate's features as they would be were that candidate first, so the gate
can be fitted on whatever order the reranker gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.learning import Logistic, budget_threshold

TRANSFER_FILE = Path(__file__).with_name("transfer.npz")
# The highest gate cut that refuses at most this share of the answerable questions of documents left out
# of the fit (leave-one-document-out). The bar is 0.10; half of it leaves room for documents unlike these.
TRANSFER_REFUSAL_BUDGET = 0.05


@dataclass(frozen=True)
class TransferRows:
    signature: str  # retrieval/answerability.py TRANSFER_SIGNATURE when written: the features and their meaning
    docs: tuple[str, ...]  # per question: the document it is about
    answerable: np.ndarray  # per question
    question: np.ndarray  # per candidate: the index of its question
    candidates: np.ndarray  # per candidate: TRANSFER_CANDIDATE_FEATURES
    best: np.ndarray  # per candidate: the reranker's label (the unit to cite first)
    gate: np.ndarray  # per candidate: UNLABELLED_GATE_FEATURES as they are when it is cited first

    @classmethod
    def joined(cls, parts: "list[TransferRows]") -> "TransferRows":
        offsets = np.cumsum([0] + [len(p.docs) for p in parts[:-1]])
        return cls(parts[0].signature, tuple(d for p in parts for d in p.docs),
                   np.concatenate([p.answerable for p in parts]),
                   np.concatenate([p.question + offset for p, offset in zip(parts, offsets)]),
                   np.vstack([p.candidates for p in parts]), np.concatenate([p.best for p in parts]),
                   np.vstack([p.gate for p in parts]))

    def without(self, doc: str) -> "TransferRows":
        """The rows of every document but `doc`: a document is never measured with its own rows."""
        keep_question = np.array([d != doc for d in self.docs], dtype=bool)
        keep = keep_question[self.question]
        renumber = np.cumsum(keep_question) - 1
        return TransferRows(self.signature, tuple(d for d in self.docs if d != doc), self.answerable[keep_question],
                            renumber[self.question[keep]], self.candidates[keep], self.best[keep], self.gate[keep])

    def digest(self) -> str:
        h = hashlib.sha256(self.signature.encode() + "\n".join(self.docs).encode())
        # As saved (float32 features), so rows read back have the digest of the rows written.
        for array in (self.answerable.astype(bool), self.question.astype(np.int64), self.candidates.astype(np.float32),
                      self.best.astype(bool), self.gate.astype(np.float32)):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, signature=np.array(self.signature), docs=np.array(self.docs),
                            answerable=self.answerable, question=self.question,
                            candidates=self.candidates.astype(np.float32), best=self.best,
                            gate=self.gate.astype(np.float32))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, signature: str) -> "TransferRows | None":
        """None when the file is missing, unreadable, or written for other features (`signature`)."""
        try:
            with np.load(path) as raw:
                if str(raw["signature"]) != signature:
                    return None
                return cls(signature, tuple(str(d) for d in raw["docs"]), raw["answerable"].astype(bool),
                           raw["question"].astype(np.int64), raw["candidates"].astype(np.float64),
                           raw["best"].astype(bool), raw["gate"].astype(np.float64))
        except (OSError, KeyError, ValueError):
            return None


@dataclass(frozen=True)
class Unlabelled:
    """The reranker and gate for a document nobody labelled, and the gate's cut. Without transfer rows
    (`reranker` None) the search's own order stands and the gate is fitted on the corpus's labelled pool."""

    reranker: Logistic | None
    gate: Logistic
    threshold: float

    def to_json(self) -> dict:
        return {"reranker": self.reranker.to_json() if self.reranker else None, "gate": self.gate.to_json(),
                "threshold": self.threshold}

    @classmethod
    def from_json(cls, raw: dict) -> "Unlabelled":
        reranker = Logistic.from_json(raw["reranker"]) if raw.get("reranker") else None
        return cls(reranker, Logistic.from_json(raw["gate"]), float(raw["threshold"]))


def _tops(rows: TransferRows, reranker: Logistic, questions: np.ndarray) -> np.ndarray:
    """Per question (of `questions`), the candidate row the reranker puts first."""
    scores = reranker.predict(rows.candidates)
    tops = []
    for q in questions:
        mine = np.flatnonzero(rows.question == q)
        tops.append(mine[int(np.argmax(scores[mine]))])
    return np.array(tops, dtype=np.int64)


def _fit(rows: TransferRows, questions: np.ndarray) -> tuple[Logistic, Logistic]:
    """Reranker on the answerable questions' candidates, then the gate on each question's first candidate."""
    used = np.isin(rows.question, questions[rows.answerable[questions]])
    reranker = Logistic.fit(rows.candidates[used], rows.best[used].astype(float))
    tops = _tops(rows, reranker, questions)
    gate = Logistic.fit(rows.gate[tops], rows.answerable[questions].astype(float))
    return reranker, gate


def fit_unlabelled(rows: TransferRows, budget: float = TRANSFER_REFUSAL_BUDGET) -> Unlabelled | None:
    """Fitted on every document's rows; the cut from leave-one-document-out predictions: each document
    gated by models fitted without it, as an unseen document will be. None with fewer than two documents."""
    documents = sorted(set(rows.docs))
    if len(documents) < 2:
        return None
    doc_of = np.array(rows.docs)
    everything = np.arange(len(rows.docs))
    reranker, gate = _fit(rows, everything)
    held_out = np.zeros(len(rows.docs))
    for doc in documents:
        inside, outside = everything[doc_of != doc], everything[doc_of == doc]
        other_reranker, other_gate = _fit(rows, inside)
        held_out[outside] = other_gate.predict(rows.gate[_tops(rows, other_reranker, outside)])
    return Unlabelled(reranker, gate, budget_threshold(held_out, rows.answerable, budget))
