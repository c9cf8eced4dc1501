"""Small, deterministic learning tools for the answerability models: L2-regularised logistic
regression by Newton's method, standardisation, stratified k-fold predictions and the threshold
rule. numpy only: the models have tens of weights and fit in well under a second."""

from __future__ import annotations

import numpy as np

FOLDS = 5
L2 = 1.0


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50,
                 sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weights and bias maximising the L2-penalised, row-weighted log-likelihood (the bias is not penalised)."""
    n, d = x.shape
    r = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    design = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = sigmoid(design @ beta)
        gradient = design.T @ (r * (p - y)) + penalty * beta
        hessian = design.T @ (design * (r * p * (1 - p))[:, None]) + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def folds_of(labels: np.ndarray, folds: int = FOLDS) -> np.ndarray:
    """A fixed fold number per row, stratified by label (row order decides: deterministic)."""
    fold_of = np.zeros(len(labels), dtype=int)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        fold_of[rows] = np.arange(len(rows)) % folds
    return fold_of


def out_of_fold(x: np.ndarray, y: np.ndarray, fold_of: np.ndarray,
                sample_weight: np.ndarray | None = None, fitted: np.ndarray | None = None) -> np.ndarray:
    """Each row's probability from a model fitted without its fold. `fitted`: the rows the models are
    fitted on (all when None); every row is still predicted."""
    predictions = np.zeros(len(y))
    fitted = np.ones(len(y), dtype=bool) if fitted is None else fitted
    for fold in np.unique(fold_of):
        train, test = fitted & (fold_of != fold), fold_of == fold
        if len(set(y[train])) < 2:
            continue
        mean, scale = standardise(x[train])
        w, b = fit_logistic((x[train] - mean) / scale, y[train],
                            sample_weight=None if sample_weight is None else sample_weight[train])
        predictions[test] = sigmoid(((x[test] - mean) / scale) @ w + b)
    return predictions


def choose_threshold(probabilities: np.ndarray, answerable: np.ndarray, refuse_share: float) -> float:
    """The lowest cut that still refuses `refuse_share` of the unanswerable questions, on held-out
    predictions. Lowest, because a refused answerable question is a dead end for the user while a
    cited near-miss still shows the report's words."""
    negatives = np.sort(probabilities[~answerable])
    # Refusing a question means probability < cut: the cut must lie above ceil(share * n) negatives.
    needed = int(np.ceil(refuse_share * len(negatives)))
    if needed <= 0:
        return 0.0
    return float(negatives[needed - 1]) + 1e-9


def budget_threshold(probabilities: np.ndarray, answerable: np.ndarray, budget: float) -> float:
    """The highest cut that refuses at most `budget` of the answerable questions."""
    positives = np.sort(probabilities[answerable])
    allowed = int(np.floor(budget * len(positives)))
    return float(positives[allowed]) if allowed < len(positives) else 1.0


class Logistic:
    """A fitted logistic model with its standardisation, as plain tuples (JSON-friendly)."""

    def __init__(self, mean, scale, weights, bias: float) -> None:
        self.mean, self.scale = np.asarray(mean, float), np.asarray(scale, float)
        self.weights, self.bias = np.asarray(weights, float), float(bias)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "Logistic":
        mean, scale = standardise(x)
        w, b = fit_logistic((x - mean) / scale, y, sample_weight=sample_weight)
        return cls(mean, scale, w, b)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(((np.atleast_2d(x) - self.mean) / self.scale) @ self.weights + self.bias)

    def to_json(self) -> dict:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist(), "weights": self.weights.tolist(),
                "bias": self.bias}

    @classmethod
    def from_json(cls, raw: dict) -> "Logistic":
        return cls(raw["mean"], raw["scale"], raw["weights"], raw["bias"])
