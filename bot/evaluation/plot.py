"""`omstillingsbot eval FILE --plot OUT.png`: what a confidence means, drawn for the report's owners.

Left: the answer-vs-abstain curve. Every labelled question gets the answerability gate's probability;
sweeping the cut from high to low, the x axis is the share of answerable questions answered and the y
axis the share of answered questions that were answerable. The engine's own cut is marked.
Right: the reliability diagram. Answers are binned by the confidence they carry; each bin's share of
answers whose first citation was right is plotted against the bin's mean confidence (the diagonal is
a perfectly calibrated engine).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.answering.engine import Engine, read_question
from bot.evaluation.evaluate import hit_at
from bot.types import Question

BINS = 5


def curve_rows(engine: Engine, path: str | Path) -> list[tuple[float, bool, bool, float]]:
    """(gate probability, answerable, first citation right, confidence shown) per question."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        answer = engine.respond(Question(item["q"]))
        result = engine.search(read_question(item["q"]))
        gate = (engine.model.assess(engine.retriever, result, answer.lang).answerable_probability
                if engine.model and result.hits else 1.0)
        right = bool(item["answerable"]) and not answer.abstained and hit_at(answer, item["expect_any"], 1)
        rows.append((gate, bool(item["answerable"]), right, answer.confidence if not answer.abstained else -1.0))
    return rows


def plot(engine: Engine, path: str | Path, out: str | Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = curve_rows(engine, path)
    gate = np.array([r[0] for r in rows])
    answerable = np.array([r[1] for r in rows])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    recalls, precisions = [], []
    for cut in np.unique(np.concatenate([gate, [1.01]]))[::-1]:
        answered = gate >= cut
        recalls.append((answered & answerable).sum() / max(1, answerable.sum()))
        precisions.append((answered & answerable).sum() / answered.sum() if answered.any() else 1.0)
    left.plot(recalls, precisions, marker=".", color="#1f5f8b")
    if engine.model is not None:
        answered = gate >= engine.model.threshold
        left.plot([(answered & answerable).sum() / max(1, answerable.sum())],
                  [(answered & answerable).sum() / max(1, answered.sum())], "o", color="#c0392b",
                  label=f"bruker terskel {engine.model.threshold:.2f}")
        left.legend(loc="lower left")
    left.set(xlim=(0, 1.02), ylim=(0, 1.02), xlabel="andel besvarbare som besvares",
             ylabel="andel besvarte som var besvarbare", title="Svare eller avstå")
    shown = np.array([r[3] for r in rows])
    right_first = np.array([r[2] for r in rows])
    given = shown >= 0
    edges = np.linspace(0, 1, BINS + 1)
    means, observed, counts = [], [], []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = given & (shown >= low) & ((shown < high) | (high == 1.0))
        if inside.any():
            means.append(shown[inside].mean())
            observed.append(right_first[inside].mean())
            counts.append(int(inside.sum()))
    right.plot([0, 1], [0, 1], "--", color="#999999")
    right.plot(means, observed, marker="o", color="#1f5f8b")
    for x, y, n in zip(means, observed, counts):
        right.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=8)
    right.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="tillit som står på svaret",
              ylabel="andel med riktig første kilde", title="Hva tilliten betyr (tall: antall svar)")
    fig.suptitle(Path(path).name)
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
