"""Teaching: owners attach a question the bot refused or got a thumbs-down on to a unit of the report.

`suggestions()` lists such questions from the feedback store with the unit the engine ranks first
for them today; `teach()` writes the question into the corpus as an example question of a unit
(a line `? question` directly under the unit's heading), so the next index build knows it: the
question becomes a passage pointing to the unit (retrieval/passages.py), never quoted itself, and the
answerability model is refitted with it. The key `none` marks a question the report does not answer.

Writes are serialised: the owners' page runs each «Lær» in a worker thread, and `omstillingsbot teach`
may run beside the server, so every teach holds an exclusive lock (a thread lock, and fcntl.flock on
`<corpus>/.teach.lock` across processes) from reading the corpus file to replacing it. Twelve teach
requests at once used to read the same file and each replace the others' line (9-10 of 12 survived).
A question with control characters or U+FFFD (what invalid UTF-8 decodes to) is refused: they would be
written into the corpus as they are (a NUL in a Markdown file).
"""

from __future__ import annotations

import fcntl
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
from bot.types import Question

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


@dataclass(frozen=True)
class Suggestion:
    question: str
    reason: Reason
    top_key: str  # the unit the engine ranks first for the question now ("" when none has a key)
    top_label: str
    answer_id: str  # the most recent stored answer to this question


def suggestions(store, engine, limit: int = 50) -> list[Suggestion]:
    """Refused and voted-down questions, newest first, one per distinct question, re-ranked now.

    Questions stored with storage off (None) cannot be taught and are skipped."""
    seen: set[str] = set()
    found: list[Suggestion] = []
    for row in reversed(store.export_rows()):  # export_rows is oldest first
        if not row.question or not (row.abstained or row.down):
            continue
        norm = " ".join(row.question.split()).casefold()
        if norm in seen:
            continue
        seen.add(norm)
        key, label = _top_unit(engine, row.question)
        found.append(Suggestion(row.question, "refused" if row.abstained else "voted_down", key, label, row.answer_id))
        if len(found) >= limit:
            break
    return found


def _top_unit(engine, question: str) -> tuple[str, str]:
    """The first cited unit of today's answer; for a refusal (nothing cited) the best-ranked keyed chunk."""
    answer = engine.respond(Question(question, platform="web"))
    chunks = {c.id: c for c in engine.retriever.chunks}
    for citation in answer.citations:
        chunk = chunks.get(citation.id)
        if chunk is not None and chunk.key:
            return chunk.key, chunk.label
    for hit in engine.search(question).hits:
        if hit.chunk.key:
            return hit.chunk.key, hit.chunk.label
    return "", ""


def teach(corpus_dir: Path, question: str, key: str) -> None:
    """Add `question` as an example question of unit `key`, right under its heading.

    Raises KeyError when no Markdown file in the corpus has a heading with `{#key}`, ValueError for
    an empty question and TeachRefused (a ValueError) for one with characters that may not be written
    (`refused_character`). Teaching the same question twice changes nothing. Teaches are serialised
    across threads and processes, and the file is replaced atomically, so a reader never sees half a
    file and no concurrent teach loses another's line."""
    bad = refused_character(question)
    if bad is not None:
        raise TeachRefused(messages.text("teach_bad_character", code=f"U+{ord(bad):04X}"))
    # One line, and no comment markers: a "<!--" here and a "-->" in a later question would otherwise
    # make the Markdown loader drop the report text between them.
    text = " ".join(question.replace("<!--", " ").replace("-->", " ").split())[:MAX_EXAMPLE_CHARS]
    if not text:
        raise ValueError(messages.text("teach_empty"))
    with _corpus_lock(Path(corpus_dir)):
        _insert(Path(corpus_dir), EXAMPLE_PREFIX + text, key)


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


def _insert(corpus_dir: Path, line: str, key: str) -> None:
    for path in sorted(corpus_dir.rglob("*.md")):
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
