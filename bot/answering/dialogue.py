"""Carrying out a follow-up resolution (bot/answering/conversation.py) against the engine.

`Dialogue.reply(state, question)` returns the answer and the conversation's next state. Plain
questions go to `Engine.respond` unchanged; follow-ups quote units by key through the engine's
lookup, so a follow-up answer is the report's own text with the same citations as any answer.
Every answer leaving here carries its source's URL (corpus front matter `url:`) on its citations,
and a refusal offers OMSTILLINGSBOT_CONTACT when it is set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot import messages
from bot.answering import commands
from bot.answering import language
from bot.answering import smalltalk
from bot.answering.compose import plain, quoted
from bot.answering.holdings import front_matter
from bot.answering.nextsteps import next_steps
from bot.answering.conversation import (
    GROUP_OF_PREFIX, KIND_OF_PREFIX, ConversationState, Relations, Resolution, Turn, TurnKind, numbered, resolve,
)
from bot.types import Answer, Lang, Question
from retrieval.types import Chunk


class Dialogue:
    def __init__(self, engine, relations: Relations | None = None, contact: str = "",
                 urls: dict[str, str] | None = None) -> None:
        self.engine = engine
        self.lookup = engine.lookup
        self.relations = relations or Relations()
        self.contact = contact.strip()
        self.urls = urls or {}
        chunks = engine.lookup.retriever.chunks
        self._by_id = {c.id: c for c in chunks}
        self._unit_ids = {prefix: {c.id for c in self.lookup.units(prefix)} for prefix in GROUP_OF_PREFIX}
        primary = chunks[0].doc if chunks else ""
        self.report_url = self.urls.get(primary, "")

    # --- the turn ---------------------------------------------------------------------------------

    def reply(self, state: ConversationState | None, question: Question) -> tuple[Answer, ConversationState]:
        text = question.text.strip()
        lang = language.detect(text)
        # Long texts are never follow-ups or small talk (resolve looks at a few words only); the engine
        # handles empty and over-long input itself.
        resolution = resolve(state, text, lang, is_topic=self._is_topic) if text else Resolution("ask", text)
        answer, resolved = self._carry_out(resolution, question, lang)
        if resolution.action not in ("ask", "smalltalk") and state is not None:
            answer = replace(answer, follows=self._followed(state))  # for the owners' page
        answer = self._finish(answer)
        after = (state or ConversationState()).add(self.turn_of(answer), answer.lang, resolved)
        return answer, after

    def _followed(self, state: ConversationState) -> str:
        """What a follow-up followed: the previous question, or (after a command, which is not kept as
        one) the units the previous answer cited."""
        if state.question:
            return state.question
        referent = state.referent()
        return ", ".join(self._by_id[i].label for i in referent.ids if i in self._by_id) if referent else ""

    def _carry_out(self, res: Resolution, question: Question, lang: Lang) -> tuple[Answer, str | None]:
        """The answer, and the resolved question to remember (None: keep the previous one)."""
        text = question.text.strip()
        if res.action == "smalltalk" and res.smalltalk is not None:
            return smalltalk.reply(res.smalltalk, text), None
        if res.action == "shift":
            return self._shift(res, question)
        if res.action == "unclear":
            return plain("help", messages.text("followup_unclear", lang), lang, text), None
        if res.action in ("units", "why", "elaborate", "relation"):
            targets = self._targets(res)
            if targets:
                answer = self._follow_up(res, targets, lang, text)
                if answer is not None:
                    return answer, None
            elif res.prefix and res.number != -1:
                # "og den neste?" after the last challenge: say which numbers there are, as
                # "utfordring 5" does, instead of searching the words "og den neste".
                command = commands.Command(KIND_OF_PREFIX[res.prefix], str(res.number))  # type: ignore[arg-type]
                return self.lookup.run(command, lang, text), None
        answer = self.engine.respond(question)
        return answer, (text if _answered(answer) else None)

    def _shift(self, res: Resolution, question: Question) -> tuple[Answer, str | None]:
        """"og overfor andre departementer?": answer what is new on its own; if that alone is not
        covered, answer it together with the previous question, but only accept a result that
        cites something new (repeating the previous answer would mean the new part is not covered).
        A new part with words the corpus never uses is answered alone: "og budsjettet til
        departementa?" after a question about the ministries is about budgets, which the report
        does not cover, not about the ministries again."""
        original = question.text.strip()
        alone = self.engine.respond(replace(question, text=res.text))
        if _answered(alone) or not res.previous or res.foreign:
            return replace(alone, question=original), (res.text if _answered(alone) else None)
        combined_text = f"{res.previous} {res.text}"
        combined = self.engine.respond(replace(question, text=combined_text))
        old = set(res.ids)
        if _answered(combined) and combined.citations and combined.citations[0].id not in old:
            return replace(combined, question=original, lang=alone.lang), combined_text
        return replace(alone, question=original), None

    def _targets(self, res: Resolution) -> list[Chunk]:
        if res.prefix:
            units = self.lookup.units(res.prefix)
            index = len(units) - 1 if res.number == -1 else res.number - 1
            return [units[index]] if 0 <= index < len(units) else []
        return [self._by_id[i] for i in res.ids if i in self._by_id]

    def _follow_up(self, res: Resolution, targets: list[Chunk], lang: Lang, text: str) -> Answer | None:
        if res.action == "units":
            return quoted(messages.text("unit", lang), targets, lang, text, "answer", 1.0)
        if res.action == "why":
            reasons = self._related(targets, lambda key: self.relations.because.get(key, ()))
            if reasons:
                return quoted(messages.text("followup_why", lang), reasons, lang, text, "answer", 1.0)
            return quoted(messages.text("followup_why_self", lang), targets, lang, text, "answer", 1.0)
        if res.action == "relation":
            return self._relation(res, targets, lang, text)
        more = self._related(targets, lambda key: self.relations.more.get(key, ()))
        if more:
            chunks = targets + [c for c in more if c not in targets]
            return quoted(messages.text("followup_elaborate", lang), chunks, lang, text, "answer", 1.0)
        answer = quoted(messages.text("followup_elaborate_none", lang), targets, lang, text, "answer", 1.0)
        return replace(answer, text=answer.text + "\n" + self.beyond_summary(lang))

    def _relation(self, res: Resolution, targets: list[Chunk], lang: Lang, text: str) -> Answer | None:
        """"Hva anbefaler de mot det?" after a challenge -> the recommendation that answers it;
        "hvilken utfordring svarer det på?" after a recommendation -> the challenge behind it."""
        wanted = "A" if res.kind == "recommendation" else "U"
        chunks: list[Chunk] = []
        for chunk in targets:
            prefix = number[0] if (number := numbered(chunk.key)) else ""
            if chunk.key == GROUP_OF_PREFIX[wanted] or prefix == wanted:
                related = [chunk]  # already of the kind asked for
            elif wanted == "A":
                related = self._related([chunk], self.relations.answered_by)
            else:
                related = self._related([chunk], lambda key: self.relations.because.get(key, ()))
            chunks += [c for c in related if c not in chunks]
        if not chunks:
            return None
        intro = "followup_recommendation" if wanted == "A" else "followup_challenge"
        return quoted(messages.text(intro, lang), chunks, lang, text, "answer", 1.0)

    def _related(self, chunks: list[Chunk], relation) -> list[Chunk]:
        """Units related to `chunks` by `relation` (key -> keys); a unit without its own relation
        inherits its parent's (U1 has no recommendation of its own, but the challenges as a whole
        are answered by the main recommendation). A group key expands to its units."""
        out: list[Chunk] = []
        for chunk in chunks:
            keys = relation(chunk.key) if chunk.key else ()
            if not keys and chunk.parent:
                keys = relation(chunk.parent)
            for key in keys:
                out += [c for c in self._expand(key) if c not in out]
        return out

    def _expand(self, key: str) -> list[Chunk]:
        group = self.lookup.group(key)
        if group:
            return group
        chunk = self.lookup.retriever.chunk_by_key(key)
        return [chunk] if chunk is not None else []

    def _is_topic(self, word: str) -> bool:
        """A word the corpus itself uses as a topic (stemmed, compounds and typos as the retriever sees them)."""
        return any(part.known for part in self.lookup.retriever.lexical.analyse(word).parts)

    # --- what leaves ------------------------------------------------------------------------------

    def _finish(self, answer: Answer) -> Answer:
        if not answer.suggestions:
            answer = replace(answer, suggestions=next_steps(answer))
        if self.urls and answer.citations:
            citations = tuple(replace(c, url=self.urls.get(c.id.split("#", 1)[0]) or c.url) for c in answer.citations)
            answer = replace(answer, citations=citations)
        if answer.abstained and self.contact:
            answer = replace(answer, text=answer.text + "\n" + messages.text("contact", answer.lang, contact=self.contact))
        return answer

    def beyond_summary(self, lang: Lang) -> str:
        """The summary says no more: point to the full report and, if configured, a person."""
        if self.report_url:
            line = messages.text("beyond_summary_url", lang, url=self.report_url)
        else:
            line = messages.text("beyond_summary", lang)
        if self.contact:
            line += "\n" + messages.text("contact", lang, contact=self.contact)
        return line

    def turn_of(self, answer: Answer) -> Turn:
        ids = tuple(c.id for c in answer.citations)
        kind: TurnKind
        if answer.kind == "smalltalk":
            kind = "smalltalk"
        elif answer.abstained:
            kind = "refusal"
        elif not ids:
            kind = "other"
        elif self._unit_ids["A"] and self._unit_ids["A"] <= set(ids):
            kind = "recommendations"
        elif self._unit_ids["U"] and self._unit_ids["U"] <= set(ids):
            kind = "challenges"
        elif len(ids) == 1:
            kind = "unit"
        else:
            kind = "answer"
        return Turn(ids, kind)


def _answered(answer: Answer) -> bool:
    return answer.kind in ("answer", "listing") and not answer.abstained and bool(answer.citations)


def load_source_urls(corpus_dir: Path) -> dict[str, str]:
    """doc id -> `url:` from the front matter of the corpus's Markdown files (the only format with one)."""
    return {doc: meta["url"] for doc, meta in front_matter(corpus_dir).items() if meta.get("url")}
