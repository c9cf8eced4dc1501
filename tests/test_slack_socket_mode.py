"""Socket Mode: with SLACK_APP_TOKEN the bot connects out (apps.connections.open, then a WebSocket)
to the local fake, acknowledges envelopes over the socket and answers through the Web API."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack_fakes import APP_TOKEN, running_slack


async def test_socket_mode_connects_acks_and_answers(settings, make_service):
    async with running_slack(settings, make_service, signing_secret="", app_token=APP_TOKEN) as slack:
        [opened] = await slack.fake.wait_for("apps.connections.open")
        assert opened.params == {}  # the app token travels in the Authorization header only

        mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?")
        envelope_id = await slack.fake.push_envelope("events_api", p.event_callback(mention))
        assert await slack.fake.wait_ack(envelope_id) is not None
        [post] = await slack.fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == mention["ts"]
        assert "Overfor underliggende virksomheter" in post.params["text"]

        # A slash command over the socket: acknowledged on the socket, answered on the response_url.
        url = slack.fake.response_url()
        command = dict(parse_qsl(p.slash_command("utfordring 4", url)))
        envelope_id = await slack.fake.push_envelope("slash_commands", command)
        assert await slack.fake.wait_ack(envelope_id) is not None
        response = (await slack.wait_response(url)).params
        assert response["response_type"] == "ephemeral" and "Utfordring 4" in str(response["blocks"])


async def test_a_refused_socket_mode_connection_does_not_stop_the_server(settings, make_service):
    def refuse(fake):
        fake.fail_next("apps.connections.open", status=200, error="invalid_auth", times=100)

    started = time.perf_counter()
    async with running_slack(settings, make_service, signing_secret="", app_token=APP_TOKEN, prepare=refuse) as slack:
        assert await slack.fake.wait_until(lambda calls: len(slack.fake.rejected) >= 1)
        response = await slack.client.post("/slack/events", data="{}")
        assert response.status == 404  # the server answers while the bot keeps trying to connect
        assert slack.fake.socket_acks == {}
    # Start-up did not wait for Slack, and shutting down stopped the reconnect loop.
    assert time.perf_counter() - started < 5
