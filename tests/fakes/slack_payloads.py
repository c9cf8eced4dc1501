"""Requests shaped and signed exactly as Slack sends them (for the tests and the benchmark).

Shapes follow Slack's documentation: Events API `event_callback` envelopes (JSON), slash
commands (form-encoded), interactivity (`payload=` form field holding JSON), and the v0
signature: HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from urllib.parse import urlencode

from tests.fakes.slack_api import APP_ID, BOT_USER_ID, TEAM_ID

_seq = itertools.count(1)


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(secret: str, body: str, *, content_type: str = "application/json",
                   timestamp: int | None = None, retry_num: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def new_ts() -> str:
    return f"{int(time.time())}.{next(_seq):06d}"


def event_callback(event: dict, event_id: str | None = None) -> dict:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def app_mention(text: str, *, user: str = "U0ASKER01", channel: str = "C0CHANNEL1", ts: str | None = None,
                thread_ts: str | None = None) -> dict:
    ts = ts or new_ts()
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "team": TEAM_ID,
             "channel": channel, "event_ts": ts,
             "blocks": [{"type": "rich_text", "block_id": "b1", "elements": []}]}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, user: str = "U0ASKER01", channel: str = "D0DIRECT01", **extra: object) -> dict:
    ts = new_ts()
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
            "channel_type": "im", "team": TEAM_ID, **extra}


def reaction(added: bool, name: str, *, user: str, channel: str, ts: str, item_user: str = BOT_USER_ID) -> dict:
    return {"type": "reaction_added" if added else "reaction_removed", "user": user, "reaction": name,
            "item_user": item_user, "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": new_ts()}


def url_verification(challenge: str) -> dict:
    return {"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"}


def slash_command(text: str, response_url: str, *, user: str = "U0ASKER01", channel: str = "C0CHANNEL1",
                  command: str = "/omstilling") -> str:
    """The form body Slack POSTs for a slash command."""
    return urlencode({
        "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "fake",
        "channel_id": channel, "channel_name": "omstilling", "user_id": user, "user_name": "kari",
        "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": f"{next(_seq)}.{uuid.uuid4().hex[:12]}",
    })


def block_actions(action: dict, response_url: str, *, user: str = "U0VOTER01", channel: str = "C0CHANNEL1",
                  message_ts: str | None = None, ephemeral: bool = False, thread_ts: str | None = None) -> str:
    """The form body Slack POSTs when a button in a message is clicked: payload=<JSON>."""
    container = {"type": "message", "message_ts": message_ts or new_ts(), "channel_id": channel,
                 "is_ephemeral": ephemeral}
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "ola", "name": "ola", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": f"{next(_seq)}.{uuid.uuid4().hex[:12]}",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "omstilling"},
        "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    if not ephemeral:
        payload["message"] = {"type": "message", "user": BOT_USER_ID, "ts": container["message_ts"], "text": "…"}
    return urlencode({"payload": json.dumps(payload)})


def button_action(button: dict, block_id: str) -> dict:
    """What Slack reports for a click on one of our rendered buttons."""
    return {"type": "button", "action_id": button["action_id"], "block_id": block_id,
            "text": button["text"], "value": button["value"]}


def feedback_buttons_action(element: dict, block_id: str, positive: bool) -> dict:
    """What Slack reports for a click on a feedback_buttons element: the clicked button's value."""
    chosen = element["positive_button" if positive else "negative_button"]
    return {"type": "feedback_buttons", "action_id": element["action_id"], "block_id": block_id,
            "value": chosen["value"]}


def channel_message(text: str, *, user: str = "U0ASKER01", channel: str = "C0CHANNEL1",
                    thread_ts: str | None = None, channel_type: str = "channel") -> dict:
    """A message.channels / message.groups event (a thread reply when thread_ts is given)."""
    ts = new_ts()
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
             "channel_type": channel_type, "team": TEAM_ID}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def assistant_thread_started(*, user: str = "U0ASKER01", channel: str = "D0DIRECT01") -> dict:
    """Slack's assistant_thread_started event: the user opened a new thread in the assistant view."""
    thread_ts = new_ts()
    return {"type": "assistant_thread_started",
            "assistant_thread": {"user_id": user, "context": {"channel_id": "C0CHANNEL1", "team_id": TEAM_ID,
                                                             "enterprise_id": None},
                                 "channel_id": channel, "thread_ts": thread_ts},
            "event_ts": new_ts()}


def assistant_message(text: str, thread_ts: str, *, user: str = "U0ASKER01", channel: str = "D0DIRECT01") -> dict:
    """A user's message in an assistant thread: a DM message with the thread's ts."""
    return direct_message(text, user=user, channel=channel, thread_ts=thread_ts)
