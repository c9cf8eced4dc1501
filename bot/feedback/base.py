"""The feedback store interface: one small protocol, two back ends (SQLite, PostgreSQL).

Calls are synchronous and short; async callers run them in a worker thread
(`bot.serving.service.ChatService` does). Every key that could point back to a person
(voter, chat message) arrives here already hashed with the deployment's secret
(see `bot.feedback.privacy`), so no store ever sees a platform identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence

from datetime import timedelta
from typing import Protocol

from bot.feedback.summary import ExportRow, Summary
from bot.types import Answer, Platform, Tally, VoteValue


class StoreUnavailable(RuntimeError):
    """The database could not be reached or stayed locked; the caller decides what to tell the user."""


class UnknownAnswer(KeyError):
    """A vote or message link names an answer id the store never recorded."""


@dataclass(frozen=True)
class Purged:
    """What one retention purge removed. `before` is the hour stamp texts were kept from (None: no retention
    period set)."""

    before: str | None
    questions: int = 0
    comments: int = 0
    conversations: int = 0  # conversation states deleted (older than the TTL) or stripped of their question


@dataclass(frozen=True)
class StoredConversation:
    """One conversation's state as the store keeps it: `turns` is JSON made by bot/answering/conversation.py
    (cited unit ids and answer kinds, never a platform id); `question` is the last resolved question,
    None when question storage is off."""

    turns: str
    last_kind: str
    lang: str
    question: str | None = None


NOT_COVERED = "none"  # a lesson's unit: the documents do not answer the question
IGNORED = "ignore"  # a lesson's unit: the owners dismissed the question (nothing is learned)


@dataclass(frozen=True)
class Lesson:
    """An owner's verdict on one question. `question_key` identifies the question (a digest made by
    bot/answering/teaching.py); `question` is None for a dismissed one; `unit` is a chunk id,
    NOT_COVERED or IGNORED; `label` the unit's label when taught; `taught` UTC to the minute."""

    question_key: str
    question: str | None
    unit: str
    label: str = ""
    taught: str = ""


class FeedbackStore(Protocol):
    def migrate(self) -> None:
        """Create or upgrade the schema; idempotent, safe to run from several processes."""

    def record_answer(self, answer: Answer, platform: Platform) -> None:
        """Store what was answered under `answer.answer_id` (question redacted, or dropped if configured)."""

    def record_answers(self, answers: Sequence[tuple[Answer, Platform]]) -> None:
        """`record_answer` for several answers, in one transaction."""

    def vote(self, answer_id: str, voter_key: str, value: VoteValue) -> Tally:
        """Record, change (up/down) or retract (none) one voter's vote; return the answer's tally.

        A repeated identical vote is a no-op. Raises UnknownAnswer for an unrecorded answer id
        and StoreUnavailable when the database cannot be used."""

    def link_message(self, message_key: str, answer_id: str) -> None:
        """Remember which answer a posted chat message carries (key is an HMAC of the platform's message ref)."""

    def link_messages(self, links: Sequence[tuple[str, str]]) -> list[bool]:
        """`link_message` for several links in one transaction; False where the answer is unknown."""

    def answer_for_message(self, message_key: str) -> str | None:
        """The answer id linked to a chat message, or None."""

    def claim_event(self, event_key: str) -> bool:
        """True the first time an event key is seen by any process sharing this store, False after."""

    def claim_events(self, event_keys: Sequence[str]) -> list[bool]:
        """`claim_event` for several keys in one transaction."""

    def event_seen(self, event_key: str) -> bool:
        """True when `claim_event` has already claimed this key (a read; claims nothing)."""

    def record_feedback_text(self, answer_id: str, voter_key: str, text: str) -> None:
        """Keep one voter's free-text comment on an answer (Teams' feedback form), redacted;
        a later comment replaces it. Dropped silently when feedback text storage is off."""

    def purge(self) -> Purged:
        """Remove question texts and comments older than the retention period (in answers, comments and
        conversation state), and conversation state older than its TTL; votes stay."""

    def export_rows(self) -> list[ExportRow]:
        """Every stored answer with its tally and comments, oldest first (for the report)."""

    def summary(self) -> Summary:
        """Totals, by week, by cited unit, by platform, and the worst questions."""

    def load_conversation(self, conversation_key: str, max_age: timedelta) -> StoredConversation | None:
        """A conversation's state by the HMAC of its key; None if absent or older than max_age (then deleted)."""

    def save_conversation(self, conversation_key: str, state: StoredConversation, max_age: timedelta) -> None:
        """Store a conversation's state and delete every conversation older than max_age."""

    def save_conversations(self, states: Sequence[tuple[str, StoredConversation]], max_age: timedelta) -> None:
        """`save_conversation` for several conversations, in one transaction."""

    def revoke_session(self, session_key: str, expires: int) -> None:
        """Remember a signed-out owners' session (a digest of its nonce) until `expires` (Unix seconds)."""

    def session_revoked(self, session_key: str) -> bool:
        """True when `revoke_session` has been called for this key by any process sharing the store."""

    def save_lesson(self, lesson: Lesson) -> Lesson:
        """Store an owner's verdict on a question, replacing any earlier one; returns it as stored
        (stamped with the time). Every process sharing the store sees it in `lessons()`."""

    def lessons(self) -> list[Lesson]:
        """Every stored lesson, oldest first."""

    def close(self) -> None: ...
