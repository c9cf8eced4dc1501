"""Test harness for the Slack scenarios: the bot's aiohttp app on a loopback test server, wired to the
local fake Slack (tests.fakes.slack_api) through SLACK_API_URL, and helpers that send requests signed
exactly as Slack signs them. The bot under test is the real adapter, engine and SQLite store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.serving.service import ChatService
from bot.settings import Settings
from bot.slack import adapter
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000-test-bot-token"
APP_TOKEN = "xapp-1-test-app-token"
FORM = "application/x-www-form-urlencoded"
PROBE_CHANNEL = "C0PROBE001"  # where after_a_later_event asks its question


@dataclass
class SlackHarness:
    client: TestClient
    fake: FakeSlack
    service: ChatService
    settings: Settings

    async def post_json(self, payload: dict, **sign: object) -> tuple[int, str]:
        body = json.dumps(payload)
        response = await self.client.post("/slack/events", data=body,
                                          headers=p.signed_headers(SIGNING_SECRET, body, **sign))
        return response.status, await response.text()

    async def post_form(self, body: str, **sign: object) -> tuple[int, str]:
        response = await self.client.post("/slack/events", data=body,
                                          headers=p.signed_headers(SIGNING_SECRET, body, content_type=FORM, **sign))
        return response.status, await response.text()

    async def event(self, event: dict, event_id: str | None = None, **sign: object) -> tuple[int, str]:
        return await self.post_json(p.event_callback(event, event_id), **sign)

    async def after_a_later_event(self) -> None:
        """The explicit signal for a check that something did *not* happen: send one more event (a mention
        asking "hjelp" in PROBE_CHANNEL) and wait for its answer. The engine answers in arrival order and the
        probe needs more work (the engine, a post) than any event ignored before it, so once its answer is in
        the fake's log, whatever the earlier events were going to send is there too. (Events are acknowledged
        before they are handled, so a test whose earlier event does send something waits for that first.)
        The probe's own calls (and bolt's one-time auth.test on its behalf) are then dropped from the log."""
        first_new = len(self.fake.calls)
        await self.event(p.app_mention(f"<@{BOT_USER_ID}> hjelp", channel=PROBE_CHANNEL))

        def answered(calls) -> bool:
            return any(c.method == "chat.postMessage" and c.params.get("channel") == PROBE_CHANNEL for c in calls)

        assert await self.fake.wait_until(answered, timeout=15), "the probe event was not answered"
        probe_auth = {id(c) for c in self.fake.calls[first_new:] if c.method == "auth.test"}
        self.fake.drop(lambda call: call.params.get("channel") == PROBE_CHANNEL or id(call) in probe_auth)

    async def command(self, text: str, **kw: object) -> dict:
        """Run `/omstilling <text>` and return the ephemeral response posted to the response_url."""
        url = self.fake.response_url()
        status, _ = await self.post_form(p.slash_command(text, url, **kw))
        assert status == 200
        return (await self.wait_response(url)).params

    async def wait_response(self, url: str, count: int = 1):
        """The `count`-th post the bot made to this response_url."""
        key = url.rsplit("/", 1)[1]

        def posts(calls):
            return [c for c in calls if c.method == "response_url" and c.params["_key"] == key]

        assert await self.fake.wait_until(lambda calls: len(posts(calls)) >= count), f"no post #{count} to {url}"
        return posts(self.fake.calls)[count - 1]


@asynccontextmanager
async def running_slack(settings: Settings, make_service: Callable[..., ChatService], *,
                        progress_after_s: float = 1.5, not_in_channels: frozenset[str] = frozenset(),
                        signing_secret: str = SIGNING_SECRET, app_token: str = "",
                        prepare: Callable[[FakeSlack], None] | None = None) -> AsyncIterator[SlackHarness]:
    """The bot's Slack adapter on a test server, wired to a fresh fake Slack (`prepare` scripts it first)."""
    fake = FakeSlack(BOT_TOKEN, app_token=app_token, not_in_channels=not_in_channels)
    if prepare is not None:
        prepare(fake)
    api_url = await fake.start()
    settings = settings.with_(slack_bot_token=BOT_TOKEN, slack_signing_secret=signing_secret,
                              slack_api_url=api_url, slack_app_token=app_token)
    service = make_service(settings)

    async def get_service() -> ChatService:
        return service

    app = web.Application(client_max_size=settings.max_body_bytes)
    adapter.mount(app, settings, get_service, progress_after_s=progress_after_s)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield SlackHarness(client, fake, service, settings)
    finally:
        await client.close()
        await fake.stop()


def find_block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)


def button(blocks: list[dict], action_id: str) -> dict:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no element {action_id}")


async def eventually(check: Callable[[], Awaitable[object]], timeout: float = 5.0) -> object:
    """Poll an async check until it returns something truthy (work that follows a Web API call)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.02)
