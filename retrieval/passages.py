"""Passages: what the dense index holds, each pointing to the unit (chunk) it stands for.

A unit is embedded three ways: its own text (with its label), each of its sentences with the one
before and after it when it has more than one (a question usually matches one sentence, and a long
unit's vector blurs it; a sentence alone loses its topic: "Det ga sterkere fagmiljøer."), and its
example questions (questions people ask that the unit answers). Measured on two reports nobody
labelled, fused search without learning: recall@1 0.65 / 0.58 with bare sentences, 0.67 / 0.65 with
neighbours. At search time the best
passage of a unit speaks for the unit ("max pooling"); only the unit's own text is ever quoted.
Example questions under the key "none" point nowhere (NOT_COVERED): questions close to the topic
that the corpus does not answer, which the answerability model weighs against the best unit.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.chunking import sentences
from retrieval.types import NOT_COVERED, Chunk, Document, Passage

NOT_COVERED_KEY = "none"


def build_passages(documents: Sequence[Document], chunks: Sequence[Chunk]) -> list[Passage]:
    passages: list[Passage] = []
    first_by_key: dict[tuple[str, str], int] = {}
    for position, chunk in enumerate(chunks):
        passages.append(Passage(position, "unit", chunk.search_text()))
        parts = sentences(chunk.text)
        if len(parts) > 1:
            passages.extend(Passage(position, "sentence", " ".join(parts[max(0, i - 1): i + 2]))
                            for i in range(len(parts)))
        if chunk.key:
            first_by_key.setdefault((chunk.doc, chunk.key), position)
    for doc in documents:
        for key, questions in doc.examples.items():
            unit = NOT_COVERED if key == NOT_COVERED_KEY else first_by_key.get((doc.doc_id, key))
            if unit is None:
                continue  # an example under a heading that has no text of its own: nothing to cite
            passages.extend(Passage(unit, "example", q) for q in questions)
    return passages
