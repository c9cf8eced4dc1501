"""Which unit answers this question, does the corpus answer it at all, and how sure is the answer?
Three small logistic models over signals that mean the same in every document, plus the owners'
labelled and taught questions as a bonus for the units they name.

Transfer is the design goal: a document dropped into `corpus/` that nobody wrote a question for must
be answered as well as the one the labels were written for. So every feature is relative to this
search (the best candidate's score) or a share on a 0-1 scale (how much of the question's topic a
unit's text covers, how much of it its document covers), never a resemblance to labelled questions:
- the *reranker* orders a search's candidates: fused score, text cosine and BM25 relative to the
  best, topic coverage of the unit, rank, and the unit's role (the facts about a document, a list's
  lead-in). Its label-bound features are the *memory vote* and *neighbour share*, for units a labelled
  question names (the nearest labelled question it answers, relative to the nearest of all); a unit
  nobody labelled has no memory support, and competes on the rest. Where the search lands in a document
  nobody labelled, a reranker fitted on other documents orders it instead (retrieval/transfer.py,
  `ranked_as_unlabelled`);
- the *gate* decides whether the corpus answers the question at all, from the search: how near the
  best text is, the margin to the runner-up, lexical evidence, topic coverage of the best unit and of
  its document, the question's length and language, whether a question for an amount lands on text
  without one, and the reranker's probability; its cut is the highest that refuses at most
  `ANSWERABLE_REFUSAL_BUDGET` of the answerable questions. Where the first unit is in a labelled
  document, the *memory gate* adds how near the nearest answerable and unanswerable labelled questions
  lie, and its cut refuses `REFUSE_SHARE` of the unanswerable ones (both on out-of-fold predictions).
  Where it is in a document nobody labelled, a gate fitted on other documents decides, without the
  reranker's probability (retrieval/transfer.py);
- the *confidence* is the probability that the first unit is right.

Labelled questions (corpus/questions/*.jsonl) are keyed to their document (`doc`, the primary
document when absent): their expected phrases are looked up in that document only, so a short phrase
written for one report never marks another report's passage as an answer. A question that comes very
near one the owners labelled or taught (`MEMORY_NEAR`, centred cosine) takes that lesson: refused when
it was marked not covered, answered with its unit first when it was taught to one (`verdict`).

Training rows are built the way the engine meets new questions: the gate and confidence rows use
out-of-fold reranker probabilities, the memory leaves the question itself (and copies) out, and rows
are weighted so that each document's questions count the same in total. Fitting is deterministic
(Newton's method, fixed folds) and takes about a second once the questions' vectors are cached.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from retrieval.learning import Logistic, budget_threshold, choose_threshold, folds_of, out_of_fold
from retrieval.memory import Memory, language_directions
from retrieval.search import HybridRetriever, SearchResult
from retrieval.amounts import holds_amount
from retrieval.text import holds_year, in_summary
from retrieval.transfer import TransferRows, Unlabelled, fit_unlabelled
from retrieval.types import Chunk, Hit

CANDIDATES = 8  # units a search hands to the reranker
MAX_UNITS_PER_QUESTION = 16  # units a labelled question is remembered as answered by
UNVOTED = 0.2  # a known unit none of the voters points to: this far below the nearest voter
# Centred cosine of a question's nearest labelled question (retrieval/memory.py): below UNFAMILIAR it is
# unlike them all (half the questions about reports nobody labelled sit below 0.4-0.5), above FAMILIAR
# it is like them (three in four of the labelled questions, each left out of its own memory).
UNFAMILIAR, FAMILIAR = 0.4, 0.65
# From this familiarity on the memory speaks: the memory gate judges, and the reranker's order stands in
# any document (`judged_by_memory`, `ranked_as_unlabelled`).
MEMORY_SPEAKS = 0.5
CANDIDATE_FEATURES = ("fused", "pooled", "text", "example", "lexical", "coverage", "rank", "about", "lead_in", "memory",
                      "neighbours")
GATE_FEATURES = ("text_top", "margin", "lexical_top", "lexical_any", "coverage", "top_coverage", "doc_coverage",
                 "has_topic", "length", "rerank_top", "top_about", "top_lead_in", "amount_missing", "english")
MEMORY_GATE_FEATURES = GATE_FEATURES + ("memory_answerable", "memory_unanswerable", "memory_gap")
# Where the first unit is in a document nobody labelled, the gate leaves out the reranker's probability:
# fitted on the labelled page, it is that page's habits, and it gave «Når ble DFØ-rapport 2022:5
# publisert?» 0.04 in a report nobody labelled, which was refused. Without it, two such reports: 1 of
# 120 answerable refused, against 3. In the labelled document it stays: there it was learned, and
# without it the summary's cross-validated unanswerable questions refused fell from 349 to 344 of 379.
UNLABELLED_GATE_FEATURES = tuple(f for f in GATE_FEATURES if f != "rerank_top")
_UNLABELLED_COLUMNS = [GATE_FEATURES.index(f) for f in UNLABELLED_GATE_FEATURES]
# The reranker for documents nobody labelled (retrieval/transfer.py) reads no memory (nobody labelled
# them) and a few more signals, each of which carried over between documents left out of its fit: the
# unit's length in words, a question for a time meeting a year, the unit's rank by text cosine and by
# BM25, a unit under a summary heading, and whether it is in the first hit's document. Leave-one-
# document-out over four reports, recall@1 of the reranker's first unit: 0.667 without them, 0.708 with.
_SHARED = tuple(f for f in CANDIDATE_FEATURES if f not in ("memory", "neighbours"))
_SHARED_COLUMNS = [CANDIDATE_FEATURES.index(f) for f in _SHARED]
# A nynorsk question meets bokmål text through the lexicon, which maps only some of its words, so its
# word overlaps say less: the same signals again for nynorsk questions only (zero for others). Leave-
# one-document-out over six reports, recall@1 of the reranker's first unit 0.669 -> 0.681, one more
# question right in each of four reports and none fewer in any.
_NYNORSK = ("lexical", "coverage", "text_rank", "lexical_rank")
TRANSFER_CANDIDATE_FEATURES = (_SHARED + ("words", "when_year", "text_rank", "lexical_rank", "summary", "same_doc")
                               + tuple(f"nynorsk_{f}" for f in _NYNORSK))
# The memory gate (a document owners labelled): the lowest cut that refuses this share of the
# unanswerable labelled questions, on cross-validated predictions.
REFUSE_SHARE = 0.95
# The document-independent gate (a document nobody labelled): the highest cut that refuses at most this
# share of the answerable questions on cross-validated predictions. A refused answerable question is a
# dead end; a near-miss still shows the document's words with their source. Measured leave-one-
# document-out, the same cut refuses about as many answerable questions of an unseen document.
ANSWERABLE_REFUSAL_BUDGET = 0.02
# A question this close (centred cosine, retrieval/memory.py) to a labelled or taught one takes its
# lesson. Centred cosines of rephrasings of one question sit at 0.85-0.95; different questions on the
# same unit rarely pass 0.8.
MEMORY_NEAR = 0.9
# A question this close to an example marked not covered (`{#none}`), nearer than any unit, is refused.
TAUGHT_NOT_COVERED = 0.95
MODEL_FILE = "answerability.json"
MEMORY_FILE = "answerability-memory.npy"
# The saved model is refitted when the corpus or the embedder changes, not when this code does: bump
# FORMAT whenever a feature's meaning changes, or an upgraded bot would score with stale weights.
FORMAT = 15  # 15: the memory's cosines leave out how the questions' languages differ
# What rows written for retrieval/transfer.py must have been written with to be read.
TRANSFER_SIGNATURE = f"{FORMAT}|{','.join(TRANSFER_CANDIDATE_FEATURES)}|{','.join(UNLABELLED_GATE_FEATURES)}"


@dataclass(frozen=True)
class LabelledQuestion:
    q: str
    answerable: bool
    expect_any: tuple[str, ...]
    lang: str = "nb"  # the asker's language as the engine detects it (bot/answering/language.py)
    doc: str = ""  # the document it is about; "" is the corpus's primary (first) document
    units: tuple[str, ...] = ()  # chunk ids it is taught to, when known (teaching); else found by phrase


def load_labelled(folder: Path) -> list[LabelledQuestion]:
    out = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else ():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append(LabelledQuestion(item["q"], bool(item["answerable"]), tuple(item.get("expect_any", ())),
                                            doc=str(item.get("doc", ""))))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def contains_any(text: str, phrases: Sequence[str]) -> bool:
    """The evaluation's hit rule (shared/eval/README.md): case- and whitespace-insensitive containment."""
    body = _norm(text)
    return any(_norm(p) in body for p in phrases)


def answers(retriever: HybridRetriever, chunk: Chunk, expect_any: Sequence[str]) -> bool:
    """Whether citing this unit answers a question with these expected phrases. A lead-in is cited
    first, with the units it introduces after it (the engine shows the whole list), so it answers a
    question about its own words and one about the list as a whole (`list_quorum`)."""
    if contains_any(chunk.text, expect_any):
        return True
    members = retriever.members(chunk)
    return bool(members) and sum(contains_any(m.text, expect_any) for m in members) >= list_quorum(len(members))


def list_quorum(members: int) -> int:
    """How many of a list's units a question must be about to be about the list: all but one, and at
    least three (a question about two of three recommendations is about those two)."""
    return min(members, max(3, members - 1))


def best_unit(retriever: HybridRetriever, chunk: Chunk, expect_any: Sequence[str]) -> bool:
    """The reranker's label: like `answers`, except that for a question about a whole list the list's
    lead-in is the best unit, not one item: the user asked for all of them."""
    lead_in = retriever.lead_in_of(chunk)
    if lead_in is not None and answers(retriever, lead_in, expect_any):
        return False
    return answers(retriever, chunk, expect_any)


def candidate_rows(retriever: HybridRetriever, result: SearchResult, votes: dict[str, float],
                   known: frozenset[str], shares: dict[str, float] | None = None) -> np.ndarray:
    """One row of CANDIDATE_FEATURES per hit, each relative to this search's best or on a 0-1 scale.
    A unit no labelled question names is read between "as good as the nearest voter" and "no support",
    by how familiar the question is to the labelled ones (`familiarity`). Measured with two reports
    beside the summary: read as the nearest voter, 115 of the summary's 1,318 answerable questions went
    to the other reports (cross-validated recall@1 0.81); with no support, 29 (0.89) but the reports'
    own questions lost their answers to the summary (recall@1 0.40 on DFØ-rapport 2024:3 with the
    summary's labels only); scaled, 0.88 and 0.55."""
    if not result.hits:
        return np.zeros((0, len(CANDIDATE_FEATURES)))
    nearest = max(votes.values(), default=0.0)
    shares = shares or {}
    most = max(shares.values(), default=0.0)
    # How much the memory may speak against a unit nobody labelled: not at all for a question unlike
    # every labelled one (it is likely about another document), fully for one that resembles them.
    memory_weight = familiarity(nearest)
    best_text = max(h.text for h in result.hits)
    best_lexical = max(h.lexical for h in result.hits) or 1.0
    rows = []
    for rank, hit in enumerate(result.hits):
        role = retriever.role(hit.chunk)
        known_unit = hit.chunk.id in known
        vote = votes.get(hit.chunk.id, nearest - UNVOTED) - nearest if known_unit else -UNVOTED * memory_weight
        share = shares.get(hit.chunk.id, 0.0) if known_unit else most * (1.0 - memory_weight)
        # A unit without example questions counts its own best passage as its example: neutral.
        example = hit.text if hit.example is None else hit.example
        rows.append([hit.score, hit.dense - best_text, hit.text - best_text, example - best_text, hit.lexical / best_lexical,
                     retriever.coverage(result.analysis, hit.chunk), math.log1p(rank),
                     float(role.about), float(role.lead_in), vote, share])
    return np.array(rows, dtype=np.float64)


def _remembered_rows(retriever: HybridRetriever, memory: Memory, result: SearchResult,
                     cosines: np.ndarray) -> np.ndarray:
    ids = [h.chunk.id for h in result.hits]
    return candidate_rows(retriever, result, memory.votes(cosines, ids), memory.known, memory.shares(cosines, ids))


def reorder(result: SearchResult, probabilities: np.ndarray, ranking: np.ndarray | None = None) -> SearchResult:
    """The hits by the reranker's probability, or by `ranking` when given (ties keep the fused order);
    each hit's score becomes the reranker's probability."""
    ranking = probabilities if ranking is None else ranking
    order = sorted(range(len(result.hits)), key=lambda i: (-ranking[i], i))
    hits = tuple(result.hits[i].rescored(float(probabilities[i])) for i in order)
    return replace(result, hits=hits, floor=0)


def ordered(result: SearchResult, rows: np.ndarray, probabilities: np.ndarray, memory: Memory, cosines: np.ndarray,
            unlabelled: Unlabelled | None) -> SearchResult:
    """The labelled reranker's order (`probabilities`), or, where the search lands in a document nobody
    labelled and stays there (`ranked_as_unlabelled`), `unlabelled_ranking`'s over the search without
    the primary document's floor units (retrieval/search.py): the labelled reranker did not want them."""
    if not ranked_as_unlabelled(result, memory, cosines, probabilities):
        return reorder(result, probabilities)
    kept = len(result.hits) - result.floor
    trimmed = result.without_floor()
    return reorder(trimmed, probabilities[:kept], unlabelled_ranking(unlabelled, trimmed, rows[:kept]))


def speaks(memory_cosines: np.ndarray) -> bool:
    """The question is at least half familiar to the labelled ones: the memory has something to say."""
    return len(memory_cosines) > 0 and familiarity(float(memory_cosines.max())) >= MEMORY_SPEAKS


def _as_judged(result: SearchResult, memory_cosines: np.ndarray) -> SearchResult:
    """The search a question is reranked on: the primary document's floor units only for a question
    like the labelled ones, whose memory can tell whether they answer it."""
    return result if speaks(memory_cosines) else result.without_floor()


def transfer_candidate_rows(result: SearchResult, rows: np.ndarray) -> np.ndarray:
    """TRANSFER_CANDIDATE_FEATURES of a search's hits, from their CANDIDATE_FEATURES `rows`."""
    hits = result.hits
    when = result.analysis.asks_when
    texts = np.array([h.text for h in hits])
    lexical = np.array([h.lexical for h in hits])
    extra = np.array([[math.log1p(len(h.chunk.text.split())), float(when and holds_year(h.chunk.text)),
                       float(in_summary(h.chunk.section)), float(h.chunk.doc == hits[0].chunk.doc)] for h in hits])
    ranks = np.column_stack([np.log1p(np.argsort(np.argsort(-texts, kind="stable"))),
                             np.log1p(np.argsort(np.argsort(-lexical, kind="stable")))])
    shared = np.hstack([rows[:, _SHARED_COLUMNS], extra[:, :2], ranks, extra[:, 2:]])
    nynorsk = shared[:, [TRANSFER_CANDIDATE_FEATURES.index(f) for f in _NYNORSK]] * float(result.analysis.nynorsk)
    return np.hstack([shared, nynorsk])


def unlabelled_ranking(unlabelled: Unlabelled | None, result: SearchResult, rows: np.ndarray) -> np.ndarray:
    """How a search that lands in a document nobody labelled is ordered (`ranked_as_unlabelled`): by the
    reranker fitted on other documents (retrieval/transfer.py), else in the search's own order."""
    if unlabelled is None or unlabelled.reranker is None:
        return -np.arange(len(rows), dtype=np.float64)
    return unlabelled.reranker.predict(transfer_candidate_rows(result, rows))


def gate_features(retriever: HybridRetriever, result: SearchResult, lang: str) -> list[float]:
    """GATE_FEATURES of a reranked search: nothing here depends on which document answers."""
    analysis = result.analysis
    if not result.hits:
        return [0.0] * 7 + [float(analysis.has_topic), math.log1p(len(analysis.parts)), 0.0, 0.0, 0.0, 0.0,
                            float(lang == "en")]
    top: Hit = result.hits[0]
    texts = sorted((h.text for h in result.hits), reverse=True)
    role = retriever.role(top.chunk)
    best_lexical = max(h.lexical for h in result.hits)
    # "Hvor mye kostet prosjektet?" meets the opening paragraph about the project: near in meaning,
    # but a question for an amount is not answered by text without the kind of amount it asks for.
    amount_missing = analysis.amount is not None and not holds_amount(analysis.amount, top.chunk.text,
                                                                      retriever.lexical.analyzer)
    return [top.text, texts[0] - (texts[1] if len(texts) > 1 else 0.0),
            top.lexical / best_lexical if best_lexical > 0 else 0.0, float(best_lexical > 0),
            analysis.coverage, retriever.coverage(analysis, top.chunk),
            retriever.doc_coverage(analysis, top.chunk.doc),
            float(analysis.has_topic), math.log1p(len(analysis.parts)), top.score,
            float(role.about), float(role.lead_in), float(amount_missing), float(lang == "en")]


def familiarity(nearest: float) -> float:
    """0 for a question unlike every labelled one, 1 for one like them (centred cosine of the nearest)."""
    return min(1.0, max(0.0, (nearest - UNFAMILIAR) / (FAMILIAR - UNFAMILIAR)))


def in_labelled_document(result: SearchResult, memory: Memory) -> bool:
    """The search's first unit is in a document owners labelled questions for: only there has the
    reranker learned anything. Fitted on one labelled page, its weights are that page's habits (a BM25
    match counts against a unit there): on two reports nobody labelled, reranking took recall@1 from
    0.70 / 0.65 in the search's own order to 0.68 / 0.55. Elsewhere the reranker fitted on other
    documents orders the search (`ranked_as_unlabelled`)."""
    return bool(result.hits) and result.hits[0].chunk.doc in memory.documents


def ranked_as_unlabelled(result: SearchResult, memory: Memory, cosines: np.ndarray, probabilities: np.ndarray) -> bool:
    """The search lands in a document nobody labelled, and the labelled reranker (`probabilities`) does
    not take the question back to a labelled document: the question is unlike the labelled ones (below
    `MEMORY_SPEAKS`: the memory has nothing to say), or its first unit is not in one. A summary question
    whose best passage by search is in an added report is taken back to the summary by the memory; a
    question about the added report is ordered by the reranker that knows such documents. Each of four
    reports alone beside the summary, its own rows left out: mean recall@1 0.645 (0.617 with the search's
    order there); the summary's pool cross-validated with DFØ-rapport 2024:3 / 2022:5 present 0.89 / 0.90
    (0.83 / 0.86 when every search landing in a report was ordered by that reranker)."""
    if in_labelled_document(result, memory):
        return False
    if not speaks(cosines):
        return True
    return result.hits[int(np.argmax(probabilities))].chunk.doc not in memory.documents


def judged_by_memory(result: SearchResult, memory: Memory, cosines: np.ndarray) -> bool:
    """Whether the memory gate decides: the first unit's document has labelled questions and the question
    is at least half familiar to them."""
    return bool(result.hits) and result.hits[0].chunk.doc in memory.documents and speaks(cosines)


def taught_not_covered(result: SearchResult) -> bool:
    """The question is (nearly) an example the owners marked as not covered, nearer than any unit."""
    s = result.signals
    return s.not_covered >= TAUGHT_NOT_COVERED and s.not_covered > s.dense_top


def decides_to_answer(retriever: HybridRetriever, result: SearchResult, probability: float, threshold: float) -> bool:
    """The model's answer-or-refuse rule: something was found, the gate is at its threshold, the question is
    not an example the owners marked as not covered, it does not ask what came of a report nothing here can
    tell (`asks_aftermath`), and the first unit's document mentions every name the question asks about."""
    return (bool(result.hits) and probability >= threshold and not taught_not_covered(result)
            and not asks_aftermath(retriever, result) and not names_unmentioned(retriever, result))


def asks_aftermath(retriever: HybridRetriever, result: SearchResult) -> bool:
    """The question asks what came of the report it lands in (retrieval/text.py `asks_after_report`), and no
    document here can tell: a report does not hold its own aftermath, but a later one may hold an earlier
    one's (DFØ-rapport 2024:3 looks at the ministries again after Difi-rapport 2019:3)."""
    return (result.analysis.after_report and bool(result.hits)
            and not retriever.followed_by(result.hits[0].chunk.doc))


def names_unmentioned(retriever: HybridRetriever, result: SearchResult) -> tuple[str, ...]:
    """Names the question asks about (a place, an institution, a person: retrieval/names.py) that the first
    unit's document never mentions: that document cannot answer it, however near its paragraphs are."""
    return retriever.unmentioned(result.analysis, result.hits[0].chunk.doc) if result.hits else ()


@dataclass(frozen=True)
class Assessment:
    answers: bool
    answerable_probability: float
    confidence: float  # probability that the first citation is right


@dataclass(frozen=True)
class Verdict:
    """What the owners' nearest lesson says about a question, when one is near enough to count."""

    answerable: bool
    units: tuple[str, ...]  # the chunk ids it names (empty for "not covered")
    cosine: float
    lesson: bool = False  # an owner's lesson (taught, or an example question), not a labelled question


class AnswerabilityModel:
    def __init__(self, reranker: Logistic, gate: Logistic, threshold: float, confidence: Logistic,
                 memory: Memory, info: dict, memory_gate: Logistic | None = None, memory_threshold: float = 0.5,
                 unlabelled: Unlabelled | None = None) -> None:
        self.reranker, self.gate, self.confidence_head = reranker, gate, confidence
        self.threshold = threshold  # the document-independent gate: answer when its probability >= threshold
        self.memory_gate, self.memory_threshold = memory_gate, memory_threshold
        # Where the first unit is in a document nobody labelled (retrieval/transfer.py).
        self.unlabelled = unlabelled
        self.memory = memory
        self.info = info  # rows, answerable, corpus_hash, embedder, data_hash
        dim = memory.vectors.shape[1] if memory.vectors.ndim == 2 else 0
        self.lessons = Memory(np.zeros((0, dim), np.float32), np.zeros(0, bool), ())
        self._last: tuple[np.ndarray | None, np.ndarray] = (None, np.zeros(0, dtype=np.float32))

    @property
    def corpus_hash(self) -> str:
        return self.info.get("corpus_hash", "")

    @property
    def embedder(self) -> str:
        return self.info.get("embedder", "")

    @property
    def rows(self) -> int:
        return int(self.info.get("rows", 0))

    def _cosines(self, query: np.ndarray | None) -> np.ndarray:
        last_query, cosines = self._last  # read and replaced whole: safe across threads
        if query is None or last_query is not query:
            cosines = self.memory.cosines(query)
            self._last = (query, cosines)
        return cosines

    def remember(self, vectors: np.ndarray, answerable: Sequence[bool], units: Sequence[tuple[str, ...]]) -> None:
        """Add owners' lessons (taught questions, a document's example questions); they count from the
        next question on, without a refit, through `verdict` only: the rankers and gates keep the
        memory they were fitted with."""
        lessons = self.lessons
        self.lessons = Memory(np.vstack([lessons.vectors, np.asarray(vectors, np.float32)]),
                              np.concatenate([lessons.answerable, np.asarray(answerable, bool)]),
                              lessons.units + tuple(tuple(u) for u in units))

    def verdict(self, query: np.ndarray | None) -> Verdict | None:
        """The nearest lesson or labelled question, when it is within MEMORY_NEAR (centred cosine,
        both centred on the labelled questions' mean, so one threshold serves both)."""
        best: Verdict | None = None
        for memory in (self.memory, self.lessons):
            cosines = self._cosines(query) if memory is self.memory else memory.cosines(query, frame=self.memory)
            if not len(cosines):
                continue
            # Among lessons the latest of equals wins: an owner re-teaching a question changes its verdict.
            # A labelled question wins a tie with a lesson: the corpus's example lines (remembered as
            # lessons) name a list's lead-in where the labelled pool names the list's units.
            lesson = memory is self.lessons
            row = len(cosines) - 1 - int(np.argmax(cosines[::-1])) if lesson else int(np.argmax(cosines))
            if cosines[row] >= MEMORY_NEAR and (best is None or cosines[row] > best.cosine):
                best = Verdict(bool(memory.answerable[row]), memory.units[row], float(cosines[row]),
                               memory is self.lessons)
        return best

    def rerank(self, retriever: HybridRetriever, result: SearchResult) -> SearchResult:
        """The reranker's order, except where the search lands in a document nobody labelled and the
        reranker does not take the question back to a labelled one (`ranked_as_unlabelled`): there
        `unlabelled_ranking`'s, each hit scored by the reranker all the same (the confidence reads it)."""
        if not result.hits:
            return result
        cosines = self._cosines(result.query)
        result = _as_judged(result, cosines)
        rows = _remembered_rows(retriever, self.memory, result, cosines)
        return ordered(result, rows, self.reranker.predict(rows), self.memory, cosines, self.unlabelled)

    def labelled(self, result: SearchResult) -> bool:
        """The memory gate judges: the first unit is in a document owners labelled questions for, and the
        question resembles those questions (else it is likely about another document, and their
        unanswerable examples would refuse it for landing near them)."""
        return (self.memory_gate is not None and bool(result.hits)
                and judged_by_memory(result, self.memory, self._cosines(result.query)))

    def assess(self, retriever: HybridRetriever, reranked: SearchResult, lang: str = "nb") -> Assessment:
        """`lang`: an English question meets Norwegian text across languages, where e5's cosines run
        lower; the gate learns how much lower instead of refusing English for it."""
        row = np.array(gate_features(retriever, reranked, lang), dtype=np.float64)
        confidence = float(self.confidence_head.predict(row)[0])
        if self.labelled(reranked):
            memory_row = np.concatenate([row, self.memory.features(self._cosines(reranked.query))])
            probability, threshold = float(self.memory_gate.predict(memory_row)[0]), self.memory_threshold
        elif self.unlabelled is not None and not in_labelled_document(reranked, self.memory):
            probability = float(self.unlabelled.gate.predict(row[_UNLABELLED_COLUMNS])[0])
            threshold = self.unlabelled.threshold
        else:
            probability, threshold = float(self.gate.predict(row)[0]), self.threshold
        return Assessment(decides_to_answer(retriever, reranked, probability, threshold), probability, confidence)

    def document(self) -> dict:
        """Everything but the memory's vectors, as saved in MODEL_FILE (readable by an owner)."""
        return {"format": FORMAT, "candidate_features": CANDIDATE_FEATURES, "gate_features": GATE_FEATURES,
                "unlabelled_gate_features": UNLABELLED_GATE_FEATURES,
                "transfer_candidate_features": TRANSFER_CANDIDATE_FEATURES,
                "unlabelled": self.unlabelled.to_json() if self.unlabelled else None,
                "reranker": self.reranker.to_json(), "gate": self.gate.to_json(), "threshold": self.threshold,
                "memory_gate": self.memory_gate.to_json() if self.memory_gate else None,
                "memory_threshold": self.memory_threshold,
                "confidence": self.confidence_head.to_json(), **self.info,
                "memory_units": [list(u) for u in self.memory.units],
                "memory_languages": self.memory.languages.tolist() if self.memory.languages is not None else []}

    def save(self, folder: Path) -> None:
        np.save(folder / MEMORY_FILE, np.hstack([self.memory.vectors,
                                                 self.memory.answerable[:, None].astype(np.float32)]))
        (folder / MODEL_FILE).write_text(json.dumps(self.document(), indent=1))

    @classmethod
    def load(cls, folder: Path) -> "AnswerabilityModel | None":
        try:
            raw = json.loads((folder / MODEL_FILE).read_text())
            stored = np.load(folder / MEMORY_FILE)
        except (OSError, ValueError):
            return None
        if (raw.get("format") != FORMAT or tuple(raw.get("candidate_features", ())) != CANDIDATE_FEATURES
                or tuple(raw.get("gate_features", ())) != GATE_FEATURES or stored.ndim != 2):
            return None
        info = {k: raw[k] for k in ("rows", "answerable", "corpus_hash", "embedder", "data_hash", "transfer")
                if k in raw}
        try:
            units = tuple(tuple(u) for u in raw["memory_units"])
            if len(units) != len(stored):
                return None
            vectors = np.ascontiguousarray(stored[:, :-1], dtype=np.float32)
            languages = np.array(raw.get("memory_languages", []), np.float32).reshape(-1, vectors.shape[1])
            memory = Memory(vectors, stored[:, -1] > 0.5, units, languages)
            memory_gate = Logistic.from_json(raw["memory_gate"]) if raw.get("memory_gate") else None
            unlabelled = Unlabelled.from_json(raw["unlabelled"]) if raw.get("unlabelled") else None
            return cls(Logistic.from_json(raw["reranker"]), Logistic.from_json(raw["gate"]), float(raw["threshold"]),
                       Logistic.from_json(raw["confidence"]), memory, info, memory_gate,
                       float(raw.get("memory_threshold", 0.5)), unlabelled)
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Training:
    """A fit's rows as the engine would meet them (out of fold), kept for the evaluation's figures."""

    gate_rows: np.ndarray
    gate_oof: np.ndarray  # the gate's out-of-fold probability per question
    reranked: tuple[SearchResult, ...]  # each question's search, reranked out of fold
    correct: np.ndarray  # the first unit after reranking answers the question
    answerable: np.ndarray
    threshold: float


def data_hash(questions: Sequence[LabelledQuestion]) -> str:
    digest = hashlib.sha256()
    for q in questions:
        digest.update(json.dumps(asdict(q), ensure_ascii=False).encode())
    return digest.hexdigest()


def _answering_units(retriever: HybridRetriever, questions: Sequence[LabelledQuestion]) -> tuple[tuple[str, ...], ...]:
    """Per question, the ids of the chunks of its own document that contain one of its phrases (or the
    units it was taught to). Each distinct (document, phrase) is looked up once."""
    documents = retriever.documents()
    primary = documents[0] if documents else ""
    texts = [_norm(c.text) for c in retriever.chunks]
    found: dict[tuple[str, str], tuple[int, ...]] = {}
    out = []
    for q in questions:
        if q.units:
            out.append(q.units)
            continue
        doc = q.doc or primary
        rows: set[int] = set()
        for phrase in q.expect_any if q.answerable else ():
            key = (doc, _norm(phrase))
            if key not in found:
                found[key] = tuple(i for i, text in enumerate(texts)
                                   if retriever.chunks[i].doc == doc and key[1] in text)
            rows.update(found[key])
        out.append(tuple(retriever.chunks[i].id for i in sorted(rows)[:MAX_UNITS_PER_QUESTION]))
    return tuple(out)


def _document_weights(retriever: HybridRetriever, questions: Sequence[LabelledQuestion]) -> np.ndarray:
    """Row weights that give each document's questions the same total: 1,700 questions on a
    summary page must not teach the gate that every document looks like that page."""
    documents = retriever.documents()
    primary = documents[0] if documents else ""
    docs = [q.doc or primary for q in questions]
    counts = {d: docs.count(d) for d in set(docs)}
    weights = np.array([len(questions) / (len(counts) * counts[d]) for d in docs], dtype=np.float64)
    return weights


def _fit_rows(retriever: HybridRetriever, questions: Sequence[LabelledQuestion], vectors: np.ndarray | None):
    if vectors is None:
        vectors = retriever.embedder.embed_queries([q.q for q in questions])
    results = [retriever.search(q.q, k=CANDIDATES, query=vectors[i:i + 1]) for i, q in enumerate(questions)]
    answerable = np.array([q.answerable for q in questions], dtype=bool)
    units = _answering_units(retriever, questions)
    vectors = np.asarray(vectors, np.float32)
    memory = Memory(vectors, answerable, units, language_directions(vectors, [q.lang for q in questions]))
    texts = [_norm(q.q) for q in questions]
    same = {}
    for i, t in enumerate(texts):
        same.setdefault(t, []).append(i)
    cosines = []
    for i, r in enumerate(results):
        leave_out = np.zeros(len(questions), dtype=bool)
        leave_out[same[texts[i]]] = True
        cosines.append(memory.cosines(r.query, leave_out))
    results = [_as_judged(r, c) for r, c in zip(results, cosines)]
    candidates = [_remembered_rows(retriever, memory, r, c) for r, c in zip(results, cosines)]
    labels = [np.array([q.answerable and best_unit(retriever, h.chunk, q.expect_any) for h in r.hits], dtype=float)
              for q, r in zip(questions, results)]
    return results, memory, cosines, candidates, labels, answerable


def _reranker(candidates, labels, rows, weights) -> Logistic:
    """Fitted on the candidates of answerable questions only (an unanswerable one has no right unit)."""
    used = [i for i in rows if len(candidates[i])]
    x = np.vstack([candidates[i] for i in used])
    y = np.concatenate([labels[i] for i in used])
    w = np.concatenate([np.full(len(candidates[i]), weights[i]) for i in used])
    return Logistic.fit(x, y, w)


def _threshold_rows(judged: np.ndarray, elsewhere: np.ndarray, answerable: np.ndarray,
                    cosines: Sequence[np.ndarray]) -> np.ndarray:
    """The questions the memory gate's cut is chosen over: those it judges, and the unanswerable ones
    like the labelled ones whose first unit is in a document nobody labelled. Without them, a report
    added beside the summary took the easy unanswerable questions with it, the cut rose over the hard
    ones left, and more of the summary's answerable questions were refused."""
    familiar = np.array([speaks(c) for c in cosines], dtype=bool)
    return judged | (elsewhere & familiar & ~answerable)


def train(retriever: HybridRetriever, questions: Sequence[LabelledQuestion], vectors: np.ndarray | None = None,
          transfer: TransferRows | None = None) -> tuple["AnswerabilityModel", Training]:
    """`vectors`: the questions' query vectors when the caller has them (retrieval/vector_cache.py).
    `transfer`: other documents' rows for the documents nobody labelled (retrieval/transfer.py); without
    them such documents keep the search's order and a gate fitted on this corpus's labels."""
    transferred = fit_unlabelled(transfer) if transfer is not None else None
    results, memory, cosines, candidates, labels, answerable = _fit_rows(retriever, questions, vectors)
    if answerable.all() or not answerable.any():
        raise ValueError("answerability needs both answerable and unanswerable labelled questions")
    weights = _document_weights(retriever, questions)
    fold_of = folds_of(answerable)
    positives = [i for i in range(len(questions)) if answerable[i]]
    if not any(labels[i].any() for i in positives):
        raise ValueError("no labelled answerable question finds its unit among the candidates")
    reranked: list[SearchResult] = list(results)
    for fold in np.unique(fold_of):
        model = _reranker(candidates, labels, [i for i in positives if fold_of[i] != fold], weights)
        for i in np.flatnonzero(fold_of == fold):
            if len(candidates[i]):
                reranked[i] = ordered(results[i], candidates[i], model.predict(candidates[i]), memory, cosines[i],
                                      transferred)
    gate_rows = np.array([gate_features(retriever, r, q.lang) for r, q in zip(reranked, questions)], dtype=np.float64)
    correct = np.array([answerable[i] and bool(r.hits) and answers(retriever, r.hits[0].chunk, questions[i].expect_any)
                        for i, r in enumerate(reranked)], dtype=float)
    y = answerable.astype(float)
    gate_oof = out_of_fold(gate_rows, y, fold_of, weights)
    threshold = budget_threshold(gate_oof, answerable, ANSWERABLE_REFUSAL_BUDGET)
    unlabelled_rows = gate_rows[:, _UNLABELLED_COLUMNS]
    if transferred is None:
        unlabelled_oof = out_of_fold(unlabelled_rows, y, fold_of, weights)
        unlabelled = Unlabelled(None, Logistic.fit(unlabelled_rows, y, weights),
                                budget_threshold(unlabelled_oof, answerable, ANSWERABLE_REFUSAL_BUDGET))
    else:  # fitted on other documents: these questions are out of its fold already
        unlabelled, unlabelled_oof = transferred, transferred.gate.predict(unlabelled_rows)
    # A question whose first unit is in a document nobody labelled is judged by that gate (`assess`).
    elsewhere = np.array([bool(r.hits) and not in_labelled_document(r, memory) for r in reranked])
    decided_oof = gate_oof.copy()
    decided_oof[elsewhere] = unlabelled_oof[elsewhere] - unlabelled.threshold + threshold
    # The memory gate: questions whose first unit is in a labelled document, with the memory's say.
    labelled = np.array([bool(r.hits) and judged_by_memory(r, memory, c) for r, c in zip(reranked, cosines)])
    memory_rows = np.hstack([gate_rows, np.array([memory.features(c) for c in cosines])])
    memory_gate, memory_threshold = None, threshold
    if labelled.sum() >= 20 and len(set(answerable[labelled])) == 2:
        rows = np.flatnonzero(labelled)
        # The cut is chosen over the unanswerable questions like the labelled ones wherever they land
        # (`_threshold_rows`), each scored by a memory gate fitted on the judged rows without its fold.
        scored = _threshold_rows(labelled, elsewhere, answerable, cosines)
        memory_oof = out_of_fold(memory_rows, y, fold_of, fitted=labelled)
        memory_threshold = choose_threshold(memory_oof[scored], answerable[scored], REFUSE_SHARE)
        memory_gate = Logistic.fit(memory_rows[rows], y[rows])
        decided_oof[rows] = memory_oof[rows] - memory_threshold + threshold  # on the base gate's scale, for the figures
    reranker = _reranker(candidates, labels, positives, weights)
    model = AnswerabilityModel(reranker, Logistic.fit(gate_rows, y, weights), threshold,
                               Logistic.fit(gate_rows, correct, weights), memory,
                               {"rows": len(questions), "answerable": int(answerable.sum()),
                                "transfer": transfer.digest() if transfer is not None else ""},
                               memory_gate, memory_threshold, unlabelled)
    return model, Training(gate_rows, decided_oof, tuple(reranked), correct, answerable, threshold)


def fit(retriever: HybridRetriever, questions: Sequence[LabelledQuestion], corpus_hash: str = "",
        embedder: str = "", vectors: np.ndarray | None = None, transfer: TransferRows | None = None) -> AnswerabilityModel:
    model, _ = train(retriever, questions, vectors, transfer)
    model.info.update(corpus_hash=corpus_hash, embedder=embedder, data_hash=data_hash(questions))
    return model


def transfer_rows(retriever: HybridRetriever, questions: Sequence[LabelledQuestion],
                  vectors: np.ndarray | None = None) -> TransferRows:
    """Blind questions about documents nobody labelled, as rows for retrieval/transfer.py: each
    candidate's reranker features and label, and the gate's features were it cited first. A question
    the search finds nothing for has no rows (the engine refuses it before any model is asked)."""
    if vectors is None:
        vectors = retriever.embedder.embed_queries([q.q for q in questions])
    docs, answerable, question, candidates, best, gate = [], [], [], [], [], []
    for i, q in enumerate(questions):
        # As the unlabelled reranker meets it (`ordered`): without the primary document's floor units.
        result = retriever.search(q.q, k=CANDIDATES, query=vectors[i:i + 1]).without_floor()
        if not result.hits:
            continue
        n = len(docs)
        docs.append(q.doc)
        answerable.append(q.answerable)
        candidates.append(transfer_candidate_rows(result, candidate_rows(retriever, result, {}, frozenset())))
        for j, hit in enumerate(result.hits):
            question.append(n)
            best.append(q.answerable and best_unit(retriever, hit.chunk, q.expect_any))
            first = replace(result, hits=(hit,) + result.hits[:j] + result.hits[j + 1:])
            gate.append(np.array(gate_features(retriever, first, q.lang))[_UNLABELLED_COLUMNS])
    return TransferRows(TRANSFER_SIGNATURE, tuple(docs), np.array(answerable, bool), np.array(question, np.int64),
                        np.vstack(candidates), np.array(best, bool), np.vstack(gate))
