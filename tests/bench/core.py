"""`make bench` (`python -m tests.bench`): the speed and size figures docs/ENGINEERING.md reports.

1. Warm answer latency p50/p95 over a few hundred distinct questions, beside the floor
   (query embedding + FAISS search alone) and their ratio: the engine's own overhead.
2. Cold start to first answer with a cached index: a fresh `omstillingsbot ask` process.
3. Index build and search latency on synthetic corpora of 1,000 and 100,000 chunks (see
   `synthetic_corpora`), with the approximate index's recall against exact search.
4. Peak RSS of the default path (a separate process that loads the engine and answers).
5. Slack and Teams: 50 concurrent requests through the real adapters against local fakes, three runs
   each beside their floor (the median run is reported, every run's ratio printed).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bot.evaluation.evaluate import percentile
from bot.settings import Settings
from bot.types import Question

_VARIANTS = ("{q}", "{q} Svar kort.", "Kort fortalt: {q}", "{q} Takk!", "Lurer på dette: {q}")


def questions() -> list[str]:
    """Distinct questions: the repo's question sets and the dev set (if present), in a few wordings.
    Shared by every figure of the benchmark, the Slack and Teams ones included."""
    sources = [Path(__file__).resolve().parents[2] / "corpus" / "questions" / "heldout.jsonl",
               Path(__file__).resolve().parents[2] / "corpus" / "questions" / "fresh.jsonl",
               Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev.jsonl"]
    base = [json.loads(line)["q"] for src in sources if src.exists() for line in src.read_text().splitlines() if line.strip()]
    return list(dict.fromkeys(v.format(q=q) for v in _VARIANTS for q in base))


def latency_summary(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(percentile(values, 0.95), 2), "n": len(values)}


def warm_latency(settings: Settings) -> dict:
    from bot.runtime import build_engine

    engine = build_engine(settings)
    asked = questions()
    # The floor asks the embedder itself, past the engine's query-vector cache, so that neither side
    # finds the other's vectors cached (every question is asked once).
    embedder, index = getattr(engine.retriever.embedder, "inner", engine.retriever.embedder), engine.retriever.index
    engine.respond(Question("oppvarming"))
    floor, full = [], []
    for q in asked:  # interleaved, so both see the same machine load
        started = time.perf_counter()
        index.search(embedder.embed_queries([q]), min(50, index.ntotal))
        floor.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        engine.respond(Question(q))
        full.append((time.perf_counter() - started) * 1000)
    answer, base = latency_summary(full), latency_summary(floor)
    return {"answer": answer, "floor": base, "ratio_p50": round(answer["p50_ms"] / base["p50_ms"], 2)}


def cold_start(settings: Settings) -> dict:
    """Seconds from process start to the first answer printed, index already cached."""
    env = {**os.environ, "OMSTILLINGSBOT_DATA": str(settings.data_dir), "OMSTILLINGSBOT_CORPUS": str(settings.corpus_dir),
           "OMSTILLINGSBOT_EMBEDDER": settings.embedder, "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot.cli", "ask", "--json", "Hva er rapportens hovedanbefaling?"]
    subprocess.run(command, env=env, check=True, capture_output=True)  # make sure the index is cached
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return {"seconds_median": round(statistics.median(runs), 2), "runs": [round(r, 2) for r in runs]}


def peak_rss(settings: Settings) -> dict:
    """Peak resident memory of a process on the default path: load, then answer the question set.

    Read from /proc/self/status VmHWM, the peak of this process's own memory since its exec: Linux
    carries `getrusage`'s ru_maxrss across fork and exec, so a child started by this (large) benchmark
    process reported the benchmark's own peak (191 MB here, where the child's was 100 MB)."""
    code = (
        "import sys\n"
        "from bot.settings import Settings\nfrom bot.runtime import build_engine\nfrom bot.types import Question\n"
        "from tests.bench.core import questions\n"
        "s = Settings.from_env()\ne = build_engine(s)\n"
        "[e.respond(Question(q)) for q in questions()]\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
    )
    env = {**os.environ, "OMSTILLINGSBOT_DATA": str(settings.data_dir), "OMSTILLINGSBOT_CORPUS": str(settings.corpus_dir),
           "OMSTILLINGSBOT_EMBEDDER": settings.embedder, "LOG_LEVEL": "WARNING"}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return {"peak_rss_mb": round(int(out.stdout.strip().splitlines()[-1]) / 1024, 1)}


def _synthetic_texts(corpus: Path, n: int, seed: int = 7) -> list[str]:
    """Report-like sentences: random runs of the report's own vocabulary."""
    from retrieval.documents import load_corpus

    vocabulary = sorted({w for d in load_corpus(corpus)
                         for b in d.blocks for w in b.text.split()})
    rng = random.Random(seed)
    return [" ".join(rng.choices(vocabulary, k=rng.randint(20, 80))) for _ in range(n)]


def synthetic(settings: Settings, embedder, texts: list[str], vectors: np.ndarray, note: str, embed_s: float) -> dict:
    """Index build and search latency for one synthetic corpus; HNSW recall@10 against exact search."""
    from retrieval.index import build_faiss, index_type
    from retrieval.lexical import LexicalIndex
    from retrieval.search import dense_search

    n = len(texts)
    started = time.perf_counter()
    index = build_faiss(vectors)
    faiss_s = time.perf_counter() - started
    started = time.perf_counter()
    lexical = LexicalIndex(texts)
    bm25_s = time.perf_counter() - started
    queries = questions()[:200]
    query_vectors = embedder.embed_queries(queries)
    dense, dense_cpu, lex = [], [], []
    for q, v in zip(queries, query_vectors):
        started, cpu = time.perf_counter(), time.process_time()
        dense_search(index, v[None, :], 50)
        dense.append((time.perf_counter() - started) * 1000)
        dense_cpu.append((time.process_time() - cpu) * 1000)  # other helpers' load does not count here
        started = time.perf_counter()
        scores = lexical.scores(lexical.analyse(q).terms)
        np.argpartition(-scores, min(50, n - 1))[:50]
        lex.append((time.perf_counter() - started) * 1000)
    recall = gap = None
    if index_type(index) != "IndexFlatIP":
        import faiss

        exact = faiss.IndexFlatIP(embedder.dim)
        exact.add(vectors)
        true_scores, truth = exact.search(query_vectors, 10)
        approx_scores, approx = index.search(query_vectors, 10)
        recall = round(float(np.mean([len(set(t) & set(a)) / 10 for t, a in zip(truth, approx)])), 3)
        # How much worse the approximate 10th neighbour is than the true one: misses among near-ties cost ~0.
        gap = round(float(np.mean(true_scores[:, -1] - approx_scores[:, -1])), 4)
    return {
        "chunks": n, "index_type": index_type(index), "vectors": note,
        "embed_s": round(embed_s, 2), "faiss_build_s": round(faiss_s, 2), "bm25_build_s": round(bm25_s, 2),
        "faiss_search": latency_summary(dense), "faiss_search_cpu": latency_summary(dense_cpu),
        "bm25_search": latency_summary(lex), "recall@10_vs_exact": recall,
        "cosine_gap_at_10th": gap,
    }


def _near_copies(base: np.ndarray, copies: int, cosine: float, seed: int = 7) -> np.ndarray:
    """`copies` noisy copies of every base vector, each at about `cosine` to its source: a corpus
    with the neighbourhood structure of real embeddings (paraphrases, repeated topics)."""
    rng = np.random.default_rng(seed)
    n, dim = base.shape
    scale = np.sqrt((1 / cosine**2 - 1) / dim)
    vectors = np.repeat(base, copies, axis=0) + scale * rng.standard_normal((n * copies, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic_corpora(settings: Settings, large: bool) -> dict:
    """1,000 report-like passages embedded for real; 100,000 made from them (embedding 100k passages
    would take most of an hour on 2 cores): near-copies of the real vectors, and random unit vectors,
    the worst case for any approximate index."""
    from retrieval.embedders import make_embedder

    embedder = make_embedder(settings.embedder)
    texts = _synthetic_texts(settings.corpus_dir, 1_000)
    started = time.perf_counter()
    real = embedder.embed_passages(texts)
    out = {"1k": synthetic(settings, embedder, texts, real, f"embedded with {embedder.id}", time.perf_counter() - started)}
    if large:
        big_texts = _synthetic_texts(settings.corpus_dir, 100_000)
        near = _near_copies(real, 100, 0.9)
        out["100k_near_copies"] = synthetic(settings, embedder, big_texts, near,
                                            "1k real vectors x 100 near-copies (cosine ~0.9)", 0.0)
        from tests.bench.robustness import start_at_100k

        out["100k_start"] = start_at_100k(settings, big_texts, near)
        rng = np.random.default_rng(7)
        noise = rng.standard_normal((100_000, embedder.dim)).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        out["100k_random"] = synthetic(settings, embedder, big_texts, noise, "random unit vectors", 0.0)
    return out


# Runs of each platform's burst. The machines this runs on vary by ±10-15 % from one second to the next
# (the same batch of 50 encodes in 670-815 ms); one burst beside one floor measurement made the ratio
# swing from 1.2 to 1.8 between identical runs. Each run pairs a burst with the floor measured right
# after it; the figure is the median run's ratio, and every run is printed.
PLATFORM_RUNS = 3


def chat_platforms(settings: Settings) -> dict:
    """The adapters' own benchmarks (50 concurrent requests against local fakes of Slack / Bot Connector)."""
    from bot.runtime import build_engine, build_service

    from tests.bench.robustness import BURST, burst_floor

    results = {}
    for name, module in (("slack", "tests.bench.slack"), ("teams", "tests.bench.teams")):
        try:
            bench = __import__(module, fromlist=["x"])
        except ImportError as exc:
            results[name] = {"skipped": f"{module} missing ({exc})"}
            continue
        runs = []
        for _ in range(PLATFORM_RUNS):
            # A fresh engine per run: a run must not find an earlier one's query vectors cached.
            engine = build_engine(settings)
            with tempfile.TemporaryDirectory() as tmp:
                scoped = settings.with_(data_dir=Path(tmp), database_url="")
                figures = asyncio.run(getattr(bench, f"bench_{name}")(lambda: build_service(scoped, engine)))
            # The same 50 questions the platform benchmark sent, on a fresh engine (nothing cached).
            pool = questions()
            floor = burst_floor(build_engine(settings), [pool[n % len(pool)] for n in range(BURST)])
            observed = figures.get("event_to_post_message") or figures.get("burst_post_to_reply") or {}
            figures["burst_floor"] = floor
            if observed.get("p95_ms"):
                figures["p95_to_floor"] = round(observed["p95_ms"] / floor["floor_ms"], 2)
            runs.append(figures)
        median = sorted(runs, key=lambda run: run.get("p95_to_floor", float("inf")))[len(runs) // 2]
        results[name] = {**median, "p95_to_floor_runs": [run.get("p95_to_floor") for run in runs]}
    return results


def api_figures(settings: Settings) -> dict:
    from bot.runtime import build_engine, build_service
    from tests.bench.robustness import abandoned_then_one, identical_questions

    out = {}
    for name, run in (("50_identical_questions", identical_questions), ("500_abandoned_then_one", abandoned_then_one)):
        engine = build_engine(settings)
        with tempfile.TemporaryDirectory() as tmp:
            scoped = settings.with_(data_dir=Path(tmp), database_url="", feedback_secret="bench")
            out[name] = asyncio.run(run(scoped, lambda: build_service(scoped, engine)))
    return out


def run_bench(settings: Settings, quick: bool = False) -> dict:
    report: dict = {"embedder": settings.embedder, "cpus": os.cpu_count()}

    def show(title: str, value: dict) -> None:
        report[title] = value
        print(f"{title}: {json.dumps(value, ensure_ascii=False)}", flush=True)

    show("warm_latency", warm_latency(settings))
    show("cold_start", cold_start(settings))
    show("peak_rss_default_path", peak_rss(settings))
    for name, figures in synthetic_corpora(settings, large=not quick).items():
        show(f"synthetic_{name}", figures)
    show("chat_platforms", chat_platforms(settings))
    for title, figures in api_figures(settings).items():
        show(title, figures)
    return report
