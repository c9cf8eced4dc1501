"""A query-vector cache in front of an embedder, with `prime(texts)` to encode many queries in one call.

The embedder's batch call costs less per text than one call per text (one pass through the model
for the whole batch, every core busy), so the engine worker primes all queued questions at once
and each answer then finds its query vector here. Repeated questions (the same text asked by many
people) are encoded once. The wrapper keeps the inner embedder's `id`, so the index is not rebuilt.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from retrieval.embedders import Embedder, prefix_within

QUERY_CACHE_SIZE = 4096  # 384 floats each: ~6 MB at most
# Tokens of a query the model sees. Real questions, long role-framed ones included, stay far below
# (typically 15-60 tokens); 1,999 emoji are ~2,000 tokens and took 6 s to encode uncut. Embedders
# without `token_count` (sentence-transformers) cut at their own max_seq_length.
QUERY_TOKEN_BUDGET = 128
# A question's encoding cost in typical questions (`query_cost`). e5 on one core, measured: a batch of
# eight typical questions (median 14 tokens) ~15 ms each; one question of 69 tokens 100 ms, of 128 tokens
# 200 ms: ~1.6 ms a token past the typical, so a token is 1/9.4 of a typical question.
TOKENS_PER_TYPICAL_QUESTION = 9.4
SHORT_QUERY_CHARS = 80  # at most this long, a question costs one typical question
# The cost is estimated from the length, not counted: counting 1,000 characters takes ~2.5 ms, on the
# event loop, for every long question of a flood. Latin text has 1.75 (random letters) to 3.3 (prose)
# characters a token: two characters a token errs on the side of the expensive.
CHARS_PER_TOKEN_AT_MOST = 2.0


class BatchingEmbedder:
    def __init__(self, inner: Embedder, size: int = QUERY_CACHE_SIZE) -> None:
        self.inner = inner
        self.id = inner.id
        self.dim = inner.dim
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.batch_calls = 0  # how many times the inner embedder was asked for queries (for tests, the bench)
        self._token_count = getattr(inner, "token_count", None)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str], serially: bool = False) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            found = {t: self._vectors[t] for t in texts if t in self._vectors}
            for t in found:
                self._vectors.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            with self._lock:
                self.batch_calls += 1
            encode = getattr(self.inner, "embed_queries_serially", None) if serially else None
            fresh = (encode or self.inner.embed_queries)([self.fit(t) for t in missing])
            with self._lock:
                for text, vector in zip(missing, fresh):
                    found[text] = vector
                    self._vectors[text] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.ascontiguousarray(np.stack([found[t] for t in texts]), dtype=np.float32)

    def fit(self, text: str, budget: int = QUERY_TOKEN_BUDGET) -> str:
        """The longest prefix of `text` (NFKC) within `budget` tokens."""
        if self._token_count is None:
            return text
        return prefix_within(unicodedata.normalize("NFKC", text), budget, self._token_count)

    def query_cost(self, text: str) -> float:
        """About how many typical questions' encoding `text` costs: 1 for nearly every real question, up
        to ~14 for one at the token budget (2,000 random letters cost what 13 typical questions do)."""
        if self._token_count is None or len(text) <= SHORT_QUERY_CHARS:
            return 1.0
        tokens = min(QUERY_TOKEN_BUDGET, len(text) / CHARS_PER_TOKEN_AT_MOST)
        return max(1.0, tokens / TOKENS_PER_TYPICAL_QUESTION)

    def prime(self, texts: Sequence[str]) -> None:
        """Encode every text not yet cached, in one batch call, on the calling thread's core alone:
        the engine primes from one encoder thread per core (bot/serving/admission.py)."""
        self.embed_queries(texts, serially=True)
