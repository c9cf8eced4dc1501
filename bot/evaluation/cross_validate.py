"""`omstillingsbot eval --cv`: the engine's figures on its own labelled pool, cross-validated.

Every figure of `omstillingsbot eval` on a file the model was fitted on is in-sample: the model has
seen the answer. Here every question is judged by models fitted without it: the reranker and the
gate are fitted on the other folds, and the question's nearest-neighbour features leave it (and
copies of it) out (retrieval/answerability.py `train`). Printed per file and per kind of question
(the `kind` field, where the file has one). The threshold is the one chosen on these same
out-of-fold predictions, so the refusal shares sit a little closer to the target than a truly new
set would (the held-aside sets in tests/holdout/ are the check on that).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from bot.answering import commands
from bot.answering.engine import Engine
from bot.types import Question
from bot.runtime import QUESTIONS_DIR, labelled_questions
from retrieval.answerability import contains_any, decides_to_answer, train
from retrieval.transfer import TransferRows


def cross_validate(engine: Engine, corpus_dir: Path, transfer: TransferRows | None = None) -> dict[str, Counter]:
    """`transfer`: the rows the engine ranks and gates documents nobody labelled with (retrieval/transfer.py)."""
    items = []  # the same rows, in the same order, as bot/runtime.labelled_questions reads them
    for path in sorted((corpus_dir / QUESTIONS_DIR).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append({**json.loads(line), "file": path.name})
    questions = labelled_questions(corpus_dir)
    _, training = train(engine.retriever, questions, transfer=transfer)
    tally: dict[str, Counter] = defaultdict(Counter)
    for item, question, result, probability in zip(items, questions, training.reranked, training.gate_oof):
        numbered = engine.numbered_unit(question.q)
        if commands.parse(question.q).name != "ask":  # "anbefaling 2", "utfordringer": a lookup, as in `respond`
            answer = engine.respond(Question(question.q))
            answered, cited = not answer.abstained, list(answer.citations)
        elif numbered is not None:
            answered, cited = True, [numbered]
        else:
            answered = decides_to_answer(engine.retriever, result, probability, training.threshold)
            cited = engine.select(result) if answered else []
        for group in ("alle", f"fil {item['file']}", f"type {item.get('kind', '–')}"):
            t = tally[group]
            if question.answerable:
                t["answerable"] += 1
                t["r1"] += bool(cited) and contains_any(cited[0].text, question.expect_any)
                t["r3"] += any(contains_any(c.text, question.expect_any) for c in cited[:3])
                t["refused"] += not answered
            else:
                t["unanswerable"] += 1
                t["refused_ok"] += not answered
    return tally


def format_cv(tally: dict[str, Counter]) -> str:
    lines = [f"{'':24} {'besv.':>5} {'r@1':>5} {'r@3':>5} {'avvist':>7} {'ubesv.':>6} {'avvist':>7}"]
    for group in sorted(tally, key=lambda g: (g != "alle", g)):
        t = tally[group]
        a, u = t["answerable"], t["unanswerable"]
        share = (lambda n, d: f"{n / d:5.2f}" if d else "    –")
        lines.append(f"{group:24} {a:5d} {share(t['r1'], a)} {share(t['r3'], a)} {t['refused']:3d}/{a:<3d} "
                     f"{u:6d} {t['refused_ok']:3d}/{u:<3d}")
    return "\n".join(lines)
