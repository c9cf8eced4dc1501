"""A persistent cache of vectors by content, so a rebuild re-embeds only what changed.

Embedding is what a rebuild costs: ~1,700 labelled questions and a few hundred passages take tens of
seconds on two cores, while reading the rest of the corpus takes milliseconds. Each vector is kept
under the SHA-1 of its kind ("query" or "passage": e5 encodes the two differently) and its text, in
one `.npz` beside the index of its embedder (the folder is per embedder, so a vector is never served
for another model). A taught question, an added document or an edited paragraph costs only its own
vectors; unchanged ones are read back.

Entries no longer asked for are dropped when the cache is saved after a full build (`retain`), so the
file tracks the corpus instead of growing with every edit ever made.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.embedders import Embedder

log = logging.getLogger(__name__)

CACHE_FILE = "vector-cache.npz"
# Shipped beside the corpus: the vectors of the corpus's own passages and labelled questions, so a fresh
# clone does not spend its first start embedding 1,500 questions it could have been given (`seed`).
SEED_FILE = "vectors.npz"


def _key(kind: str, text: str) -> str:
    return hashlib.sha1(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


class VectorCache:
    """Vectors of one embedder by (kind, text); `load` and `save` read and write the folder's file."""

    def __init__(self, folder: Path, dim: int) -> None:
        self.path = folder / CACHE_FILE
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()
        self.misses = 0  # texts embedded since load (for tests and the build log)

    def load(self) -> "VectorCache":
        try:
            with np.load(self.path) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
        except (OSError, ValueError, KeyError):
            return self
        if vectors.ndim == 2 and vectors.shape[1] == self.dim and len(keys) == len(vectors):
            self._vectors = {str(k): v for k, v in zip(keys.tolist(), vectors)}
        return self

    def seed(self, path: Path, embedder_id: str) -> int:
        """Add the vectors of a seed file written by `write_seed` for this same embedder (any other is
        ignored: its vectors mean nothing to this model). Vectors already held win. Returns how many
        were added."""
        try:
            with np.load(path) as stored:
                keys, vectors, owner = stored["keys"], stored["vectors"], str(stored["embedder"])
        except (OSError, ValueError, KeyError):
            return 0
        if owner != embedder_id or vectors.ndim != 2 or vectors.shape[1] != self.dim or len(keys) != len(vectors):
            return 0
        # Stored as float16 (half the size in the repository); back to unit length in float32.
        matrix = vectors.astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        added = 0
        with self._lock:
            for key, vector in zip(keys.tolist(), matrix):
                if str(key) not in self._vectors:
                    self._vectors[str(key)] = vector
                    added += 1
        return added

    def write_seed(self, path: Path, embedder_id: str) -> int:
        """The vectors asked for since load (one build's), as a seed file for `seed`. Returns how many."""
        with self._lock:
            keys = sorted(self._used)
            matrix = np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vectors.", suffix=".npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, keys=np.array(keys, dtype="U40"), vectors=matrix.astype(np.float16),
                     embedder=np.array(embedder_id))
        os.chmod(tmp, 0o644)  # part of the corpus, read by anyone who can read the documents
        os.replace(tmp, path)
        return len(keys)

    def save(self, retain_used_only: bool = False) -> None:
        with self._lock:
            keys = [k for k in self._vectors if not retain_used_only or k in self._used]
            matrix = np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".vector-cache.", suffix=".npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, keys=np.array(keys, dtype="U40"), vectors=matrix.astype(np.float32))
        os.replace(tmp, self.path)

    def embed(self, embedder: Embedder, kind: str, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts` in order; the missing ones are embedded in one batch and kept."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        keys = [_key(kind, t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in self._vectors))
        if missing:
            encode = embedder.embed_queries if kind == "query" else embedder.embed_passages
            vectors = np.asarray(encode(missing), dtype=np.float32)
            with self._lock:
                for text, vector in zip(missing, vectors):
                    self._vectors[_key(kind, text)] = vector
                self.misses += len(missing)
        with self._lock:
            self._used.update(keys)
            return np.vstack([self._vectors[k] for k in keys])
