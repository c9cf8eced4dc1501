"""`omstillingsbot eval FILE... --compare`: the engine beside simpler retrievers, on the same questions.

- tutorial: the common recipe — the corpus text cut into fixed 500-character chunks with 50 characters
  of overlap, the same e5 model, FAISS top-3, no abstention (it answers everything);
- dense / lexical: the engine with only one of its two searches ranking (its answerability model on);
- engine: the engine as it runs.
recall@1 / @3 and refusals are counted as in `omstillingsbot eval`.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.evaluation.evaluate import evaluate
from bot.settings import Settings
from retrieval.answerability import contains_any
from retrieval.documents import load_corpus
from retrieval.search import dense_search

CHUNK_CHARS, OVERLAP_CHARS, TOP = 500, 50, 3


def tutorial_chunks(corpus_dir: Path) -> list[str]:
    chunks = []
    for doc in load_corpus(corpus_dir):
        text = "\n".join(block.text for block in doc.blocks)
        step = CHUNK_CHARS - OVERLAP_CHARS
        chunks += [text[i:i + CHUNK_CHARS] for i in range(0, max(1, len(text) - OVERLAP_CHARS), step)]
    return chunks


def tutorial(settings: Settings, embedder, path: str | Path) -> dict:
    import faiss

    chunks = tutorial_chunks(settings.corpus_dir)
    index = faiss.IndexFlatIP(embedder.dim)
    index.add(embedder.embed_passages(chunks))
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [i for i in items if i["answerable"]]
    r1 = r3 = 0
    for item in answerable:
        _, ids = dense_search(index, embedder.embed_queries([item["q"]]), TOP)
        found = [chunks[i] for i in ids[0] if i >= 0]
        r1 += bool(found) and contains_any(found[0], item["expect_any"])
        r3 += any(contains_any(text, item["expect_any"]) for text in found)
    n = max(1, len(answerable))
    return {"recall@1": r1 / n, "recall@3": r3 / n, "abstention_accuracy": 0.0, "false_abstentions": 0,
            "answerable": len(answerable), "unanswerable": len(items) - len(answerable)}


def compare(settings: Settings, paths: list[str], build) -> list[tuple[str, str, dict]]:
    """(set, method, report) rows; `build(mode)` makes an engine with that retrieval mode."""
    engines = {mode: build(mode) for mode in ("hybrid", "dense", "lexical")}
    rows = []
    for path in paths:
        rows.append((Path(path).name, "tutorial 500/50, e5, top-3",
                     tutorial(settings, engines["hybrid"].retriever.embedder, path)))
        for mode, label in (("dense", "bare tett (FAISS)"), ("lexical", "bare leksikalsk (BM25)"), ("hybrid", "motoren")):
            rows.append((Path(path).name, label, evaluate(engines[mode], path)))
    return rows


def format_compare(rows: list[tuple[str, str, dict]]) -> str:
    lines = ["| sett | metode | recall@1 | recall@3 | ubesvarbare avvist | besvarbare avvist |", "|---|---|---|---|---|---|"]
    for name, method, r in rows:
        refused = f"{round(r['abstention_accuracy'] * r['unanswerable'])}/{r['unanswerable']}"
        lines.append(f"| {name} | {method} | {r['recall@1']:.2f} | {r['recall@3']:.2f} | {refused} | "
                     f"{r['false_abstentions']}/{r['answerable']} |")
    return "\n".join(lines)
