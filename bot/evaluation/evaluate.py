"""`omstillingsbot eval FILE`: the metrics of shared/eval/README.md on a JSONL question set.

- recall@1 / recall@3 on answerable questions: the first / any of the first three citations
  contain an expected phrase (case- and whitespace-insensitive);
- abstention accuracy on unanswerable questions (abstained and cites nothing);
- false abstentions on answerable questions;
- answer latency, median and 95th percentile, over the whole set (warm engine).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bot.answering.engine import Engine
from bot.types import Answer, Question
from retrieval.answerability import contains_any


def hit_at(answer: Answer, expected: list[str], k: int) -> bool:
    """One of the first k citations contains an expected phrase (the rule the model is fitted with)."""
    return any(contains_any(c.text, expected) for c in answer.citations[:k])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def evaluate(engine: Engine, path: str | Path) -> dict:
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    engine.respond(Question("oppvarming"))  # first call pays one-time costs; not part of the latency
    latencies: list[float] = []
    misses: list[dict] = []
    r1 = r3 = answerable = false_abstain = unanswerable = abstain_ok = 0
    for item in items:
        started = time.perf_counter()
        answer = engine.respond(Question(item["q"], platform="cli"))
        latencies.append((time.perf_counter() - started) * 1000)
        labels = [c.label for c in answer.citations[:3]]
        if item["answerable"]:
            answerable += 1
            one, three = hit_at(answer, item["expect_any"], 1), hit_at(answer, item["expect_any"], 3)
            r1 += one
            r3 += three
            false_abstain += answer.abstained
            if not one:
                misses.append({"q": item["q"], "why": "abstained" if answer.abstained else ("rank>1" if three else "not in top 3"),
                               "cited": labels})
        else:
            unanswerable += 1
            ok = answer.abstained and not answer.citations
            abstain_ok += ok
            if not ok:
                misses.append({"q": item["q"], "why": "answered an unanswerable question", "cited": labels})
    return {
        "questions": len(items),
        "answerable": answerable,
        "unanswerable": unanswerable,
        "recall@1": r1 / answerable if answerable else None,
        "recall@3": r3 / answerable if answerable else None,
        "abstention_accuracy": abstain_ok / unanswerable if unanswerable else None,
        "false_abstentions": false_abstain,
        "latency_ms_p50": statistics.median(latencies) if latencies else 0.0,
        "latency_ms_p95": percentile(latencies, 0.95),
        "misses": misses,
    }


def format_report(report: dict, embedder: str) -> str:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    lines = [
        f"Embedder: {embedder}   spørsmål: {report['questions']} "
        f"({report['answerable']} besvarbare, {report['unanswerable']} ubesvarbare)",
        f"recall@1:              {pct(report['recall@1'])}",
        f"recall@3:              {pct(report['recall@3'])}",
        f"avstår riktig:         {pct(report['abstention_accuracy'])}  (ubesvarbare som ble avvist uten kilder)",
        f"avstår feil:           {report['false_abstentions']}  (besvarbare som ble avvist)",
        f"svartid p50 / p95:     {report['latency_ms_p50']:.1f} ms / {report['latency_ms_p95']:.1f} ms",
    ]
    if report["misses"]:
        lines.append("Bom:")
        lines += [f"  - {m['q']}  [{m['why']}; siterte: {', '.join(m['cited']) or 'ingenting'}]" for m in report["misses"]]
    return "\n".join(lines)
