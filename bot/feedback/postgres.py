"""PostgreSQL back end (DATABASE_URL=postgresql://…), for several bot instances behind a load balancer.

One connection per process, guarded by a lock: the bot's write rate is a few votes a second at
most, so a pool would add moving parts without adding capacity. A broken connection is
dropped and reopened on the next call. Timeouts are short on purpose: a database that is down
must turn into StoreUnavailable within seconds, never a hanging chat reply.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bot.feedback.base import StoreUnavailable
from bot.feedback.sqlstore import Clock, Run, SqlStore, utc_now

CONNECT_TIMEOUT_S = 2
STATEMENT_TIMEOUT_MS = 5000
# Any constant works; it only has to be the same in every instance of this app.
MIGRATION_LOCK_KEY = 0x6F6D7374  # "omst"


def _unavailable(exc: BaseException) -> StoreUnavailable:
    # Only the error class: a libpq message can echo the host and user from the URL.
    return StoreUnavailable(f"postgresql: {type(exc).__name__}")


class PostgresStore(SqlStore):
    def __init__(self, url: str, *, store_questions: bool = True, store_feedback_text: bool = True,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
                 clock: Clock = utc_now, retention_days: int | None = None,
                 conversation_ttl: timedelta | None = None) -> None:
        super().__init__(store_questions=store_questions, store_feedback_text=store_feedback_text, clock=clock,
                         retention_days=retention_days, conversation_ttl=conversation_ttl)
        try:
            conninfo_to_dict(url)  # a malformed URL is a configuration error: fail at start, loudly
        except psycopg.ProgrammingError as exc:
            raise ValueError("DATABASE_URL is not a valid PostgreSQL connection URL") from exc
        self._url = url
        self._connect_timeout_s = max(2, math.ceil(connect_timeout_s))  # libpq's minimum is 2 s
        self._statement_timeout_ms = int(statement_timeout_ms)
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=self._connect_timeout_s)
            # A lock held elsewhere or a stuck server must not hold a chat reply hostage.
            conn.execute(f"SET statement_timeout = {self._statement_timeout_ms}")
            conn.execute(f"SET lock_timeout = {self._statement_timeout_ms}")
        except psycopg.Error as exc:
            raise _unavailable(exc) from exc
        self._conn = conn
        return conn

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Run]:
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    cursor = conn.cursor()

                    def run(sql: str, params: tuple = ()) -> psycopg.Cursor:
                        return cursor.execute(sql.replace("?", "%s"), params)

                    yield run
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                if conn.broken or conn.closed:
                    self._conn = None
                    conn.close()
                raise _unavailable(exc) from exc

    def _lock_schema(self, run: Run) -> None:
        # Two instances starting together must not both create the tables.
        run("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
