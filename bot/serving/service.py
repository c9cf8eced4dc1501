"""The one door both chat adapters (and the local HTTP API) use to reach the engine and the feedback store.

Adapters translate a platform payload into calls on `ChatService` and render
what comes back; nothing here knows Slack or Teams. Platform identifiers that
must be remembered (a posted message, an event id) are hashed with the
deployment secret before they reach the store, and user ids only ever become
a per-answer voter key (`bot.feedback.privacy`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from bot import messages
from bot.serving.admission import DEFAULT_MAX_QUEUE, AnswerCache, Busy, EngineQueue, Gone
from bot.answering.compose import new_answer_id
from bot.serving.groupcommit import GroupCommit
from bot.serving.lessons import LESSON_POLL_S, LessonBook
from bot.serving.repeats import RecentAnswers
from bot.feedback.base import FeedbackStore, StoredConversation, UnknownAnswer
from bot.feedback.privacy import conversation_key, message_key, voter_key
from bot.answering.textclean import clean_question
from bot.types import Answer, Lang, Platform, Question, Vote, VoteOutcome, VoteValue

if TYPE_CHECKING:
    from bot.answering.conversation import ConversationState
    from bot.answering.dialogue import Dialogue

log = logging.getLogger(__name__)

VOTE_ATTEMPTS = 3
VOTE_BACKOFF_S = 0.05
RECENT_EVENTS = 4096  # per-process memory of delivered events, for when the shared store is down


class Responder(Protocol):
    def respond(self, question: Question) -> Answer: ...


@dataclass(frozen=True)
class AnswerLookup:
    """Which answer a chat message belongs to; `store_ok` False when the store could not be asked
    (the voter is then told "not saved", not "unknown answer")."""

    answer_id: str | None
    store_ok: bool = True


class ChatService:
    def __init__(self, engine: Responder, store: FeedbackStore | None, secret: bytes, *,
                 max_queue: int = DEFAULT_MAX_QUEUE, prime: Callable[[Sequence[str]], None] | None = None,
                 cost: Callable[[str], float] | None = None,
                 cache_identity: str = "", dialogue: Dialogue | None = None,
                 conversation_ttl: timedelta = timedelta(hours=24)) -> None:
        self.engine = engine
        self.store = store
        self._secret = secret
        # Follow-ups, small talk, citation URLs and the contact line (bot/answering/dialogue.py); without it
        # every message is answered alone by the engine.
        self.dialogue = dialogue
        self.conversation_ttl = conversation_ttl
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._handling: set[str] = set()  # deliveries being handled now (bot.teams: mark after handling)
        # A burst's writes are grouped, a few transactions each instead of one per message, each kind
        # by one writer thread of its own (bot/serving/groupcommit.py).
        self._record = GroupCommit(self._write_answers, "record-answers")
        self._save_states = GroupCommit(self._write_conversations, "save-conversations")
        # The writes that follow each reply (which posted message carries which answer; which platform
        # event was handled) are grouped too: one transaction each per message made a burst's replies
        # queue behind 100 fsyncs.
        self._link = GroupCommit(self._write_links, "link-messages")
        self._claim = GroupCommit(self._write_claims, "claim-events")
        # One engine worker behind a bounded queue (bot/serving/admission.py). Store reads run in the default
        # pool and writes on the group-commit threads, never behind answers. No cache identity (tests
        # with a stand-in engine): no answer cache.
        cache = AnswerCache(cache_identity) if cache_identity else None
        self._queue = EngineQueue(_responder(engine, dialogue), max_queue, prime=prime, cache=cache,
                                  fresh_id=new_answer_id, cost=cost)
        self._repeats = RecentAnswers()
        self._lessons = LessonBook()
        self._lessons_due = float("-inf")
        self._lessons_lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """True when the engine queue is full (a chat adapter then says it is busy and answers late)."""
        return self._queue.full

    @property
    def healthy(self) -> bool:
        """False when the engine worker is gone: the process cannot answer."""
        return self._queue.alive

    async def respond(self, question: Question, *, refuse_when_full: bool = False,
                      wanted: Callable[[], bool] | None = None, client: str = "") -> Answer:
        """Answer (or run the command in) a question and record it for feedback.

        The text is normalised first (bot/answering/textclean.py); nothing left to answer is "empty".
        With `refuse_when_full` a full queue raises `Busy` at once; `wanted()` False when the
        question's turn comes (the HTTP client hung up) skips it and raises `Gone`.
        A feedback store that is down never stops an answer: the failure is logged and the
        answer goes out (its votes will then be reported as not saved). With a dialogue, the
        conversation's state is loaded first and saved after; a store that is down means the
        message is answered without context, never an error. With `client` (the HTTP caller's
        address), the same answer to the same question given to it within a few minutes keeps its
        first id and is not recorded again (bot/serving/repeats.py)."""
        question = replace(question, text=clean_question(question.text))
        await self.refresh_lessons()
        # Encodable while its conversation loads, unless it may yet be refused: under overload the
        # encoders must not spend a question's ~6 ms on a request that then gets 503.
        with self._queue.coming(None if refuse_when_full else question) as ticket:
            call, after = await self._conversation_call(question)
            answer = self._queue.cached(question) if call is None else None
            future = None if answer is not None else self._queue.submit(
                question, wanted=wanted or _always, refuse_when_full=refuse_when_full, call=call, ticket=ticket)
        if future is not None:
            answer = await asyncio.wrap_future(future)
        record = True
        if client and answer.wants_feedback and (earlier := self._repeats.earlier(client, question, answer)):
            answer, record = replace(answer, answer_id=earlier), False
        # The conversation's state and the answer's record are written side by side: each is a
        # group commit, and waiting for one before starting the other added a commit to every reply.
        await asyncio.gather(self._save_conversation(question, after[0] if after else None),
                             self._record_answer(answer, question.platform) if record else _nothing())
        return answer

    async def _conversation_call(self, question: Question) -> tuple[Callable[[], Answer] | None, list]:
        """With a dialogue and a conversation: the call that answers `question` in its conversation on
        the engine's thread, and the list its state after the answer is put in."""
        if self.dialogue is None or not question.conversation:
            return None, []
        state = await self._load_conversation(question)
        dialogue = self.dialogue
        after: list = []

        def converse() -> Answer:  # on the engine's thread, in arrival order with everything else
            answer, state_after = dialogue.reply(state, question)
            after.append(state_after)
            return answer

        return converse, after

    async def _record_answer(self, answer: Answer, platform: Platform) -> None:
        if not answer.wants_feedback or self.store is None:
            return
        try:
            await self._record.wait((answer, platform))
        except Exception as exc:  # noqa: BLE001 - any store failure must not lose the answer
            log.warning("could not record answer %s: %s", answer.answer_id, type(exc).__name__)

    async def refresh_lessons(self, force: bool = False) -> int:
        """Teach the engine the owners' lessons it has not applied yet (bot/serving/lessons.py); at most
        once every LESSON_POLL_S unless `force`d (the instance where the owner taught). Returns how many
        were applied. Never raises: a store that is down leaves the lessons already applied."""
        learn_all = getattr(self.engine, "learn_all", None)
        if self.store is None or learn_all is None or (not force and time.monotonic() < self._lessons_due):
            return 0
        async with self._lessons_lock:
            if not force and time.monotonic() < self._lessons_due:
                return 0  # another request read them while this one waited
            self._lessons_due = time.monotonic() + LESSON_POLL_S
            try:
                fresh = self._lessons.fresh(await asyncio.to_thread(self.store.lessons))
            except Exception as exc:  # noqa: BLE001 - StoreUnavailable and driver errors alike
                log.warning("owners' lessons could not be read: %s", type(exc).__name__)
                return 0
            if not fresh:
                return 0
            cache = self._queue.cache

            def apply() -> int:  # on the engine's thread: no answer is computed half before, half after
                applied = learn_all([(lesson.question, lesson.unit) for lesson in fresh])
                if cache is not None:
                    cache.clear()
                return applied

            applied = await self.in_engine_thread(apply)
            self._lessons.mark(fresh)
            log.info("applied %d owners' lessons", applied)
            return applied

    async def swap_engine(self, engine, dialogue: Dialogue | None) -> None:
        """A rebuilt engine takes over between two answers (bot/server.py rebuilds beside the running
        server when the corpus changes): no answer is half from the old, half from the new; cached
        answers go; the owners' lessons are applied to the new engine before its first answer."""
        embedder = engine.retriever.embedder
        responder = _responder(engine, dialogue)

        def swap() -> None:
            self._queue.swap(responder, getattr(embedder, "prime", None), getattr(embedder, "query_cost", None))
            if self._queue.cache is not None:
                self._queue.cache.clear()
            self.engine, self.dialogue = engine, dialogue

        async with self._lessons_lock:
            await self.in_engine_thread(swap)
            self._lessons, self._lessons_due = LessonBook(), float("-inf")

    async def in_engine_thread(self, fn, *args):
        """Run `fn(*args)` on the engine's one thread (the dashboard re-ranks questions), so
        nothing uses the engine and its embedder from two threads at once."""
        return await asyncio.wrap_future(self._queue.submit(Question(""), call=lambda: fn(*args)))

    def _write_answers(self, batch: Sequence[tuple[Answer, Platform]]) -> None:
        self.store.record_answers(batch)  # type: ignore[union-attr]

    def _write_conversations(self, batch: Sequence[tuple[str, StoredConversation]]) -> None:
        self.store.save_conversations(batch, self.conversation_ttl)  # type: ignore[union-attr]

    def _write_links(self, batch: Sequence[tuple[str, str]]) -> list[bool]:
        return self.store.link_messages(batch)  # type: ignore[union-attr]

    def _write_claims(self, batch: Sequence[str]) -> list[bool]:
        return self.store.claim_events(batch)  # type: ignore[union-attr]

    async def _load_conversation(self, question: Question) -> ConversationState | None:
        if not question.conversation or self.store is None:
            return None
        from bot.answering.conversation import ConversationState

        key = conversation_key(self._secret, question.platform, question.conversation)
        try:
            stored = await asyncio.to_thread(self.store.load_conversation, key, self.conversation_ttl)
            return ConversationState.from_stored(stored) if stored is not None else None
        except Exception as exc:  # noqa: BLE001 - no context is better than no answer
            log.warning("conversation state unavailable: %s", type(exc).__name__)
            return None

    async def _save_conversation(self, question: Question, state: ConversationState | None) -> None:
        if state is None or not question.conversation or self.store is None:
            return
        key = conversation_key(self._secret, question.platform, question.conversation)
        try:
            await self._save_states.wait((key, state.to_stored()))
        except Exception as exc:  # noqa: BLE001
            log.warning("conversation state not saved: %s", type(exc).__name__)

    async def takes_part(self, platform: Platform, conversation: str) -> bool:
        """True when the bot has answered in this conversation within the TTL (Slack uses it to
        answer thread replies without a new mention); False when unknown or the store is down."""
        if not conversation or self.store is None or self.dialogue is None:
            return False
        key = conversation_key(self._secret, platform, conversation)
        try:
            return await asyncio.to_thread(self.store.load_conversation, key, self.conversation_ttl) is not None
        except Exception as exc:  # noqa: BLE001
            log.warning("conversation state unavailable: %s", type(exc).__name__)
            return False

    def close(self) -> None:
        self._queue.close()
        for writer in (self._record, self._save_states, self._link, self._claim):
            writer.close()
        if self.store is not None:
            self.store.close()

    async def vote(
        self, platform: Platform, answer_id: str, user_id: str, value: VoteValue, lang: Lang = "nb"
    ) -> VoteOutcome:
        """Record one voter's vote; retried briefly, and reported honestly when it could not be saved."""
        vote = Vote(answer_id, value)
        if self.store is None:
            return VoteOutcome(False, vote, message=messages.text("vote_not_saved", lang))
        key = voter_key(self._secret, platform, user_id, answer_id)
        for attempt in range(VOTE_ATTEMPTS):
            try:
                tally = await asyncio.to_thread(self.store.vote, answer_id, key, value)
                message = messages.text(f"vote_saved_{value}", lang)
                if value == "down" and self.dialogue is not None and self.dialogue.contact:
                    message += " " + messages.text("contact", lang, contact=self.dialogue.contact)
                return VoteOutcome(True, vote, tally, message=message)
            except UnknownAnswer:
                return VoteOutcome(False, vote, unknown_answer=True, message=messages.text("vote_unknown", lang))
            except Exception as exc:  # noqa: BLE001 - StoreUnavailable, locks, driver errors
                log.warning("vote not stored (attempt %d): %s", attempt + 1, type(exc).__name__)
                await asyncio.sleep(VOTE_BACKOFF_S * (2**attempt))
        return VoteOutcome(False, vote, message=messages.text("vote_not_saved", lang))

    async def feedback_text(self, platform: Platform, answer_id: str, user_id: str, text: str) -> bool:
        """Store a voter's optional comment (Teams' feedback form), redacted by the store; False if not saved."""
        if self.store is None:
            return False
        key = voter_key(self._secret, platform, user_id, answer_id)
        try:
            await asyncio.to_thread(self.store.record_feedback_text, answer_id, key, text)
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("feedback text not stored: %s", type(exc).__name__)
            return False

    async def remember_message(self, platform: Platform, message_ref: Sequence[str], answer_id: str) -> None:
        """Link a posted chat message (e.g. Slack channel+ts) to its answer, by keyed hash only."""
        if self.store is None:
            return
        try:
            linked = await self._link.wait((message_key(self._secret, platform, message_ref), answer_id))
        except Exception as exc:  # noqa: BLE001
            log.warning("could not link message to answer: %s", type(exc).__name__)
            return
        if not linked:
            log.warning("could not link message to answer: %s", UnknownAnswer.__name__)

    async def answer_id_for(self, platform: Platform, message_ref: Sequence[str]) -> str | None:
        return (await self.find_answer(platform, message_ref)).answer_id

    async def find_answer(self, platform: Platform, message_ref: Sequence[str]) -> AnswerLookup:
        if self.store is None:
            return AnswerLookup(None, store_ok=False)
        try:
            found = await asyncio.to_thread(self.store.answer_for_message, message_key(self._secret, platform, message_ref))
        except Exception as exc:  # noqa: BLE001
            log.warning("could not look up message: %s", type(exc).__name__)
            return AnswerLookup(None, store_ok=False)
        return AnswerLookup(found)

    async def first_delivery(self, platform: Platform, event_id: str) -> bool:
        """True the first time any instance sees this event. This process remembers recent events
        itself too, so a retry is still caught while the shared store is down; a store that is down
        otherwise lets the event through (answering twice beats not answering)."""
        if not event_id:
            return True
        key = message_key(self._secret, platform, ("event", event_id))
        if key in self._recent:
            return False
        self._recent[key] = None
        if len(self._recent) > RECENT_EVENTS:
            self._recent.popitem(last=False)
        if self.store is None:
            return True
        try:
            return await self._claim.wait(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("event dedupe unavailable: %s", type(exc).__name__)
            return True

    async def begin_delivery(self, platform: Platform, event_id: str) -> bool:
        """True unless this delivery was already handled (by any instance) or is being handled here.

        Unlike `first_delivery` nothing is marked yet: call `finish_delivery` once the delivery has
        been handled, so a crash in between means the redelivery is handled, not dropped."""
        if not event_id:
            return True
        key = message_key(self._secret, platform, ("event", event_id))
        if key in self._recent or key in self._handling:
            return False
        if self.store is not None:
            try:
                if await asyncio.to_thread(self.store.event_seen, key):
                    return False
            except Exception as exc:  # noqa: BLE001 - handle it: answering twice beats not answering
                log.warning("event dedupe unavailable: %s", type(exc).__name__)
        self._handling.add(key)
        return True

    async def finish_delivery(self, platform: Platform, event_id: str, handled: bool = True) -> None:
        """Mark a delivery begun with `begin_delivery` as handled (or, with handled=False, release it)."""
        if not event_id:
            return
        key = message_key(self._secret, platform, ("event", event_id))
        self._handling.discard(key)
        if not handled:
            return
        self._recent[key] = None
        if len(self._recent) > RECENT_EVENTS:
            self._recent.popitem(last=False)
        if self.store is not None:
            try:
                await self._claim.wait(key)
            except Exception as exc:  # noqa: BLE001
                log.warning("event dedupe unavailable: %s", type(exc).__name__)


def _always() -> bool:
    return True


def _responder(engine: Responder, dialogue: Dialogue | None) -> Responder:
    """What the engine queue asks: the dialogue around the engine when there is one (follow-ups, small talk)."""
    return _Alone(dialogue, engine) if dialogue is not None else engine


async def _nothing() -> None:
    return None


__all__ = ["AnswerLookup", "Busy", "ChatService", "Gone", "Responder"]


class _Alone:
    """A message without a conversation key, answered by the dialogue without context (small talk,
    citation links, the contact line), so the queue can cache and share such answers."""

    def __init__(self, dialogue: Dialogue, engine: Responder) -> None:
        self.dialogue, self.engine = dialogue, engine

    def respond(self, question: Question) -> Answer:
        return self.dialogue.reply(None, question)[0]

    def query_text(self, question: Question) -> str | None:
        query_text = getattr(self.engine, "query_text", None)
        return query_text(question) if query_text else None
