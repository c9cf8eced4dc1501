"""The lexical (BM25) index saved beside the FAISS file, so a cached start skips re-tokenising.

At 100,000 chunks building `LexicalIndex` takes ~16 s (tokenising, stemming, compound splitting,
the typo index); loading it back takes a fraction of that. The file is a pickle of the index object,
written atomically into the index folder (which lives in the private data folder, 0700: a pickle
must only ever be read from a place no one else can write). It is used only when its header
matches: the format, the corpus hash, the chunk count, and a hash of the source of the modules
that build the index (retrieval/lexical.py, retrieval/text.py), so a change to tokenising or
scoring code rebuilds it instead of loading a stale or incompatible object.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from retrieval import lexical as lexical_module
from retrieval import text as text_module
from retrieval.lexical import LexicalIndex
from retrieval.text import Analyzer
from retrieval.types import Chunk

log = logging.getLogger(__name__)

FILE = "lexical.pickle"
FORMAT = 1


def code_version() -> str:
    digest = hashlib.sha256()
    for module in (lexical_module, text_module):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(text_module.BASE_LEXICON.read_bytes())
    return digest.hexdigest()[:16]


def _header(corpus_hash: str, count: int) -> dict:
    return {"format": FORMAT, "corpus_hash": corpus_hash, "chunks": count, "code": code_version()}


def save(index: LexicalIndex, index_dir: Path, corpus_hash: str, count: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=f".{FILE}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(_header(corpus_hash, count), handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, index_dir / FILE)
    finally:
        Path(tmp).unlink(missing_ok=True)


def load(index_dir: Path, corpus_hash: str, count: int) -> LexicalIndex | None:
    try:
        with open(index_dir / FILE, "rb") as handle:
            if pickle.load(handle) != _header(corpus_hash, count):
                return None
            index = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError) as exc:
        log.info("no usable lexical index in %s (%s)", index_dir, type(exc).__name__)
        return None
    return index if isinstance(index, LexicalIndex) else None


def load_or_build(index_dir: Path, chunks: Sequence[Chunk], corpus_hash: str,
                  analyzer: Analyzer | None = None) -> LexicalIndex:
    index = load(index_dir, corpus_hash, len(chunks))
    if index is not None:
        return index
    index = LexicalIndex([c.search_text() for c in chunks], analyzer)
    try:
        save(index, index_dir, corpus_hash, len(chunks))
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        # A read-only folder, or an index object that cannot be pickled: it still serves; the next start rebuilds.
        log.warning("could not save the lexical index in %s: %s", index_dir, type(exc).__name__)
    return index
