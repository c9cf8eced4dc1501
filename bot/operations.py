"""Operator commands on the feedback store: purge, backup, restore, migrate-store.

Kept apart from bot/cli.py so the CLI only registers them; what they say is in bot/messages.py
(keys "ops_…"), in bokmål, for the operator running them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import messages
from bot.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("purge", help="slett spørsmålstekster og kommentarer eldre enn OMSTILLINGSBOT_RETENTION_DAYS")
    backup = sub.add_parser("backup", help="ta en sikkerhetskopi av SQLite-databasen (også mens boten kjører)")
    backup.add_argument("file", type=Path, metavar="FIL", help="hvor kopien skrives")
    restore = sub.add_parser("restore", help="gjenopprett SQLite-databasen fra en sikkerhetskopi")
    restore.add_argument("file", type=Path, metavar="FIL", help="sikkerhetskopien")
    move = sub.add_parser("migrate-store", help="kopier SQLite-databasen til PostgreSQL og kontroller antallene")
    move.add_argument("--to", required=True, metavar="postgresql://…", help="den tomme PostgreSQL-databasen")
    move.add_argument("--from", dest="source", type=Path, metavar="FIL",
                      help="en SQLite-fil (f.eks. en sikkerhetskopi) i stedet for den konfigurerte databasen")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())


def _fail(key: str, **values: object) -> int:
    print(messages.text(key, **values), file=sys.stderr)
    return 2


def purge(settings: Settings, args) -> int:
    from bot.feedback import StoreUnavailable, open_store

    store = open_store(settings)
    try:
        purged = store.purge()
    except StoreUnavailable as exc:
        return _fail("ops_failed", error=exc)
    finally:
        store.close()
    print(messages.text("ops_purged", questions=purged.questions, comments=purged.comments,
                        conversations=purged.conversations, before=purged.before, days=settings.retention_days))
    return 0


def _sqlite_file(settings: Settings) -> Path | None:
    from bot.feedback import sqlite_path

    return sqlite_path(settings)


def backup(settings: Settings, args) -> int:
    from bot.feedback.backup import BackupError, backup as copy

    source = _sqlite_file(settings)
    if source is None:
        return _fail("ops_postgres_tools")
    try:
        counts = copy(source, args.file)
    except BackupError as exc:
        return _fail("ops_failed", error=exc)
    print(messages.text("ops_backup_done", path=args.file, counts=_counts(counts)))
    return 0


def restore(settings: Settings, args) -> int:
    from bot.feedback.backup import BackupError, previous_store, restore as put_back

    target = _sqlite_file(settings)
    if target is None:
        return _fail("ops_postgres_tools")
    replaced = target.exists()  # a restore into a new folder has no earlier database to keep
    try:
        counts = put_back(args.file, target)
    except BackupError as exc:
        return _fail("ops_failed", error=exc)
    if replaced:
        print(messages.text("ops_restore_done", path=args.file, counts=_counts(counts),
                            previous=previous_store(target)))
    else:
        print(messages.text("ops_restore_done_new", path=args.file, counts=_counts(counts), target=target))
    return 0


def migrate_store(settings: Settings, args) -> int:
    from bot.feedback.backup import BackupError, copy_to_postgres

    if not args.to.startswith(("postgresql://", "postgres://")):
        return _fail("ops_failed", error="--to må være en postgresql://-adresse")
    source = args.source or _sqlite_file(settings)
    if source is None:
        return _fail("ops_failed", error="DATABASE_URL peker allerede på PostgreSQL; bruk --from FIL")
    try:
        counts = copy_to_postgres(source, args.to)
    except (BackupError, ValueError) as exc:
        return _fail("ops_failed", error=exc)
    print(messages.text("ops_migrated", counts=_counts(counts)))
    return 0


COMMANDS = {"purge": purge, "backup": backup, "restore": restore, "migrate-store": migrate_store}
