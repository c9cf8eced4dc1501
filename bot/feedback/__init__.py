"""Anonymous feedback on answers: which store to open, from Settings.

DATABASE_URL empty            -> SQLite file <data dir>/feedback.sqlite3
DATABASE_URL sqlite:///path   -> SQLite file at path (sqlite:////abs/path for an absolute path)
DATABASE_URL postgresql://…   -> PostgreSQL (also postgres://)
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from bot.feedback.base import IGNORED, NOT_COVERED, FeedbackStore, Lesson, StoreUnavailable, UnknownAnswer
from bot.feedback.sqlite import SqliteStore
from bot.feedback.sqlstore import Clock, SqlStore
from bot.settings import Settings

log = logging.getLogger(__name__)

SQLITE_FILE = "feedback.sqlite3"

__all__ = ["IGNORED", "NOT_COVERED", "FeedbackStore", "Lesson", "StoreUnavailable", "UnknownAnswer", "open_store", "sqlite_path"]


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file this configuration uses, or None for PostgreSQL."""
    url = settings.database_url.strip()
    if not url:
        return settings.data_dir / SQLITE_FILE
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return None
    # Never echo the URL: it may hold a password.
    raise ValueError("DATABASE_URL must be empty, sqlite:///PATH, or a postgresql:// URL")


def open_store(settings: Settings, *, clock: Clock | None = None) -> FeedbackStore:
    """Open and migrate the configured store.

    A database that is down at start-up does not stop the bot: the store is returned anyway,
    migrates on its first successful use, and until then votes are reported as not saved."""
    path = sqlite_path(settings)
    options = {"store_questions": settings.store_questions, "store_feedback_text": settings.store_feedback_text,
               "retention_days": settings.retention_days,
               "conversation_ttl": timedelta(hours=settings.conversation_ttl_hours)}
    if clock is not None:  # tests and the report's --weeks arithmetic control time
        options["clock"] = clock
    store: SqlStore
    if path is None:
        # Imported here: psycopg costs a start on SQLite ~0.15 s for nothing.
        from bot.feedback.postgres import PostgresStore

        store = PostgresStore(settings.database_url.strip(), **options)
    else:
        store = SqliteStore(path, **options)
    try:
        store.migrate()
    except StoreUnavailable as exc:
        log.warning("feedback store unavailable at start-up (%s); votes are not saved until it is back", exc)
    return store
