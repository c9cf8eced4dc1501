"""Saying what the bot knows, and what to do when it does not know: the documents it holds (for
`hjelp`, the Slack and Teams greetings), a short refusal that names them, links to the full report
and offers a person, and the questions nearest to what was asked as next steps.

A refusal is read on phones: one sentence, a link, a contact, and buttons; never a paragraph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import messages
from bot.answering.compose import is_fact_sheet
from bot.answering.engine import read_question
from bot.answering.holdings import Holding
from bot.types import Answer, Lang, NextStep, Question
from retrieval.types import Chunk

MAX_NEAR = 3  # suggestions after a refusal
NEAR_CANDIDATES = 6  # search hits looked at for them
LABEL_MAX = 60  # a button's text: Slack cuts at 75, a phone shows less


def short_label(label: str) -> str:
    """"Anbefaling 2 – overfor underliggende virksomheter" -> "Anbefaling 2": the part before the dash."""
    return label.split(" – ", 1)[0].strip() or label


def _button_text(label: str) -> str:
    """The unit's heading, or only its name ("Hovedanbefaling") when the heading is too long for a button."""
    if len(label) <= LABEL_MAX:
        return label
    name = short_label(label)
    return name if len(name) <= LABEL_MAX else name[: LABEL_MAX - 1].rstrip() + "…"


def holding_name(holding: Holding, lang: Lang) -> str:
    key = "holding_summary" if holding.summary else "holding_document"
    return messages.text(key, lang, title=holding.title, source=holding.source)


def scope(holdings: Sequence[Holding], lang: Lang) -> str:
    """"Jeg bygger på:" and one line per document: its name and its link."""
    if not holdings:
        return ""
    lines = [messages.text("scope_intro", lang)]
    for holding in holdings:
        name = holding_name(holding, lang)
        lines.append(f"• {name}: {holding.url}" if holding.url else f"• {name}")
    return "\n".join(lines)


def refusal_text(holdings: Sequence[Holding], lang: Lang, contact: str) -> str:
    """One sentence naming what the bot holds, the full report's address (with several documents, each
    one's: the first alone would send a question about any of them to the summary's report), the contact."""
    if len(holdings) > 1:
        first = messages.text("refusal_documents", lang, sources=", ".join(h.source for h in holdings))
    elif holdings and holdings[0].summary:
        first = messages.text("refusal_summary", lang)
    elif holdings:
        first = messages.text("refusal_document", lang, source=holdings[0].source)
    else:
        first = messages.text("refusal_summary", lang)
    lines = [first]
    if len(holdings) > 1:
        lines += [f"• {h.source}: {h.url}" for h in holdings if h.url]
    elif holdings and holdings[0].url:
        lines.append(messages.text("refusal_full_report", lang, url=holdings[0].url))
    if contact:
        lines.append(messages.text("contact", lang, contact=contact))
    return "\n".join(lines)


class NearSteps:
    """The units a refused question came closest to, each as a question the bot answers with that unit.

    A numbered unit is asked by its command («anbefaling 2»), a list's lead-in by the list's command;
    any other unit by one of its example questions or by its heading as a question. A candidate that
    is not a command is asked once here: it is offered only if the answer quotes that unit first, so a
    click never ends in another refusal."""

    def __init__(self, engine, units: Callable[[str], list[Chunk]], group_keys: dict[str, str]) -> None:
        self.engine = engine
        self.units = units
        self.group_keys = group_keys  # "A" -> "H": the lead-in of each numbered list
        examples: dict[int, list[str]] = {}
        for passage in getattr(engine.retriever, "passages", ()):
            if passage.kind == "example" and passage.unit >= 0:
                examples.setdefault(passage.unit, []).append(passage.text)
        chunks = engine.retriever.chunks
        self._examples = {chunks[unit].id: texts for unit, texts in examples.items() if unit < len(chunks)}

    def steps(self, text: str, lang: Lang) -> tuple[NextStep, ...]:
        clean = read_question(text)
        if not clean.strip():
            return ()
        out: list[NextStep] = []
        for hit in self.engine.search(clean).hits[:NEAR_CANDIDATES]:
            step = self._step(hit.chunk, lang)
            if step is not None and step.ask not in {s.ask for s in out}:
                out.append(step)
            if len(out) >= MAX_NEAR:
                break
        return tuple(out)

    def lead_in_step(self, chunk: Chunk, lang: Lang) -> NextStep | None:
        """The next step that shows the list a lead-in introduces (its command, or a question that quotes it)."""
        return self._step(chunk, lang)

    def _step(self, chunk: Chunk, lang: Lang) -> NextStep | None:
        if not chunk.key or is_fact_sheet(chunk):
            return None
        label = _button_text(chunk.label or chunk.key)
        for prefix, word in (("A", "recommendation"), ("U", "challenge")):
            units = self.units(prefix)
            # The numbered units and their lists are named in the asker's language («Challenge 2»); the
            # heading itself is the report's Norwegian.
            if chunk in units:
                n = units.index(chunk) + 1
                named = messages.text(f"quick_{word}", lang, n=n) if lang == "en" else label
                return NextStep(named, messages.text(f"quick_{word}_cmd", lang, n=n))
            if chunk.key == self.group_keys.get(prefix) and units and chunk.doc == units[0].doc:
                named = messages.text(f"quick_all_{word}s", lang) if lang == "en" else label
                return NextStep(named, messages.text(f"quick_all_{word}s_cmd", lang))
        asks = self._examples.get(chunk.id, [])[:2] + [messages.text("ask_about", lang, label=short_label(chunk.label))]
        for ask in asks:
            if self._answers_with(ask, chunk):
                return NextStep(label, ask)
        return None

    def _answers_with(self, ask: str, chunk: Chunk) -> bool:
        answer: Answer = self.engine.respond(Question(ask))
        return not answer.abstained and bool(answer.citations) and answer.citations[0].id == chunk.id
