"""`omstillingsbot eval --library DIR`: documents nobody labelled, dropped beside the corpus.

DIR holds documents (`<slug>.md`, `.txt`, `.html`, `.pdf`) and, for each, blind questions in
`questions-<slug>.jsonl` (the format of the evaluation sets). The documents are added to a copy of the
corpus, and each is measured *leave-one-document-out*: the engine is fitted as an owner gets it (the
corpus's own labelled questions, and the shipped rows of other documents, retrieval/transfer.py) but
without the measured document's own rows, then asked that document's questions. That is the one honest
figure for "an owner drops a report in": nothing was fitted on it.

Printed per document, side by side: the tutorial recipe (500/50-character chunks, the same e5, FAISS
top-3, never refuses), the engine's own hybrid search without any learned part (answers everything,
fused order), and the engine.

`omstillingsbot transfer DIR…` writes the shipped rows from such folders (`write_transfer`): each
document alone beside the corpus, as an owner adds one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.answering import language
from bot.answering.engine import Engine, read_question
from bot.evaluation.compare import tutorial
from bot.evaluation.evaluate import evaluate
from bot.runtime import load_transfer
from bot.settings import Settings
from retrieval.answerability import LabelledQuestion, train, transfer_rows
from retrieval.documents import SUFFIXES, slug
from retrieval.transfer import TransferRows
from retrieval.vector_cache import VectorCache

QUESTION_PREFIX = "questions-"


def library_documents(folder: Path) -> list[tuple[Path, Path]]:
    """(document, its question file) pairs directly in `folder` (subfolders, such as a held-aside
    document, are only measured when named themselves). `questions-X.jsonl` belongs to the document
    whose name holds every word of X ("questions-dfo-2024-3" -> "dfo-rapport-2024-3.md")."""
    documents = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES]
    pairs = []
    for questions in sorted(folder.glob(f"{QUESTION_PREFIX}*.jsonl")):
        wanted = set(slug(questions.stem[len(QUESTION_PREFIX):]).split("-"))
        matches = [d for d in documents if wanted <= set(slug(d.stem).split("-"))]
        if len(matches) == 1:
            pairs.append((matches[0], questions))
    return pairs


def read_pool(path: Path, doc: str) -> list[LabelledQuestion]:
    """A question file as the engine meets it (past markup and greeting, language detected), keyed to `doc`."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            clean = read_question(item["q"])
            out.append(LabelledQuestion(clean, bool(item["answerable"]), tuple(item.get("expect_any", ())),
                                        language.detect(clean), doc))
    return out


def _pairs(folders: list[Path]) -> list[tuple[Path, Path]]:
    pairs = [pair for folder in folders for pair in library_documents(folder)]
    if not pairs:
        raise ValueError("no document with a questions-<name>.jsonl beside it in " + ", ".join(map(str, folders)))
    return pairs


def _beside_corpus(settings: Settings, documents: list[Path], tmp: str, data: str) -> Settings:
    """Settings for a copy of the corpus (in `tmp`) with `documents` added, its index under `data`."""
    corpus = Path(tmp) / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    for document in documents:
        shutil.copy(document, corpus / document.name)
    return replace(settings, corpus_dir=corpus, data_dir=settings.data_dir / data)


def write_transfer(settings: Settings, folders: list[Path], build: Callable[[Settings], Engine]) -> TransferRows:
    """The rows retrieval/transfer.py learns from, written to `settings.transfer_file`: each document
    alone beside a copy of the corpus, its blind questions searched as the engine meets them."""
    parts = []
    for document, questions in _pairs(folders):
        doc = slug(document.stem)
        with tempfile.TemporaryDirectory(prefix="omstillingsbot-transfer-") as tmp:
            alone = _beside_corpus(settings, [document], tmp, f"transfer/{doc}")
            engine = build(alone)
            pool = read_pool(questions, doc)
            cache = VectorCache(alone.index_dir, engine.retriever.embedder.dim).load()
            parts.append(transfer_rows(engine.retriever, pool,
                                       cache.embed(engine.retriever.embedder, "query", [q.q for q in pool])))
            cache.save()
    rows = TransferRows.joined(parts)
    rows.save(settings.transfer_file)
    return rows


def evaluate_library(settings: Settings, folders: list[Path], build: Callable[[Settings], Engine],
                     own_pool: Callable[[Path], list[LabelledQuestion]]) -> list[tuple[str, str, dict]]:
    """(set, method, report) rows. `build(settings)` makes an engine over a corpus folder;
    `own_pool(corpus_dir)` reads the corpus's labelled questions."""
    pairs = _pairs(folders)
    transfer = load_transfer(settings)
    with tempfile.TemporaryDirectory(prefix="omstillingsbot-library-") as tmp:
        combined = _beside_corpus(settings, [document for document, _ in pairs], tmp, "eval-library")
        engine = build(combined)
        own = own_pool(combined.corpus_dir)
        cache = VectorCache(combined.index_dir, engine.retriever.embedder.dim).load()
        rows = []
        own_vectors = cache.embed(engine.retriever.embedder, "query", [q.q for q in own])
        for document, questions in pairs:
            doc = slug(document.stem)
            name = document.name
            rows.append((name, "tutorial 500/50, e5, top-3", tutorial(combined, engine.retriever.embedder, questions)))
            bare = Engine(engine.retriever, engine.calibration, engine.max_chars, None)
            rows.append((name, "hybrid uten læring", evaluate(bare, questions)))
            # What an owner gets, less the measured document's own rows.
            model, _ = train(engine.retriever, own, own_vectors, transfer.without(doc) if transfer else None)
            rows.append((name, "motoren (uten dokumentets egne rader)",
                         evaluate(Engine(engine.retriever, engine.calibration, engine.max_chars, model), questions)))
        cache.save()
        return rows


def format_library(rows: list[tuple[str, str, dict]]) -> str:
    lines = [f"{'dokument':28} {'metode':44} {'r@1':>5} {'r@3':>5} {'ubesv. avvist':>14} {'besv. avvist':>13}"]
    for name, method, report in rows:
        refused_ok = report.get("abstention_accuracy")
        refused = "–" if refused_ok is None else f"{refused_ok:.2f}"
        wrong = f"{report['false_abstentions']}/{report['answerable']}"
        lines.append(f"{name[:28]:28} {method:44} {report['recall@1']:5.2f} {report['recall@3']:5.2f} "
                     f"{refused:>14} {wrong:>13}")
    return "\n".join(lines)
