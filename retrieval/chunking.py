"""Structure-aware chunking: one chunk per keyed unit or paragraph group, long text split on sentences.

- A keyed unit (Markdown "{#A2}") is one chunk with its heading as the citation label.
- Other blocks of the same section and page are grouped up to `max_words`; a block
  longer than that is split on sentence boundaries with one sentence of overlap.
- Chunk ids hash the document, section, page and text, so they stay the same
  across rebuilds of an unchanged corpus and change only where the text changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from retrieval.types import Block, Chunk, Document

MAX_WORDS = 120
DIGEST_CHARS = 12  # hex digits of a keyless chunk's id
_KEYLESS_ID = re.compile(rf"[0-9a-f]{{{DIGEST_CHARS}}}")
OVERLAP_SENTENCES = 1
# A sentence ends at . ! ? followed by a space and an upper-case letter or digit; "bl.a." and "ev." stay inside.
_SENTENCE_END = re.compile(r"(?<!\bbl\.a)(?<!\bev)(?<!\bf\.eks)(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«])")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def chunk_documents(documents: Iterable[Document], max_words: int = MAX_WORDS) -> list[Chunk]:
    return [chunk for doc in documents for chunk in chunk_document(doc, max_words)]


def chunk_document(doc: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: set[str] = set()
    parents = _parent_keys(doc.blocks)
    for group in _groups(doc.blocks, max_words):
        first = group[0]
        text = " ".join(b.text for b in group)
        for piece in _split(text, max_words):
            cid = _chunk_id(doc.doc_id, first, piece)
            if cid in seen:  # identical repeated text in one section: keep one
                continue
            seen.add(cid)
            chunks.append(Chunk(
                id=cid, doc=doc.doc_id, section=first.section, label=_label(doc, first),
                text=piece, source=doc.source, page=first.page, key=first.key,
                parent=parents.get(first.key, ""),
            ))
    return chunks


def _parent_keys(blocks: tuple[Block, ...]) -> dict[str, str]:
    """Keyed unit -> key of the keyed unit whose section encloses it (A1 -> H, U1 -> U)."""
    by_section = {b.section: b.key for b in blocks if b.key}
    return {
        b.key: by_section[b.section[:-1]]
        for b in blocks
        if b.key and len(b.section) > 1 and b.section[:-1] in by_section
    }


def _groups(blocks: tuple[Block, ...], max_words: int) -> Iterator[list[Block]]:
    group: list[Block] = []
    words = 0
    for block in blocks:
        n = len(block.text.split())
        same_place = group and (group[-1].section, group[-1].page, group[-1].key) == (block.section, block.page, block.key)
        if group and (not same_place or (not block.key and words + n > max_words)):
            yield group
            group, words = [], 0
        group.append(block)
        words += n
    if group:
        yield group


def _split(text: str, max_words: int) -> list[str]:
    if len(text.split()) <= max_words:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    for sentence in sentences(text):
        if current and len(" ".join(current + [sentence]).split()) > max_words:
            parts.append(" ".join(current))
            current = current[-OVERLAP_SENTENCES:] if OVERLAP_SENTENCES else []
        current.append(sentence)
    if current:
        parts.append(" ".join(current))
    return parts


def _chunk_id(doc_id: str, block: Block, text: str) -> str:
    if block.key:
        # Keyed units keep their key in the id; the hash suffix only appears when a unit is split.
        return f"{doc_id}#{block.key}" if text.startswith(block.text[:40]) else f"{doc_id}#{block.key}-{_digest(text)}"
    return f"{doc_id}#{_digest('/'.join(block.section) + '|' + str(block.page) + '|' + text)}"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def document_of(chunk_id: str) -> str:
    """The document a chunk id names: "<doc>#<key or hash>" (a document id is a slug: it holds no "#")."""
    return chunk_id.split("#", 1)[0]


def keyless(chunk_id: str) -> bool:
    """Whether a chunk id is "<doc>#<hash>": a passage without a key of its own (a paragraph of a long
    document), not a numbered unit, a list's lead-in or a document's facts."""
    return bool(_KEYLESS_ID.fullmatch(chunk_id.rsplit("#", 1)[-1]))


def _label(doc: Document, block: Block) -> str:
    if block.key and block.section:
        return block.section[-1]
    parts = [p for p in block.section if p and not p.startswith("side ")] or [doc.title]
    label = " › ".join(parts[-2:])
    return f"{label}, side {block.page}" if block.page else label
