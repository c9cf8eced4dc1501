"""The answer engine: a question (or command) in, an extractive, cited Answer out.

Answers are the report's own text: the engine chooses which units to quote and adds only a short
framing sentence from bot/messages.py. Which unit comes first and whether to answer at all
are the answerability model's calls (retrieval/answerability.py): logistic models over retrieval
signals, fitted on labelled questions beside the corpus. The reranker orders the candidate units;
the gate refuses below its cross-validated threshold (the engine then says plainly that the report
does not cover the question); the confidence head's probability that the first citation is right
is the answer's confidence.

Answer shape: at most three citations, the most direct unit first; a question that names a
numbered unit ("den tredje hovedutfordringen") gets that unit alone; a question whose best unit is
a list's lead-in (the main recommendation, the challenges) gets the list, as the listing commands
give it. Markup, emoji and stray symbols are read past (bot/answering/markup.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import messages
from bot.answering import commands
from bot.answering import language
from bot.answering import ordinals
from bot.answering.compose import is_fact_sheet, plain, quoted
from bot.answering.lookup import Lookup
from bot.answering.markup import strip_markup
from bot.answering.smalltalk import without_greeting
from bot.types import Answer, Lang, Question
from retrieval.answerability import CANDIDATES, AnswerabilityModel, list_quorum
from retrieval.search import HybridRetriever, SearchResult
from retrieval.types import Chunk

MAX_CITATIONS = 3
# A further hit is cited when its score is within a margin of the best hit's. Without a model, in fused
# units: 0.3 is 30 % of the best BM25 match, or 0.03 cosine with e5's scale. With one, in the
# reranker's probability: 0.45 measured recall@3 0.94 against 0.93 at 0.3 (`omstillingsbot eval --cv`)
# and nothing more at 0.6; a wider margin only adds citations.
CO_CITE_MARGIN = 0.3
RERANKED_MARGIN = 0.45
UNIT_PREFIX = {"U": "U", "A": "A"}


@dataclass(frozen=True)
class Calibration:
    """How retrieval fuses its two scores for an embedder (see retrieval/search.py)."""

    dense_scale: float = 10.0  # cosine units -> fused score


CALIBRATIONS = {
    "e5": Calibration(),
    "minilm": Calibration(dense_scale=3.0),
}


def read_question(text: str) -> str:
    """What the engine reads of a message: past its markup and a leading greeting. The labelled
    questions the model learns from are read the same way (bot/runtime.py)."""
    return without_greeting(strip_markup(text))


class Engine:
    def __init__(self, retriever: HybridRetriever, calibration: Calibration, max_chars: int = 2000,
                 model: AnswerabilityModel | None = None) -> None:
        self.retriever = retriever
        self.calibration = calibration
        self.max_chars = max_chars
        self.model = model
        self.lookup = Lookup(retriever)

    def respond(self, question: Question) -> Answer:
        """Commands ("anbefaling 2", "hjelp") run as lookups; everything else is answered."""
        text = question.text.strip()
        if len(text) > self.max_chars:
            lang = language.detect(text[: self.max_chars])
            return plain("invalid", messages.text("too_long", lang, length=len(text), limit=self.max_chars), lang, text)
        clean = read_question(text)
        lang = language.detect(clean)
        if not clean and (text or not question.via_command):
            return plain("invalid", messages.text("empty", lang), lang, text)
        command = commands.parse(clean)
        if command.english:
            lang = "en"
        if command.name != "ask":
            return self.lookup.run(command, lang, text)
        numbered = self.numbered_unit(clean)
        if numbered is not None:
            return quoted(messages.text("unit", lang), [numbered], lang, text, "answer", 1.0)
        return self.answer(clean, lang, shown=text)

    def query_text(self, question: Question) -> str | None:
        """The exact text `respond` embeds for this question (None when it embeds nothing), so that
        callers can compute query vectors ahead, several in one batch."""
        text = question.text.strip()
        clean = read_question(text)
        if not clean or len(text) > self.max_chars or commands.parse(clean).name != "ask":
            return None
        return None if self.numbered_unit(clean) is not None else clean

    def answer(self, text: str, lang: Lang = "nb", shown: str | None = None) -> Answer:
        shown = text if shown is None else shown
        result = self.search(text)
        answers, confidence = self.judge(result, lang)
        if not answers:
            return plain("abstain", messages.text("abstain", lang), lang, shown, confidence=confidence, abstained=True)
        chunks = self.select(result)
        return quoted(self._intro(chunks, lang), chunks, lang, shown, "answer", confidence)

    def search(self, text: str) -> SearchResult:
        """The candidate units for a question, in the reranker's order when there is a model."""
        result = self.retriever.search(text, k=CANDIDATES)
        return self.model.rerank(self.retriever, result) if self.model else result

    def judge(self, result: SearchResult, lang: Lang = "nb") -> tuple[bool, float]:
        """Whether to answer (a result from `search`), and the probability that the first citation
        is right. Without a model (a corpus with no labelled questions) everything found is answered,
        at confidence 1.0."""
        if not result.hits:
            return False, 0.0
        if self.model is None:
            return True, 1.0
        assessment = self.model.assess(self.retriever, result, lang)
        return assessment.answers, assessment.confidence

    def numbered_unit(self, text: str) -> Chunk | None:
        """"Hva er den tredje hovedutfordringen?" -> U3; "the last recommendation" -> A3."""
        kind, number = ordinals.kind(text), ordinals.position(text)
        if kind is None or number is None or len(text.split()) > 12:
            return None
        units = self.lookup.units(UNIT_PREFIX[kind])
        if number == ordinals.LAST:
            number = len(units)
        return units[number - 1] if 1 <= number <= len(units) else None

    def select(self, result: SearchResult) -> list[Chunk]:
        hits = list(result.hits)
        top = hits[0]
        margin = RERANKED_MARGIN if self.model else CO_CITE_MARGIN
        if self._is_lead_in(top.chunk):
            return self.lookup.group(top.chunk.key)
        # Most of one list near the top ("List the challenges" ranks all four alike): the list, in order.
        close = [h.chunk for h in hits if h.score >= top.score - margin]
        lead_in = self.retriever.lead_in_of(top.chunk)
        if lead_in is not None:
            siblings = self.retriever.members(lead_in)
            if sum(c in close for c in siblings) >= list_quorum(len(siblings)):
                return self.lookup.group(lead_in.key)
        chosen = [top.chunk]
        # A question about the report as a whole has no topic words to tell near-ties apart: cite the best.
        # The facts about the report are cited first or not at all: beside the report's own words they
        # are noise (recall@3 on `eval --cv` was the same without them). Another list's lead-in close
        # behind is cited: "Hvilke anbefalinger gir rapporten?" ranks "mer konkrete anbefalinger" (C) just
        # above "Vår hovedanbefaling er …" (cross-validated recall@3 1,169 -> 1,173 of 1,230, recall@1 the
        # same). The lead-in of the top's own list is not: beside U4, "Vi ser fire hovedutfordringer:"
        # only announces a list the answer does not give.
        for hit in hits[1:] if result.analysis.has_topic else ():
            if len(chosen) >= MAX_CITATIONS or hit.score < top.score - margin:
                break
            if not is_fact_sheet(hit.chunk) and hit.chunk not in chosen and hit.chunk != lead_in:
                chosen.append(hit.chunk)
        return chosen

    def _is_lead_in(self, chunk: Chunk) -> bool:
        """A unit that introduces a list ("Vår hovedanbefaling er …:", "Vi ser fire hovedutfordringer:"):
        the retriever's one definition, which the reranker's features use too."""
        return self.retriever.role(chunk).lead_in

    def _intro(self, chunks: list[Chunk], lang: Lang) -> str:
        """Name the list when the answer is a whole group (all recommendations, all challenges)."""
        if is_fact_sheet(chunks[0]):
            return messages.text("answer_intro_about", lang)
        if chunks == self.lookup.group("H"):
            return messages.text("answer_intro_all_recommendations", lang)
        if chunks == self.lookup.group("U"):
            return messages.text("answer_intro_all_challenges", lang)
        return messages.text("answer_intro", lang)
