"""The persisted index: chunks, their vectors in FAISS, and a manifest that says when to rebuild.

Files in the index folder:
  manifest.json  corpus hash, embedder id, dimension, chunk and passage counts, FAISS index type
  chunks.json    the chunks (units: text, label, section, page, ids): what answers quote and cite
  passages.json  what is embedded: each unit's text, its sentences and its example questions,
                 each pointing to its unit (retrieval/passages.py); a unit's own passage carries
                 no text (it is the chunk's `search_text()`), which halves what a start reads
  vectors.faiss  the FAISS index over the passages' L2-normalised vectors (inner product = cosine)

`load_or_build` reuses the folder when the corpus files and the embedder are unchanged and
rebuilds otherwise. The FAISS index type is chosen by size: exact search (IndexFlatIP) up to
`EXACT_LIMIT` vectors, where a query costs well under a few milliseconds. Above it:
4-bit product quantisation with one dimension per sub-quantiser, scanned with FAISS's SIMD
"fast scan", and the best `REFINE_K_FACTOR` x k candidates re-ranked exactly against the full
vectors ("PQ384x4fs,RFlat" for e5's 384 dimensions). Measured at 100,000 chunks (`make bench`,
CPU time of one query, 1 thread): top-10 recall against exact search 1.000 on near-copies of real
e5 vectors and 1.000 on random unit vectors at ~0.9 ms p50, where exact IndexFlatIP costs ~13 ms,
8-bit scalar quantisation ~7 ms at 0.97 recall, and HNSW (M 32, efSearch 256) found only 0.86 and
0.40 of the true top-10. Costs: ~8 s of training+adding per 100k vectors, and 192 bytes of codes
per vector beside the full vectors the re-ranking reads.

Beside the FAISS file the lexical (BM25) index is kept as `lexical.pickle` (retrieval/lexical_store.py),
so a cached start does not re-tokenise the corpus.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.chunking import chunk_documents
from retrieval.documents import SUFFIXES, load_corpus
from retrieval.embedders import Embedder
from retrieval.passages import build_passages
from retrieval.types import Chunk, Passage
from retrieval.vector_cache import VectorCache

log = logging.getLogger(__name__)

EXACT_LIMIT = 50_000
REFINE_K_FACTOR = 4.0  # candidates re-ranked exactly per result wanted (recall 1.000 at 100k; 2 gave 0.99)
FORMAT_VERSION = 6  # 6: the manifest holds each document's title
# Data files beside the documents that change what the index means (lexicon, labelled questions).
DATA_SUFFIXES = (".json", ".jsonl")
MANIFEST_FILE = "manifest.json"  # written last: an index folder without it holds no index


@dataclass(frozen=True)
class Manifest:
    format: int
    corpus_hash: str
    embedder: str
    dim: int
    chunks: int
    passages: int
    index_type: str
    # doc id -> its titles (a Markdown file's front matter `title:` and first heading, which no chunk's
    # section path holds: a question may name a document by them, bot/answering/overview.py)
    titles: dict[str, str] = field(default_factory=dict)


def corpus_hash(folder: Path) -> str:
    """Hash of every supported file's relative path and bytes: any added, removed or edited file changes it."""
    digest = hashlib.sha256(f"format{FORMAT_VERSION}".encode())
    hashed = SUFFIXES + DATA_SUFFIXES
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in hashed):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_faiss(vectors: np.ndarray, exact_limit: int = EXACT_LIMIT):
    import faiss

    n, dim = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= exact_limit:
        index = faiss.IndexFlatIP(dim)
    else:
        # One dimension per 4-bit sub-quantiser; the fast-scan kernels need an even count of them.
        spec = f"PQ{dim}x4fs,RFlat" if dim % 2 == 0 else f"PQ{dim}x4,RFlat"
        index = faiss.index_factory(dim, spec, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.k_factor = REFINE_K_FACTOR  # saved with the index by faiss.write_index
    if n:
        index.add(vectors)
    return index


def index_type(index) -> str:
    return type(index).__name__


@dataclass
class StoredIndex:
    manifest: Manifest
    chunks: list[Chunk]
    passages: list[Passage]
    faiss_index: object
    rebuilt: bool
    lexical: object = None  # retrieval.lexical.LexicalIndex, set by load_or_build


def load_or_build(corpus_dir: Path, index_dir: Path, embedder: Embedder, force: bool = False,
                  cache: VectorCache | None = None, stale_ok: bool = False) -> StoredIndex:
    """`stale_ok`: an index built from an earlier state of the corpus is loaded as it is (a server then
    answers from it while it rebuilds beside; bot/server.py); only a missing one is built."""
    return _with_lexical(corpus_dir, index_dir,
                         _load_or_build_dense(corpus_dir, index_dir, embedder, force, cache, stale_ok))


def _load_or_build_dense(corpus_dir: Path, index_dir: Path, embedder: Embedder, force: bool,
                         cache: VectorCache | None, stale_ok: bool = False) -> StoredIndex:
    current = corpus_hash(corpus_dir)
    if not force:
        stored = _load(index_dir)
        if stored and (stale_ok or stored.manifest.corpus_hash == current) and stored.manifest.embedder == embedder.id:
            return stored
        if stored:
            log.info("index is stale (corpus or embedder changed): rebuilding")
    return build(corpus_dir, index_dir, embedder, current, cache)


def _with_lexical(corpus_dir: Path, index_dir: Path, stored: StoredIndex) -> StoredIndex:
    """The persisted BM25 index, with the corpus's lexicon: loaded when it matches these chunks (the
    corpus hash covers lexicon.json), else built and saved."""
    from retrieval import lexical_store
    from retrieval.text import LEXICON_FILE, Analyzer, Lexicon

    analyzer = Analyzer(Lexicon.load(corpus_dir / LEXICON_FILE))
    stored.lexical = lexical_store.load_or_build(index_dir, stored.chunks, stored.manifest.corpus_hash, analyzer)
    return stored


def build(corpus_dir: Path, index_dir: Path, embedder: Embedder, current_hash: str | None = None,
          cache: VectorCache | None = None) -> StoredIndex:
    """`cache`: vectors by content (retrieval/vector_cache.py); only passages it lacks are embedded."""
    import faiss

    documents = load_corpus(corpus_dir)
    chunks = chunk_documents(documents)
    passages = build_passages(documents, chunks)
    texts = [p.text for p in passages]
    if cache is not None:
        vectors = cache.embed(embedder, "passage", texts)
    else:
        vectors = embedder.embed_passages(texts) if texts else np.zeros((0, embedder.dim), np.float32)
    index = build_faiss(vectors)
    manifest = Manifest(FORMAT_VERSION, current_hash or corpus_hash(corpus_dir), embedder.id, embedder.dim,
                        len(chunks), len(passages), index_type(index), {d.doc_id: d.names() for d in documents})
    index_dir.mkdir(parents=True, exist_ok=True)
    # Write to temporary names and rename, so a concurrent reader never sees half an index.
    _atomic_write(index_dir / "chunks.json", json.dumps([dataclasses.asdict(c) for c in chunks], ensure_ascii=False).encode())
    _atomic_write(index_dir / "passages.json",
                  json.dumps(passage_records(passages, chunks), ensure_ascii=False).encode())
    tmp = index_dir / f".vectors.{os.getpid()}.faiss"
    faiss.write_index(index, str(tmp))
    os.replace(tmp, index_dir / "vectors.faiss")
    _atomic_write(index_dir / MANIFEST_FILE, json.dumps(dataclasses.asdict(manifest), indent=2).encode())
    log.info("built index: %d chunks, %d passages, %s, %s", len(chunks), len(passages), manifest.index_type,
             embedder.id)
    return StoredIndex(manifest, chunks, passages, index, rebuilt=True)


def _load(index_dir: Path) -> StoredIndex | None:
    import faiss

    try:
        manifest = Manifest(**json.loads((index_dir / MANIFEST_FILE).read_text()))
        if manifest.format != FORMAT_VERSION:
            return None
        chunks = [_chunk(c) for c in json.loads((index_dir / "chunks.json").read_text(encoding="utf-8"))]
        passages = [Passage(p["unit"], p["kind"], p["text"] if "text" in p else chunks[p["unit"]].search_text())
                    for p in json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))]
        index = faiss.read_index(str(index_dir / "vectors.faiss"))
    except (OSError, ValueError, TypeError, KeyError, IndexError, RuntimeError) as exc:
        log.info("no usable index in %s (%s)", index_dir, type(exc).__name__)
        return None
    if len(chunks) != manifest.chunks or len(passages) != manifest.passages or index.ntotal != manifest.passages:
        return None
    if not chunks:  # an index of no documents is never worth keeping (a server would start on it and fail)
        return None
    return StoredIndex(manifest, chunks, passages, index, rebuilt=False)


def passage_records(passages: list[Passage], chunks: list[Chunk]) -> list[dict]:
    """passages.json's records: a unit's own passage without its text, which the chunk holds."""
    return [{"unit": p.unit, "kind": p.kind} if p.kind == "unit" and p.text == chunks[p.unit].search_text()
            else dataclasses.asdict(p) for p in passages]


def _chunk(record: dict) -> Chunk:
    # Positional: at 100,000 chunks, keyword arguments from a merged dict cost a third of a second more.
    return Chunk(record["id"], record["doc"], tuple(record["section"]), record["label"], record["text"],
                 record["source"], record.get("page"), record.get("key", ""), record.get("parent", ""))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
