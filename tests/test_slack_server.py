"""Slack inside the real server (`bot.server.build_app`): the same app that `omstillingsbot serve` runs."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_app
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack
from tests.slack_fakes import BOT_TOKEN, SIGNING_SECRET

pytest.importorskip("bot.teams.adapter", reason="build_app mounts the Teams adapter too")


async def test_the_server_answers_a_signed_mention_through_slack(settings, make_service):
    fake = FakeSlack(BOT_TOKEN)
    configured = settings.with_(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                                slack_api_url=await fake.start())
    try:
        async with TestClient(TestServer(build_app(configured, lambda: make_service(configured)))) as client:
            body = json.dumps(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?")))
            response = await client.post("/slack/events", data=body, headers=p.signed_headers(SIGNING_SECRET, body))
            assert response.status == 200
            [post] = await fake.wait_for("chat.postMessage", timeout=30)  # waits for the engine to load, too
            assert "Overfor underliggende virksomheter" in post.params["text"]
    finally:
        await fake.stop()
