"""Backup, restore and moving the store to PostgreSQL (`omstillingsbot backup|restore|migrate-store`).

* backup: SQLite's online backup API copies the live file in one step, inside one read
  transaction, so the copy is the database as it was at one moment even while the server runs
  and votes arrive (WAL lets those writers go on during the copy). The copy is written beside
  the target and renamed into place only after an integrity check, so a half-written backup
  never replaces a good one.
* restore: the same API in the other direction, through SQLite's own locking, after checking
  that the file is an intact store this version can read; an older backup is migrated up. The
  store being replaced, if there is one, is first backed up beside itself (`<file>.before-restore`).
* migrate-store: copies every table the migrations create, generically and in migration order
  (so parents come before the rows that reference them, and tables added by later migrations
  are copied without changes here), into an empty PostgreSQL database in one transaction, and
  commits only when every table's row count equals the source's. It reads a private snapshot of
  the source (made with the backup API into a 0700 temporary folder), so the source file, e.g. a
  backup given with --from, is never migrated, switched to WAL or otherwise written.

Every file written here holds question texts: it is created 0600 before SQLite opens it (SQLite
gives its -wal, -shm and -journal files the same mode), and a folder made for it is 0700.

PostgreSQL itself is backed up with its own tools (pg_dump / pg_restore); see the README.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from bot.datadir import create_private_file, ensure_private_dir
from bot.feedback.migrations import LATEST, MIGRATIONS

Counts = dict[str, int]

BUSY_TIMEOUT_MS = 10_000
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?", re.I)
_DROP_TABLE = re.compile(r"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?\"?(\w+)\"?", re.I)


class BackupError(RuntimeError):
    """A backup, restore or copy that cannot be done; the message is for the operator (no secrets)."""


def data_tables() -> list[str]:
    """Every table the migrations leave behind, in the order they were created."""
    tables: list[str] = []
    for migration in MIGRATIONS:
        for statement in migration.statements:
            if created := _CREATE_TABLE.match(statement):
                tables.append(created.group(1))
            elif dropped := _DROP_TABLE.match(statement):
                tables = [t for t in tables if t != dropped.group(1)]
    return tables


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _create_private(path: Path) -> None:
    """An empty file at `path`, 0600, in a folder made 0700 if it is missing (an existing folder is left
    as the operator made it)."""
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    create_private_file(path)
    os.chmod(path, 0o600)  # an existing file keeps its content, but not a mode others can read


def _counts(conn: sqlite3.Connection) -> Counts:
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in data_tables() if t in present}


def _check_store_file(path: Path) -> int:
    """The schema version of an intact store file; BackupError otherwise."""
    if not path.is_file():
        raise BackupError(f"{path} finnes ikke")
    try:
        conn = _connect(path)  # not mode=ro: a read-only open of a WAL file without its -shm fails
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} er skadet (integrity_check feilet)")
            version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} er ikke en tilbakemeldingsdatabase ({type(exc).__name__})") from exc
    if version is None or version > LATEST:
        raise BackupError(f"{path} har skjemaversjon {version}; denne versjonen av boten kan lese til og med {LATEST}")
    return int(version)


def backup(source: Path, target: Path) -> Counts:
    """Copy the live SQLite store at `source` to `target` (a consistent snapshot); return its row counts."""
    _check_store_file(source)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    _create_private(partial)  # 0600 from the first byte, not only once it is complete
    src, dst = _connect(source), _connect(partial)
    try:
        src.backup(dst)  # pages=-1: the whole file in one step, i.e. one read transaction
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("kopien besto ikke integritetskontrollen")
        counts = _counts(dst)
    finally:
        src.close()
        dst.close()
    os.replace(partial, target)
    return counts


def restore(backup_file: Path, target: Path) -> Counts:
    """Replace the SQLite store at `target` with `backup_file`; return the restored row counts."""
    _check_store_file(backup_file)
    if target.exists():
        backup(target, previous_store(target))
    _create_private(target)
    src, dst = _connect(backup_file), _connect(target)
    try:
        dst.execute("PRAGMA journal_mode = WAL")
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    from bot.feedback.sqlite import SqliteStore

    store = SqliteStore(target)
    try:
        store.migrate()  # a backup from an older version is brought up to this one
    finally:
        store.close()
    conn = _connect(target)
    try:
        return _counts(conn)
    finally:
        conn.close()


def previous_store(target: Path) -> Path:
    """Where `restore` keeps the store it replaces."""
    return target.with_name(target.name + ".before-restore")


def copy_to_postgres(source: Path, url: str) -> Counts:
    """Copy every table of the SQLite store at `source` into the (empty) PostgreSQL database at `url`."""
    # A snapshot in a private folder is what gets migrated and read: the source itself (a backup
    # given with --from, or the live file) is never written, not even switched to WAL.
    work = Path(tempfile.mkdtemp(prefix="omstillingsbot-migrate-"))  # 0700
    try:
        snapshot = work / "snapshot.sqlite3"
        backup(source, snapshot)
        return _copy_snapshot(snapshot, url)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _copy_snapshot(source: Path, url: str) -> Counts:
    import psycopg

    from bot.feedback.base import StoreUnavailable
    from bot.feedback.postgres import PostgresStore
    from bot.feedback.sqlite import SqliteStore

    for store in (SqliteStore(source), PostgresStore(url)):  # both at the latest schema first
        try:
            store.migrate()
        except StoreUnavailable as exc:
            raise BackupError(f"kunne ikke åpne databasen ({exc})") from exc
        finally:
            store.close()
    src = _connect(source)
    try:
        src.execute("BEGIN")  # one read snapshot: what is counted is what is copied
        expected = _counts(src)
        with psycopg.connect(url) as pg:  # one transaction: committed only if every count matches
            occupied = [t for t in expected if pg.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]]
            if occupied:
                raise BackupError("måldatabasen har allerede data i " + ", ".join(occupied)
                                  + "; flytting krever en tom database")
            for table in expected:
                columns = [d[0] for d in src.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
                names = ", ".join(f'"{c}"' for c in columns)
                with pg.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in src.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row(row)
            copied = {t: pg.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in expected}
            if copied != expected:
                pg.rollback()
                raise BackupError(f"antallet rader stemmer ikke (kilde {expected}, mål {copied}); ingenting er lagret")
    except psycopg.Error as exc:
        # Only the class name: a libpq message can echo the host and user from the URL.
        raise BackupError(f"PostgreSQL-feil under kopieringen ({type(exc).__name__}); ingenting er lagret") from exc
    finally:
        src.close()
    return copied
