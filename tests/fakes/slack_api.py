"""A local stand-in for Slack's cloud side, for the tests and `make bench`.

It serves, on a loopback port:
- the Web API (`POST /api/<method>`), answering like Slack: HTTP 200 with {"ok": …}, the bearer
  token checked, HTTP 429 + Retry-After when a rate limit is scripted;
- response_url endpoints (`POST /response/<key>`), as Slack's hooks do;
- the Socket Mode WebSocket (`GET /socket`, handed out by apps.connections.open): it says
  "hello", pushes envelopes and collects the app's acknowledgements.
Every request is recorded so a test can assert what the bot sent. Bot code reaches it only
through SLACK_API_URL and the URLs inside payloads, never by patching.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.server import start_on_loopback

BOT_USER_ID = "U0BOTOMST"
BOT_ID = "B0BOTOMST"
TEAM_ID = "T0FAKETEAM"
APP_ID = "A0FAKEAPP"


@dataclass(frozen=True)
class Call:
    """One request the bot made: the Web API method (or "response_url"), its parameters, when."""

    method: str
    params: dict
    at: float = field(compare=False)
    response: dict = field(default_factory=dict, compare=False)  # what the fake answered


@dataclass(frozen=True)
class Failure:
    status: int
    error: str
    retry_after: int | None = None


class FakeSlack:
    def __init__(self, bot_token: str, app_token: str = "", not_in_channels: frozenset[str] = frozenset()) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.not_in_channels = not_in_channels
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # requests answered with a scripted failure
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Socket Mode
        self.socket_acks: dict[str, dict] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_open = asyncio.Event()

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner, self.base_url = await start_on_loopback(app)
        return self.api_url

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"{self.base_url}/response/{key or uuid.uuid4().hex}"

    # ---- scripting and inspection -------------------------------------------------------------

    def fail_next(self, method: str, status: int = 429, error: str = "ratelimited", retry_after: int | None = 1,
                  times: int = 1) -> None:
        """The next `times` calls to `method` get this failure (429 carries Retry-After, as Slack's do)."""
        for _ in range(times):
            self._failures[method].append(Failure(status, error, retry_after if status == 429 else None))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_until(self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0) -> bool:
        """Wait until `predicate(self.calls)` holds; False if it still does not after `timeout` seconds."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.calls)), timeout)
            except TimeoutError:
                return False
        return True

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `method` was called at least `count` times; the calls so far if it times out."""
        await self.wait_until(lambda calls: sum(call.method == method for call in calls) >= count, timeout)
        return self.calls_to(method)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no request has arrived for `quiet` seconds. For the benchmark's summary only: a test that
        checks that nothing happened waits for a later event instead (tests.slack_fakes.after_a_later_event)."""
        seen = -1
        while seen != len(self.calls) + len(self.rejected):
            seen = len(self.calls) + len(self.rejected)
            await asyncio.sleep(quiet)

    def drop(self, predicate: Callable[[Call], bool]) -> None:
        """Forget the recorded calls matching `predicate` (a test's own probe traffic)."""
        self.calls = [call for call in self.calls if not predicate(call)]

    async def _record(self, method: str, params: dict, rejected: bool = False, response: dict | None = None) -> None:
        async with self._changed:
            call = Call(method, params, time.perf_counter(), response or {})
            (self.rejected if rejected else self.calls).append(call)
            self._changed.notify_all()

    # ---- Web API ------------------------------------------------------------------------------

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.pop("token", "")
        if self._failures[method]:
            failure = self._failures[method].popleft()
            await self._record(method, params, rejected=True)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        methods = {"auth.test": self._auth_test, "chat.postMessage": self._post_message, "chat.update": self._update,
                   "chat.postEphemeral": self._post_ephemeral, "apps.connections.open": self._connections_open,
                   "assistant.threads.setStatus": self._assistant_status,
                   "assistant.threads.setSuggestedPrompts": self._assistant_prompts,
                   "assistant.threads.setTitle": self._assistant_title}
        handler = methods.get(method)
        response = handler(params) if handler is not None else {"ok": False, "error": "unknown_method"}
        await self._record(method, params, response=response)
        return web.json_response(response)

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _auth_test(self, params: dict) -> dict:
        return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "omstillingsbot",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _post_message(self, params: dict) -> dict:
        channel = params.get("channel", "")
        if channel in self.not_in_channels:
            return {"ok": False, "error": "not_in_channel"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts,
                            "text": params.get("text", ""), "blocks": params.get("blocks", [])}}

    def _update(self, params: dict) -> dict:
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"), "text": params.get("text", "")}

    def _post_ephemeral(self, params: dict) -> dict:
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    # Assistant threads (https://api.slack.com/methods/assistant.threads.setStatus and siblings):
    # channel_id and thread_ts name the thread; each method answers {"ok": true} or an error code.

    @staticmethod
    def _assistant_thread_error(params: dict) -> dict | None:
        if not params.get("channel_id") or not params.get("thread_ts"):
            return {"ok": False, "error": "invalid_arguments"}
        if not str(params["channel_id"]).startswith("D"):
            return {"ok": False, "error": "channel_not_found"}  # assistant threads live in the app's DM
        return None

    def _assistant_status(self, params: dict) -> dict:
        if "status" not in params:
            return {"ok": False, "error": "invalid_arguments"}
        return self._assistant_thread_error(params) or {"ok": True}

    def _assistant_prompts(self, params: dict) -> dict:
        prompts = params.get("prompts")
        if (not isinstance(prompts, list) or not 1 <= len(prompts) <= 4
                or not all(isinstance(p, dict) and p.get("title") and p.get("message") for p in prompts)):
            return {"ok": False, "error": "invalid_arguments"}
        return self._assistant_thread_error(params) or {"ok": True}

    def _assistant_title(self, params: dict) -> dict:
        if not params.get("title"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._assistant_thread_error(params) or {"ok": True}

    def _connections_open(self, params: dict) -> dict:
        return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket"}

    # ---- response_url -------------------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await _params(request)
        params["_key"] = request.match_info["key"]
        if self._failures["response_url"]:
            failure = self._failures["response_url"].popleft()
            await self._record("response_url", params, rejected=True)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.Response(status=failure.status, text=failure.error, headers=headers)
        await self._record("response_url", params)
        return web.Response(text="ok")

    # ---- Socket Mode --------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": APP_ID}})
        self._socket_open.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                async with self._changed:
                    self.socket_acks[data.get("envelope_id", "")] = data
                    self._changed.notify_all()
        return ws

    async def push_envelope(self, kind: str, payload: dict, timeout: float = 5.0) -> str:
        """Send one Socket Mode envelope ("events_api", "slash_commands", "interactive")."""
        await asyncio.wait_for(self._socket_open.wait(), timeout)
        envelope_id = uuid.uuid4().hex
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                           "accepts_response_payload": kind != "events_api",
                                           "retry_attempt": 0, "retry_reason": ""})
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict | None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: envelope_id in self.socket_acks), timeout)
            except TimeoutError:
                return None
        return self.socket_acks[envelope_id]


async def _params(request: web.Request) -> dict:
    """Slack's Web API takes JSON or form bodies, and arguments in the query string too (slack_sdk
    sends some methods' arguments that way); structured form fields arrive JSON-encoded."""
    raw = await request.text()
    query = dict(request.query)
    if request.content_type == "application/json":
        return {**query, **(json.loads(raw) if raw else {})}
    params = {**query, **dict(parse_qsl(raw, keep_blank_values=True))}
    for key in ("blocks", "attachments", "payload", "prompts", "loading_messages"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params
