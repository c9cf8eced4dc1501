"""Mount Slack on the bot's aiohttp app: POST /slack/events (events, slash command, interactivity)
and, with SLACK_APP_TOKEN, a Socket Mode connection for networks without a public URL.

The HTTP endpoint checks Slack's v0 signature before it parses anything, so a forged, replayed
(> 5 min) or malformed request is answered 401/400 and reaches neither bolt nor the Web API.
Bolt then verifies again, acknowledges, and runs the listeners in `bot.slack.handlers`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.serving.service import ChatService
from bot.settings import Settings
from bot.slack import constants as c
from bot.slack import inbound
from bot.slack.handlers import DRAIN_TIMEOUT_S, WEB_TIMEOUT_S, SlackHandlers
from bot.slack.socket_mode import SocketModeRunner

log = logging.getLogger(__name__)

GetService = Callable[[], Awaitable[ChatService]]


def retry_handlers() -> list[AsyncRetryHandler]:
    """429 waits for Retry-After; 500/503 and dropped connections back off and try again."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ]


def api_base_url(settings: Settings) -> str:
    base = settings.slack_api_url or c.DEFAULT_API_URL
    return base if base.endswith("/") else base + "/"


def build_bolt_app(settings: Settings, handlers: SlackHandlers) -> AsyncApp:
    """The handlers' session is shared by every Web API and response_url call, so connections to
    Slack (and their TLS handshakes) are reused instead of opened per call."""
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=api_base_url(settings), timeout=WEB_TIMEOUT_S,
                            retry_handlers=handlers.retry_handlers, session=handlers.session)
    bolt = AsyncApp(
        client=client,  # the token comes with it; bolt calls auth.test once, on the first request
        signing_secret=settings.slack_signing_secret or None,
        request_verification_enabled=bool(settings.slack_signing_secret),  # Socket Mode needs no secret
        process_before_response=False,  # acknowledge first, answer after
        logger=logging.getLogger("bot.slack.bolt"),
    )
    bolt.use(workspace_guard(settings))  # before the listeners and the assistant middleware
    handlers.register(bolt)
    return bolt


def workspace_guard(settings: Settings):
    """Bolt middleware: a request for another workspace or app is acknowledged (200, so Slack does not
    retry it) and goes no further. The bot's workspace is OMSTILLINGSBOT_SLACK_TEAM_ID when set, else the
    one auth.test names for the bot token (bolt's authorization runs first and keeps that answer); its app
    is OMSTILLINGSBOT_SLACK_APP_ID when set (auth.test's app_id is optional, and bolt does not keep it).
    Works the same for HTTP and Socket Mode: both dispatch through bolt."""

    async def guard(body: dict, context: AsyncBoltContext, next) -> BoltResponse | None:  # noqa: A002 - bolt's name
        own = context.authorize_result
        team = settings.slack_team_id or (own.team_id if own is not None else None) or ""
        enterprise = "" if team else ((own.enterprise_id if own is not None else None) or "")
        if inbound.from_elsewhere(body, team, enterprise, settings.slack_app_id):
            log.info("ignored a Slack request for another workspace or app")
            return BoltResponse(status=200, body="")
        return await next()

    return guard


def mount(app: web.Application, settings: Settings, get_service: GetService, *,
          progress_after_s: float = c.PROGRESS_AFTER_S) -> None:
    if not settings.slack_enabled:
        log.info("Slack er av (SLACK_BOT_TOKEN og SLACK_SIGNING_SECRET eller SLACK_APP_TOKEN er ikke satt)")
        app.router.add_post(c.EVENTS_PATH, _not_configured)
        return
    slack = SlackRuntime(settings, get_service, progress_after_s)
    app.on_startup.append(slack.start)
    # on_shutdown runs before every on_cleanup, i.e. before the server closes the feedback store.
    app.on_shutdown.append(slack.drain)
    app.on_cleanup.append(slack.stop)
    app.router.add_post(c.EVENTS_PATH, slack.events if settings.slack_signing_secret else _socket_mode_only)
    modes = ([f"HTTP {c.EVENTS_PATH}"] if settings.slack_signing_secret else []) + \
        (["Socket Mode"] if settings.slack_app_token else [])
    log.info("Slack er på (%s)", " + ".join(modes))


class SlackRuntime:
    """The bolt app and its HTTP session, created when the server starts (a session needs the running loop)."""

    def __init__(self, settings: Settings, get_service: GetService, progress_after_s: float) -> None:
        self.settings = settings
        self.get_service = get_service
        self.progress_after_s = progress_after_s
        self.session: aiohttp.ClientSession | None = None
        self.handlers: SlackHandlers | None = None
        self.bolt: AsyncApp | None = None
        self.verifier = SignatureVerifier(settings.slack_signing_secret) if settings.slack_signing_secret else None
        self.socket: SocketModeRunner | None = None
        self._dispatching: set[asyncio.Task] = set()

    async def start(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession()
        self.handlers = SlackHandlers(self.get_service, retry_handlers(), self.session, self.progress_after_s,
                                      "context_actions" if self.settings.slack_feedback_buttons else "buttons")
        self.bolt = build_bolt_app(self.settings, self.handlers)
        if self.settings.slack_app_token:
            self.socket = SocketModeRunner(self.bolt, self.settings.slack_app_token)
            await self.socket.start()

    async def drain(self, app: web.Application) -> None:
        if self.socket is not None:
            await self.socket.stop()  # no new envelopes
        if self._dispatching:  # events already acknowledged, still in bolt's middleware
            await asyncio.wait(set(self._dispatching), timeout=DRAIN_TIMEOUT_S)
        if self.handlers is not None:
            await self.handlers.drain()

    async def stop(self, app: web.Application) -> None:
        if self.session is not None:
            await self.session.close()

    async def events(self, request: web.Request) -> web.Response:
        if self.bolt is None or self.verifier is None:
            return _error("Slack is starting", 503)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error("request body too large", 413)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _error("body is not UTF-8", 400)
        if not _signed(self.verifier, body, request):
            return _error("invalid or expired Slack signature", 401)
        try:
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - bolt parses JSON / form / payload= and raises whatever fails
            return _error("malformed Slack payload", 400)
        if not isinstance(bolt_request.body, dict) or not _well_formed(bolt_request.body):
            return _error("malformed Slack payload", 400)
        if bolt_request.body.get("type") == "event_callback":
            # Slack wants only a 200 for an event, and the answer goes out through the Web API anyway,
            # so the event is acknowledged now and bolt's middleware runs after: a burst of events
            # then costs one signature check each before its 200, not one pass through bolt.
            self._dispatch_later(bolt_request)
            return web.Response(status=200)
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    def _dispatch_later(self, bolt_request: AsyncBoltRequest) -> None:
        assert self.bolt is not None
        task = asyncio.ensure_future(self.bolt.async_dispatch(bolt_request))
        self._dispatching.add(task)
        task.add_done_callback(self._dispatched)

    def _dispatched(self, task: asyncio.Task) -> None:
        self._dispatching.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("slack event dispatch failed: %s", type(task.exception()).__name__)


# Parts of a payload bolt reads as objects when present and not null ("container": "x" was a 500 in bolt).
_OBJECT_PARTS = ("team", "user", "channel", "container", "message", "view", "enterprise", "event")
# Per interactivity type, the part bolt needs and its type (a view_closed without its view was a 500).
_REQUIRED_PART = {"view_submission": ("view", dict), "view_closed": ("view", dict),
                  "shortcut": ("callback_id", str), "message_action": ("callback_id", str),
                  "workflow_step_edit": ("callback_id", str), "block_suggestion": ("action_id", str)}


# An event's parts the handlers read: text where present, objects where present, and a channel for the
# events that are answered ("channel": null or a float "ts" made the handler fail after the 200).
_EVENT_TEXT_PARTS = ("type", "channel", "user", "ts", "thread_ts", "text", "event_ts", "channel_type", "reaction")
_EVENT_OBJECT_PARTS = ("item", "assistant_thread", "message")
_EVENTS_IN_A_CHANNEL = ("app_mention", "message")


def _well_formed_event(event: object) -> bool:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return False
    if any(event.get(part) is not None and not isinstance(event[part], str) for part in _EVENT_TEXT_PARTS):
        return False
    if any(event.get(part) is not None and not isinstance(event[part], dict) for part in _EVENT_OBJECT_PARTS):
        return False
    return event["type"] not in _EVENTS_IN_A_CHANNEL or isinstance(event.get("channel"), str)


def _well_formed(body: dict) -> bool:
    """A signed body is only passed to bolt when it has the shape of something Slack sends: a slash
    command, or a payload with a "type" (an unknown type is bolt's 404, as the README says). A garbage
    form (no type, no command), an event_callback without an event, a block_actions or
    interactive_message without actions (bolt fails with a 500 on "actions": []), or a known type
    without the part bolt reads, is a 400."""
    if "command" in body:
        return isinstance(body.get("command"), str) and isinstance(body.get("text", ""), str)
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return False
    if kind == "event_callback":
        return _well_formed_event(body.get("event"))
    if any(body.get(part) is not None and not isinstance(body[part], dict) for part in _OBJECT_PARTS):
        return False
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        name = "action_id" if kind == "block_actions" else "name"
        return (isinstance(actions, list) and bool(actions)
                and all(isinstance(a, dict) and isinstance(a.get(name), str) for a in actions))
    part, kind_of_part = _REQUIRED_PART.get(kind, (None, object))
    return part is None or isinstance(body.get(part), kind_of_part)


def _signed(verifier: SignatureVerifier, body: str, request: web.Request) -> bool:
    try:
        return verifier.is_valid_request(body, request.headers)
    except ValueError:  # a timestamp header that is not a number
        return False


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _not_configured(request: web.Request) -> web.Response:
    return web.json_response({"error": messages.text("slack_off")}, status=503)


async def _socket_mode_only(request: web.Request) -> web.Response:
    return web.json_response({"error": messages.text("slack_socket_only")}, status=404)
