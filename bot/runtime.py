"""Composition: build the engine and the chat service from Settings (used by the CLI, the server and tests).

Start-up either works, heals, or fails with a `StartupError` whose message says what to do (the CLI
prints it and exits non-zero; `serve` stops instead of living on and answering 500):
  * an index folder that is not usable (a file in its place, unreadable files) is moved aside and
    the index is rebuilt from the corpus;
  * an empty feedback-secret file is not replaced silently (votes already cast are keyed with the
    secret that was lost): the process stops and says so.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from bot import messages
from bot.answering import language
from bot.datadir import ensure_private_dir
from bot.answering.engine import CALIBRATIONS, Calibration, Engine, read_question
from bot.serving.service import ChatService
from bot.settings import Settings
from retrieval.answerability import TRANSFER_SIGNATURE, AnswerabilityModel, LabelledQuestion, fit, load_labelled
from retrieval.batching import BatchingEmbedder
from retrieval.embedders import Embedder, make_embedder
from retrieval.documents import SUFFIXES
from retrieval.index import StoredIndex, corpus_hash, load_or_build
from retrieval.search import HybridRetriever
from retrieval.transfer import TransferRows
from retrieval.types import NOT_COVERED
from retrieval.vector_cache import SEED_FILE, VectorCache

log = logging.getLogger(__name__)

QUESTIONS_DIR = "questions"  # labelled questions beside the corpus: what the answerability model learns from

class StartupError(RuntimeError):
    """The bot cannot start; the message says why and what to do."""


# Retrieval ablations for `omstillingsbot eval --mode`: which of the two retrievers rank.
MODES = {"hybrid": (None, 1.0), "dense": (None, 0.0), "lexical": (0.0, 1.0)}


def single_threaded_blas() -> None:
    """Keep numpy's BLAS to one thread in this process.

    The engine's own matrix work is small (the labelled-question memory: ~1,200 x 384 per question),
    while the embedder already uses every core for each encoding. Past ~1,000 labelled questions
    OpenBLAS split that product over its own threads, which then spun waiting and took the cores from
    the encoder: the warm answer went from 13 to 27 ms p50 and from 18 to 100 ms p95 (`make bench`)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def build_engine(settings: Settings, embedder: Embedder | None = None, rebuild: bool = False,
                 mode: str = "hybrid", stale_ok: bool = False, write_seed: bool = False) -> Engine:
    """The engine over the corpus's index, built or rebuilt when the corpus changed. `stale_ok` (the
    server): an index of an earlier corpus is used as it is, and `Engine.corpus_hash` says which.
    `write_seed` (with `rebuild`): the vectors this build used are written beside the corpus
    (retrieval/vector_cache.py `SEED_FILE`), for the next fresh clone."""
    if not _has_documents(settings.corpus_dir):
        # An empty index would be written over a good one in the same data folder (a command run from the
        # wrong folder), and every question refused: say what is wrong instead.
        raise StartupError(messages.text("no_documents", corpus=settings.corpus_dir.resolve()))
    single_threaded_blas()
    embedder = embedder or make_embedder(settings.embedder)
    if not isinstance(embedder, BatchingEmbedder):
        embedder = BatchingEmbedder(embedder)
    ensure_private_dir(settings.data_dir)
    _heal_index_path(settings.index_dir)
    cache = VectorCache(settings.index_dir, embedder.dim).load()
    cache.seed(settings.corpus_dir / SEED_FILE, embedder.id)
    try:
        stored = load_or_build(settings.corpus_dir, settings.index_dir, embedder, force=rebuild, cache=cache,
                               stale_ok=stale_ok)
    except OSError as exc:
        raise StartupError(f"Kan ikke lese eller bygge indeksen i {settings.index_dir} ({exc}). "
                           f"Sjekk at OMSTILLINGSBOT_DATA og OMSTILLINGSBOT_CORPUS peker på mapper boten kan skrive "
                           f"til og lese fra.") from exc
    log.info("index %s: %d chunks, %d passages (%s)", "built" if stored.rebuilt else "loaded",
             len(stored.chunks), len(stored.passages), stored.manifest.index_type)
    calibration = CALIBRATIONS.get(settings.embedder, Calibration())
    dense_scale, lexical_weight = MODES[mode]
    retriever = HybridRetriever(stored.chunks, stored.faiss_index, embedder, stored.passages,
                                dense_scale=calibration.dense_scale if dense_scale is None else dense_scale,
                                lexical_weight=lexical_weight, lexical=stored.lexical, titles=stored.manifest.titles)
    model = answerability_model(settings, stored, retriever, refit=rebuild, cache=cache)
    if model is not None:
        remember_examples(model, stored, retriever.embedder, cache)
    if cache.misses:
        cache.save(retain_used_only=stored.rebuilt)  # a rebuild always refits: both kinds were asked for
    if write_seed:
        log.info("%d vectors written to %s", cache.write_seed(settings.corpus_dir / SEED_FILE, embedder.id),
                 settings.corpus_dir / SEED_FILE)
    engine = Engine(retriever, calibration, settings.max_question_chars, model)
    engine.corpus_hash = stored.manifest.corpus_hash
    return engine


def answerability_model(settings: Settings, stored: StoredIndex, retriever: HybridRetriever,
                        refit: bool = False, cache: VectorCache | None = None) -> AnswerabilityModel | None:
    """The model saved beside the index, refitted when the corpus (documents, examples, labelled
    questions) or the embedder changed. None when the corpus has no labelled questions: the engine
    then answers whatever it finds (and says so in the log)."""
    transfer = load_transfer(settings)
    model = None if refit else AnswerabilityModel.load(settings.index_dir)
    if (model and model.corpus_hash == stored.manifest.corpus_hash and model.embedder == stored.manifest.embedder
            and model.info.get("transfer", "") == (transfer.digest() if transfer else "")):
        return model
    questions = labelled_questions(settings.corpus_dir)
    if not questions:
        log.warning("no labelled questions in %s: every question is answered", settings.corpus_dir / QUESTIONS_DIR)
        return None
    started = time.perf_counter()
    vectors = cache.embed(retriever.embedder, "query", [q.q for q in questions]) if cache else None
    model = fit(retriever, questions, stored.manifest.corpus_hash, stored.manifest.embedder, vectors, transfer)
    model.save(settings.index_dir)
    log.info("answerability model fitted on %d questions in %.1f s; threshold %.3f", model.rows,
             time.perf_counter() - started, model.threshold)
    return model


def load_transfer(settings: Settings) -> TransferRows | None:
    """The rows documents nobody labelled are ranked and gated with (retrieval/transfer.py); None when
    the file is missing or was written for other features (then such documents keep the search's order)."""
    return TransferRows.load(settings.transfer_file, TRANSFER_SIGNATURE)


def remember_examples(model: AnswerabilityModel, stored: StoredIndex, embedder: Embedder, cache: VectorCache) -> None:
    """The documents' example questions (`? …` lines, taught ones included) as lessons: a question
    (nearly) one of them is answered with its unit, or refused under `{#none}`, as after `Engine.learn`."""
    examples = [p for p in stored.passages if p.kind == "example"]
    if examples:
        vectors = cache.embed(embedder, "query", [p.text for p in examples])
        model.remember(vectors, [p.unit != NOT_COVERED for p in examples],
                       [() if p.unit == NOT_COVERED else (stored.chunks[p.unit].id,) for p in examples])


def labelled_questions(corpus_dir: Path) -> list[LabelledQuestion]:
    """The labelled pool as the engine meets questions: read past markup and greeting, with the detected language."""
    out = []
    for item in load_labelled(corpus_dir / QUESTIONS_DIR):
        clean = read_question(item.q)
        out.append(replace(item, q=clean, lang=language.detect(clean)))
    return out


def _has_documents(corpus_dir: Path) -> bool:
    return corpus_dir.is_dir() and any(p.is_file() and p.suffix.lower() in SUFFIXES for p in corpus_dir.rglob("*"))


def _heal_index_path(index_dir: Path) -> None:
    """Something that is not a folder where the index folder belongs is moved aside (kept, not deleted)."""
    for path in (index_dir.parent, index_dir):
        if path.exists() and not path.is_dir():
            aside = path.with_name(f"{path.name}.unusable-{int(time.time())}")
            path.rename(aside)
            log.warning("%s was not a folder: moved it to %s and rebuilding the index", path, aside)


def build_dialogue(settings: Settings, engine: Engine):
    """Follow-ups, small talk, citation URLs, what the bot holds (help, greetings, refusals) and the
    contact line over `engine`: a document's `contact:` unless OMSTILLINGSBOT_CONTACT is set."""
    from bot.answering.conversation import load_relations
    from bot.answering.dialogue import Dialogue
    from bot.answering.holdings import holdings

    # The holdings carry each document's `url:` from its front matter: no second read of it for `urls`.
    return Dialogue(engine, load_relations(settings.corpus_dir), settings.contact,
                    holdings=holdings(engine, settings.corpus_dir))


def build_service(settings: Settings, engine: Engine | None = None) -> ChatService:
    from bot.feedback import open_store
    from bot.feedback.privacy import load_secret

    from datetime import timedelta

    engine = engine or build_engine(settings)
    try:
        secret = load_secret(settings)
    except (RuntimeError, OSError, UnicodeDecodeError) as exc:
        raise StartupError(str(exc)) from exc
    embedder = engine.retriever.embedder
    # Cached answers are valid only for this engine: the cache is emptied when a rebuilt one takes over.
    # The engine knows which corpus it was built from (hashing every corpus file again cost a cold start).
    identity = f"{getattr(engine, 'corpus_hash', '') or corpus_hash(settings.corpus_dir)}:{embedder.id}"
    return ChatService(engine, open_store(settings), secret, max_queue=settings.max_queue,
                       prime=getattr(embedder, "prime", None), cost=getattr(embedder, "query_cost", None),
                       cache_identity=identity, dialogue=build_dialogue(settings, engine),
                       conversation_ttl=timedelta(hours=settings.conversation_ttl_hours))
