"""Teaching writes into the corpus file: concurrent teaches (threads of the server, separate
`omstillingsbot teach` processes) each keep their line, and characters that do not belong in a
Markdown file (NUL and other controls, U+FFFD from invalid UTF-8, bidi controls) are refused.
Real corpus copies, real threads and real child processes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.answering.teaching import TeachRefused, teach

ROOT = Path(__file__).resolve().parents[1]
REPORT = "difi-rapport-2019-3.md"
KEYS = ("A2", "U1", "A1")


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / REPORT, folder / REPORT)  # the report alone: teach only reads *.md
    return folder


def _taught(corpus: Path) -> list[str]:
    return [line for line in (corpus / REPORT).read_text(encoding="utf-8").splitlines()
            if line.startswith("? Samtidig spørsmål")]


def test_twelve_teaches_at_once_all_reach_the_corpus_file(corpus):
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def one(n: int) -> None:
        barrier.wait()
        try:
            teach(corpus, f"Samtidig spørsmål nummer {n}?", KEYS[n % len(KEYS)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for _round in range(3):  # three bursts: a lost line shows in practically every run without the lock
        threads = [threading.Thread(target=one, args=(n + 100 * _round,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert len(_taught(corpus)) == 36
    assert (corpus / ".teach.lock").stat().st_mode & 0o777 == 0o600


def _teach_in_child(corpus: str, writer: int, count: int, start) -> None:
    start.wait()
    for n in range(count):
        teach(Path(corpus), f"Samtidig spørsmål fra prosess {writer} nummer {n}?", KEYS[(writer + n) % len(KEYS)])


def test_teaches_from_separate_processes_all_reach_the_corpus_file(corpus):
    """`omstillingsbot teach` beside a running server: the lock holds across processes, not only threads."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    children = [context.Process(target=_teach_in_child, args=(str(corpus), w, 15, start)) for w in range(4)]
    for child in children:
        child.start()
    start.set()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert len(_taught(corpus)) == 60


@pytest.mark.parametrize("question", [
    "Hva er\x00 anbefaling 2?", "Hva er \ufffd\ufffd anbefaling 2?", "Hva er \x1b[31manbefaling 2?",
    "Hva er \u202eanbefaling 2?", "Hva er \x7f anbefaling 2?", "Hva er \udcff anbefaling 2?",
])
def test_control_characters_and_replacement_characters_are_refused(corpus, question):
    before = (corpus / REPORT).read_bytes()
    with pytest.raises(TeachRefused) as refused:
        teach(corpus, question, "A2")
    assert "ikke kan skrives inn i korpuset" in str(refused.value) and "U+" in str(refused.value)
    assert (corpus / REPORT).read_bytes() == before


def test_ordinary_text_with_line_breaks_tabs_and_emoji_is_taught(corpus):
    teach(corpus, "Samtidig spørsmål:\tHva med\r\ntillit 👍🏽 og «sitater»?", "A2")
    assert _taught(corpus) == ["? Samtidig spørsmål: Hva med tillit 👍🏽 og «sitater»?"]


def test_teach_command_refuses_invalid_utf8_plainly(corpus, tmp_path):
    """Bytes that are not UTF-8 on the command line arrive as lone surrogates: refused with the message,
    exit 2, the corpus unchanged, no traceback."""
    before = (corpus / REPORT).read_bytes()
    env = {**os.environ, "OMSTILLINGSBOT_CORPUS": str(corpus), "OMSTILLINGSBOT_DATA": str(tmp_path / "data"),
           "OMSTILLINGSBOT_FEEDBACK_SECRET": "t", "LC_ALL": "C.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "teach", b"Hva er \xff\xfe anbefaling 2?", "A2"],
                         env=env, cwd=ROOT, capture_output=True, timeout=120, check=False)
    stderr = out.stderr.decode("utf-8", "replace")
    assert out.returncode == 2, stderr
    assert "Kan ikke lære boten det" in stderr and "ikke kan skrives inn i korpuset" in stderr
    assert "Traceback" not in stderr
    assert (corpus / REPORT).read_bytes() == before
