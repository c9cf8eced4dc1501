"""BM25 over Norwegian-stemmed terms, with compound splitting and typo tolerance on the query side.

`LexicalIndex.analyse(question)` also reports which of the question's topic terms the corpus
knows at all; that coverage is one of the answerability model's features (retrieval/answerability.py).

Typo tolerance needs no glossary: a query stem the corpus does not know is matched against the
corpus vocabulary by deletion neighbourhoods (SymSpell). Its cost is bounded: words longer than
`text.MAX_WORD` are not corrected (no vocabulary word is near them), so analysis stays linear in
the length of the question, whatever is pasted into it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval import text as lx
from retrieval.amounts import AmountAsked, amount_asked
from retrieval.names import names_asked
from retrieval.text import Analyzer

_PLAIN = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def _plain(word: str) -> str:
    return word.translate(_PLAIN)


K1 = 1.2
B = 0.75
MIN_TYPO_LEN = 5  # shorter stems are corrected to something else far too easily
LONG_TYPO_LEN = 9  # from this length two edits are allowed


@dataclass(frozen=True)
class QueryTerm:
    word: str  # as written (after nynorsk/English mapping)
    terms: tuple[str, ...]  # index terms it matched: itself, its compound parts, or a typo correction
    known: bool
    name: str = ""  # as written, when it is a name: a place, an institution, a person (retrieval/names.py)


@dataclass(frozen=True)
class QueryAnalysis:
    parts: tuple[QueryTerm, ...]
    coverage: float  # idf-weighted share of topic terms the corpus knows; 1.0 when there are none
    amount: AmountAsked | None = None  # "hvor mange …", "how much …" (retrieval/amounts.py)
    asks_when: bool = False  # "når …", "which year …"
    nynorsk: bool = False  # the lexicon mapped some of its words from nynorsk
    after_report: bool = False  # asks what came of the report, or when something happens again (text.py)

    @property
    def terms(self) -> list[str]:
        return [t for p in self.parts for t in p.terms]

    @property
    def has_topic(self) -> bool:
        return bool(self.parts)


class LexicalIndex:
    def __init__(self, texts: Sequence[str], analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer = analyzer or Analyzer()
        tokenised = [analyzer.terms(t) for t in texts]
        self.vocabulary: set[str] = {t for doc in tokenised for t in doc}
        # Compound parts are indexed too, so "statsrådsbetjening" also answers to "statsråd".
        docs = [doc + [p for t in doc for p in analyzer.compound_parts(t, self.vocabulary)] for doc in tokenised]
        self.n_docs = len(docs)
        self.doc_len = np.array([len(d) for d in docs], dtype=np.float32)
        self.avgdl = float(self.doc_len.mean()) if self.n_docs else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                postings[term].append((i, tf))
        self.vocabulary |= set(postings)
        # All postings in two flat arrays, each term a span of them: at 100,000 chunks a pair of small
        # arrays per term meant 200,000 numpy objects to unpickle, a second of every cached start.
        self._spans: dict[str, tuple[int, int]] = {}
        start = 0
        for term, posting in postings.items():
            self._spans[term] = (start, start + len(posting))
            start += len(posting)
        flat = [pair for posting in postings.values() for pair in posting]
        self._docs = np.fromiter((d for d, _ in flat), np.int64, len(flat))
        self._tfs = np.fromiter((f for _, f in flat), np.float32, len(flat))
        self.idf = {t: math.log(1 + (self.n_docs - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        # An unknown word weighs as much as the rarest known one: as specific as anything the corpus has.
        self.unknown_idf = math.log(1 + (self.n_docs - 0.5) / 1.5)
        self._typos = _DeleteIndex({t for t in self.vocabulary if len(t) >= MIN_TYPO_LEN})
        self._plain: dict[str, str] | None = None

    def analyse(self, question: str) -> QueryAnalysis:
        parts = []
        analyzer = self.analyzer
        names = {word: name for name in names_asked(question) for word in analyzer.words(name)}
        for word in analyzer.words(question):
            if word in lx.STOP or word in lx.QUESTION_WORDS:
                continue
            name = names.get(word, "")
            term = analyzer.stem(word) if len(word) <= lx.MAX_WORD else word
            if term in self.vocabulary:
                parts.append(QueryTerm(word, (term,), True, name))
                continue
            pieces = analyzer.compound_parts(term, self.vocabulary)
            if pieces and all(p in self.vocabulary for p in pieces):
                parts.append(QueryTerm(word, pieces, True, name))
                continue
            fixed = self._typos.correct(term)
            if fixed:
                parts.append(QueryTerm(word, (fixed,), True, name))
                continue
            parts.append(QueryTerm(word, (term,), False, name))
        return QueryAnalysis(tuple(parts), self._coverage(parts), amount_asked(question, analyzer),
                             lx.asks_when(question), analyzer.maps_nynorsk(question), lx.asks_after_report(question))

    def _coverage(self, parts: list[QueryTerm]) -> float:
        weights = [(self._weight(p), p.known) for p in parts]
        total = sum(w for w, _ in weights)
        return sum(w for w, known in weights if known) / total if total else 1.0

    def _weight(self, part: QueryTerm) -> float:
        if not part.known:
            return self.unknown_idf
        return max(self.idf.get(t, self.unknown_idf) for t in part.terms)

    def covered_share(self, analysis: QueryAnalysis, start: int, stop: int) -> float:
        """Idf-weighted share of the question's topic words found in at least one of the texts at
        positions start..stop-1: one passage's, or one document's (a document's passages are
        consecutive). Unlike BM25 it is on the same 0-1 scale in every corpus, so what is learned
        from it transfers between documents."""
        total = covered = 0.0
        for part in analysis.parts:
            weight = self._weight(part)
            total += weight
            if part.known and any(self._holds(term, start, stop) for term in part.terms):
                covered += weight
        return covered / total if total else 1.0

    def unmentioned(self, analysis: QueryAnalysis, start: int, stop: int) -> tuple[str, ...]:
        """The names the question asks about (as written) that none of the texts at positions start..stop-1
        holds."""
        def held(part: QueryTerm) -> bool:
            # A compound the corpus does not know whole is mentioned when each part is:
            # "digitaliseringsministeren" is not mentioned by a text on digitalisering alone.
            if part.known and all(self._holds(term, start, stop) for term in part.terms):
                return True
            # a name in the genitive ("Difis oversikt" where the document writes "Difi"), or written
            # without Norwegian letters ("DFO" for "DFØ")
            bare = self.analyzer.stem(part.word[:-1]) if part.word.endswith("s") else ""
            plain = self._plain_spelling().get(_plain(part.word), "")
            return any(t in self.vocabulary and self._holds(t, start, stop) for t in (bare, plain) if t)

        return tuple(dict.fromkeys(part.name for part in analysis.parts if part.name and not held(part)))

    def _plain_spelling(self) -> dict[str, str]:
        """Vocabulary terms by their spelling without æ, ø and å (built on first use)."""
        if self._plain is None:
            self._plain = {_plain(term): term for term in self.vocabulary}
        return self._plain

    def _holds(self, term: str, start: int, stop: int) -> bool:
        a, b = self._spans.get(term, (0, 0))
        docs = self._docs[a:b]
        return bool(((docs >= start) & (docs < stop)).any())

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query terms (zeros where nothing matches)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in set(terms):
            span = self._spans.get(term)
            if span is None:
                continue
            docs, tf = self._docs[span[0]:span[1]], self._tfs[span[0]:span[1]]
            norm = tf + K1 * (1 - B + B * self.doc_len[docs] / self.avgdl)
            out[docs] += self.idf[term] * tf * (K1 + 1) / norm
        return out


class _DeleteIndex:
    """Typo correction of stems by deletion neighbourhoods (SymSpell): one edit, two for long stems.

    Works on stems, not surface words, so "hovedanbefallingen" meets "hovedanbefaling"."""

    def __init__(self, vocabulary: set[str]) -> None:
        self._index: dict[str, str] = {}
        for word in sorted(vocabulary):
            for variant in _deletes(word, _depth(word)):
                self._index.setdefault(variant, word)

    def correct(self, word: str) -> str | None:
        if not MIN_TYPO_LEN <= len(word) <= lx.MAX_WORD:
            return None
        for variant in _deletes(word, _depth(word)):
            if variant in self._index:
                return self._index[variant]
        return None


def _depth(word: str) -> int:
    return 2 if len(word) >= LONG_TYPO_LEN else 1


def _deletes(word: str, depth: int) -> list[str]:
    level = {word}
    found = [word]
    for _ in range(depth):
        level = {w[:i] + w[i + 1:] for w in level for i in range(len(w))}
        found.extend(sorted(level))
    return found
