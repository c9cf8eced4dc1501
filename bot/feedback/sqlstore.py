"""The feedback store's SQL, shared by both back ends.

Subclasses only say how to open a transaction (`_transaction`) and how to serialise schema
changes between processes (`_lock_schema`); every statement here is written with "?"
placeholders and runs unchanged on SQLite and PostgreSQL (which gets "%s"), so values always
travel as parameters and no SQL text may contain a literal "?" or "%". Every write is one
transaction, and a vote's tally is counted inside the transaction that changed it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.feedback.base import IGNORED, Lesson, Purged, StoredConversation, UnknownAnswer
from bot.feedback.migrations import CREATE_VERSION_TABLE, MIGRATIONS
from bot.feedback.privacy import redact
from bot.feedback.summary import ExportRow, Summary, summarize
from bot.types import Answer, Platform, Tally, VoteValue

# run(sql, params) -> a DB-API cursor
Run = Callable[..., Any]
Clock = Callable[[], datetime]

EVENT_TTL = timedelta(days=1)
PRUNE_EVERY_S = 3600.0
VOTE_VALUES = ("up", "down", "none")

_TALLY = (
    "SELECT COUNT(CASE WHEN value = 'up' THEN 1 END), COUNT(CASE WHEN value = 'down' THEN 1 END) "
    "FROM votes WHERE answer_id = ?"
)


def text_cutoff(now: datetime, retention_days: int) -> str:
    """The first hour stamp whose texts are still kept: a text goes once its whole hour lies
    more than `retention_days` in the past (at most one hour later than the exact moment,
    because texts are stamped by the hour). 0 days: nothing is kept."""
    if retention_days == 0:
        return "9999"  # above every hour stamp
    return hour_of(now - timedelta(days=retention_days))


def utc_now() -> datetime:
    return datetime.now(UTC)


def minute_of(moment: datetime) -> str:
    """UTC to the minute: the conversation TTL needs more than hours, nothing needs seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def hour_of(moment: datetime) -> str:
    """UTC, rounded down to the hour: precise enough for weekly figures, too coarse to match a chat log."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z")


class SqlStore:
    def __init__(self, *, store_questions: bool = True, store_feedback_text: bool = True,
                 clock: Clock = utc_now, retention_days: int | None = None,
                 conversation_ttl: timedelta | None = None) -> None:
        # retention_days: how long question texts and comments are kept (None: no limit).
        # 0 means they are never written at all, not written and purged later.
        # conversation_ttl: conversation state older than this is deleted by purge() too, so an idle
        # bot (no new saves, which also delete expired rows) does not keep it (None: only on save).
        if retention_days is not None and retention_days < 0:
            raise ValueError("retention_days must be 0 or more")
        self.retention_days = retention_days
        self.conversation_ttl = conversation_ttl
        self.store_questions = store_questions and retention_days != 0
        self.store_feedback_text = store_feedback_text and retention_days != 0
        self._clock = clock
        self._migrated = False
        self._last_prune = float("-inf")

    # --- back-end hooks ---------------------------------------------------------------------------

    def _transaction(self, write: bool) -> AbstractContextManager[Run]:
        """A transaction yielding `run(sql, params=())`; driver errors become StoreUnavailable."""
        raise NotImplementedError

    def _lock_schema(self, run: Run) -> None:
        """Serialise migrations between processes (SQLite's write transaction already does)."""

    def _after_purge(self) -> None:
        """Make purged text unreadable on disk too, where the back end needs a step for that."""

    def close(self) -> None:
        raise NotImplementedError

    # --- schema -----------------------------------------------------------------------------------

    def migrate(self) -> None:
        self.migrate_to(MIGRATIONS[-1].version)

    def migrate_to(self, target: int) -> None:
        """Apply every migration up to `target` that this database has not seen yet."""
        with self._transaction(write=True) as run:
            self._lock_schema(run)
            run(CREATE_VERSION_TABLE)
            applied = {version for (version,) in run("SELECT version FROM schema_migrations").fetchall()}
            for migration in MIGRATIONS:
                if migration.version <= target and migration.version not in applied:
                    for statement in migration.statements:
                        run(statement)
                    run("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        (migration.version, migration.name))
        self._migrated = target >= MIGRATIONS[-1].version

    def schema_versions(self) -> list[int]:
        with self._transaction(write=False) as run:
            return [v for (v,) in run("SELECT version FROM schema_migrations ORDER BY version").fetchall()]

    def _tx(self, write: bool) -> AbstractContextManager[Run]:
        # A store opened while the database was down migrates on its first successful use.
        if not self._migrated:
            self.migrate()
        return self._transaction(write)

    # --- writes -----------------------------------------------------------------------------------

    def record_answer(self, answer: Answer, platform: Platform) -> None:
        self.record_answers([(answer, platform)])

    def record_answers(self, answers: Sequence[tuple[Answer, Platform]]) -> None:
        """Several answers in one transaction (one commit, one fsync): the service groups the answers
        of a burst this way (50 commits one after another took most of 180 ms)."""
        if any(not answer.answer_id for answer, _ in answers):
            raise ValueError("an answer needs an answer_id to be recorded")
        with self._tx(write=True) as run:
            for answer, platform in answers:
                question = redact(answer.question) if self.store_questions else None
                follows = redact(answer.follows) if self.store_questions and answer.follows else None
                inserted = run(
                    "INSERT INTO answers (answer_id, hour, platform, kind, lang, question, confidence, abstained, "
                    "follows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO NOTHING",
                    (answer.answer_id, hour_of(self._clock()), platform, answer.kind, answer.lang, question,
                     float(answer.confidence), bool(answer.abstained), follows),
                ).rowcount
                if inserted == 1:  # a repeated record of the same answer keeps the first
                    for position, citation in enumerate(answer.citations):
                        run("INSERT INTO citations (answer_id, position, chunk_id, label) VALUES (?, ?, ?, ?)",
                            (answer.answer_id, position, citation.id, citation.label))

    def vote(self, answer_id: str, voter_key: str, value: VoteValue) -> Tally:
        if value not in VOTE_VALUES:
            raise ValueError(f"vote must be one of {VOTE_VALUES}, not {value!r}")
        with self._tx(write=True) as run:
            self._require_answer(run, answer_id)
            if value == "none":
                run("DELETE FROM votes WHERE answer_id = ? AND voter_key = ?", (answer_id, voter_key))
            else:
                run("INSERT INTO votes (answer_id, voter_key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (answer_id, voter_key) DO UPDATE SET value = excluded.value "
                    "WHERE votes.value <> excluded.value",
                    (answer_id, voter_key, value))
            up, down = run(_TALLY, (answer_id,)).fetchone()
        return Tally(int(up), int(down))

    def link_message(self, message_key: str, answer_id: str) -> None:
        if not self.link_messages([(message_key, answer_id)])[0]:
            raise UnknownAnswer(answer_id)

    def link_messages(self, links: Sequence[tuple[str, str]]) -> list[bool]:
        """Several (message_key, answer_id) links in one transaction; False for a link whose answer
        was never recorded (that link is skipped, the others are stored)."""
        linked = []
        with self._tx(write=True) as run:
            hour = hour_of(self._clock())
            for message_key, answer_id in links:
                if not self._answer_known(run, answer_id):
                    linked.append(False)
                    continue
                run("INSERT INTO message_links (message_key, answer_id, hour) VALUES (?, ?, ?) "
                    "ON CONFLICT (message_key) DO UPDATE SET answer_id = excluded.answer_id",
                    (message_key, answer_id, hour))
                linked.append(True)
        return linked

    def claim_event(self, event_key: str) -> bool:
        return self.claim_events([event_key])[0]

    def claim_events(self, event_keys: Sequence[str]) -> list[bool]:
        """`claim_event` for several keys in one transaction (a key repeated in the batch is claimed once)."""
        now = self._clock()
        hour = hour_of(now)
        with self._tx(write=True) as run:
            claimed = [run("INSERT INTO events (event_key, hour) VALUES (?, ?) ON CONFLICT (event_key) DO NOTHING",
                           (key, hour)).rowcount == 1 for key in event_keys]
            # Platforms redeliver within minutes; a day of keys is plenty and keeps the table small.
            if time.monotonic() - self._last_prune >= PRUNE_EVERY_S:
                run("DELETE FROM events WHERE hour < ?", (hour_of(now - EVENT_TTL),))
                self._last_prune = time.monotonic()
        return claimed

    def record_feedback_text(self, answer_id: str, voter_key: str, text: str) -> None:
        if not self.store_feedback_text:
            return
        cleaned = redact(" ".join(text.split()))
        if not cleaned:
            return
        with self._tx(write=True) as run:
            self._require_answer(run, answer_id)
            run("INSERT INTO feedback_texts (answer_id, voter_key, text, hour) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id, voter_key) DO UPDATE SET text = excluded.text, hour = excluded.hour",
                (answer_id, voter_key, cleaned, hour_of(self._clock())))

    def purge(self) -> Purged:
        """Forget question texts and comments older than the retention period, wherever they are kept
        (answers, comments, conversation state), and conversation state older than its TTL. Votes,
        citations and the hour stay, so counts and the weekly figures are unchanged; only the words
        people typed go."""
        now = self._clock()
        before = text_cutoff(now, self.retention_days) if self.retention_days is not None else None
        questions = comments = conversations = 0
        with self._tx(write=True) as run:
            if self.conversation_ttl is not None:
                conversations += run("DELETE FROM conversations WHERE updated < ?",
                                     (minute_of(now - self.conversation_ttl),)).rowcount
            if before is not None:
                questions = run("UPDATE answers SET question = NULL, follows = NULL "
                                "WHERE (question IS NOT NULL OR follows IS NOT NULL) AND hour < ?",
                                (before,)).rowcount
                comments = run("DELETE FROM feedback_texts WHERE hour < ?", (before,)).rowcount
                # `updated` is stamped to the minute, `before` to the hour: the same text order applies.
                conversations += run("UPDATE conversations SET question = NULL "
                                     "WHERE question IS NOT NULL AND updated < ?", (before,)).rowcount
        questions, comments, conversations = max(questions, 0), max(comments, 0), max(conversations, 0)
        if questions or comments or conversations:
            self._after_purge()
        return Purged(before, questions, comments, conversations)

    def revoke_session(self, session_key: str, expires: int) -> None:
        with self._tx(write=True) as run:
            run("INSERT INTO admin_revocations (session_key, expires) VALUES (?, ?) "
                "ON CONFLICT (session_key) DO NOTHING", (session_key, int(expires)))
            run("DELETE FROM admin_revocations WHERE expires < ?", (int(self._clock().timestamp()),))

    def session_revoked(self, session_key: str) -> bool:
        with self._tx(write=False) as run:
            return run("SELECT 1 FROM admin_revocations WHERE session_key = ?", (session_key,)).fetchone() is not None

    def save_lesson(self, lesson: Lesson) -> Lesson:
        """Upsert by question key: the latest verdict replaces an earlier one, on every instance. A
        dismissed question keeps no text."""
        question = None if lesson.unit == IGNORED or lesson.question is None else redact(lesson.question)
        stored = Lesson(lesson.question_key, question, lesson.unit, lesson.label, minute_of(self._clock()))
        with self._tx(write=True) as run:
            run("INSERT INTO lessons (question_key, question, unit, label, taught) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (question_key) DO UPDATE SET question = excluded.question, unit = excluded.unit, "
                "label = excluded.label, taught = excluded.taught",
                (stored.question_key, stored.question, stored.unit, stored.label, stored.taught))
        return stored

    def lessons(self) -> list[Lesson]:
        with self._tx(write=False) as run:
            rows = run("SELECT question_key, question, unit, label, taught FROM lessons "
                       "ORDER BY taught, question_key").fetchall()
        return [Lesson(*row) for row in rows]

    @staticmethod
    def _answer_known(run: Run, answer_id: str) -> bool:
        return run("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone() is not None

    @classmethod
    def _require_answer(cls, run: Run, answer_id: str) -> None:
        if not cls._answer_known(run, answer_id):
            raise UnknownAnswer(answer_id)

    # --- reads ------------------------------------------------------------------------------------

    def answer_for_message(self, message_key: str) -> str | None:
        with self._tx(write=False) as run:
            row = run("SELECT answer_id FROM message_links WHERE message_key = ?", (message_key,)).fetchone()
        return row[0] if row else None

    def event_seen(self, event_key: str) -> bool:
        with self._tx(write=False) as run:
            return run("SELECT 1 FROM events WHERE event_key = ?", (event_key,)).fetchone() is not None

    def tally(self, answer_id: str) -> Tally:
        with self._tx(write=False) as run:
            up, down = run(_TALLY, (answer_id,)).fetchone()
        return Tally(int(up), int(down))

    def export_rows(self) -> list[ExportRow]:
        with self._tx(write=False) as run:
            answers = run(
                "SELECT a.answer_id, a.hour, a.platform, a.kind, a.lang, a.question, a.confidence, a.abstained, "
                "COALESCE(v.up, 0), COALESCE(v.down, 0), a.follows FROM answers a LEFT JOIN ("
                "  SELECT answer_id, COUNT(CASE WHEN value = 'up' THEN 1 END) AS up, "
                "  COUNT(CASE WHEN value = 'down' THEN 1 END) AS down FROM votes GROUP BY answer_id"
                ") v ON v.answer_id = a.answer_id ORDER BY a.hour, a.answer_id"
            ).fetchall()
            citations = _grouped(run("SELECT answer_id, chunk_id, label FROM citations "
                                     "ORDER BY answer_id, position").fetchall())
            comments = _grouped(run("SELECT answer_id, text FROM feedback_texts "
                                    "ORDER BY answer_id, hour, voter_key").fetchall())
        return [
            ExportRow(
                answer_id=aid, hour=hour, platform=platform, kind=kind, lang=lang, question=question,
                confidence=float(confidence), abstained=bool(abstained),
                chunk_ids=tuple(c[0] for c in citations[aid]), labels=tuple(c[1] for c in citations[aid]),
                up=int(up), down=int(down), comments=tuple(c[0] for c in comments[aid]), follows=follows,
            )
            for aid, hour, platform, kind, lang, question, confidence, abstained, up, down, follows in answers
        ]

    def summary(self) -> Summary:
        return summarize(self.export_rows())

    # --- conversation state (migration 3) ---------------------------------------------------------

    def load_conversation(self, conversation_key: str, max_age: timedelta) -> StoredConversation | None:
        """The state saved under this (already hashed) key, or None when there is none or it is older
        than `max_age` (an expired row is deleted on the spot)."""
        now = self._clock()
        with self._tx(write=True) as run:
            row = run("SELECT turns, last_kind, lang, question, updated FROM conversations "
                      "WHERE conversation_key = ?", (conversation_key,)).fetchone()
            if row is None:
                return None
            if row[4] < minute_of(now - max_age):
                run("DELETE FROM conversations WHERE conversation_key = ?", (conversation_key,))
                return None
        return StoredConversation(turns=row[0], last_kind=row[1], lang=row[2], question=row[3])

    def save_conversation(self, conversation_key: str, state: StoredConversation, max_age: timedelta) -> None:
        self.save_conversations([(conversation_key, state)], max_age)

    def save_conversations(self, states: Sequence[tuple[str, StoredConversation]], max_age: timedelta) -> None:
        """Insert or replace conversations' states in one transaction, and delete every conversation
        older than `max_age`. The question text is redacted, and dropped when question storage is off."""
        now = self._clock()
        with self._tx(write=True) as run:
            for conversation_key, state in states:
                question = redact(state.question) if (self.store_questions and state.question) else None
                run("INSERT INTO conversations (conversation_key, turns, last_kind, lang, question, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conversation_key) DO UPDATE SET "
                    "turns = excluded.turns, last_kind = excluded.last_kind, lang = excluded.lang, "
                    "question = excluded.question, updated = excluded.updated",
                    (conversation_key, state.turns, state.last_kind, state.lang, question, minute_of(now)))
            run("DELETE FROM conversations WHERE updated < ?", (minute_of(now - max_age),))


def _grouped(rows: Sequence[Sequence[Any]]) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for answer_id, *rest in rows:
        out[answer_id].append(tuple(rest))
    return out

