"""Recommendation and challenge lookup: the commands behind `/omstilling` and the Teams command menu.

Units are addressed by the keys the corpus gives them: H (the main recommendation),
A1–A3 (recommendations), U (the challenges' lead-in) and U1–U4 (challenges).
Keyword lookup ranks the units of one kind by BM25 on the keyword, with the
dense similarity as a fallback for words the report does not use literally.
"""

from __future__ import annotations

from bot import messages
from bot.answering.commands import Command
from bot.answering.compose import plain, quoted
from bot.types import Answer, Lang
from retrieval.search import HybridRetriever
from retrieval.types import Chunk

_KINDS = {
    "recommendation": ("A", "H", "kind_recommendation", "kind_recommendations", "anbefaling", "anbefalinger"),
    "challenge": ("U", "U", "kind_challenge", "kind_challenges", "utfordring", "utfordringer"),
}
LEAD_IN_WORDS = 6  # a lead-in this short only announces the list that follows
KEYWORD_DENSE_MIN = 0.84  # cosine above which a keyword matches a unit it does not contain literally


class Lookup:
    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        # Built once: every answer asks for groups (to name or expand them), and a corpus may hold
        # many thousands of chunks.
        self._position = {c.id: i for i, c in enumerate(retriever.chunks)}
        self._children: dict[str, list[Chunk]] = {}
        for chunk in retriever.chunks:
            head = retriever.chunk_by_key(chunk.parent) if chunk.parent else None
            if head is not None and chunk.doc == head.doc:
                self._children.setdefault(chunk.parent, []).append(chunk)

    def units(self, prefix: str) -> list[Chunk]:
        """Numbered units A1, A2, … or U1, U2, … in order."""
        found = []
        n = 1
        while (chunk := self.retriever.chunk_by_key(f"{prefix}{n}")) is not None:
            found.append(chunk)
            n += 1
        return found

    def group(self, key: str) -> list[Chunk]:
        """A lead-in unit and the units it introduces: H -> H, A1..A3; U -> U1..U4.

        A lead-in that only announces its list ("Vi ser fire hovedutfordringer:") is not quoted
        itself; one that says something ("Vår hovedanbefaling er at …:") is."""
        head = self.retriever.chunk_by_key(key)
        children = self._children.get(key, [])
        if head is None or (children and len(head.text.split()) <= LEAD_IN_WORDS):
            return list(children)
        return [head] + children

    def run(self, command: Command, lang: Lang, question: str) -> Answer:
        if command.name == "help":
            return plain("help", messages.text("help", lang), lang, question)
        if command.name == "about":
            return self._about(lang, question)
        if command.name == "recommendations":
            return quoted(messages.text("recommendations", lang), self.group("H"), lang, question, "listing", 1.0)
        if command.name == "challenges":
            return quoted(messages.text("challenges", lang), self.group("U"), lang, question, "listing", 1.0)
        return self._one(command, lang, question)

    def _about(self, lang: Lang, question: str) -> Answer:
        meta = self.retriever.chunk_by_key("meta")
        if meta is None:
            return plain("help", messages.text("help", lang), lang, question)
        return plain("listing", meta.text, lang, question, confidence=1.0, chunks=[meta])

    def _one(self, command: Command, lang: Lang, question: str) -> Answer:
        prefix, _, kind_key, plural_key, word, plural_word = _KINDS[command.name]
        if lang == "en":
            word, plural_word = command.name, f"{command.name}s"
        units = self.units(prefix)
        if command.number is not None:
            if 1 <= command.number <= len(units):
                return quoted(messages.text("unit", lang), [units[command.number - 1]], lang, question, "listing", 1.0)
            text = messages.text("out_of_range", lang, kind=messages.text(plural_key, lang), count=len(units),
                                 command=word, plural=plural_word)
            return plain("help", text, lang, question)
        matches = self.by_keyword(command.argument, units)
        if not matches:
            text = messages.text("keyword_none", lang, kind=messages.text(kind_key, lang),
                                 keyword=command.argument, command=plural_word)
            return plain("help", text, lang, question)
        return quoted(messages.text("keyword_match", lang, keyword=command.argument), matches, lang, question,
                      "listing", 1.0)

    def by_keyword(self, keyword: str, units: list[Chunk]) -> list[Chunk]:
        """Units that contain the keyword (stemmed, typo-tolerant), best first; else dense near-matches."""
        if not units:
            return []
        lexical = self.retriever.lexical
        analysis = lexical.analyse(keyword)
        scores = lexical.scores(analysis.terms)
        position = self._position
        ranked = sorted(units, key=lambda c: -scores[position[c.id]])
        literal = [c for c in ranked if scores[position[c.id]] > 0]
        if literal:
            best = scores[position[literal[0].id]]
            return [c for c in literal if scores[position[c.id]] >= 0.5 * best][:2]
        query = self.retriever.embedder.embed_queries([keyword])[0]
        dense = [(self.retriever.unit_cosine(query, position[c.id]), c) for c in units]
        dense.sort(key=lambda pair: -pair[0])
        return [c for score, c in dense[:1] if score >= KEYWORD_DENSE_MIN]
