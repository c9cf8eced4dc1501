"""End to end, the way `make run` starts the bot: `omstillingsbot serve` as a process on a real port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.slow
def test_serve_starts_answers_and_stops_cleanly_on_sigterm(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft"))}
    env.update(PORT=str(port), OMSTILLINGSBOT_DATA=str(tmp_path), OMSTILLINGSBOT_CORPUS=str(ROOT / "corpus"),
               LOG_LEVEL="INFO")
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            # A first start from an empty data folder embeds the corpus and ~1,800 labelled and example
            # questions (~55 s on an idle two-core machine, more beside other work).
            deadline = time.monotonic() + 180
            status = 0
            while time.monotonic() < deadline:
                try:
                    status, _ = _get(base + "/healthz")
                except OSError:
                    status = 0
                if status == 200:
                    break
                time.sleep(0.1)
            assert status == 200, log.read_text()
            question = "Hvordan bør embetsverket opptre overfor politisk ledelse?"
            request = urllib.request.Request(base + "/api/ask", data=json.dumps({"question": question}).encode(),
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                body = json.loads(response.read())
            assert body["citations"][0]["label"] == "Anbefaling 1 – overfor politisk ledelse"
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)
    output = log.read_text()
    assert code == 0, output
    assert "Slack er av" in output or "Slack" in output
    # Privacy: INFO logs carry no message text and no tokens.
    assert question not in output and "embetsverket opptre" not in output
