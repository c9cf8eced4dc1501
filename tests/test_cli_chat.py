"""The terminal chat as a newcomer meets it: a first screen that says what to try, no log lines,
and the Slack form `/omstilling …` understood as in Slack. Real CLI process, real engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import messages
from bot.cli import chat_question
from bot.types import Question

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path, base_settings, engine) -> Path:
    """A fresh data folder (own feedback store, no secret yet) that reuses the session's built index."""
    (tmp_path / "index").symlink_to(base_settings.data_dir / "index", target_is_directory=True)
    return tmp_path


def chat(data_dir: Path, stdin: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMSTILLINGSBOT_DATA": str(data_dir), "OMSTILLINGSBOT_CORPUS": str(ROOT / "corpus"),
           "LOG_LEVEL": "INFO"}
    env.pop("OMSTILLINGSBOT_FEEDBACK_SECRET", None)  # so start-up has a warning to log (secret generated)
    return subprocess.run([sys.executable, "-m", "bot.cli", "chat", *flags], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=180, check=False)


def test_the_chat_is_quiet_says_what_to_try_and_takes_the_slack_form(data_dir):
    out = chat(data_dir, "/omstilling anbefaling 5\n/omstilling\n")
    assert out.returncode == 0
    assert out.stderr == ""  # no INFO lines, no warning before the first prompt
    assert out.stdout.startswith(messages.text("chat_welcome"))
    assert messages.text("chat_log_file", path=data_dir / "chat.log") in out.stdout
    log = (data_dir / "chat.log").read_text(encoding="utf-8")
    assert "WARNING" in log and " INFO " not in log
    # "/omstilling anbefaling 5" is the command "anbefaling 5" (there are three), and a bare
    # "/omstilling" is help, exactly as the Slack slash command treats them.
    assert messages.text("out_of_range", kind=messages.text("kind_recommendations"), count=3,
                         command="anbefaling", plural="anbefalinger") in out.stdout
    assert messages.text("help") in out.stdout


def test_verbose_shows_the_log_in_the_terminal(data_dir):
    out = chat(data_dir, "hjelp\n", "--verbose")
    assert out.returncode == 0
    assert " INFO " in out.stderr and "WARNING" in out.stderr
    assert messages.text("chat_log_file", path=data_dir / "chat.log") not in out.stdout
    assert not (data_dir / "chat.log").exists()


@pytest.mark.parametrize("typed, question", [
    ("/omstilling anbefaling 2", Question("anbefaling 2", platform="cli", via_command=True)),
    ("/OMSTILLING  hjelp ", Question("hjelp", platform="cli", via_command=True)),
    ("/omstilling", Question("", platform="cli", via_command=True)),
    ("/omstillingen er viktig", Question("/omstillingen er viktig", platform="cli")),
    ("Hva er anbefaling 2?", Question("Hva er anbefaling 2?", platform="cli")),
])
def test_the_slack_form_is_a_command_and_anything_else_a_question(typed, question):
    assert chat_question(typed.strip()) == question


def test_the_chat_numbers_its_next_steps_and_a_typed_number_asks_one(data_dir):
    out = chat(data_dir, "Hvem vant fotball-VM i 2018?\n1\n")
    assert out.returncode == 0
    refusal, picked = out.stdout.split("> ")[1:3]
    assert messages.text("refusal_summary") in refusal
    steps = next(line for line in refusal.splitlines() if line.startswith(messages.text("next_steps_prompt")))
    label = steps.split("1) ", 1)[1].split(" 2) ", 1)[0]
    # Typing "1" asked the first suggestion: the answer cites the unit the suggestion named.
    assert any(line.startswith(f"[a] {label}") for line in picked.splitlines())
