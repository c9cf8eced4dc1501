"""Rebuilds beside the running server: the corpus folder is checked every CORPUS_CHECK_S seconds, and
when its files differ from what the engine was built from (a report dropped into `corpus/`, lessons
exported into it, a document edited), a new engine is built in a worker thread while the old one
keeps answering, then swapped in between two answers (`ChatService.swap_engine`). A server started
on an index of an earlier corpus (`build_engine(stale_ok=True)`) answers from it at once and catches
up the same way. A build that fails (a broken file) is logged and not retried until the corpus
changes again; the old engine goes on answering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.runtime import build_dialogue, build_engine
from bot.settings import Settings
from retrieval.index import corpus_hash

log = logging.getLogger(__name__)

CORPUS_CHECK_S = 5.0


async def keep_current(settings: Settings, get_service: Callable[[], Awaitable], interval: float = CORPUS_CHECK_S,
                       build: Callable = build_engine) -> None:
    """Run until cancelled: rebuild and swap whenever the corpus differs from the engine's."""
    failed = ""
    while True:
        service = await get_service()
        current = await asyncio.to_thread(corpus_hash, settings.corpus_dir)
        if current not in (service.engine.corpus_hash, failed):
            failed = await rebuild(settings, service, current, build)
        await asyncio.sleep(interval)


async def rebuild(settings: Settings, service, current: str, build: Callable = build_engine) -> str:
    """Build an engine for the corpus as it is now and swap it in; the hash that failed, or ""."""
    log.info("the corpus changed: rebuilding the index beside the running engine")
    started = time.perf_counter()
    try:
        engine = await asyncio.to_thread(build, settings)
        dialogue = await asyncio.to_thread(build_dialogue, settings, engine)
    except Exception as exc:  # noqa: BLE001 - a broken document must not stop the bot that answers now
        log.error("rebuild failed, still answering from the previous index: %s: %s", type(exc).__name__, exc)
        return current
    await service.swap_engine(engine, dialogue)
    log.info("rebuilt in %.1f s: %d passages, now answering from them", time.perf_counter() - started,
             len(engine.retriever.chunks))
    return ""
