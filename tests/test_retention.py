"""Retention: question texts and comments older than OMSTILLINGSBOT_RETENTION_DAYS are purged (by the
store, `omstillingsbot purge`, the server's schedule and the report), votes and counts stay; on a
real SQLite file and a real PostgreSQL server, with a clock the test controls."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.feedback.base import StoredConversation
from bot.feedback.report import run_report
from bot.feedback.sqlite import SqliteStore
from bot.server import SERVICE_FUTURE, build_app
from bot.settings import Settings
from bot.types import Tally
from tests.feedback_helpers import Clock, backend, make_answer, pg_url  # noqa: F401 - fixtures

NOW = datetime(2025, 6, 10, 12, tzinfo=UTC)
A2 = "Anbefaling 2 – overfor underliggende virksomheter"


def _seed(backend, ages: dict[str, timedelta], retention_days: int = 30):
    """One answer per question, recorded `age` before NOW, each with one up-vote and one comment."""
    clock = Clock(NOW)
    store = backend.store(clock=clock, retention_days=retention_days)
    ids = {}
    for question, age in ages.items():
        clock.now = NOW - age
        answer = make_answer(question, (A2,))
        store.record_answer(answer, "slack")
        store.vote(answer.answer_id, "voter", "up")
        store.record_feedback_text(answer.answer_id, "voter", f"kommentar til {question}")
        ids[question] = answer.answer_id
    clock.now = NOW
    return store, clock, ids


def test_purge_removes_exactly_the_texts_older_than_the_window_and_keeps_votes(backend):
    # A text stamped with hour H goes once the whole hour lies more than 30 days back.
    ages = {
        "gammel": timedelta(days=45),
        "like over grensen": timedelta(days=30, hours=1),  # its hour ended 30 days ago
        "i grensetimen": timedelta(days=30),  # stamped in the cutoff hour itself: kept
        "like innenfor": timedelta(days=29, hours=23),
        "ny": timedelta(hours=2),
    }
    store, clock, ids = _seed(backend, ages)
    purged = store.purge()
    assert (purged.questions, purged.comments, purged.before) == (2, 2, "2025-05-11T12:00Z")

    rows = {r.answer_id: r for r in store.export_rows()}
    kept = {q for q, aid in ids.items() if rows[aid].question is not None}
    assert kept == {"i grensetimen", "like innenfor", "ny"}
    assert {q for q, aid in ids.items() if rows[aid].comments} == kept
    assert all(store.tally(aid) == Tally(1, 0) for aid in ids.values())  # every vote stays
    assert len(rows) == len(ages)  # and every answer, with its hour and citations
    assert all(rows[aid].labels == (A2,) for aid in ids.values())
    dump = backend.dump()
    assert "gammel" not in dump and "like over grensen" not in dump and "like innenfor" in dump

    assert store.purge().questions == 0  # nothing more until time moves on
    clock.now += timedelta(hours=1)
    assert store.purge().questions == 1  # "i grensetimen" is now past the window
    rows = {r.answer_id: r for r in store.export_rows()}
    assert [q for q, aid in ids.items() if rows[aid].question] == ["like innenfor", "ny"]


def test_retention_zero_never_stores_texts(backend):
    store = backend.open(retention_days=0)
    answer = make_answer("Hva sier rapporten om tillit?", (A2,))
    store.record_answer(answer, "teams")
    store.record_feedback_text(answer.answer_id, "k", "mangler tillit-delen")
    assert store.vote(answer.answer_id, "k", "down") == Tally(0, 1)
    [row] = store.export_rows()
    assert row.question is None and row.comments == () and row.down == 1
    assert "tillit" not in backend.dump()


YEAR = timedelta(days=365)


def _converse(store, clock, key: str, question: str, age: timedelta) -> None:
    """A conversation state saved `age` before NOW, as the service saves it (nothing else expires it)."""
    clock.now = NOW - age
    store.save_conversation(key, StoredConversation('[{"ids": [], "kind": "answer"}]', "answer", "nb", question), YEAR)
    clock.now = NOW


def test_purge_reaches_the_question_texts_kept_with_conversation_state(backend):
    """Conversation state keeps the last question: purge clears it once it is older than the retention
    period, like the answers' own texts, and deletes states older than the conversation TTL, so a bot
    that nobody talks to (no saves, which were the only thing that expired them) keeps none."""
    clock = Clock(NOW)
    store = backend.store(clock=clock, retention_days=30, conversation_ttl=timedelta(days=60))
    _converse(store, clock, "gammel", "Hva med budsjettet i fjor?", timedelta(days=45))
    _converse(store, clock, "eldgammel", "Hva med omorganiseringen?", timedelta(days=61))
    _converse(store, clock, "ny", "Hva med tilliten?", timedelta(days=3))
    purged = store.purge()
    assert purged.conversations == 2
    dump = backend.dump()
    assert "budsjettet" not in dump and "omorganiseringen" not in dump and "eldgammel" not in dump
    assert store.load_conversation("gammel", YEAR).question is None  # the state stays for its TTL, the text goes
    assert store.load_conversation("ny", YEAR).question == "Hva med tilliten?"


def test_an_idle_bot_keeps_no_conversation_state_past_its_ttl(backend):
    clock = Clock(NOW)
    store = backend.store(clock=clock, conversation_ttl=timedelta(hours=2))  # no retention period set
    _converse(store, clock, "forrige", "Og den andre?", timedelta(hours=3))
    _converse(store, clock, "nå", "Og den tredje?", timedelta(minutes=30))
    assert store.purge().conversations == 1
    assert "Og den andre?" not in backend.dump() and "Og den tredje?" in backend.dump()


def test_retention_zero_purges_conversation_texts_written_before_and_writes_none(backend):
    """Switching OMSTILLINGSBOT_RETENTION_DAYS to 0: texts already kept with conversation state go at the
    next purge, and new states are saved without their question."""
    clock = Clock(NOW)
    before = backend.store(clock=clock)
    _converse(before, clock, "før", "Et spørsmål fra i går", timedelta(minutes=5))
    store = backend.open(retention_days=0)
    assert store.purge().conversations == 1
    store.save_conversation("etter", StoredConversation("[]", "answer", "nb", "Et nytt spørsmål"), YEAR)
    dump = backend.dump()
    assert "Et spørsmål fra i går" not in dump and "Et nytt spørsmål" not in dump
    assert "conversations: ('etter'" in dump  # the state itself (cited units, kinds) is kept


def test_without_a_retention_period_the_store_purges_nothing(backend):
    store, _, ids = _seed(backend, {"eldgammel": timedelta(days=4000)}, retention_days=None)
    assert store.purge().questions == 0
    assert store.export_rows()[0].question == "eldgammel"


def test_the_report_purges_first_and_says_what_period_it_covers(backend):
    _seed(backend, {"gammelt spørsmål": timedelta(days=45), "nytt spørsmål": timedelta(days=3)})
    settings = backend.settings.with_(retention_days=30)
    out, err = io.StringIO(), io.StringIO()
    assert run_report(settings, [], now=NOW, out=out, err=err) == 0, err.getvalue()
    text = out.getvalue()
    assert "Svarene dekker 2025-04-26T12:00Z – 2025-06-07T12:00Z (UTC, hele timer)." in text
    assert "oppbevares i 30 dager: tekster fra før 2025-05-11T12:00Z er slettet" in text
    assert "Svar: 2   Stemmer: 2 (opp 2, ned 0)" in text  # the old answer's vote still counts
    assert "gammelt spørsmål" not in backend.dump()

    out = io.StringIO()
    assert run_report(settings, ["--json"], now=NOW, out=out, err=err) == 0
    report = json.loads(out.getvalue())
    assert report["period"] == {"first_hour": "2025-04-26T12:00Z", "last_hour": "2025-06-07T12:00Z",
                                "retention_days": 30, "texts_kept_from": "2025-05-11T12:00Z"}
    assert sorted(a["question"] or "" for a in report["answers"]) == ["", "nytt spørsmål"]


async def test_the_server_purges_on_a_schedule(settings, make_service, engine):
    """The real server app: at start-up its background task purges what has expired by now."""
    settings = settings.with_(retention_days=7)
    seed = _sqlite(settings, Clock(datetime.now(UTC) - timedelta(days=8)))
    answer = make_answer("Et spørsmål fra forrige uke", (A2,))
    seed.record_answer(answer, "web")
    seed.vote(answer.answer_id, "k", "up")
    seed.close()

    app = build_app(settings, lambda: make_service(settings))
    async with TestClient(TestServer(app)):
        for _ in range(600):
            future = app[SERVICE_FUTURE]
            if future.done() and (rows := future.result().store.export_rows())[0].question is None:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the server did not purge the expired question")
    [row] = rows
    assert (row.answer_id, row.up) == (answer.answer_id, 1)


def _sqlite(settings: Settings, clock: Clock) -> SqliteStore:
    """The store file the bot uses for `settings`, written with a clock set in the past and no retention."""
    store = SqliteStore(settings.data_dir / "feedback.sqlite3", clock=clock)
    store.migrate()
    return store


def test_purge_command(settings):
    seed = _sqlite(settings, Clock(datetime.now(UTC) - timedelta(days=100)))
    answer = make_answer("Hundre dager gammelt", (A2,))
    seed.record_answer(answer, "cli")
    seed.record_feedback_text(answer.answer_id, "k", "En gammel kommentar")
    seed.save_conversation("k", StoredConversation("[]", "answer", "nb", "Og den gamle samtalen?"), YEAR)
    seed.close()
    env = {**os.environ, "OMSTILLINGSBOT_DATA": str(settings.data_dir), "OMSTILLINGSBOT_FEEDBACK_SECRET": "t",
           "OMSTILLINGSBOT_RETENTION_DAYS": "90"}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "purge"], env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Slettet 1 spørsmålstekster og 1 kommentarer fra før ")
    assert "og 1 samtaletilstander" in out.stdout
    assert "oppbevaringstiden er 90 dager" in out.stdout
    # Gone from the file itself, free space and write-ahead log included (secure_delete + checkpoint).
    for path in settings.data_dir.glob("feedback.sqlite3*"):
        content = path.read_bytes()
        assert "Hundre dager".encode() not in content and "gammel kommentar".encode() not in content
        assert "gamle samtalen".encode() not in content

    bad = subprocess.run([sys.executable, "-m", "bot.cli", "purge"], capture_output=True, text=True, timeout=120,
                         env={**env, "OMSTILLINGSBOT_RETENTION_DAYS": "-3"}, check=False)
    assert bad.returncode != 0 and "OMSTILLINGSBOT_RETENTION_DAYS" in bad.stderr


@pytest.mark.parametrize("value, days", [(None, 90), ("", 90), ("0", 0), (" 365 ", 365)])
def test_retention_setting(value, days):
    env = {} if value is None else {"OMSTILLINGSBOT_RETENTION_DAYS": value}
    assert Settings.from_env(env).retention_days == days


@pytest.mark.parametrize("value", ["-1", "90d", "1.5"])
def test_a_bad_retention_setting_is_refused_plainly(value):
    with pytest.raises(ValueError, match="OMSTILLINGSBOT_RETENTION_DAYS må være et helt antall dager"):
        Settings.from_env({"OMSTILLINGSBOT_RETENTION_DAYS": value})
