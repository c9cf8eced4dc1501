"""The answer engine: a question (or command) in, an extractive, cited Answer out.

Answers are the report's own text: the engine chooses which units to quote and
adds only a short framing sentence from bot/messages.py. It abstains when the
question's topic words are not in the report (lexical coverage) and the
dense similarity does not vouch for it either; the thresholds are calibrated
once on the development set for the default embedder (see README, «Avstå»).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import commands, language, messages
from bot.compose import plain, quoted
from bot.lookup import Lookup
from bot.types import Answer, Lang, Question
from retrieval.search import HybridRetriever, SearchResult
from retrieval.types import Chunk

MAX_CITATIONS = 3
# A further hit is cited when its fused score is within this margin of the best hit's (fused units:
# 0.3 is 30 % of the best BM25 match, or 0.03 cosine with e5's scale).
CO_CITE_MARGIN = 0.3

# Terms that only name a kind of unit ("anbefaling", "utfordring"): a question whose topic is nothing
# but these asks for all units of that kind.
KIND_TERMS = {"anbefaling": "H", "utfordring": "U"}


@dataclass(frozen=True)
class Calibration:
    """Abstention thresholds. A question is answered when its topic words are covered well enough,
    or when the dense similarity alone is high enough to vouch for a paraphrase."""

    dense_scale: float = 10.0  # retrieval: cosine units -> fused score (see retrieval/search.py)
    min_coverage: float = 0.5  # idf-weighted share of the question's topic words found in the corpus
    dense_vouch: float = 0.90  # cosine at which dense similarity alone is trusted
    dense_floor: float = 0.80  # cosine a question about the report itself (no topic words) needs
    hard_floor: float = 0.70  # below this cosine nothing is answered


CALIBRATIONS = {
    "e5": Calibration(),
    "minilm": Calibration(dense_scale=3.0, dense_vouch=0.60, dense_floor=0.20, hard_floor=0.05),
}


class Engine:
    def __init__(self, retriever: HybridRetriever, calibration: Calibration, max_chars: int = 2000) -> None:
        self.retriever = retriever
        self.calibration = calibration
        self.max_chars = max_chars
        self.lookup = Lookup(retriever)

    def respond(self, question: Question) -> Answer:
        """Commands ("anbefaling 2", "hjelp") run as lookups; everything else is answered."""
        text = question.text.strip()
        lang = language.detect(text)
        if len(text) > self.max_chars:
            return plain("invalid", messages.text("too_long", lang, length=len(text), limit=self.max_chars), lang, text)
        if not text and not question.via_command:
            return plain("invalid", messages.text("empty", lang), lang, text)
        command = commands.parse(text)
        if command.english:
            lang = "en"
        if command.name != "ask":
            return self.lookup.run(command, lang, text)
        return self.answer(text, lang)

    def answer(self, text: str, lang: Lang = "nb") -> Answer:
        result = self.retriever.search(text, k=6)
        confidence = self._confidence(result)
        if not result.hits or confidence < 0.5:
            return plain("abstain", messages.text("abstain", lang), lang, text, confidence=confidence, abstained=True)
        chunks = self._select(result)
        intro = self._intro(chunks, lang)
        return quoted(intro, chunks, lang, text, "answer", confidence)

    def _confidence(self, result: SearchResult) -> float:
        """0..1, with 0.5 the boundary: at or above it the engine answers, below it it abstains.

        - topic words mostly known to the report (coverage): answer, surer the higher coverage and cosine;
        - no topic words (a question about the report itself): answer on a good enough dense match;
        - topic words mostly unknown: abstain, unless the dense similarity alone vouches for a paraphrase;
        - a cosine below the hard floor: abstain whatever the words."""
        if not result.hits:
            return 0.0
        cal = self.calibration
        dense = max(h.dense for h in result.hits)
        if dense < cal.hard_floor:
            return 0.0
        dense_part = max(0.0, min(1.0, (dense - cal.dense_floor) / (cal.dense_vouch - cal.dense_floor)))
        coverage = result.analysis.coverage
        if result.analysis.has_topic and coverage >= cal.min_coverage:
            return 0.5 + 0.5 * (0.6 * coverage + 0.4 * dense_part)
        if not result.analysis.has_topic and dense >= cal.dense_floor:
            return 0.5 + 0.5 * dense_part
        if dense_part >= 1.0:
            return 0.5
        return 0.49 * min(coverage / cal.min_coverage, dense_part)

    def _select(self, result: SearchResult) -> list[Chunk]:
        hits = list(result.hits)
        kind = self._kind_only(result)
        if kind:
            return self.lookup.group(kind)
        top = hits[0]
        chosen = [top]
        # A question about the report as a whole has no topic words to tell near-ties apart: cite the best.
        for hit in hits[1:] if result.analysis.has_topic else ():
            if len(chosen) >= MAX_CITATIONS or hit.score < top.score - CO_CITE_MARGIN:
                break
            chosen.append(hit)
        return _expand_groups(self.lookup, [h.chunk for h in chosen])

    def _kind_only(self, result: SearchResult) -> str:
        """"Hvilke anbefalinger gir rapporten?" -> "H"; "what are the challenges" -> "U"."""
        terms = {t for p in result.analysis.parts for t in p.terms}
        kinds = {KIND_TERMS[t] for t in terms if t in KIND_TERMS}
        return kinds.pop() if len(kinds) == 1 and terms <= set(KIND_TERMS) else ""

    def _intro(self, chunks: list[Chunk], lang: Lang) -> str:
        """Name the list when the answer is a whole group (all recommendations, all challenges)."""
        if chunks == self.lookup.group("H"):
            return messages.text("answer_intro_all_recommendations", lang)
        if chunks == self.lookup.group("U"):
            return messages.text("answer_intro_all_challenges", lang)
        return messages.text("answer_intro", lang)

    # merged with issue 8: the lead's Engine.query_text replaces this minimal version.
    def query_text(self, question: Question) -> str | None:
        """The text `answer` would embed for this question; None for commands and unusable input."""
        text = question.text.strip()
        if not text or len(text) > self.max_chars or commands.parse(text).name != "ask":
            return None
        return text


def _expand_groups(lookup: Lookup, chunks: list[Chunk]) -> list[Chunk]:
    """A lead-in unit ("Vår hovedanbefaling er …:") is quoted with the units it introduces."""
    out: list[Chunk] = []
    for chunk in chunks:
        group = lookup.group(chunk.key) if chunk.key and chunk.text.rstrip().endswith(":") else [chunk]
        out.extend(c for c in group if c not in out)
    return out


