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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import zip_longest

import numpy as np

from bot import messages
from bot.answering import commands
from bot.answering import language
from bot.answering import ordinals
from bot.answering import overview
from bot.answering import pointed
from bot.answering.compose import is_fact_sheet, plain, quoted
from bot.answering.lookup import Lookup
from bot.answering.markup import strip_markup
from bot.answering.smalltalk import without_greeting
from bot.types import Answer, Lang, Question
from retrieval.answerability import CANDIDATES, AnswerabilityModel, asks_aftermath, list_quorum, names_unmentioned
from retrieval.documents import ABOUT_KEY
from retrieval.search import HybridRetriever, SearchResult
from retrieval.text import asks_after_report
from retrieval.types import Chunk, Hit

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
        self.corpus_hash = ""  # the corpus state the index was built from (bot/runtime.py sets it)
        self.lookup = Lookup(retriever)
        # The documents' citation names (series numbers), in corpus order: the primary document first.
        self._doc_sources = {c.doc: c.source for c in retriever.chunks}  # doc id -> its citation name
        self.sources = list(dict.fromkeys(c.source for c in retriever.chunks))
        # Each document's first passage after its fact sheet, and its title: the one the index read from the
        # document, else that passage's top heading.
        first: dict[str, Chunk] = {}
        for chunk in retriever.chunks:
            if chunk.key != ABOUT_KEY:
                first.setdefault(chunk.doc, chunk)
        self.titles = {doc: retriever.titles.get(doc) or chunk.section[0] for doc, chunk in first.items()
                       if chunk.section or doc in retriever.titles}
        # Words an overview question may add without naming a topic: the documents' top headings. Not the
        # titles: the summary's («Departementene i førersetet …») made «Hva er det viktigste rådet til
        # departementene?» an overview question.
        self._title_words = frozenset(w for c in first.values() if c.section for w in c.section[0].lower().split())
        # An opening that names the document's series number is its own words about itself.
        self._opening = {doc: chunk for doc, chunk in first.items() if chunk.source.lower() in chunk.text.lower()}
        self._first = first

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
        if overview.is_overview(clean, self._title_words):
            return self.overview(clean, lang, shown=text)
        return self.answer(clean, lang, shown=text)

    def overview(self, text: str, lang: Lang, shown: str) -> Answer:
        """"Oppsummer rapporten", "hva handler kapittel 4 om?": from the document's own structure
        (bot/answering/overview.py). The document: the one named, else the one search finds nearest;
        with several near and none named, the opening of each, nearest first, then their next overview
        passages while room is left."""
        chunks = self.retriever.chunks
        chapter = overview.chapter_asked(text)
        named = self._named(text)
        if named is not None:
            docs = [named]
        elif chapter is not None:
            # The nearest document that has such a chapter.
            ranked = list(dict.fromkeys(h.chunk.doc for h in self._search(text, None).hits))
            ranked += self.retriever.documents()
            docs = [next((d for d in ranked if overview.overview_chunks(chunks, d, chapter)), ranked[0])]
        else:
            # Not named: every document's overview, the nearest first ("oppsummer rapporten" with three
            # reports is three overviews; the user can then name one).
            ranked = list(dict.fromkeys(h.chunk.doc for h in self._search(text, None).hits))
            docs = list(dict.fromkeys(ranked + self.retriever.documents()))[:MAX_CITATIONS]
        if len(docs) == 1:
            chosen = overview.overview_chunks(chunks, docs[0], chapter, self._is_lead_in, text)
        else:
            # Each document's first overview passage, then the next ones, nearest first, while room is left;
            # quoted document by document.
            each = [overview.overview_chunks(chunks, d, question=text) for d in docs]
            chosen = [c for row in zip_longest(*each) for c in row if c is not None][:MAX_CITATIONS]
            chosen.sort(key=lambda c: docs.index(c.doc))
        if not chosen:
            return self.answer(text, lang, shown)
        intro = messages.text("overview_intro", lang, source=chosen[0].source) if len(docs) == 1 \
            else messages.text("answer_intro_docs", lang)
        return quoted(intro, chosen, lang, shown, "answer", 1.0, self._from_doc(lang))

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
        named = self._named(text)
        result = self._search(text, named)
        verdict = self.model.verdict(result.query) if self.model else None
        if verdict is not None and verdict.answerable and named is not None \
                and not any(unit.startswith(f"{named}#") for unit in verdict.units):
            # A lesson about another document: «Hvem står bak rapporten om regional stat?» is near the
            # labelled «Hvem står bak rapporten?», which the primary document answers.
            verdict = None
        if verdict is not None:
            # The owners' lesson for (nearly) this question beats the model's guess.
            if not verdict.answerable:
                # A lesson also refuses questions far off the report's topic («Hvem vant fotball-VM i 2018?»):
                # there, «nevner ikke «2018»» would miss the point, so it gives only the aftermath's reason.
                return self.refusal(lang, shown, 0.0, result, names=False)
            result = self._taught_first(result, verdict.units)
        answers, confidence = self.judge(result, lang)
        if verdict is not None and verdict.answerable and result.hits:
            answers = True
        if not answers:
            return self.refusal(lang, shown, confidence, result)
        taught = [h.chunk for h in result.hits if verdict is not None and verdict.lesson and h.chunk.id in verdict.units]
        # A lesson names its answer: that unit alone, not its neighbours in the search; a list's lead-in
        # ("Vi ser fire hovedutfordringer:") is answered with its list, as search's own answer would be.
        taught = [c for chunk in taught for c in (self.lookup.group(chunk.key) if self._is_lead_in(chunk) else [chunk])]
        chunks = taught or self.select(result)
        if named is None and len(self.sources) > 1 and self._about_itself(chunks[0]):
            chunks = self._with_other_openings(chunks)
        answer = quoted(self._intro(chunks, lang), chunks, lang, shown, "answer", confidence, self._from_doc(lang))
        return pointed.point(answer, text, self.retriever.lexical)

    def learn(self, question: str, unit: str) -> bool:
        """One owner's lesson (see `learn_all`)."""
        return self.learn_all([(question, unit)]) == 1

    def learn_all(self, lessons: Sequence[tuple[str, str]]) -> int:
        """Owners' lessons, in effect from the next question on without a rebuild: each question (and
        its close rephrasings, retrieval/answerability.py `MEMORY_NEAR`) is answered with its unit (a
        chunk id, or a key of the primary document) first, or refused for "none"; a later lesson for
        the same question overrides an earlier one. Returns how many were applied: none without a
        model to remember them, and none for a unit the index no longer has."""
        if self.model is None:
            return 0
        known = []
        for question, unit in lessons:
            chunk = None if unit == "none" else self.retriever.chunk_by_id(unit) or self.retriever.chunk_by_key(unit)
            if chunk is not None or unit == "none":
                known.append((read_question(question), chunk))
        if known:
            vectors = self.retriever.embedder.embed_queries([q for q, _ in known])
            self.model.remember(vectors, [c is not None for _, c in known], [(c.id,) if c else () for _, c in known])
        return len(known)

    def refusal(self, lang: Lang, shown: str, confidence: float, result: SearchResult | None = None,
                names: bool = True) -> Answer:
        """"Not covered", naming what the bot holds: the report, or every document when there are several;
        first why, when there is a reason to give: the question asks what came of the report, or (`names`)
        names something the nearest document never mentions."""
        if len(self.sources) > 1:
            text = messages.text("abstain_library", lang, sources=", ".join(self.sources))
        else:
            text = messages.text("abstain", lang)
        reason = self._refusal_reason(lang, result, names)
        if not reason:
            return plain("abstain", text, lang, shown, confidence=confidence, abstained=True)
        return replace(plain("abstain", f"{reason} {text}", lang, shown, confidence=confidence, abstained=True),
                       reason=reason)

    def _refusal_reason(self, lang: Lang, result: SearchResult | None, names: bool) -> str:
        """The sentence that says why no document can answer, or "" when there is none to give."""
        if result is None:
            return ""
        if asks_aftermath(self.retriever, result):
            return messages.text("after_report", lang)
        missing = names_unmentioned(self.retriever, result) if names else ()
        return messages.text("names_unmentioned", lang, source=result.hits[0].chunk.source,
                             names=", ".join(f"«{name}»" for name in missing)) if missing else ""

    def _from_doc(self, lang: Lang) -> str:
        """The line that opens each document's quotes when an answer quotes several documents."""
        return messages.text("answer_from_doc", lang, source="{source}") if len(self.sources) > 1 else ""

    def search(self, text: str) -> SearchResult:
        """The candidate units for a question, in the reranker's order when there is a model."""
        return self._search(text, self._named(text))

    def _search(self, text: str, named: str | None) -> SearchResult:
        """`search`, for a caller that has already asked which document the question names (`_named`)."""
        if named is not None:
            # "Hva sier DFØ-rapport 2024:3 om …", "… rapporten om regional stat": answered from that
            # document, searched for the rest; for all of it when the rest finds nothing there («Hvem står
            # bak rapporten?» alone is nearest the primary document's many questions about itself).
            rest = overview.without_name(text, self.titles.get(named, "")) or text
            result = self._within(rest, {named})
            if rest != text and not any(h.chunk.doc == named for h in result.hits):
                result = self._within(text, {named})
            if asks_after_report(text) and not result.analysis.after_report:
                # «… etter at DFØ-rapport 2022:5 kom?» asks about the aftermath with the name taken out too.
                result = replace(result, analysis=replace(result.analysis, after_report=True))
        else:
            result = self.retriever.search(text, k=CANDIDATES)
            mentioning = self._mentioning(result)
            if mentioning:
                result = self._within(text, mentioning, result.query)
        return self.model.rerank(self.retriever, result) if self.model else result.without_floor()

    def _named(self, text: str) -> str | None:
        """The document the question names, when there are several (bot/answering/overview.py)."""
        return overview.named_document(text, self._doc_sources, self.titles) if len(self.sources) > 1 else None

    def _mentioning(self, result: SearchResult) -> set[str]:
        """The documents that mention every name the question asks about (retrieval/names.py), when only some
        of several do: «Hva sier rapporten om Skatteetaten?» is answered from the reports that name it."""
        if len(self.sources) < 2 or not any(part.name for part in result.analysis.parts):
            return set()
        documents = self.retriever.documents()
        mentioning = {d for d in documents if not self.retriever.unmentioned(result.analysis, d)}
        return mentioning if len(mentioning) < len(documents) else set()

    def _within(self, text: str, documents: set[str], query: np.ndarray | None = None) -> SearchResult:
        """The search's candidates in `documents` only (all of them when it finds none there); `query`: the
        text's vector, when a search has embedded it already."""
        result = self.retriever.search(text, k=CANDIDATES * 6, query=query)
        own = tuple(h for h in result.hits if h.chunk.doc in documents)[:CANDIDATES]
        return replace(result, hits=own, floor=0) if own else result

    def _taught_first(self, result: SearchResult, units: tuple[str, ...]) -> SearchResult:
        """The search with the taught units first, scored just above the best: in the search's order
        where it found them (a labelled question names the right units, not which of them answers
        best: «Hva bør embetsverket gjøre overfor statsråden?» is labelled Utfordring 1 and Anbefaling 1,
        and search ranks the recommendation first), then the ones it did not find."""
        chunks = [self.retriever.chunk_by_id(u) for u in units]
        rank = {h.chunk.id: n for n, h in enumerate(result.hits)}
        taught = sorted((c for c in chunks if c is not None), key=lambda c: rank.get(c.id, len(rank)))
        if not taught:
            return result
        top = result.hits[0].score if result.hits else 1.0
        first = [Hit(c, top + 1e-3, 1.0, 0.0, 1.0) for c in taught]
        rest = tuple(h for h in result.hits if h.chunk not in taught)
        return replace(result, hits=tuple(first) + rest)

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
        if is_fact_sheet(top.chunk):
            # The document's own words about itself (an opening line that names its series number)
            # before the facts made from its front matter.
            opening = self._opening.get(top.chunk.doc)
            return [opening, top.chunk] if opening is not None else [top.chunk]
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

    def _about_itself(self, chunk: Chunk) -> bool:
        """A document's facts or its opening: what a question about the report itself is answered with."""
        return is_fact_sheet(chunk) or self._first.get(chunk.doc) == chunk

    def _with_other_openings(self, chunks: list[Chunk]) -> list[Chunk]:
        """«Hvem har skrevet rapporten?» answered from one document's facts or opening, with several documents
        and none named, may be about any of them: the others' openings follow (a report's first passage names
        who wrote it, when and its number), as an unnamed overview question shows every document's opening."""
        others = [c for doc, c in self._first.items() if doc != chunks[0].doc and c not in chunks]
        return (chunks + others)[:MAX_CITATIONS]

    def _is_lead_in(self, chunk: Chunk) -> bool:
        """A unit that introduces a list ("Vår hovedanbefaling er …:", "Vi ser fire hovedutfordringer:"):
        the retriever's one definition, which the reranker's features use too."""
        return self.retriever.role(chunk).lead_in

    def _intro(self, chunks: list[Chunk], lang: Lang) -> str:
        """Name the list when the answer is a whole group (all recommendations, all challenges); with
        several documents, name the one quoted (or say that several are)."""
        several = len(self.sources) > 1
        sources = {c.source for c in chunks}
        if is_fact_sheet(chunks[0]) and len(sources) == 1:
            return messages.text("answer_intro_about_doc", lang, source=chunks[0].source) if several \
                else messages.text("answer_intro_about", lang)
        if chunks == self.lookup.group("H"):
            return messages.text("answer_intro_all_recommendations", lang)
        if chunks == self.lookup.group("U"):
            return messages.text("answer_intro_all_challenges", lang)
        if several:
            return messages.text("answer_intro_doc", lang, source=chunks[0].source) if len(sources) == 1 \
                else messages.text("answer_intro_docs", lang)
        return messages.text("answer_intro", lang)
