"""The CLI's JSON contract and the local HTTP server (`/healthz`, `/api/ask`), end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app

ROOT = Path(__file__).resolve().parents[1]
CITATION_KEYS = {"id", "label", "text", "source", "page", "url", "focus", "marker"}


def _env(settings) -> dict:
    return {**os.environ, "OMSTILLINGSBOT_DATA": str(settings.data_dir), "OMSTILLINGSBOT_CORPUS": str(settings.corpus_dir),
            "OMSTILLINGSBOT_FEEDBACK_SECRET": "test", "LOG_LEVEL": "WARNING"}


def run_cli(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=_env(settings), cwd=ROOT, timeout=120, check=False)


def test_ask_json_reads_questions_from_stdin_one_object_per_line(base_settings, engine):
    out = run_cli(base_settings, "ask", "--json", "-", stdin="Hva er rapportens hovedanbefaling?\nHvem vant fotball-VM?\n\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 3
    first, off_topic, empty = rows
    assert {"question", "answer", "abstained", "confidence", "citations"} <= set(first)
    assert first["question"] == "Hva er rapportens hovedanbefaling?" and not first["abstained"]
    assert set(first["citations"][0]) == CITATION_KEYS
    assert "styrke sin rolle som strategisk aktør" in first["citations"][0]["text"]
    assert off_topic["abstained"] and off_topic["citations"] == []
    assert empty["kind"] == "invalid"


def test_ask_prints_a_readable_answer_with_sources(base_settings, engine):
    out = run_cli(base_settings, "ask", "anbefaling", "2")
    assert out.returncode == 0, out.stderr
    assert "[1] Anbefaling 2 – overfor underliggende virksomheter · Difi-rapport 2019:3" in out.stdout


def test_chat_answers_and_takes_a_vote(settings, engine):
    out = run_cli(settings, "chat", stdin="Hva bør departementene gjøre overfor underliggende virksomheter?\n+\n")
    assert out.returncode == 0, out.stderr
    assert "Anbefaling 2" in out.stdout and "Takk! Tilbakemeldingen er anonym." in out.stdout


def test_eval_prints_the_metrics(base_settings, engine):
    out = run_cli(base_settings, "eval", str(ROOT / "corpus" / "questions" / "heldout.jsonl"))
    assert out.returncode == 0, out.stderr
    for metric in ("recall@1", "recall@3", "avstår riktig", "svartid p50 / p95"):
        assert metric in out.stdout


@pytest.fixture
async def client(settings, make_service):
    app = build_app(settings, lambda: make_service())
    async with TestClient(TestServer(app)) as client:
        yield client


async def _ready(client) -> None:
    for _ in range(200):
        if (await client.get("/healthz")).status == 200:
            return
        import asyncio

        await asyncio.sleep(0.05)
    raise AssertionError("server never became ready")


async def test_healthz_is_ready_once_the_index_is_loaded(client):
    await _ready(client)
    assert await (await client.get("/healthz")).json() == {"status": "ok"}


async def test_api_ask_returns_the_cli_json_contract(client):
    await _ready(client)
    response = await client.post("/api/ask", json={"question": "Hva bør departementene gjøre overfor andre departementer?"})
    assert response.status == 200
    body = await response.json()
    assert body["citations"][0]["label"] == "Anbefaling 3 – overfor andre departementer"
    assert set(body["citations"][0]) == CITATION_KEYS and body["answer_id"]


@pytest.mark.parametrize("payload, status, message", [
    (b"{not json", 400, "Ugyldig JSON"),
    ('{"spørsmål": "hei"}'.encode(), 400, "question"),
    (b'["a list"]', 400, "question"),
    (b'{"question": 42}', 400, "question"),
])
async def test_api_ask_rejects_bad_input_with_a_clear_message(client, payload, status, message):
    response = await client.post("/api/ask", data=payload, headers={"content-type": "application/json"})
    assert response.status == status
    assert message in (await response.json())["error"]


async def test_api_ask_answers_huge_and_empty_questions_without_failing(client, settings):
    await _ready(client)
    long = await (await client.post("/api/ask", json={"question": "ord " * 600})).json()
    assert long["kind"] == "invalid" and "for lang" in long["answer"]
    empty = await (await client.post("/api/ask", json={"question": ""})).json()
    assert empty["kind"] == "invalid"
    too_big = await client.post("/api/ask", data=b'{"question": "' + b"a" * (settings.max_body_bytes + 10) + b'"}',
                                headers={"content-type": "application/json"})
    assert too_big.status == 413


async def test_api_ask_keeps_a_conversation_by_its_id(client):
    await _ready(client)
    first = await (await client.post("/api/ask", json={"question": "anbefaling 2", "conversation_id": "web-1"})).json()
    assert first["conversation_id"] == "web-1"
    why = await (await client.post("/api/ask", json={"question": "hvorfor det?", "conversation_id": "web-1"})).json()
    assert why["conversation_id"] == "web-1" and why["citations"][0]["label"].startswith("Utfordring 2")
    other = await (await client.post("/api/ask", json={"question": "hvorfor det?", "conversation_id": "web-2"})).json()
    assert other["citations"] == []  # another conversation has nothing to point back to
    plain = await (await client.post("/api/ask", json={"question": "hvorfor det?"})).json()
    assert "conversation_id" not in plain and plain["citations"] == []


@pytest.mark.parametrize("conversation_id", ["x" * 129, 42, "", ["a"]])
async def test_api_ask_rejects_a_bad_conversation_id(client, conversation_id):
    response = await client.post("/api/ask", json={"question": "anbefaling 2", "conversation_id": conversation_id})
    assert response.status == 400 and "conversation_id" in (await response.json())["error"]


def test_ask_json_reads_conversations_from_json_lines(settings, engine):
    lines = [
        json.dumps({"question": "utfordringer", "conversation_id": "cli-1"}),
        json.dumps({"question": "den tredje", "conversation_id": "cli-1"}),
        "den tredje",  # a plain line has no conversation
        json.dumps({"question": "x", "conversation_id": "y" * 200}),
    ]
    out = run_cli(settings, "ask", "--json", "-", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    listing, third, alone, bad = [json.loads(line) for line in out.stdout.splitlines()]
    assert listing["conversation_id"] == "cli-1" and len(listing["citations"]) == 4
    assert third["conversation_id"] == "cli-1" and third["citations"][0]["label"].startswith("Utfordring 3")
    assert "conversation_id" not in alone and alone["citations"] == []
    assert "conversation_id" in bad["error"]


def test_eval_on_a_conversations_file_reports_turn_accuracy(base_settings, engine, tmp_path):
    conversation = {"id": "c1", "lang": "nb", "turns": [
        {"user": "hei", "expect": {"smalltalk": True}}, {"user": "utfordringer", "expect": {"cites_any_top3": ["press"]}},
        {"user": "den andre", "expect": {"cites_any": ["drift"]}}, {"user": "Hvem vant VM?", "expect": {"abstain": True}}]}
    path = tmp_path / "conversations.jsonl"
    path.write_text(json.dumps(conversation, ensure_ascii=False) + "\n", encoding="utf-8")
    out = run_cli(base_settings, "eval", str(path))
    assert out.returncode == 0, out.stderr
    for metric in ("riktige turer", "senere turer", "smalltalk", "cites_any_top3", "abstain"):
        assert metric in out.stdout
