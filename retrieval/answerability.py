"""Does the corpus answer this question, and how sure is the answer? Two small logistic models
over retrieval signals, learned from labelled questions instead of word lists.

The labelled questions live beside the corpus (corpus/questions/*.jsonl, the format of
shared/eval/README.md). Every one is searched and its signals (retrieval/search.py `Signals`)
become a feature row. Two heads are fitted on the same rows:
- the *gate* predicts whether the question is answerable at all; the engine refuses below its
  threshold. The threshold is chosen on out-of-fold predictions of a k-fold cross-validation
  (never on predictions for questions the model was fitted on);
- the *confidence* predicts whether the first unit the search found is one that answers the
  question (unanswerable questions are 0). It is the confidence an answer carries, so a number
  means what it says: of answers given at 0.8, about eight in ten cite the right unit first
  (`omstillingsbot eval --plot` draws the reliability diagram). A wrong unit at 1.00 is a defect.
Fitting the gate on "answerable" rather than "first unit right" measured better on the
cross-validated pool: a question whose ranking is hard is still a question the report answers.

Fitting is deterministic (Newton's method on an L2-regularised log-likelihood, fixed folds), takes
about a second, and is redone whenever the corpus folder changes (the index's corpus hash).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.search import HybridRetriever, SearchResult

FEATURES = ("dense_top", "margin", "text_top", "example_top", "not_covered_gap", "coverage",
            "lexical_top", "lexical_any", "has_topic", "length")
FOLDS = 5
REFUSE_SHARE = 0.9  # of unanswerable questions, on cross-validated predictions
L2 = 1.0
MODEL_FILE = "answerability.json"
FORMAT = 2


def features(result: SearchResult) -> np.ndarray:
    s, analysis = result.signals, result.analysis
    return np.array([
        s.dense_top,
        s.dense_top - s.dense_second,
        s.text_top,
        s.example_top,
        s.not_covered - s.dense_top,  # > 0: a "not covered" example is nearer than any unit
        analysis.coverage,
        s.lexical_top,
        float(s.lexical_any),
        float(analysis.has_topic),
        math.log1p(len(analysis.parts)),
    ], dtype=np.float64)


@dataclass(frozen=True)
class LabelledQuestion:
    q: str
    answerable: bool
    expect_any: tuple[str, ...]


def load_labelled(folder: Path) -> list[LabelledQuestion]:
    out = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else ():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append(LabelledQuestion(item["q"], bool(item["answerable"]), tuple(item.get("expect_any", ()))))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def contains_any(text: str, phrases: Sequence[str]) -> bool:
    """The evaluation's hit rule (shared/eval/README.md): case- and whitespace-insensitive containment."""
    body = _norm(text)
    return any(_norm(p) in body for p in phrases)


@dataclass(frozen=True)
class AnswerabilityModel:
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    gate_weights: tuple[float, ...]
    gate_bias: float
    threshold: float  # answer when the gate's probability >= threshold
    confidence_weights: tuple[float, ...]
    confidence_bias: float
    rows: int = 0
    answerable: int = 0
    corpus_hash: str = ""
    embedder: str = ""
    data_hash: str = ""

    def _z(self, x: np.ndarray) -> np.ndarray:
        return (x - np.array(self.mean)) / np.array(self.scale)

    def answerable_probability(self, x: np.ndarray) -> float:
        return float(_sigmoid(float(self._z(x) @ np.array(self.gate_weights)) + self.gate_bias))

    def answers(self, x: np.ndarray) -> bool:
        return self.answerable_probability(x) >= self.threshold

    def confidence(self, x: np.ndarray) -> float:
        """Probability that the first unit found answers the question."""
        return float(_sigmoid(float(self._z(x) @ np.array(self.confidence_weights)) + self.confidence_bias))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"format": FORMAT, "features": FEATURES, **asdict(self)}, indent=1))

    @classmethod
    def load(cls, path: Path) -> "AnswerabilityModel | None":
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if raw.pop("format", None) != FORMAT or tuple(raw.pop("features", ())) != FEATURES:
            return None
        try:
            return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
        except TypeError:
            return None


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = _sigmoid(design @ beta)
        gradient = design.T @ (p - y) + penalty * beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = FOLDS) -> np.ndarray:
    """Each row's probability from a model fitted without its fold (folds stratified by label, fixed)."""
    fold_of = np.zeros(len(y), dtype=int)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        fold_of[rows] = np.arange(len(rows)) % folds
    predictions = np.zeros(len(y))
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        if not test.any() or len(set(y[train])) < 2:
            continue
        mean, scale = _standardise(x[train])
        w, b = fit_logistic((x[train] - mean) / scale, y[train])
        predictions[test] = _sigmoid(((x[test] - mean) / scale) @ w + b)
    return predictions


def choose_threshold(probabilities: np.ndarray, answerable: np.ndarray, refuse_share: float = REFUSE_SHARE) -> float:
    """The lowest cut that still refuses `refuse_share` of the unanswerable questions, on held-out
    predictions. Lowest, because a refused answerable question is a dead end for the user while a
    cited near-miss still shows the report's words; the product promises to refuse nine in ten
    questions the report does not cover (docs/ENGINEERING.md, «Svarmotor v2»)."""
    negatives = np.sort(probabilities[~answerable])
    if not len(negatives):
        return 0.0
    # Refusing a question means probability < cut: the cut must lie above ceil(share * n) negatives.
    needed = int(np.ceil(refuse_share * len(negatives)))
    if needed <= 0:
        return 0.0
    return float(negatives[needed - 1]) + 1e-9


@dataclass(frozen=True)
class Training:
    """Rows of a fit, kept for the evaluation's curves."""

    x: np.ndarray
    correct: np.ndarray  # label: the top unit answers the question
    answerable: np.ndarray


def training_rows(retriever: HybridRetriever, questions: Sequence[LabelledQuestion]) -> Training:
    rows, correct = [], []
    for item in questions:
        result = retriever.search(item.q, k=1)
        rows.append(features(result))
        top = result.hits[0].chunk.text if result.hits else ""
        correct.append(item.answerable and contains_any(top, item.expect_any))
    answerable = np.array([q.answerable for q in questions], dtype=bool)
    return Training(np.array(rows).reshape(len(rows), len(FEATURES)), np.array(correct, dtype=float), answerable)


def data_hash(questions: Sequence[LabelledQuestion]) -> str:
    digest = hashlib.sha256()
    for q in questions:
        digest.update(json.dumps(asdict(q), ensure_ascii=False).encode())
    return digest.hexdigest()


def fit(retriever: HybridRetriever, questions: Sequence[LabelledQuestion], corpus_hash: str = "",
        embedder: str = "") -> AnswerabilityModel:
    data = training_rows(retriever, questions)
    gate_target = data.answerable.astype(float)
    if len(set(gate_target)) < 2 or len(set(data.correct)) < 2:
        raise ValueError("answerability needs both answerable and unanswerable labelled questions")
    threshold = choose_threshold(out_of_fold(data.x, gate_target), data.answerable)
    mean, scale = _standardise(data.x)
    z = (data.x - mean) / scale
    gate_w, gate_b = fit_logistic(z, gate_target)
    conf_w, conf_b = fit_logistic(z, data.correct)
    return AnswerabilityModel(tuple(mean), tuple(scale), tuple(gate_w), gate_b, threshold, tuple(conf_w), conf_b,
                              len(questions), int(data.answerable.sum()), corpus_hash, embedder,
                              data_hash(questions))
