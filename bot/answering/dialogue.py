"""Carrying out a follow-up resolution (bot/answering/conversation.py) against the engine.

`Dialogue.reply(state, question)` returns the answer and the conversation's next state. Plain
questions go to `Engine.respond` unchanged; follow-ups quote units by key through the engine's
lookup, so a follow-up answer is the report's own text with the same citations as any answer.
Every answer leaving here carries its source's URL (corpus front matter `url:`) on its citations and
its next steps; a unit quoted in full a moment ago is referred to, not repeated (bot/answering/repeats.py);
a refusal names what the bot holds, links to the full report, offers the contact (front matter
`contact:` or OMSTILLINGSBOT_CONTACT) and the units nearest to the question (bot/answering/scope.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot import messages
from bot.answering import commands
from bot.answering import language
from bot.answering import smalltalk
from bot.answering import repeats
from bot.answering import scope
from bot.answering.compose import plain, quoted
from bot.answering.holdings import Holding, front_matter
from bot.answering.nextsteps import next_steps
from bot.answering.spans import addresses
from bot.answering.conversation import (
    GROUP_OF_PREFIX, KIND_OF_PREFIX, ConversationState, Relations, Resolution, Turn, TurnKind, default_words,
    numbered, resolve,
)
from bot.types import Answer, Lang, NextStep, Question
from retrieval.chunking import document_of
from retrieval.documents import ABOUT_KEY
from retrieval.types import Chunk

MAX_WIDENED = 2  # «utdyp» on a passage of a long document: this many more of its section


class Dialogue:
    def __init__(self, engine, relations: Relations | None = None, contact: str = "",
                 urls: dict[str, str] | None = None, holdings: tuple[Holding, ...] = ()) -> None:
        self.engine = engine
        self.lookup = engine.lookup
        self.relations = relations or Relations()
        self.holdings = holdings
        # OMSTILLINGSBOT_CONTACT first; else the primary document's `contact:`, else any document's.
        self.contact = contact.strip() or next((h.contact for h in holdings if h.contact), "")
        self.urls = {**{h.doc: h.url for h in holdings if h.url}, **(urls or {})}
        chunks = engine.lookup.retriever.chunks
        self._by_id = {c.id: c for c in chunks}
        self._position = {c.id: n for n, c in enumerate(chunks)}
        self._unit_ids = {prefix: {c.id for c in self.lookup.units(prefix)} for prefix in GROUP_OF_PREFIX}
        primary = chunks[0].doc if chunks else ""
        self.report_url = self.urls.get(primary, "")
        self.near = scope.NearSteps(engine, self.lookup.units, GROUP_OF_PREFIX)
        # The addresses this dialogue writes itself (the documents' links, the contact's): only these,
        # and the documents' own, become links where the answer is shown.
        self._own_links = tuple(dict.fromkeys([*self.urls.values(), *addresses(self.contact)]))

    def scope(self, lang: Lang) -> str:
        """The documents the bot holds, one line each with its link (help, greetings, the Teams welcome)."""
        return scope.scope(self.holdings, lang)

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
        again = repeats.asks_again(text, default_words().show_again) or (resolution.action == "units" and resolution.picked)
        shown = set() if again else {i for turn in (state.turns if state else ()) for i in turn.full}
        answer, full = repeats.brief(answer, shown)
        after = (state or ConversationState()).add(replace(self.turn_of(answer), full=full), answer.lang, resolved)
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
        if res.action == "relation":
            return self._relation(res, targets, lang, text)
        if res.action == "why":
            return self._why(targets, lang, text)
        return self._elaborate(targets, lang, text)

    def _because(self, key: str) -> tuple[str, ...]:
        return self.relations.because.get(key, ())

    def _more(self, key: str) -> tuple[str, ...]:
        return self.relations.more.get(key, ())

    def _why(self, targets: list[Chunk], lang: Lang, text: str) -> Answer:
        """The reason the relations give; after a list, that of the one item that has its own (the main
        recommendation), named, or a question back which item is meant; with no reason stated, say so
        and point onward instead of quoting the unit again."""
        if self._is_list(targets):
            item = next((t for t in targets if self._because(t.key)), None)
            if item is None:
                return self._which(targets, "why", lang, text)
            reasons = self._related([item], self._because)
            answer = quoted(messages.text("followup_why_item", lang, label=scope.short_label(item.label)), reasons,
                            lang, text, "answer", 1.0)
            others = [t for t in targets if t is not item]
            return replace(answer, suggestions=self._item_steps(others, "why", lang))
        first = next((t for t in targets if self._related([t], self._because)), None)
        if first is not None:
            return quoted(messages.text("followup_why", lang), self._related([first], self._because), lang, text,
                          "answer", 1.0)
        if targets[0].key:
            intro = messages.text("followup_why_none", lang, label=scope.short_label(targets[0].label))
        else:  # a passage of a long document: no numbered unit to name, and not the summary speaking
            intro = messages.text("followup_why_none_doc", lang, source=targets[0].source)
        answer = quoted(intro, targets[:1], lang, text, "answer", 1.0)
        return self._said_all(answer, "quick_why", lang)

    def _elaborate(self, targets: list[Chunk], lang: Lang, text: str) -> Answer:
        """The paragraph that says more (only what was not just shown: the units themselves are then
        referred to, bot/answering/repeats.py); after a list, about the one item that has such a
        paragraph, named, or a question back which item is meant."""
        more_of = self._more
        if self._is_list(targets):
            item = next((t for t in targets if more_of(t.key)), None)
            if item is None:
                return self._which(targets, "elaborate", lang, text)
            more = [c for c in self._related([item], more_of) if c is not item]
            answer = quoted(messages.text("followup_elaborate_item", lang, label=scope.short_label(item.label)),
                            [item] + more, lang, text, "answer", 1.0)
            return replace(answer, suggestions=self._item_steps([t for t in targets if t is not item], "elaborate", lang))
        more = self._related(targets, more_of)
        if more:
            chunks = targets + [c for c in more if c not in targets]
            return quoted(messages.text("followup_elaborate", lang), chunks, lang, text, "answer", 1.0)
        around = self._section_around(targets)
        if around:
            return quoted(messages.text("followup_elaborate_section", lang), targets + around, lang, text,
                          "answer", 1.0)
        none = messages.text("followup_elaborate_none", lang) if targets[0].key \
            else messages.text("followup_elaborate_none_doc", lang, source=targets[0].source)
        answer = quoted(none, targets, lang, text, "answer", 1.0)
        return self._said_all(answer, "quick_more", lang)

    def _section_around(self, targets: list[Chunk]) -> list[Chunk]:
        """«Utdyp» about passages of a long document: the passages nearest each in its own section, else
        in the section around that («Sammendrag › Strukturen fungerer godt» is one paragraph: the rest of
        «Sammendrag»), taken in turn from each passage shown (the nearest of the first, of the second, …),
        at most `MAX_WIDENED` in all, in document order. A keyed unit (the summary's numbered parts) has
        none: what elaborates it comes from the relations file."""
        chunks = self.lookup.retriever.chunks
        queues: list[list[Chunk]] = []
        for chunk in targets:
            if chunk.key or not chunk.section:
                continue
            here = self._position[chunk.id]
            for depth in (len(chunk.section), len(chunk.section) - 1):
                near = [c for c in chunks if depth and c.doc == chunk.doc and c.section[:depth] == chunk.section[:depth]
                        and not c.key and c not in targets]
                if near:
                    queues.append(sorted(near, key=lambda c: abs(self._position[c.id] - here)))
                    break
        found: list[Chunk] = []
        while queues and len(found) < MAX_WIDENED:
            queue = queues.pop(0)
            nearest = next((c for c in queue if c not in found), None)
            if nearest is not None:
                found.append(nearest)
                queues.append(queue)
        return sorted(found, key=lambda c: self._position[c.id])

    def _lists_not_shown(self, answer: Answer) -> tuple[NextStep, ...]:
        """An answer that quotes a list's lead-in without the list («Vi ser fire hovedutfordringer:» in
        «oppsummer rapporten») offers that list as its next step."""
        retriever = self.lookup.retriever
        cited = {c.id for c in answer.citations}
        lead_ins = [self._by_id[i] for i in cited if i in self._by_id and retriever.role(self._by_id[i]).lead_in]
        missing = [c for c in lead_ins if not {m.id for m in retriever.members(c)} <= cited]
        order = {c.id: n for n, c in enumerate(answer.citations)}
        steps = (self.near.lead_in_step(c, answer.lang) for c in sorted(missing, key=lambda c: order[c.id]))
        return tuple(step for step in steps if step is not None)

    def _said_all(self, answer: Answer, asked: str, lang: Lang) -> Answer:
        """The summary says no more: point to the full report, and do not offer the same question again
        («Utdyp» after «Sammendraget sier ikke mer om dette» would loop)."""
        again = messages.text(asked, lang)
        steps = tuple(step for step in next_steps(answer) if step.ask != again)
        quoted_from = answer.citations[0] if answer.citations else None
        onward = self.beyond_summary(lang, document_of(quoted_from.id), quoted_from.source) if quoted_from \
            else self.beyond_summary(lang)
        return replace(answer, text=answer.text + "\n" + onward, suggestions=steps)

    def _is_list(self, targets: list[Chunk]) -> bool:
        """All the recommendations or all the challenges: a follow-up on "them" must say which it takes."""
        ids = {c.id for c in targets}
        return len(targets) > 1 and any(units and units <= ids for units in self._unit_ids.values())

    def _which(self, targets: list[Chunk], action: str, lang: Lang, text: str) -> Answer:
        """"Hvilken av dem?" with one button per numbered item."""
        answer = plain("help", messages.text("followup_which", lang), lang, text)
        return replace(answer, suggestions=self._item_steps(targets, action, lang))

    def _item_steps(self, targets: list[Chunk], action: str, lang: Lang) -> tuple[NextStep, ...]:
        """"Hvorfor anbefaling 2?" / "Utdyp utfordring 3" for each numbered unit among `targets`."""
        steps = []
        for chunk in targets:
            found = numbered(chunk.key)
            if found is None or found[0] not in KIND_OF_PREFIX:
                continue
            kind = messages.text(f"kind_{KIND_OF_PREFIX[found[0]]}", lang)
            ask = messages.text(f"quick_{action}_unit", lang, kind=kind, n=found[1])
            steps.append(NextStep(ask, ask))
        return tuple(steps[:4])

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
        if answer.abstained:
            refusal = scope.refusal_text(self.holdings, answer.lang, self.contact)
            answer = replace(answer, text=f"{answer.reason}\n{refusal}" if answer.reason else refusal,
                             suggestions=answer.suggestions or self.near.steps(answer.question, answer.lang))
        elif answer.kind == "help" and commands.parse(answer.question).name == "help" and self.holdings:
            answer = replace(answer, text=answer.text + "\n" + self.scope(answer.lang))
        if not answer.suggestions:
            answer = replace(answer, suggestions=self._lists_not_shown(answer) or next_steps(answer))
        if self.urls and answer.citations:
            citations = tuple(replace(c, url=self.urls.get(document_of(c.id)) or c.url) for c in answer.citations)
            answer = replace(answer, citations=citations)
        answer = self._topics_separated(answer)
        own = tuple(a for a in self._own_links if a in answer.text)
        return replace(answer, links=own) if own else answer

    def _topics_separated(self, answer: Answer) -> Answer:
        """A fact sheet lists its topics as the report's page does, one word after the other, so that a
        question quoting the page matches its citation; the reply shows them separated by commas."""
        text = answer.text
        for holding in self.holdings:
            if len(holding.topics) > 1 and any(c.id == f"{holding.doc}#{ABOUT_KEY}" for c in answer.citations):
                text = text.replace(" ".join(holding.topics), ", ".join(holding.topics))
        return replace(answer, text=text) if text != answer.text else answer

    def beyond_summary(self, lang: Lang, doc: str | None = None, source: str | None = None) -> str:
        """The summary says no more: point to the full report and, if configured, a person. `doc` and
        `source`: the document just quoted, whose own address and name are given (not the primary's)."""
        url = self.urls.get(doc, "") if doc else self.report_url
        if url:
            line = messages.text("beyond_summary_url", lang, url=url)
        elif source:
            line = messages.text("beyond_summary", lang, report=source)
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
        return Turn(ids, kind, ids)


def _answered(answer: Answer) -> bool:
    return answer.kind in ("answer", "listing") and not answer.abstained and bool(answer.citations)


def load_source_urls(corpus_dir: Path) -> dict[str, str]:
    """doc id -> `url:` from the front matter of the corpus's Markdown files (the only format with one)."""
    return {doc: meta["url"] for doc, meta in front_matter(corpus_dir).items() if meta.get("url")}
