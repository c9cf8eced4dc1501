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
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from bot import messages
from bot.feedback.base import FeedbackStore, UnknownAnswer
from bot.feedback.privacy import conversation_key, message_key, voter_key
from bot.types import Answer, Lang, Platform, Question, Vote, VoteOutcome, VoteValue

if TYPE_CHECKING:
    from bot.conversation import ConversationState
    from bot.dialogue import Dialogue

log = logging.getLogger(__name__)

VOTE_ATTEMPTS = 3
VOTE_BACKOFF_S = 0.05
RECENT_EVENTS = 4096  # per-process memory of delivered events, for when the shared store is down


class Responder(Protocol):
    def respond(self, question: Question) -> Answer: ...


class ChatService:
    def __init__(self, engine: Responder, store: FeedbackStore | None, secret: bytes,
                 dialogue: Dialogue | None = None, conversation_ttl: timedelta = timedelta(hours=24)) -> None:
        self.engine = engine
        self.store = store
        self._secret = secret
        # Follow-ups, small talk, citation URLs and the contact line (bot/dialogue.py); without it
        # every message is answered alone by the engine.
        self.dialogue = dialogue
        self.conversation_ttl = conversation_ttl
        self._recent: OrderedDict[str, None] = OrderedDict()
        # The engine is CPU-bound and the embedder already uses every core for one question, so
        # answers run one at a time, in arrival order: under a burst the first answers go out early
        # instead of all finishing together. Store I/O runs in the default pool, never behind them.
        self._engine_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")

    async def respond(self, question: Question) -> Answer:
        """Answer (or run the command in) a question and record it for feedback.

        A feedback store that is down never stops an answer: the failure is logged and the
        answer goes out (its votes will then be reported as not saved). With a dialogue, the
        conversation's state is loaded first and saved after; a store that is down means the
        message is answered without context, never an error."""
        loop = asyncio.get_running_loop()
        if self.dialogue is None:
            answer = await loop.run_in_executor(self._engine_pool, self.engine.respond, question)
        else:
            state = await self._load_conversation(question)
            answer, after = await loop.run_in_executor(self._engine_pool, self.dialogue.reply, state, question)
            await self._save_conversation(question, after)
        if answer.wants_feedback and self.store is not None:
            try:
                await asyncio.to_thread(self.store.record_answer, answer, question.platform)
            except Exception as exc:  # noqa: BLE001 - any store failure must not lose the answer
                log.warning("could not record answer %s: %s", answer.answer_id, type(exc).__name__)
        return answer

    async def _load_conversation(self, question: Question) -> ConversationState | None:
        if not question.conversation or self.store is None:
            return None
        from bot.conversation import ConversationState

        key = conversation_key(self._secret, question.platform, question.conversation)
        try:
            stored = await asyncio.to_thread(self.store.load_conversation, key, self.conversation_ttl)
            return ConversationState.from_stored(stored) if stored is not None else None
        except Exception as exc:  # noqa: BLE001 - no context is better than no answer
            log.warning("conversation state unavailable: %s", type(exc).__name__)
            return None

    async def _save_conversation(self, question: Question, state: ConversationState) -> None:
        if not question.conversation or self.store is None:
            return
        key = conversation_key(self._secret, question.platform, question.conversation)
        try:
            await asyncio.to_thread(self.store.save_conversation, key, state.to_stored(), self.conversation_ttl)
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
        self._engine_pool.shutdown(wait=True, cancel_futures=True)
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
            await asyncio.to_thread(self.store.link_message, message_key(self._secret, platform, message_ref), answer_id)
        except Exception as exc:  # noqa: BLE001
            log.warning("could not link message to answer: %s", type(exc).__name__)

    async def answer_id_for(self, platform: Platform, message_ref: Sequence[str]) -> str | None:
        if self.store is None:
            return None
        try:
            return await asyncio.to_thread(self.store.answer_for_message, message_key(self._secret, platform, message_ref))
        except Exception as exc:  # noqa: BLE001
            log.warning("could not look up message: %s", type(exc).__name__)
            return None

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
            return await asyncio.to_thread(self.store.claim_event, key)
        except Exception as exc:  # noqa: BLE001
            log.warning("event dedupe unavailable: %s", type(exc).__name__)
            return True
