"""SQLite back end: one file in the data folder, safe for several threads and processes on one machine.

WAL mode lets readers run beside the single writer; every write opens with BEGIN IMMEDIATE so
two processes never both read-then-write the same vote (the second one waits up to the busy
timeout, then the caller gets StoreUnavailable). synchronous=FULL: an acknowledged vote
survives a crash of the process and of the machine.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bot.datadir import create_private_file, ensure_private_dir
from bot.feedback.base import StoreUnavailable
from bot.feedback.sqlstore import Clock, Run, SqlStore, utc_now

BUSY_TIMEOUT_S = 5.0


def _unavailable(exc: BaseException) -> StoreUnavailable:
    # The message names the failure kind only; it never carries SQL parameters.
    return StoreUnavailable(f"sqlite: {exc}")


def _is_outage(exc: sqlite3.Error) -> bool:
    """Locks, I/O errors, a missing or corrupt file - not our own SQL or constraint bugs."""
    return not isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError))


class SqliteStore(SqlStore):
    def __init__(self, path: Path, *, store_questions: bool = True, store_feedback_text: bool = True,
                 busy_timeout_s: float = BUSY_TIMEOUT_S, clock: Clock = utc_now,
                 retention_days: int | None = None, conversation_ttl: timedelta | None = None) -> None:
        super().__init__(store_questions=store_questions, store_feedback_text=store_feedback_text, clock=clock,
                         retention_days=retention_days, conversation_ttl=conversation_ttl)
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        # One connection per thread (sqlite3 connections must not be shared while in use);
        # all of them are remembered so close() can close every one.
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        # One write transaction at a time per process: writers then queue on a Python lock instead
        # of sleeping in SQLite's busy handler (which made a burst of 50 writes take ~0.7 s instead
        # of ~0.1 s). Reads do not queue behind writes (WAL gives them the last committed state):
        # waiting for other threads' fsyncs made a burst's conversation loads take 15-25 ms each.
        # close() waits for running transactions and holds new ones back, so it never pulls a
        # connection out from under a call.
        self._write_lock = threading.Lock()
        self._state = threading.Condition()
        self._running = 0
        self._closing = False

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            ensure_private_dir(self.path.parent)
            # SQLite gives its -wal and -shm files the database file's mode: 0600 for all three.
            create_private_file(self.path)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            # Deleted and overwritten content is zeroed on disk, so a purged question text cannot be
            # read back from the file's free space (see bot.feedback.retention).
            conn.execute("PRAGMA secure_delete=ON")
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise _unavailable(exc) from exc
        self._local.conn = conn
        with self._guard:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _admitted(self) -> Iterator[None]:
        """Count a call that uses a connection, so close() waits for it (and it waits for close())."""
        with self._state:
            while self._closing:
                self._state.wait()
            self._running += 1
        try:
            yield
        finally:
            with self._state:
                self._running -= 1
                self._state.notify_all()

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Run]:
        with self._admitted():
            if write:
                with self._write_lock, self._open_transaction(True) as run:
                    yield run
            else:
                with self._open_transaction(False) as run:
                    yield run

    @contextmanager
    def _open_transaction(self, write: bool) -> Iterator[Run]:
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise _unavailable(exc) from exc

        def run(sql: str, params: tuple = ()) -> sqlite3.Cursor:
            return conn.execute(sql, params)

        try:
            yield run
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the original error is the one worth reporting
            if isinstance(exc, sqlite3.Error) and _is_outage(exc):
                raise _unavailable(exc) from exc
            raise

    def _after_purge(self) -> None:
        """Old copies of purged pages may still sit in the write-ahead log: fold it into the file
        (where secure_delete has zeroed them) and truncate it. Best effort: readers may hold it open."""
        with self._admitted(), self._write_lock:
            try:
                self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # the next checkpoint (automatic, every ~1000 pages) does it

    def close(self) -> None:
        with self._state:
            self._closing = True
            while self._running:
                self._state.wait()
        try:
            with self._guard:
                connections, self._connections = self._connections, []
                self._local = threading.local()
                for conn in connections:
                    conn.close()
        finally:
            with self._state:
                self._closing = False
                self._state.notify_all()
