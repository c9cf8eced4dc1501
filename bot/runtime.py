"""Composition: build the engine and the chat service from Settings (used by the CLI, the server and tests)."""

from __future__ import annotations

import logging

from bot.engine import CALIBRATIONS, Calibration, Engine
from bot.service import ChatService
from bot.settings import Settings
from retrieval.answerability import MODEL_FILE, AnswerabilityModel, fit, load_labelled
from retrieval.embedders import Embedder, make_embedder
from retrieval.index import StoredIndex, load_or_build
from retrieval.search import HybridRetriever
from retrieval.text import Analyzer, Lexicon

log = logging.getLogger(__name__)

LEXICON_FILE = "lexicon.json"
QUESTIONS_DIR = "questions"  # labelled questions beside the corpus: what the answerability model learns from

# Retrieval ablations for `omstillingsbot eval --mode`: which of the two retrievers rank.
MODES = {"hybrid": (None, 1.0), "dense": (None, 0.0), "lexical": (0.0, 1.0)}


def build_engine(settings: Settings, embedder: Embedder | None = None, rebuild: bool = False,
                 mode: str = "hybrid") -> Engine:
    embedder = embedder or make_embedder(settings.embedder)
    stored = load_or_build(settings.corpus_dir, settings.index_dir, embedder, force=rebuild)
    log.info("index %s: %d chunks, %d passages (%s)", "built" if stored.rebuilt else "loaded",
             len(stored.chunks), len(stored.passages), stored.manifest.index_type)
    calibration = CALIBRATIONS.get(settings.embedder, Calibration())
    dense_scale, lexical_weight = MODES[mode]
    retriever = HybridRetriever(stored.chunks, stored.faiss_index, embedder, stored.passages,
                                dense_scale=calibration.dense_scale if dense_scale is None else dense_scale,
                                lexical_weight=lexical_weight,
                                analyzer=Analyzer(Lexicon.load(settings.corpus_dir / LEXICON_FILE)))
    model = answerability_model(settings, stored, retriever, refit=rebuild)
    return Engine(retriever, calibration, settings.max_question_chars, model)


def answerability_model(settings: Settings, stored: StoredIndex, retriever: HybridRetriever,
                        refit: bool = False) -> AnswerabilityModel | None:
    """The model saved beside the index, refitted when the corpus (documents, examples, labelled
    questions) or the embedder changed. None when the corpus has no labelled questions: the engine
    then answers whatever it finds (and says so in the log)."""
    path = settings.index_dir / MODEL_FILE
    model = None if refit else AnswerabilityModel.load(path)
    if model and model.corpus_hash == stored.manifest.corpus_hash and model.embedder == stored.manifest.embedder:
        return model
    questions = load_labelled(settings.corpus_dir / QUESTIONS_DIR)
    if not questions:
        log.warning("no labelled questions in %s: every question is answered", settings.corpus_dir / QUESTIONS_DIR)
        return None
    model = fit(retriever, questions, stored.manifest.corpus_hash, stored.manifest.embedder)
    model.save(path)
    log.info("answerability model fitted on %d questions; threshold %.3f", model.rows, model.threshold)
    return model


def build_service(settings: Settings, engine: Engine | None = None) -> ChatService:
    from bot.feedback import open_store
    from bot.feedback.privacy import load_secret

    engine = engine or build_engine(settings)
    return ChatService(engine, open_store(settings), load_secret(settings))
