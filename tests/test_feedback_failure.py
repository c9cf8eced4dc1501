"""A database that is down, hanging, locked or unusable: the store fails fast with StoreUnavailable,
the bot still answers, and a vote that could not be stored is reported as not saved - never
silently dropped, never counted twice."""

from __future__ import annotations

import logging
import socket
import sqlite3
import time
from urllib.parse import urlsplit

import pytest

from bot import messages
from bot.feedback import StoreUnavailable, open_store
from bot.feedback.postgres import PostgresStore
from bot.feedback.privacy import load_secret
from bot.feedback.sqlite import SqliteStore
from bot.serving.service import ChatService
from bot.types import Question, Tally
from tests.feedback_helpers import CutOff, make_answer, pg_url  # noqa: F401 - fixture

QUESTION = "Hva bør departementene gjøre overfor underliggende virksomheter?"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cutoff(postgres_url):
    parts = urlsplit(postgres_url)
    switch = CutOff(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield switch
    switch.close()


def test_closed_port_raises_store_unavailable_at_once():
    store = PostgresStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.vote("a", "k", "up")
    assert time.monotonic() - started < 2.5


def test_a_server_that_never_answers_times_out_in_seconds():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts TCP, never speaks PostgreSQL
        store = PostgresStore(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/test")
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.record_answer(make_answer(), "slack")
        assert time.monotonic() - started < 5


def test_open_store_survives_a_database_that_is_down_and_logs_no_credentials(tmp_path, caplog, settings):
    url = f"postgresql://bot:pw-do-not-log@127.0.0.1:{closed_port()}/feedback"
    with caplog.at_level(logging.DEBUG):
        store = open_store(settings.with_(database_url=url))
    store.close()
    assert "feedback store unavailable" in caplog.text
    assert "pw-do-not-log" not in caplog.text and "bot:" not in caplog.text


async def test_service_answers_but_reports_votes_not_saved_when_postgres_is_down(make_service, settings):
    service = make_service(settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/test"))
    answer = await service.respond(Question(QUESTION, "slack"))
    assert answer.kind == "answer" and answer.citations
    started = time.monotonic()
    outcome = await service.vote("slack", answer.answer_id, "U0123ABC", "up")
    assert time.monotonic() - started < 10
    assert not outcome.saved and outcome.message == messages.text("vote_not_saved", "nb")
    assert await service.first_delivery("slack", "Ev0123") is True  # dedupe down: answer rather than drop
    assert await service.answer_id_for("slack", ("C0123", "1700000000.000100")) is None


async def test_postgres_going_down_and_coming_back(make_service, settings, pg_url, cutoff):
    """Down at start-up, up, down mid-flight, up again: nothing acknowledged is lost, nothing
    unacknowledged is counted, and the store reconnects by itself."""
    cutoff.cut()
    service = make_service(settings.with_(database_url=cutoff.url_for(pg_url)))
    cutoff.restore()  # the schema is created on first use
    answer = await service.respond(Question(QUESTION, "teams"))
    assert (await service.vote("teams", answer.answer_id, "29:alice", "up")).tally == Tally(1, 0)

    cutoff.cut()
    refused = await service.vote("teams", answer.answer_id, "29:bob", "down")
    assert not refused.saved and refused.message == messages.text("vote_not_saved", "nb")
    assert (await service.respond(Question(QUESTION, "teams"))).citations  # still answers

    cutoff.restore()
    retried = await service.vote("teams", answer.answer_id, "29:bob", "down")
    assert retried.saved and retried.tally == Tally(1, 1)
    direct = PostgresStore(pg_url)  # straight to the server, past the switch
    assert direct.tally(answer.answer_id) == Tally(1, 1)
    direct.close()


def _hold_write_lock(path) -> sqlite3.Connection:
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker


def test_sqlite_locked_too_long_raises_store_unavailable_then_recovers(tmp_path):
    store = SqliteStore(tmp_path / "f.sqlite3", busy_timeout_s=0.3)
    answer = make_answer()
    store.record_answer(answer, "cli")
    blocker = _hold_write_lock(tmp_path / "f.sqlite3")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.vote(answer.answer_id, "k", "up")
    assert time.monotonic() - started < 2
    blocker.rollback()
    blocker.close()
    assert store.vote(answer.answer_id, "k", "up") == Tally(1, 0)
    store.close()


async def test_service_with_a_locked_sqlite_file_answers_and_is_honest_about_votes(engine, settings):
    store = SqliteStore(settings.data_dir / "feedback.sqlite3", busy_timeout_s=0.2)
    store.migrate()
    service = ChatService(engine, store, load_secret(settings))
    recorded = await service.respond(Question(QUESTION, "slack"))
    blocker = _hold_write_lock(settings.data_dir / "feedback.sqlite3")
    try:
        unrecorded = await service.respond(Question(QUESTION, "slack"))
        assert unrecorded.citations  # answering does not wait for the database
        outcome = await service.vote("slack", recorded.answer_id, "U0123ABC", "down")
        assert not outcome.saved and outcome.message == messages.text("vote_not_saved", "nb")
    finally:
        blocker.rollback()
        blocker.close()
    again = await service.vote("slack", recorded.answer_id, "U0123ABC", "down")
    assert again.saved and again.tally == Tally(0, 1)
    lost = await service.vote("slack", unrecorded.answer_id, "U0123ABC", "up")
    assert not lost.saved and lost.unknown_answer and lost.message == messages.text("vote_unknown", "nb")
    store.close()


async def test_unusable_sqlite_location_is_store_unavailable_not_a_crash(make_service, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    with pytest.raises(StoreUnavailable):
        SqliteStore(blocked / "feedback.sqlite3").migrate()
    service = make_service(settings.with_(database_url=f"sqlite:///{blocked}/feedback.sqlite3"))
    answer = await service.respond(Question(QUESTION, "web"))
    assert answer.citations
    assert not (await service.vote("web", answer.answer_id, "someone", "up")).saved
