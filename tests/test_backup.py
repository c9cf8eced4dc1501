"""Backup and restore of the SQLite store while votes arrive, and `migrate-store` into PostgreSQL,
on real files, real child processes and a real PostgreSQL server (TEST_DATABASE_URL)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from bot.feedback import open_store
from bot.feedback.backup import BackupError, backup, data_tables, restore
from bot.feedback.sqlite import SqliteStore
from bot.settings import Settings
from bot.types import Question, Tally
from tests.feedback_helpers import make_answer, pg_url  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 3
STEPS = 600
ANSWERS = 4


def steps(writer: int, count: int = STEPS) -> list[tuple[int, str, str]]:
    """Writer `writer`'s votes in order, as (answer index, voter key, value): new voters, and every
    third step one voter changing their mind, so a torn or reordered copy would show."""
    out: list[tuple[int, str, str]] = []
    last: dict[str, str] = {}
    for i in range(count):
        if i % 3 == 2:
            voter = f"w{writer}-v{i - 1}"
            value = "down" if last[voter] == "up" else "up"
            out.append(((i - 1) % ANSWERS, voter, value))
        else:
            voter = f"w{writer}-v{i}"
            value = "up" if i % 2 == 0 else "down"
            out.append((i % ANSWERS, voter, value))
        last[voter] = value
    return out


def replay(writer: int, count: int) -> dict[tuple[int, str], str]:
    state: dict[tuple[int, str], str] = {}
    for answer, voter, value in steps(writer, count):
        state[(answer, voter)] = value
    return state


def vote_steps(path: str, answer_ids: list[str], writer: int, start) -> None:
    """A child process voting as the running bot would, one committed vote after another."""
    store = SqliteStore(Path(path))
    start.wait()
    for answer, voter, value in steps(writer):
        store.vote(answer_ids[answer], voter, value)
    store.close()


def _votes(path: Path, answer_ids: list[str]) -> dict[int, dict[tuple[int, str], str]]:
    """Per writer: {(answer index, voter): value} as stored in the file at `path`."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT answer_id, voter_key, value FROM votes").fetchall()
    finally:
        conn.close()
    out: dict[int, dict[tuple[int, str], str]] = {w: {} for w in range(WRITERS)}
    for answer_id, voter, value in rows:
        out[int(voter[1:voter.index("-")])][(answer_ids.index(answer_id), voter)] = value
    return out


def test_a_backup_taken_while_votes_arrive_restores_that_moment(tmp_path):
    live = tmp_path / "live" / "feedback.sqlite3"
    store = SqliteStore(live)
    store.migrate()
    answers = [make_answer(f"spørsmål {n}") for n in range(ANSWERS)]
    for a in answers:
        store.record_answer(a, "slack")
    ids = [a.answer_id for a in answers]
    store.close()

    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=vote_steps, args=(str(live), ids, w, start)) for w in range(WRITERS)]
    for w in writers:
        w.start()
    start.set()
    deadline = time.monotonic() + 60
    while min(len(v) for v in _votes(live, ids).values()) < 10 and time.monotonic() < deadline:  # all writing
        time.sleep(0.002)
    counts = backup(live, tmp_path / "backups" / "copy.sqlite3")
    for w in writers:
        w.join(timeout=120)
    assert [w.exitcode for w in writers] == [0] * WRITERS

    # The live store got everything; the copy holds, for every writer, exactly its first m votes.
    assert _votes(live, ids) == {w: replay(w, STEPS) for w in range(WRITERS)}
    copied = _votes(tmp_path / "backups" / "copy.sqlite3", ids)
    moment = {}
    for w in range(WRITERS):
        matches = [m for m in range(STEPS + 1) if replay(w, m) == copied[w]]
        assert matches, f"writer {w}'s votes in the backup are not a prefix of what it wrote"
        moment[w] = matches[0]
    assert any(0 < m < STEPS for m in moment.values()), moment  # it really was taken mid-stream
    assert counts["votes"] == sum(len(v) for v in copied.values()) and counts["answers"] == ANSWERS
    assert oct((tmp_path / "backups" / "copy.sqlite3").stat().st_mode & 0o777) == "0o600"

    # Restored into a fresh data folder, the bot's store serves the tallies of that moment.
    target = tmp_path / "restored" / "feedback.sqlite3"
    restore(tmp_path / "backups" / "copy.sqlite3", target)
    expected = [Tally() for _ in ids]
    for w in range(WRITERS):
        for (answer, _), value in replay(w, moment[w]).items():
            was = expected[answer]
            expected[answer] = Tally(was.up + (value == "up"), was.down + (value == "down"))
    restored = open_store(Settings(database_url=f"sqlite:///{target}"))
    assert [restored.tally(i) for i in ids] == expected
    assert sorted(r.question for r in restored.export_rows()) == [a.question for a in answers]
    restored.close()


def test_restore_keeps_the_replaced_store_and_refuses_what_is_not_a_store(tmp_path):
    first = SqliteStore(tmp_path / "a.sqlite3")
    answer = make_answer("første")
    first.record_answer(answer, "cli")
    first.vote(answer.answer_id, "k", "up")
    backup(first.path, tmp_path / "a.backup")
    first.vote(answer.answer_id, "k2", "down")  # after the backup
    first.close()

    counts = restore(tmp_path / "a.backup", tmp_path / "a.sqlite3")
    assert counts["votes"] == 1
    again = SqliteStore(tmp_path / "a.sqlite3")
    assert again.tally(answer.answer_id) == Tally(1, 0)
    again.close()
    before = SqliteStore(tmp_path / "a.sqlite3.before-restore")
    assert before.tally(answer.answer_id) == Tally(1, 1)
    before.close()

    (tmp_path / "junk").write_bytes(b"not a database at all" * 100)
    for bad in (tmp_path / "junk", tmp_path / "missing"):
        with pytest.raises(BackupError):
            restore(bad, tmp_path / "a.sqlite3")
    still = SqliteStore(tmp_path / "a.sqlite3")
    assert still.tally(answer.answer_id) == Tally(1, 0)
    still.close()


def test_every_table_of_the_schema_is_copied():
    """Tables added by later migrations are found in the migration list, so backup counts and
    migrate-store include them without changes; this fails if a table is created some other way."""
    conn = sqlite3.connect(":memory:")
    from bot.feedback.migrations import CREATE_VERSION_TABLE, MIGRATIONS

    conn.execute(CREATE_VERSION_TABLE)
    for migration in MIGRATIONS:
        for statement in migration.statements:
            conn.execute(statement)
    tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(data_tables()) == tables - {"schema_migrations"}
    assert data_tables()[0] == "answers"  # parents first


def _cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OMSTILLINGSBOT_DATA": str(settings.data_dir),
                   "OMSTILLINGSBOT_FEEDBACK_SECRET": settings.feedback_secret, "DATABASE_URL": "", **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=environment, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_backup_and_restore_commands(settings, tmp_path):
    store = open_store(settings)
    answer = make_answer("kommandolinje")
    store.record_answer(answer, "cli")
    store.vote(answer.answer_id, "k", "down")
    store.close()
    out = _cli(settings, "backup", str(tmp_path / "b" / "kopi.sqlite3"))
    assert out.returncode == 0, out.stderr
    assert "Sikkerhetskopi skrevet til" in out.stdout and "votes 1" in out.stdout and "answers 1" in out.stdout

    other = settings.with_(data_dir=tmp_path / "ny-maskin")
    out = _cli(other, "restore", str(tmp_path / "b" / "kopi.sqlite3"))
    assert out.returncode == 0, out.stderr and "Gjenopprettet fra" in out.stdout
    restored = open_store(other)
    assert restored.tally(answer.answer_id) == Tally(0, 1)
    restored.close()

    pg = _cli(settings, "backup", str(tmp_path / "x"), DATABASE_URL="postgresql://u:hemmelig@db.example/bot")
    assert pg.returncode == 2 and "pg_dump" in pg.stderr and "hemmelig" not in pg.stderr + pg.stdout


def _table_rows(settings: Settings) -> dict[str, list[tuple]]:
    """Every data table's rows, normalised (booleans as 0/1, floats rounded), sorted."""
    def norm(row) -> tuple:
        return tuple(int(v) if isinstance(v, bool) else round(v, 9) if isinstance(v, float) else v for v in row)

    out = {}
    if settings.database_url.startswith("postgresql"):
        with psycopg.connect(settings.database_url) as conn:
            for t in data_tables():
                out[t] = sorted(norm(r) for r in conn.execute(f'SELECT * FROM "{t}"'))
    else:
        conn = sqlite3.connect(settings.data_dir / "feedback.sqlite3")
        for t in data_tables():
            out[t] = sorted(norm(r) for r in conn.execute(f'SELECT * FROM "{t}"'))
        conn.close()
    return out


QUESTIONS = ["Hva er anbefaling 2?", "Hvilke hovedutfordringer ser rapporten?",
             "Hva bør departementene gjøre overfor andre departementer?", "Hvem vant fotball-VM?"]


async def test_migrate_store_moves_everything_and_the_bot_serves_the_same_tallies(settings, make_service, pg_url):
    bot = make_service(settings)
    answers = [await bot.respond(Question(q, platform="slack")) for q in QUESTIONS]
    for n, answer in enumerate(answers):
        await bot.remember_message("slack", ("C0CHAN", f"17000.{n}"), answer.answer_id)
        for voter in range(n + 1):
            await bot.vote("slack", answer.answer_id, f"U{voter}", "up" if voter % 2 else "down")
    await bot.feedback_text("teams", answers[0].answer_id, "U9", "Mangler anbefaling 3")
    assert await bot.first_delivery("slack", "Ev01")
    # Conversation state, the last table the migrations create: a follow-up thread in a channel.
    thread = "T0MOVE0001:C0MOVE0001:1700000000.000100"
    await bot.respond(Question("anbefaling 2", platform="slack", conversation=thread))
    tallies = [bot.store.tally(a.answer_id) for a in answers]
    rows, summary = bot.store.export_rows(), bot.store.summary()
    source = _table_rows(settings)
    conn = sqlite3.connect(settings.data_dir / "feedback.sqlite3")
    conversations = conn.execute("SELECT * FROM conversations").fetchall()
    conn.close()
    assert len(conversations) == 1
    bot.close()

    out = _cli(settings, "migrate-store", "--to", pg_url)
    assert out.returncode == 0, out.stderr
    assert "antallet rader stemmer" in out.stdout and "votes 10" in out.stdout

    moved = settings.with_(database_url=pg_url)
    assert _table_rows(moved) == source  # every row of every table, unchanged
    with psycopg.connect(pg_url) as pg:  # named, not only via data_tables(): a table it forgot would pass above
        assert pg.execute("SELECT * FROM conversations").fetchall() == conversations
    served = make_service(moved)
    assert [served.store.tally(a.answer_id) for a in answers] == tallies
    assert served.store.export_rows() == rows and served.store.summary() == summary
    assert await served.answer_id_for("slack", ("C0CHAN", "17000.2")) == answers[2].answer_id
    assert not await served.first_delivery("slack", "Ev01")  # a redelivery is still recognised
    outcome = await served.vote("slack", answers[3].answer_id, "U0", "up")  # U0 changes their vote
    assert outcome.saved and outcome.tally == Tally(tallies[3].up + 1, tallies[3].down - 1)
    again = await served.respond(Question(QUESTIONS[0], platform="slack"))
    assert again.text == answers[0].text
    assert await served.takes_part("slack", thread)  # the thread's context moved too
    follow_up = await served.respond(Question("hvorfor det?", platform="slack", conversation=thread))
    assert follow_up.citations and follow_up.citations[0].label.startswith("Utfordring 2")

    # A second run into the now filled database is refused and changes nothing.
    refused = _cli(settings, "migrate-store", "--to", pg_url)
    assert refused.returncode == 2 and "allerede data" in refused.stderr
    assert served.store.tally(answers[0].answer_id) == tallies[0]


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_restore_into_a_new_folder_makes_it_private_and_keeps_no_earlier_store(settings, tmp_path):
    """`restore` on a new machine: the folders it creates are 0700, the database 0600 (also with the
    usual umask 022), and the message does not claim an earlier database was kept."""
    store = open_store(settings)
    answer = make_answer("Et spørsmål som skal være privat")
    store.record_answer(answer, "cli")
    store.close()
    assert _cli(settings, "backup", str(tmp_path / "kopi.sqlite3")).returncode == 0

    other = settings.with_(data_dir=tmp_path / "ny" / "data")
    environment = {**os.environ, "OMSTILLINGSBOT_DATA": str(other.data_dir),
                   "OMSTILLINGSBOT_FEEDBACK_SECRET": "t", "DATABASE_URL": ""}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "restore", str(tmp_path / "kopi.sqlite3")],
                         env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                         umask=0o022)
    assert out.returncode == 0, out.stderr
    assert "before-restore" not in out.stdout and "Det fantes ingen database der fra før" in out.stdout
    assert not (other.data_dir / "feedback.sqlite3.before-restore").exists()
    assert _mode(tmp_path / "ny") == 0o700 and _mode(other.data_dir) == 0o700
    for path in other.data_dir.glob("feedback.sqlite3*"):
        assert _mode(path) == 0o600, path

    # A second restore replaces a store that now exists: that one is kept, and the message says where.
    again = subprocess.run([sys.executable, "-m", "bot.cli", "restore", str(tmp_path / "kopi.sqlite3")],
                           env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                           umask=0o022)
    assert again.returncode == 0, again.stderr
    assert "feedback.sqlite3.before-restore" in again.stdout
    assert _mode(other.data_dir / "feedback.sqlite3.before-restore") == 0o600


def test_a_backup_is_private_while_it_is_written(tmp_path):
    """The half-written copy (<target>.part) holds the same texts as the finished one: it must never be
    readable by others, not even for the moment before it is renamed into place."""
    import threading

    live = tmp_path / "live.sqlite3"
    store = SqliteStore(live)
    store.migrate()
    store.close()
    conn = sqlite3.connect(live)
    with conn:  # ~25 MB, so the copy and its integrity check take long enough to be watched
        conn.executemany("INSERT INTO answers (answer_id, hour, platform, kind, lang, question, confidence, "
                         "abstained) VALUES (?, '2026-01-01T00:00Z', 'cli', 'answer', 'nb', ?, 0.5, 0)",
                         ((f"{n:032x}", "tekst " * 400) for n in range(10_000)))
    conn.close()
    partial = tmp_path / "ut" / "kopi.sqlite3.part"
    (tmp_path / "ut").mkdir()
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                seen.append(_mode(partial))
            except FileNotFoundError:
                pass

    watcher = threading.Thread(target=watch)
    old = os.umask(0o022)
    try:
        watcher.start()
        backup(live, tmp_path / "ut" / "kopi.sqlite3")
    finally:
        done.set()
        watcher.join()
        os.umask(old)
    assert seen, "the watcher never saw the partial file"
    assert set(seen) == {0o600}
    assert _mode(tmp_path / "ut" / "kopi.sqlite3") == 0o600


def test_migrate_store_from_a_backup_leaves_the_backup_file_as_it_was(tmp_path, pg_url):
    """`migrate-store --from BACKUP` reads the backup; it does not migrate it, switch it to WAL or leave
    a -wal/-shm beside it (a backup from an older version is migrated in a private copy)."""
    import hashlib

    old = SqliteStore(tmp_path / "gammel.sqlite3")
    old.migrate_to(2)  # a backup taken by a version before conversation state
    old.close()
    conn = sqlite3.connect(tmp_path / "gammel.sqlite3")
    with conn:  # written as that version did (the store's own calls would migrate the file first)
        conn.execute("INSERT INTO answers VALUES ('a1', '2026-01-01T00:00Z', 'cli', 'answer', 'nb', "
                     "'Fra en gammel sikkerhetskopi', 0.5, 0)")
        conn.execute("INSERT INTO votes VALUES ('a1', 'k', 'up')")
    conn.close()
    copy = tmp_path / "sikkerhetskopi" / "gammel.sqlite3"
    backup(tmp_path / "gammel.sqlite3", copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    stamp = copy.stat().st_mtime_ns

    out = _cli(Settings(data_dir=tmp_path / "tom"), "migrate-store", "--to", pg_url, "--from", str(copy))
    assert out.returncode == 0, out.stderr
    assert "votes 1" in out.stdout
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before and copy.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in copy.parent.iterdir()) == ["gammel.sqlite3"]
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == 2
    finally:
        conn.close()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT question FROM answers").fetchall() == [("Fra en gammel sikkerhetskopi",)]


def test_migrate_store_copies_conversation_state(tmp_path, pg_url):
    """The last table the migrations create (conversation state) is copied like the others, and checked
    by name: a copy that skipped it would leave follow-up threads without their context."""
    from datetime import timedelta

    from bot.feedback.backup import copy_to_postgres
    from bot.feedback.base import StoredConversation

    store = SqliteStore(tmp_path / "kilde.sqlite3")
    answer = make_answer("Hva er anbefaling 2?")
    store.record_answer(answer, "slack")
    state = StoredConversation('[{"ids": ["d#A2"], "kind": "unit"}]', "unit", "nb", "Hva er anbefaling 2?")
    store.save_conversation("samtale-1", state, timedelta(hours=24))
    store.close()
    counts = copy_to_postgres(tmp_path / "kilde.sqlite3", pg_url)
    assert counts["conversations"] == 1
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT conversation_key, turns, last_kind, lang, question FROM conversations").fetchall() \
            == [("samtale-1", state.turns, "unit", "nb", "Hva er anbefaling 2?")]
