"""The Slack figure for `make bench`: 50 concurrent signed mentions through the real adapter.

The bot's aiohttp app (real adapter, engine and feedback store) listens on loopback; Slack's side,
the fake Web API plus the load generator, runs in a separate process as it would on its own
machine. Every mention is a distinct question, POSTed at once and signed as Slack signs it.
Figures: the HTTP acknowledgement time, and the time from the POST to the answer arriving at the
fake chat.postMessage (p50/p95), for the burst and for mentions sent one at a time. After the
burst every mention is redelivered as a Slack retry (X-Slack-Retry-Num): none may be answered twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from tests.bench.core import latency_summary
from bot.settings import Settings
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack
from tests.bench.peer import against_peer, receive

if TYPE_CHECKING:
    from bot.serving.service import ChatService

MENTIONS = 50
SEQUENTIAL = 20
STEP_TIMEOUT_S = 60
ACK_P95_TARGET_MS = 20.0
POST_P95_TARGET_MS = 100.0
_SECRET = "bench-signing-secret"
_TOKEN = "xoxb-bench-token"
def _question(n: int) -> str:
    """Distinct questions from the same question set as the rest of `make bench`."""
    from tests.bench.core import questions

    pool = questions()
    return pool[n % len(pool)]


async def _post(session: aiohttp.ClientSession, url: str, payload: dict, retry_num: int | None = None) -> tuple[float, float, int]:
    body = json.dumps(payload)
    headers = p.signed_headers(_SECRET, body, retry_num=retry_num)
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return started, time.perf_counter(), response.status


async def _load(fake: FakeSlack, url: str, mentions: int) -> tuple[list[dict], list, list, list]:
    """Slack's side: warm up, fire the mentions at once, wait for the answers, then redeliver them all."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=mentions)) as session:
        # Warm-up: bolt's one-time auth.test and the first embedding are not part of the figure, and
        # `mentions` keep-alive connections are opened first (Slack's senders keep theirs open too),
        # so the figure is the bot's acknowledgement and not the load generator's TCP handshakes.
        await _post(session, url, p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> oppvarming")))
        await fake.wait_for("chat.postMessage", 1, timeout=STEP_TIMEOUT_S)
        await asyncio.gather(*(_post(session, url, p.url_verification(f"warm{n}")) for n in range(mentions)))
        envelopes = [p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> {_question(n)}", channel=f"C0BENCH{n:03d}"))
                     for n in range(mentions)]
        sent = await asyncio.gather(*(_post(session, url, e) for e in envelopes))
        await fake.wait_for("chat.postMessage", mentions + 1, timeout=STEP_TIMEOUT_S)
        retried = await asyncio.gather(*(_post(session, url, e, retry_num=1) for e in envelopes))
        await fake.settle(0.5)
        # One at a time: the latency a single user sees when the bot is not queueing behind a burst.
        alone = []
        for n in range(SEQUENTIAL):
            envelope = p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> {_question(n + 7)}", channel=f"C0ALONE{n:03d}"))
            started, acked, _ = await _post(session, url, envelope)
            calls = await fake.wait_for("chat.postMessage", mentions + 2 + n, timeout=STEP_TIMEOUT_S)
            alone.append(((acked - started) * 1000, (calls[-1].at - started) * 1000))
    return envelopes, sent, retried, alone


def _slack_side(conn: Connection, mentions: int) -> None:
    """Child process: the fake Slack and the load generator, away from the bot's GIL and event loop."""
    asyncio.run(_slack_main(conn, mentions))


async def _slack_main(conn: Connection, mentions: int) -> None:
    fake = FakeSlack(_TOKEN)
    conn.send(await fake.start())
    url = await asyncio.to_thread(receive, conn, STEP_TIMEOUT_S)
    try:
        envelopes, sent, retried, alone = await _load(fake, url, mentions)
        figures = _figures(fake, envelopes, sent, retried, mentions)
        figures["one_at_a_time"] = {"http_ack": latency_summary([a for a, _ in alone]),
                                    "event_to_post_message": latency_summary([b for _, b in alone])}
        conn.send(figures)
    finally:
        await fake.stop()


async def bench_slack(make_service: Callable[[], ChatService], mentions: int = MENTIONS) -> dict:
    """Slack's side (fake Web API + load generator) runs in its own process (tests/bench/peer.py)."""
    from bot.slack import adapter  # the child process needs only the fake, not bolt

    def mount(app: web.Application, api_url: str, get_service) -> None:
        settings = Settings(slack_bot_token=_TOKEN, slack_signing_secret=_SECRET, slack_api_url=api_url)
        adapter.mount(app, settings, get_service)

    return await against_peer(_slack_side, (mentions,), "/slack/events", STEP_TIMEOUT_S, make_service, mount)


def _figures(fake: FakeSlack, envelopes: list[dict], sent: list, retried: list, mentions: int) -> dict:
    posts = {call.params.get("channel"): call for call in fake.calls_to("chat.postMessage")}
    per_channel = Counter(call.params.get("channel") for call in fake.calls_to("chat.postMessage"))
    post_ms, missing = [], 0
    for envelope, (started, _, _) in zip(envelopes, sent):
        call = posts.get(envelope["event"]["channel"])
        if call is None:
            missing += 1
        else:
            post_ms.append((call.at - started) * 1000)
    ack_ms = [(done - started) * 1000 for started, done, _ in sent]
    answered_once = all(per_channel[e["event"]["channel"]] == 1 for e in envelopes)
    result = {
        "mentions": mentions,
        "acks_200": sum(status == 200 for _, _, status in sent),
        "answered": mentions - missing,
        "answered_exactly_once": answered_once,
        "retries_acked_200": sum(status == 200 for _, _, status in retried),
        "http_ack": latency_summary(ack_ms),
        "event_to_post_message": latency_summary(post_ms) if post_ms else {},
        "targets": {"http_ack_p95_ms": ACK_P95_TARGET_MS, "event_to_post_message_p95_ms": POST_P95_TARGET_MS},
    }
    result["targets_met"] = bool(post_ms) and answered_once and \
        result["http_ack"]["p95_ms"] <= ACK_P95_TARGET_MS and \
        result["event_to_post_message"]["p95_ms"] <= POST_P95_TARGET_MS
    return result
