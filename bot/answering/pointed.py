"""Pointed answers: which sentence of a quote answers the question (`Citation.focus`, which every
renderer emphasises), and «Ja»/«Nei» before the quote of a yes/no question where the text supports it.

The sentence is the one that holds the largest idf-weighted share of the question's content words,
read with the retriever's own lexical analysis (stems, nynorsk and English mapped, compounds split,
typos corrected), so "handlingsrom" marks the sentence that says «gi handlingsrom». A quote of one
sentence, or one where no sentence holds more than the others, gets no focus.

Yes/no is conservative. A question is polar when it opens with a verb («Anbefaler rapporten at …?»,
«Er …?», «Bør …?», «Does the report …?»: `polar_leads` in dialogue.json). Its answer sentence must
hold nearly all its content words (`POLAR_SHARE`): then «Ja» when it does not negate, «Nei» when it
does; a negated question, or too few shared words, gets «Rapporten sier ikke det direkte, men:». Nothing here ever reads meaning beyond
shared words, so «Ja» means "the report says these words", never an inference.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from bot import messages
from bot.types import Answer, Lang
from retrieval.chunking import sentences
from retrieval.lexical import LexicalIndex, QueryAnalysis

POLAR_SHARE = 0.75  # share of the question's content words the answer sentence must hold for «Ja»/«Nei»
_WORD = re.compile(r"[a-zæøåéèüäö]+")


@dataclass(frozen=True)
class PolarWords:
    leads: frozenset[str]
    negations: frozenset[str]
    ignore: frozenset[str]  # words for the document itself ("rapporten"): not what the question asks about


@lru_cache(maxsize=1)
def polar_words() -> PolarWords:
    data = json.loads(resources.files("bot.answering").joinpath("dialogue.json").read_text(encoding="utf-8"))
    return PolarWords(frozenset(data["polar_leads"]), frozenset(data["negations"]),
                      frozenset(data["document_nouns"]))


def _share(lexical: LexicalIndex, analysis: QueryAnalysis, sentence: str, skip: frozenset[str] = frozenset()) -> float:
    """Idf-weighted share of the question's content words that `sentence` holds (0 when it has none)."""
    terms = set(lexical.analyzer.terms(sentence))
    terms |= {p for t in list(terms) for p in lexical.analyzer.compound_parts(t, lexical.vocabulary)}
    total = held = 0.0
    for part in analysis.parts:
        if part.word in skip:
            continue
        weight = max(lexical.idf.get(t, lexical.unknown_idf) for t in part.terms)
        total += weight
        if part.known and any(t in terms for t in part.terms):
            held += weight
    return held / total if total else 0.0


def best_sentence(lexical: LexicalIndex, analysis: QueryAnalysis, text: str,
                  skip: frozenset[str] = frozenset()) -> tuple[str, float, bool]:
    """The sentence of `text` that holds most of the question's words, its share, and whether it
    stands out (holds more than some other sentence of the text)."""
    found = [s.strip() for s in sentences(text)] or [text.strip()]
    shares = [_share(lexical, analysis, s, skip) for s in found]
    best = max(range(len(found)), key=lambda i: shares[i])
    return found[best], shares[best], len(found) > 1 and shares[best] > min(shares)


def focus(lexical: LexicalIndex, analysis: QueryAnalysis, text: str) -> str:
    """The sentence to emphasise in a quote of `text`; "" when no sentence stands out."""
    sentence, share, stands_out = best_sentence(lexical, analysis, text)
    return sentence if stands_out and share > 0 and sentence in text else ""


def is_polar(question: str) -> bool:
    words = _WORD.findall(question.lower())
    return bool(words) and words[0] in polar_words().leads


def _negated(text: str) -> bool:
    return any(w in polar_words().negations for w in _WORD.findall(text.lower()))


def polar_intro(lexical: LexicalIndex, question: str, text: str, lang: Lang,
                analysis: QueryAnalysis | None = None) -> str:
    """«Ja, rapporten sier:», «Nei, rapporten sier:» or «Rapporten sier ikke det direkte, men:».
    `analysis`: the question's, when the caller has it (`lexical.analyse(question)`)."""
    words = polar_words()
    lead = _WORD.findall(question.lower())[0]
    analysis = analysis or lexical.analyse(question)
    sentence, share, _ = best_sentence(lexical, analysis, text, words.ignore | {lead})
    if share < POLAR_SHARE or _negated(question):  # «Bør de ikke …?» invites a yes that means no
        return messages.text("polar_unclear", lang)
    return messages.text("polar_no" if _negated(sentence) else "polar_yes", lang)


def point(answer: Answer, question: str, lexical: LexicalIndex) -> Answer:
    """An engine answer with each citation's focus set and, for a yes/no question, its verdict as the
    intro line. The fact sheet ("Om rapporten") is facts, not a statement to agree with: no verdict."""
    if answer.abstained or answer.kind != "answer" or not answer.citations:
        return answer
    analysis = lexical.analyse(question)
    citations = tuple(replace(c, focus=focus(lexical, analysis, c.text)) for c in answer.citations)
    answer = replace(answer, citations=citations)
    first = answer.citations[0]
    if is_polar(question) and f"«{first.text}»" in answer.text:
        lines = answer.text.split("\n")
        lines[0] = polar_intro(lexical, question, first.text, answer.lang, analysis)
        answer = replace(answer, text="\n".join(lines))
    return answer
