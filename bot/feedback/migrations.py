"""Versioned schema migrations, shared by SQLite and PostgreSQL.

The DDL uses only types both databases understand (SQLite maps BOOLEAN and DOUBLE PRECISION to
its own affinities). A migration is applied once, inside the same transaction that records its
version, so a crash half-way leaves the previous version intact. Never edit a released
migration: append a new one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "answers, votes, message links, events", (
        """CREATE TABLE answers (
            answer_id TEXT PRIMARY KEY,
            hour TEXT NOT NULL,
            platform TEXT NOT NULL,
            kind TEXT NOT NULL,
            lang TEXT NOT NULL,
            question TEXT,
            confidence DOUBLE PRECISION NOT NULL,
            abstained BOOLEAN NOT NULL
        )""",
        "CREATE INDEX answers_hour ON answers (hour)",
        """CREATE TABLE citations (
            answer_id TEXT NOT NULL REFERENCES answers (answer_id),
            position INTEGER NOT NULL,
            chunk_id TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (answer_id, position)
        )""",
        """CREATE TABLE votes (
            answer_id TEXT NOT NULL REFERENCES answers (answer_id),
            voter_key TEXT NOT NULL,
            value TEXT NOT NULL CHECK (value IN ('up', 'down')),
            PRIMARY KEY (answer_id, voter_key)
        )""",
        """CREATE TABLE message_links (
            message_key TEXT PRIMARY KEY,
            answer_id TEXT NOT NULL REFERENCES answers (answer_id),
            hour TEXT NOT NULL
        )""",
        """CREATE TABLE events (
            event_key TEXT PRIMARY KEY,
            hour TEXT NOT NULL
        )""",
        "CREATE INDEX events_hour ON events (hour)",
    )),
    Migration(2, "free-text feedback", (
        """CREATE TABLE feedback_texts (
            answer_id TEXT NOT NULL REFERENCES answers (answer_id),
            voter_key TEXT NOT NULL,
            text TEXT NOT NULL,
            hour TEXT NOT NULL,
            PRIMARY KEY (answer_id, voter_key)
        )""",
    )),
    # Conversation state for follow-up questions (bot/answering/conversation.py). Keyed by an HMAC of the
    # adapter's conversation key; `updated` is UTC to the minute, rows older than the TTL are deleted.
    Migration(3, "conversation state", (
        """CREATE TABLE conversations (
            conversation_key TEXT PRIMARY KEY,
            turns TEXT NOT NULL,
            last_kind TEXT NOT NULL,
            lang TEXT NOT NULL,
            question TEXT,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX conversations_updated ON conversations (updated)",
    )),
    # Signed-out owners' sessions (bot/web/session.py), so a copied cookie stays dead after a restart and
    # on every instance. `session_key` is a SHA-256 of the cookie's nonce; `expires` is the cookie's own
    # expiry (Unix seconds), after which the row is deleted.
    Migration(4, "admin session revocations", (
        """CREATE TABLE admin_revocations (
            session_key TEXT PRIMARY KEY,
            expires BIGINT NOT NULL
        )""",
    )),
    # The owners' lessons (bot/answering/teaching.py): one row per question, the latest verdict wins.
    # `question_key` is a SHA-256 of the question as the engine reads it; `unit` a chunk id, 'none'
    # (not covered) or 'ignore' (dismissed: no question text kept). Every instance sharing the store
    # applies them (bot/serving/lessons.py). `answers.follows` is the question a follow-up followed,
    # redacted and purged like the question itself, so owners see what «hvorfor det?» was about.
    Migration(5, "owners' lessons, follow-up context", (
        """CREATE TABLE lessons (
            question_key TEXT PRIMARY KEY,
            question TEXT,
            unit TEXT NOT NULL,
            label TEXT NOT NULL,
            taught TEXT NOT NULL
        )""",
        "ALTER TABLE answers ADD COLUMN follows TEXT",
    )),
)

LATEST = MIGRATIONS[-1].version

CREATE_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL
)"""
