"""Shared pieces for the feedback tests: back-end fixtures (real SQLite file, real PostgreSQL in a
throw-away schema), table dumps, sample answers, a TCP cut-off switch in front of PostgreSQL, and
the functions child processes run (they must be importable for the "spawn" start method)."""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest

from bot.feedback import open_store
from bot.feedback.postgres import PostgresStore
from bot.feedback.privacy import voter_key
from bot.feedback.sqlite import SqliteStore
from bot.feedback.sqlstore import SqlStore
from bot.settings import Settings
from bot.types import Answer, Citation

SECRET = "feedback-test-secret"


def with_search_path(url: str, schema: str) -> str:
    """The same database URL, but every session works in `schema` (libpq's options=-csearch_path=…)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a fresh schema, dropped after the test."""
    schema = f"feedback_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield with_search_path(postgres_url, schema)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass
class Backend:
    name: str
    settings: Settings
    opened: list[SqlStore] = field(default_factory=list)

    def open(self, **changes) -> SqlStore:
        """open_store() as the bot calls it."""
        store = open_store(self.settings.with_(**changes))
        self.opened.append(store)
        return store

    def store(self, migrate: bool = True, **options) -> SqlStore:
        """A store built directly, e.g. with a test clock."""
        if self.name == "sqlite":
            store: SqlStore = SqliteStore(self.settings.data_dir / "feedback.sqlite3", **options)
        else:
            store = PostgresStore(self.settings.database_url, **options)
        if migrate:
            store.migrate()
        self.opened.append(store)
        return store

    def dump(self) -> str:
        """Every table's name ("[votes]") and every row ("votes: (...)"), as text."""
        return dump_tables(self.settings)

    def close(self) -> None:
        for store in self.opened:
            store.close()


def dump_tables(settings: Settings) -> str:
    """Every table's name and every row of the store `settings` point at."""
    lines: list[str] = []
    if settings.database_url:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            tables = [t for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
            for table in tables:
                lines.append(f"[{table}]")
                lines += [f"{table}: {row!r}" for row in conn.execute(f'SELECT * FROM "{table}"')]
    else:
        import sqlite3

        conn = sqlite3.connect(settings.data_dir / "feedback.sqlite3")
        try:
            tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                lines.append(f"[{table}]")
                lines += [f"{table}: {row!r}" for row in conn.execute(f'SELECT * FROM "{table}"')]
        finally:
            conn.close()
    return "\n".join(lines)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> Iterator[Backend]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    b = Backend(request.param, Settings(data_dir=tmp_path, database_url=url, feedback_secret=SECRET))
    yield b
    b.close()


class Clock:
    """A clock a test can set and move (stores take `clock=`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_answer(question: str = "Hva er anbefaling 2?", labels: tuple[str, ...] = (), *,
                abstained: bool = False, confidence: float = 0.8) -> Answer:
    citations = tuple(Citation(id=f"difi-2019-3#{i}", label=label, text="…", source="Difi-rapport 2019:3")
                      for i, label in enumerate(labels))
    return Answer(text="[1]" if labels else "—", citations=citations, confidence=confidence, abstained=abstained,
                  answer_id=str(uuid.uuid4()), kind="abstain" if abstained else "answer", question=question)


# --- Child processes ---------------------------------------------------------------------------


def run_together(target, arg_tuples: list[tuple], timeout: float = 120) -> list[int | None]:
    """Start one spawned process per argument tuple (each also gets a start Event as its last
    argument), release them all at once, wait, and return their exit codes."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    children = [ctx.Process(target=target, args=(*args, start)) for args in arg_tuples]
    for child in children:
        child.start()
    start.set()
    for child in children:
        child.join(timeout=timeout)
    return [child.exitcode for child in children]


def vote_in_process(settings: Settings, answer_id: str, plan: list[tuple[str, list[str]]], start) -> None:
    """Open the store as the bot does (migrating together with the other processes), wait for the
    start signal, then let every voter of `plan` vote in its own thread, one vote after another."""
    store = open_store(settings)
    secret = settings.feedback_secret.encode()

    def cast(item: tuple[str, list[str]]) -> None:
        user, values = item
        key = voter_key(secret, "slack", user, answer_id)
        for value in values:
            store.vote(answer_id, key, value)

    start.wait()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(cast, plan))  # list() re-raises a failed vote here
    store.close()


def migrate_in_process(settings: Settings, start) -> None:
    """Wait for the start signal, then open (and so migrate) the store; fail loudly on any error."""
    start.wait()
    store = open_store(settings)
    store.migrate()  # open_store only logs an unavailable store; this raises
    store.close()


def vote_then_die(settings: Settings, answer_id: str, votes: list[tuple[str, str]]) -> None:
    """Vote, then end the process abruptly (no close, no cleanup), as a crash would."""
    store = open_store(settings)
    for key, value in votes:
        store.vote(answer_id, key, value)
    os._exit(0)


# --- A switch in front of PostgreSQL -------------------------------------------------------------


class CutOff:
    """A local TCP forwarder to a real server that a test can cut (refusing and dropping every
    connection, as a database that went down) and restore."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def url_for(self, url: str) -> str:
        """`url` with its host and port replaced by this forwarder's."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))
