"""End to end through the real server process: `omstillingsbot serve` (python -m bot.cli serve) started with
Slack and Teams configured only from environment variables, as in production, and answering

- a signed Slack mention, through the local fake Slack Web API (SLACK_API_URL), and
- a Teams message carrying a Bot Framework token, through the fake Bot Connector (the activity's
  serviceUrl), with the token checked against the local issuer (ToBotFromChannelOpenIdMetadataUrl) and
  the reply sent with the bot's own token from it (ToChannelFromBotLoginUrl).

The fakes run in this test's process; the bot knows them only by the variables it is started with.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from tests.conftest import ROOT
from tests.fakes import slack_payloads as p
from tests.fakes import teams_activities as fa
from tests.fakes.bot_framework_auth import FakeBotFrameworkAuth
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack
from tests.fakes.teams_connector import FakeConnector

SLACK_TOKEN = "xoxb-e2e-process-token"
SLACK_SECRET = "e2e-signing-secret-0123456789abcdef"
APP_ID = "5d0c1e2f-2222-4333-8444-555566667777"
APP_PASSWORD = "e2e-client-secret"
SLACK_QUESTION = "Hva anbefaler rapporten overfor underliggende virksomheter?"
TEAMS_QUESTION = "Hvordan bør embetsverket opptre overfor politisk ledelse?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _until_healthy(http: aiohttp.ClientSession, base: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the server never became healthy:\n" + log.read_text())


@pytest.mark.slow
async def test_serve_answers_slack_and_teams_configured_from_the_environment(engine, base_settings, tmp_path):
    # `engine` built the index into the session's data folder; the process reuses it instead of embedding again.
    slack, connector = FakeSlack(SLACK_TOKEN), FakeConnector()
    issuer = FakeBotFrameworkAuth(tmp_path).start()
    api_url = await slack.start()
    await connector.start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft", "OMSTILLINGSBOT_"))}
    env.update(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="INFO",
               OMSTILLINGSBOT_CORPUS=str(ROOT / "corpus"), OMSTILLINGSBOT_DATA=str(base_settings.data_dir),
               DATABASE_URL=f"sqlite:///{tmp_path / 'feedback.sqlite3'}", OMSTILLINGSBOT_FEEDBACK_SECRET="e2e-secret",
               SLACK_BOT_TOKEN=SLACK_TOKEN, SLACK_SIGNING_SECRET=SLACK_SECRET, SLACK_API_URL=api_url,
               MicrosoftAppId=APP_ID, MicrosoftAppPassword=APP_PASSWORD, **issuer.environment())
    log = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    try:
        with log.open("w") as sink:
            process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                                       stdout=sink, stderr=subprocess.STDOUT)
        try:
            async with aiohttp.ClientSession() as http:
                await _until_healthy(http, base, process, log)

                # Slack: a mention signed with the signing secret, answered in its thread via chat.postMessage.
                mention = p.app_mention(f"<@{BOT_USER_ID}> {SLACK_QUESTION}")
                body = json.dumps(p.event_callback(mention))
                async with http.post(f"{base}/slack/events", data=body,
                                     headers=p.signed_headers(SLACK_SECRET, body)) as response:
                    assert response.status == 200
                [post] = await slack.wait_for("chat.postMessage", timeout=30)
                assert post.params["thread_ts"] == mention["ts"]
                assert "Overfor underliggende virksomheter" in post.params["text"]

                # Teams: a message with a Bot Framework token, answered on its serviceUrl with the bot's token.
                activity = fa.message(TEAMS_QUESTION, connector.url)
                token = issuer.channel_token(audience=APP_ID, service_url=connector.url)
                async with http.post(f"{base}/api/messages", json=activity,
                                     headers={"Authorization": f"Bearer {token}"}) as response:
                    assert response.status == 200, await response.text()
                [reply] = await connector.wait_for_messages(1)
                assert reply.reply_to_id == activity["id"]
                assert "Anbefaling 1" in json.dumps(reply.card, ensure_ascii=False)
                [grant] = issuer.token_requests
                assert grant.client_id == APP_ID and reply.authorization == f"Bearer {grant.access_token}"

                # The same message with a token for another app is refused.
                stranger = issuer.channel_token(audience="00000000-0000-0000-0000-000000000000",
                                                service_url=connector.url)
                async with http.post(f"{base}/api/messages", json=fa.message(TEAMS_QUESTION, connector.url),
                                     headers={"Authorization": f"Bearer {stranger}"}) as response:
                    assert response.status == 401
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(process.wait, 30)
    finally:
        await slack.stop()
        await connector.stop()
        issuer.stop()
    output = log.read_text()
    assert code == 0, output
    assert "Slack er på" in output and "Teams er på" in output, output
    # Privacy: INFO logs carry no message text and no secrets or tokens.
    for secret in (SLACK_QUESTION, TEAMS_QUESTION, SLACK_TOKEN, SLACK_SECRET, APP_PASSWORD, token, grant.access_token):
        assert secret not in output
