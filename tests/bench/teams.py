"""The Teams figure for `make bench`: 50 concurrent messages through the real adapter.

The bot's aiohttp app (local mode) listens on loopback; a fake Bot Connector and the load generator
run in a separate process, as Microsoft's side would on its own machines; every message is a distinct question in its own personal chat, POSTed at once as the Bot Connector
sends it. Measured per message: the time from the POST to the reply arriving at the fake
connector. Then every message is delivered again with the same activity id (the Bot Connector's
retry), which must produce no second answer, and 20 messages are sent one at a time: the latency a
single user sees when the bot is not queueing behind a burst. The engine-only time for the same
questions is measured too, so the adapter's own share is visible.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from tests.bench.core import latency_summary
from bot.settings import Settings
from tests.fakes import teams_activities as fa
from tests.fakes.teams_connector import FakeConnector
from tests.bench.peer import against_peer, receive
from bot.types import Question

if TYPE_CHECKING:
    from bot.serving.service import ChatService

MESSAGES = 50
SEQUENTIAL = 20
STEP_TIMEOUT_S = 120
P95_TARGET_MS = 100.0


def _questions(count: int) -> list[str]:
    """Distinct questions from the same question set as the rest of `make bench`."""
    from tests.bench.core import questions

    pool = questions()
    return [pool[n % len(pool)] for n in range(count)]


async def _post(session: aiohttp.ClientSession, url: str, activity: dict) -> tuple[float, int]:
    started = time.perf_counter()
    async with session.post(url, json=activity) as response:
        await response.read()
        return started, response.status


def _reply_times(fake: FakeConnector, sent: list[tuple[dict, float]]) -> tuple[list[float], Counter]:
    """POST -> reply at the connector, matched by conversation; and how many replies each conversation got."""
    replies = {call.conversation_id: call for call in fake.messages()}
    counts = Counter(call.conversation_id for call in fake.messages())
    times = [(replies[a["conversation"]["id"]].at - started) * 1000
             for a, started in sent if a["conversation"]["id"] in replies]
    return times, counts


async def _load(fake: FakeConnector, connector_url: str, url: str, messages: int) -> dict:
    """Microsoft's side: warm up, fire the burst at once, redeliver it, then send messages one at a time."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=messages)) as session:
        await _post(session, url, fa.message("oppvarming", connector_url, conversation_id="a:warmup"))
        await fake.wait_for_messages(1, STEP_TIMEOUT_S)
        # `messages` keep-alive connections are opened first, as in the Slack figure (Microsoft's senders
        # keep theirs open too), so the burst is the bot's work and not the load generator's TCP
        # handshakes: a typing activity from the user, which the bot receives and ignores.
        await asyncio.gather(*(_post(session, url, fa.envelope("typing", connector_url, conversation_id=f"a:warm-{n:03d}"))
                               for n in range(messages)))
        questions = _questions(messages + SEQUENTIAL)
        burst = [fa.message(q, connector_url, conversation_id=f"a:bench-{n:03d}")
                 for n, q in enumerate(questions[:messages])]
        posted = await asyncio.gather(*(_post(session, url, a) for a in burst))
        await fake.wait_for_messages(messages + 1, STEP_TIMEOUT_S)
        redelivered = await asyncio.gather(*(_post(session, url, a) for a in burst))
        await fake.settle(0.5)
        burst_ms, counts = _reply_times(fake, [(a, started) for a, (started, _) in zip(burst, posted)])
        alone = []
        for n, question in enumerate(questions[messages:]):
            activity = fa.message(question, connector_url, conversation_id=f"a:alone-{n:03d}")
            alone.append((activity, (await _post(session, url, activity))[0]))
            await fake.wait_for_messages(messages + 2 + n, STEP_TIMEOUT_S)
        alone_ms, _ = _reply_times(fake, alone)
    once = all(counts[a["conversation"]["id"]] == 1 for a in burst)
    return {
        "messages": messages,
        "http_200": sum(status == 200 for _, status in posted),
        "answered": len(burst_ms),
        "answered_exactly_once": once,
        "redeliveries_http_200": sum(status == 200 for _, status in redelivered),
        "burst_post_to_reply": latency_summary(burst_ms),
        "one_at_a_time_post_to_reply": latency_summary(alone_ms),
    }


def _microsoft_side(conn: Connection, messages: int) -> None:
    """Child process: the fake Bot Connector and the load generator, away from the bot's GIL and event loop."""
    asyncio.run(_microsoft_main(conn, messages))


async def _microsoft_main(conn: Connection, messages: int) -> None:
    fake = FakeConnector()
    connector_url = await fake.start()
    conn.send(connector_url)
    url = await asyncio.to_thread(receive, conn, STEP_TIMEOUT_S)
    try:
        conn.send(await _load(fake, connector_url, url, messages))
    finally:
        await fake.stop()


async def bench_teams(make_service: Callable[[], ChatService], messages: int = MESSAGES) -> dict:
    """`make_service` builds a ChatService (real engine, real feedback store); it runs in a worker thread.
    Microsoft's side (fake Bot Connector + load generator) runs in its own process (tests/bench/peer.py):
    in one process it shared the interpreter lock, and the connector's work was counted as the bot's."""
    from bot.teams import adapter  # imported here so `bench` without Teams installed still imports

    def mount(app: web.Application, _connector_url: str, get_service) -> None:
        adapter.mount(app, Settings(), get_service)  # the activities carry the connector's URL

    async def engine_only(service: ChatService) -> dict:
        engine_ms = []
        for question in _questions(messages + SEQUENTIAL)[messages:]:
            started = time.perf_counter()
            await asyncio.to_thread(service.engine.respond, Question(question, platform="teams"))
            engine_ms.append((time.perf_counter() - started) * 1000)
        return {"one_at_a_time_engine_only": latency_summary(engine_ms)}

    result = await against_peer(_microsoft_side, (messages,), "/api/messages", STEP_TIMEOUT_S, make_service,
                                mount, after=engine_only)
    result["target_p95_ms"] = P95_TARGET_MS
    result["targets_met"] = result["answered_exactly_once"] and result["answered"] == messages and \
        result["burst_post_to_reply"]["p95_ms"] <= P95_TARGET_MS
    return result
