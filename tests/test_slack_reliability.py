"""Forged, replayed, malformed and repeated requests; Web API rate limits and failures; Slack switched off."""

from __future__ import annotations

import asyncio

import json
import logging
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.slack import adapter
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack_fakes import FORM, SIGNING_SECRET, running_slack


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


def _mention_body(text: str = "Hva er anbefaling 1?") -> str:
    return json.dumps(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> {text}")))


async def _raw(slack, body: str | bytes, headers: dict) -> tuple[int, str]:
    response = await slack.client.post("/slack/events", data=body, headers=headers)
    return response.status, await response.text()


async def _nothing_sent(slack) -> bool:
    await slack.after_a_later_event()
    return slack.fake.calls == [] and slack.fake.rejected == []


async def test_url_verification_returns_the_challenge(slack):
    status, body = await slack.post_json(p.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    assert status == 200 and json.loads(body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_forged_signature_is_401_and_reaches_nothing(slack):
    body = _mention_body()
    headers = p.signed_headers("not-the-secret", body)
    assert (await _raw(slack, body, headers))[0] == 401
    # A genuine signature over a different body does not carry over either.
    assert (await _raw(slack, body.replace("anbefaling 1", "anbefaling 2"), p.signed_headers(SIGNING_SECRET, body)))[0] == 401
    assert await _nothing_sent(slack)


@pytest.mark.parametrize("age_s", [301, 3600, -400])
async def test_replayed_or_future_timestamp_is_401(slack, age_s):
    body = _mention_body()
    headers = p.signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - age_s)
    assert (await _raw(slack, body, headers))[0] == 401
    assert await _nothing_sent(slack)


@pytest.mark.parametrize("headers", [
    {},
    {"X-Slack-Signature": "v0=abc"},
    {"X-Slack-Request-Timestamp": "nan", "X-Slack-Signature": "v0=abc"},
])
async def test_missing_or_garbled_signature_headers_are_401(slack, headers):
    assert (await _raw(slack, _mention_body(), {"Content-Type": "application/json", **headers}))[0] == 401
    assert await _nothing_sent(slack)


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ("payload=%7Bbroken", FORM),
    ("", "application/json"),
])
async def test_signed_but_malformed_bodies_are_400(slack, body, content_type):
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body, content_type=content_type))
    assert status == 400
    assert await _nothing_sent(slack)


async def test_non_utf8_body_is_400(slack):
    body = b"\xff\xfe{}"
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
               "X-Slack-Signature": "v0=00"}
    assert (await _raw(slack, body, headers))[0] == 400


async def test_unknown_payload_type_is_404_and_changes_nothing(slack):
    status, _ = await slack.post_json({"type": "something_new", "team_id": "T0FAKETEAM"})
    assert status == 404
    status, _ = await slack.post_form("payload=" + json.dumps({"type": "block_actions", "team": {"id": "T0FAKETEAM"},
                                                               "user": {"id": "U1"}, "actions": [{"action_id": "nope"}]}))
    assert status == 404
    await slack.after_a_later_event()
    assert [call.method for call in slack.fake.calls if call.method != "auth.test"] == []


async def test_oversized_body_is_413(slack):
    body = json.dumps(p.event_callback(p.app_mention("x" * (slack.settings.max_body_bytes + 10))))
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body))
    assert status == 413
    assert await _nothing_sent(slack)


async def test_retried_event_is_answered_once(slack):
    envelope = p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 1?"))
    assert (await slack.post_json(envelope))[0] == 200
    for attempt in (1, 2, 3):
        assert (await slack.post_json(envelope, retry_num=attempt))[0] == 200
    await slack.fake.wait_for("chat.postMessage")
    await slack.after_a_later_event()
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_two_instances_receiving_the_same_event_answer_once(settings, make_service):
    # Both instances use the same feedback store (the same SQLite file); each has its own fake Slack.
    async with running_slack(settings, make_service) as first, running_slack(settings, make_service) as second:
        envelope = p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 3?"))
        await first.post_json(envelope)
        await second.post_json(envelope)

        def posts() -> list:
            return first.fake.calls_to("chat.postMessage") + second.fake.calls_to("chat.postMessage")

        # The answer first (each instance loads conversation state before queueing, so a later probe
        # event may be answered before it), then a later event on each instance: nothing more arrives.
        for _ in range(200):
            if posts():
                break
            await asyncio.sleep(0.05)
        await first.after_a_later_event()
        await second.after_a_later_event()
        assert len(posts()) == 1


async def test_rate_limited_post_is_retried_after_retry_after(slack):
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.perf_counter()
    await slack.post_json(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> anbefaling 2")))
    [post] = await slack.fake.wait_for("chat.postMessage", timeout=10)
    assert post.at - slack.fake.rejected[0].at >= 1.0  # waited as Slack asked
    assert "Overfor underliggende virksomheter" in post.params["text"]
    assert time.perf_counter() - started < 5


async def test_server_error_is_retried(slack):
    slack.fake.fail_next("chat.postMessage", status=503, error="service_unavailable")
    await slack.post_json(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> anbefaling 2")))
    [post] = await slack.fake.wait_for("chat.postMessage", timeout=10)
    assert len(slack.fake.rejected) == 1 and post.params["text"]


async def test_a_post_that_keeps_failing_is_logged_and_the_server_carries_on(slack, caplog):
    caplog.set_level(logging.WARNING)
    slack.fake.fail_next("chat.postMessage", status=503, error="service_unavailable", times=3)  # 1 try + 2 retries
    await slack.post_json(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> Hemmelig om anbefaling 2")))
    assert await slack.fake.wait_until(lambda calls: len(slack.fake.rejected) == 3, timeout=15)
    # The next mention is answered (the server carried on), and it is the only post: no fourth try came first.
    await slack.post_json(p.event_callback(p.app_mention(f"<@{BOT_USER_ID}> anbefaling 3")))
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert len(slack.fake.rejected) == 3
    assert "chat.postMessage failed" in caplog.text and "Hemmelig" not in caplog.text
    assert "Overfor andre departementer" in post.params["text"]


async def test_without_slack_settings_the_endpoint_says_slack_is_off(caplog):
    caplog.set_level(logging.INFO)

    async def no_service():
        raise AssertionError("Slack is off: the service must not be needed")

    app = web.Application()
    adapter.mount(app, Settings(), no_service)
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/slack/events", data="{}")
        assert response.status == 503
        assert "Slack er ikke konfigurert" in (await response.json())["error"]
    assert "Slack er av" in caplog.text


async def test_socket_mode_only_has_no_http_endpoint(settings, make_service):
    async with running_slack(settings, make_service, signing_secret="", app_token="xapp-1-x") as slack:
        status, body = await slack.post_json(p.url_verification("x"))
        assert status == 404 and "Socket Mode" in body


async def test_shutdown_finishes_answers_slack_was_already_promised(settings, make_service):
    async with running_slack(settings, make_service) as slack:
        await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?"))
        await slack.client.close()  # the server stops right after the 200
        [post] = slack.fake.calls_to("chat.postMessage")  # no waiting: shutdown itself waited for the answer
        assert "Overfor underliggende virksomheter" in post.params["text"]


# Issue 11: malformed interactivity reached bolt and came back 500 (empty actions) or 404 (garbage form).
@pytest.mark.parametrize("body", [
    "payload=" + json.dumps({"type": "block_actions", "team": {"id": "T0FAKETEAM"}, "user": {"id": "U1"},
                             "actions": []}),
    "payload=" + json.dumps({"type": "block_actions", "team": {"id": "T0FAKETEAM"}, "user": {"id": "U1"},
                             "actions": [{"value": "up:abc:nb"}]}),
    "garbage=1&more=%F0%9F%92%A9",
    "payload=" + json.dumps({"type": "event_callback", "event": "not an object"}),
    "payload=" + "[" * 1000 + "]" * 1000,
])
async def test_signed_malformed_interactivity_is_400(slack, body):
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body, content_type=FORM))
    assert status == 400
    assert await _nothing_sent(slack)


async def test_signed_deeply_nested_json_event_is_400(slack):
    body = '{"type": "event_callback", "event": ' + "[" * 1000 + "]" * 1000 + "}"
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body))
    assert status == 400


_TEAM_USER = {"team": {"id": "T0FAKETEAM"}, "user": {"id": "U1"}}


@pytest.mark.parametrize("payload", [
    {"type": "interactive_message", "actions": [], "callback_id": "x"},
    {"type": "interactive_message", "actions": "up"},
    {"type": "view_closed"},
    {"type": "view_submission", "view": "x"},
    {"type": "workflow_step_edit"},
    {"type": "shortcut"},
    {"type": "message_action", "callback_id": 5},
    {"type": "block_suggestion", "action_id": None},
    {"type": "block_actions", "actions": [{"action_id": "a"}], "container": "x"},
], ids=lambda payload: payload["type"])
async def test_signed_interactivity_of_any_type_with_missing_parts_is_a_4xx_never_a_500(slack, payload):
    """Slack never sends these shapes; bolt answered several of them with a 500 from its middleware."""
    body = "payload=" + json.dumps({**_TEAM_USER, **payload})
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body, content_type=FORM))
    assert 400 <= status < 500
    assert await _nothing_sent(slack)


@pytest.mark.parametrize("event", [
    {"type": "app_mention", "channel": None, "user": "U1", "text": "<@UBOT> tillit", "ts": "1.2"},
    {"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UBOT> tillit", "ts": 1.2},
    {"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UBOT> tillit", "ts": "1.2", "thread_ts": ["1"]},
    {"type": "app_mention", "channel": "C1", "user": "U1", "text": 5, "ts": "1.2"},
    {"type": "reaction_added", "user": "U1", "reaction": "+1", "item": "x"},
    {"type": "assistant_thread_started", "assistant_thread": ["x"]},
], ids=["channel-null", "ts-float", "thread_ts-list", "text-number", "item-string", "assistant_thread-list"])
async def test_a_signed_event_with_parts_of_the_wrong_type_is_400_not_a_listener_failure(slack, event):
    """Slack acknowledged these with a 200 and the listener then failed (the user got nothing)."""
    body = json.dumps({"type": "event_callback", "team_id": "T0FAKETEAM", "event_id": "Ev1", "event": event})
    status, _ = await _raw(slack, body, p.signed_headers(SIGNING_SECRET, body))
    assert status == 400
    assert await _nothing_sent(slack)

