"""Teaching: owners give their verdict on a question the bot refused or got a thumbs-down on.

`suggestions()` lists such questions from the feedback store: what the bot answered then, for a
follow-up the question it followed, the owners' lesson if there is one, what the bot answers now,
and the units nearest the question to choose from. A verdict is a `Lesson` in the feedback store
(`lesson()` makes one): the question belongs to a unit, is not covered (`NOT_COVERED`), or is
dismissed (`IGNORED`). Every instance sharing the store applies the lessons without a restart
(bot/serving/lessons.py), so the corpus is not written when an owner teaches.

`export()` (`omstillingsbot teach --export`) writes the lessons into the corpus as example
questions, a line `? question` directly under the unit's heading (`{#none}` for not covered), so
they survive a new database and count in the next index build: the question becomes a passage
pointing to the unit (retrieval/passages.py), never quoted itself. A unit without a heading key
(the facts made from front matter, a paragraph of a PDF) stays a lesson in the database only.

Writes are serialised: `omstillingsbot teach` may run beside the server, so every write holds an
exclusive lock (a thread lock, and fcntl.flock on `<corpus>/.teach.lock` across processes) from
reading the corpus file to replacing it. A question with control characters or U+FFFD (what
invalid UTF-8 decodes to) is refused: it would be written into the corpus as it is.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot import messages
from bot.answering.engine import read_question
from bot.feedback.base import IGNORED, NOT_COVERED, Lesson
from bot.types import Question
from retrieval.documents import ABOUT_KEY, slug

Reason = Literal["refused", "voted_down"]
EXAMPLE_PREFIX = "? "
MAX_EXAMPLE_CHARS = 300
_HEADING_KEY = re.compile(r"^#{1,6}\s.*\{#([A-Za-z0-9_-]+)\}\s*$")
LOCK_FILE = ".teach.lock"
# Bidirectional overrides and isolates: invisible, and they make a line read differently from what it says.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED_CATEGORIES = ("Cc", "Cs", "Co", "Cn")  # controls, lone surrogates, private use, unassigned
_thread_lock = threading.Lock()  # flock alone would serialise threads too, but only per open file


class TeachRefused(ValueError):
    """The question cannot be written into the corpus; the message says why, for the owner."""


def refused_character(question: str) -> str | None:
    """The first character a taught question may not contain, or None. Whitespace of any kind is fine
    (it is collapsed to single spaces); control characters, U+FFFD, unassigned and private-use code
    points, lone surrogates (undecodable bytes on the command line) and bidi controls are not."""
    for char in question:
        if char.isspace():
            continue
        if char == "\ufffd" or char in _BIDI_CONTROLS or unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def check_characters(question: str) -> None:
    """Raise TeachRefused, with the owner's message, for a question with a character that may not be kept."""
    bad = refused_character(question)
    if bad is not None:
        raise TeachRefused(messages.text("teach_bad_character", code=f"U+{ord(bad):04X}"))


@dataclass(frozen=True)
class UnitChoice:
    id: str  # chunk id
    label: str  # the unit's label, with its document's name when the corpus holds several


@dataclass(frozen=True)
class Suggestion:
    question: str
    reason: Reason
    answered: tuple[str, ...]  # labels the stored answer cited (empty: it was refused)
    follows: str  # for a follow-up, the question it followed ("" otherwise)
    lesson: Lesson | None  # the owners' verdict, when they have given one
    now: str  # the label the bot answers with now ("" when it refuses now)
    choices: tuple[UnitChoice, ...]  # the units nearest the question first, then the numbered units
    answer_id: str  # the most recent stored answer to this question


def question_key(question: str) -> str:
    """One key for a question however it was spaced or cased, as the engine reads it."""
    return hashlib.sha256(" ".join(read_question(question).split()).casefold().encode("utf-8")).hexdigest()


def lesson(engine, question: str, unit: str) -> Lesson:
    """An owner's verdict as stored: `unit` is a chunk id, NOT_COVERED or IGNORED. Raises KeyError for
    an unknown unit, ValueError for an empty question and TeachRefused for characters that may not be kept."""
    check_characters(question)
    if not " ".join(question.split()):
        raise ValueError(messages.text("teach_empty"))
    if unit in (NOT_COVERED, IGNORED):
        return Lesson(question_key(question), None if unit == IGNORED else question, unit)
    chunk = engine.retriever.chunk_by_id(unit) or engine.retriever.chunk_by_key(unit)  # "A2": the primary's
    if chunk is None:
        raise KeyError(unit)
    return Lesson(question_key(question), question, chunk.id, unit_label(engine, chunk))


def unit_label(engine, chunk) -> str:
    """What the owners' page calls a unit: its label, and which report when there are several."""
    return chunk.label if len(engine.sources) == 1 else f"{chunk.label} ({chunk.source})"


def choices(engine, question: str, nearest: int = 6) -> tuple[UnitChoice, ...]:
    """The units search finds nearest the question, then every keyed unit and each document's facts."""
    chunks = [h.chunk for h in engine.search(question).hits[:nearest]]
    chunks += [c for c in engine.retriever.chunks if c.key]
    seen: dict[str, UnitChoice] = {}
    for chunk in chunks:
        seen.setdefault(chunk.id, UnitChoice(chunk.id, unit_label(engine, chunk)))
    return tuple(seen.values())


def suggestions(store, engine, limit: int = 50) -> list[Suggestion]:
    """Refused and voted-down questions, newest first, one per distinct question, each with what the
    bot answers now; dismissed ones are left out. Questions stored with storage off (None) cannot be
    taught and are skipped."""
    lessons = {lesson.question_key: lesson for lesson in store.lessons()}
    seen: set[str] = set()
    found: list[Suggestion] = []
    for row in reversed(store.export_rows()):  # export_rows is oldest first
        if not row.question or not (row.abstained or row.down):
            continue
        key = question_key(row.question)
        if key in seen:
            continue
        seen.add(key)
        taught = lessons.get(key)
        if taught is not None and taught.unit == IGNORED:
            continue
        found.append(Suggestion(row.question, "refused" if row.abstained else "voted_down",
                                () if row.abstained else row.labels, row.follows or "", taught,
                                answered_now(engine, row.question), choices(engine, row.question), row.answer_id))
        if len(found) >= limit:
            break
    return found


def answered_now(engine, question: str) -> str:
    """The label of the first unit the engine cites for `question` today, "" when it refuses."""
    answer = engine.respond(Question(question, platform="web"))
    if answer.abstained or not answer.citations:
        return ""
    chunk = engine.retriever.chunk_by_id(answer.citations[0].id)
    return unit_label(engine, chunk) if chunk is not None else answer.citations[0].label


def export(lessons, engine, corpus_dir: Path) -> tuple[int, int]:
    """Write the lessons into the corpus files as example questions; (written, kept in the database
    only). A unit is written under its heading key in its own document's Markdown file."""
    written = kept = 0
    for item in lessons:
        if item.unit == IGNORED or not item.question:
            continue
        if item.unit == NOT_COVERED:
            doc, key = None, NOT_COVERED
        else:
            chunk = engine.retriever.chunk_by_id(item.unit)
            doc, key = (chunk.doc, chunk.key) if chunk is not None else (None, "")
        if not key or key == ABOUT_KEY:
            kept += 1
            continue
        try:
            teach(corpus_dir, item.question, key, doc)
            written += 1
        except KeyError:
            kept += 1
    return written, kept


def teach(corpus_dir: Path, question: str, key: str, doc: str | None = None) -> None:
    """Add `question` as an example question of unit `key`, right under its heading (in document
    `doc`'s file when given, else the first file with such a heading).

    Raises KeyError when no Markdown file in the corpus has a heading with `{#key}`, ValueError for
    an empty question and TeachRefused (a ValueError) for one with characters that may not be written
    (`refused_character`). Teaching the same question twice changes nothing. Teaches are serialised
    across threads and processes, and the file is replaced atomically, so a reader never sees half a
    file and no concurrent teach loses another's line."""
    check_characters(question)
    # One line, and no comment markers: a "<!--" here and a "-->" in a later question would otherwise
    # make the Markdown loader drop the report text between them.
    text = " ".join(question.replace("<!--", " ").replace("-->", " ").split())[:MAX_EXAMPLE_CHARS]
    if not text:
        raise ValueError(messages.text("teach_empty"))
    with _corpus_lock(Path(corpus_dir)):
        _insert(Path(corpus_dir), EXAMPLE_PREFIX + text, key, doc)


@contextmanager
def _corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """Exclusive for this process's threads and for other processes teaching into the same corpus."""
    with _thread_lock:
        fd = os.open(corpus_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the only descriptor releases the flock


def _insert(corpus_dir: Path, line: str, key: str, doc: str | None) -> None:
    for path in sorted(corpus_dir.rglob("*.md")):
        if doc is not None and slug(path.stem) != doc:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, current in enumerate(lines):
            match = _HEADING_KEY.match(current.rstrip("\n"))
            if not match or match.group(1) != key:
                continue
            end = i + 1
            while end < len(lines) and lines[end].startswith(EXAMPLE_PREFIX):
                if lines[end].rstrip("\n") == line:
                    return
                end += 1
            lines.insert(end, line + "\n")
            _replace(path, "".join(lines))
            return
    raise KeyError(key)


def _replace(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())  # the new file is complete on disk before it replaces the old one
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
