"""Composition: build the engine and the chat service from Settings (used by the CLI, the server and tests)."""

from __future__ import annotations

import logging

from bot.engine import CALIBRATIONS, Calibration, Engine
from bot.service import ChatService
from bot.settings import Settings
from retrieval.embedders import Embedder, make_embedder
from retrieval.index import load_or_build
from retrieval.search import HybridRetriever

log = logging.getLogger(__name__)


# Retrieval ablations for `omstillingsbot eval --mode`: which of the two retrievers rank.
MODES = {"hybrid": (None, 1.0), "dense": (None, 0.0), "lexical": (0.0, 1.0)}


def build_engine(settings: Settings, embedder: Embedder | None = None, rebuild: bool = False,
                 mode: str = "hybrid") -> Engine:
    embedder = embedder or make_embedder(settings.embedder)
    stored = load_or_build(settings.corpus_dir, settings.index_dir, embedder, force=rebuild)
    log.info("index %s: %d chunks (%s)", "built" if stored.rebuilt else "loaded", len(stored.chunks),
             stored.manifest.index_type)
    calibration = CALIBRATIONS.get(settings.embedder, Calibration())
    dense_scale, lexical_weight = MODES[mode]
    retriever = HybridRetriever(stored.chunks, stored.faiss_index, embedder,
                                dense_scale=calibration.dense_scale if dense_scale is None else dense_scale,
                                lexical_weight=lexical_weight)
    return Engine(retriever, calibration, settings.max_question_chars)


def build_service(settings: Settings, engine: Engine | None = None) -> ChatService:
    from bot.feedback import open_store
    from bot.feedback.privacy import load_secret

    from datetime import timedelta

    from bot.conversation import load_relations
    from bot.dialogue import Dialogue, load_source_urls

    engine = engine or build_engine(settings)
    dialogue = Dialogue(engine, load_relations(settings.corpus_dir), settings.contact,
                        load_source_urls(settings.corpus_dir))
    return ChatService(engine, open_store(settings), load_secret(settings), dialogue=dialogue,
                       conversation_ttl=timedelta(hours=settings.conversation_ttl_hours))
