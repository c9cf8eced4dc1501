"""The one aiohttp application: health, the local JSON API, and the Slack and Teams routes.

The server listens at once and loads (or builds) the index in a worker thread;
`/healthz` says 503 until the engine is ready and every route waits for it.
Adapters are mounted with `mount(app, settings, get_service)`, where
`get_service()` awaits the ready `ChatService`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp import web

from bot.conversation import conversation_id_error
from bot.service import ChatService
from bot.settings import Settings
from bot.types import Question

log = logging.getLogger(__name__)

GetService = Callable[[], Awaitable[ChatService]]
SERVICE_FUTURE = web.AppKey("service_future", asyncio.Future)
SETTINGS = web.AppKey("settings", Settings)


def build_app(settings: Settings, make_service: Callable[[], ChatService]) -> web.Application:
    """`make_service` runs in a worker thread at start-up (it loads models and the index)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings

    async def get_service() -> ChatService:
        return await asyncio.shield(app[SERVICE_FUTURE])

    async def start(app: web.Application) -> None:
        app[SERVICE_FUTURE] = asyncio.get_running_loop().run_in_executor(None, make_service)
        app[SERVICE_FUTURE].add_done_callback(_log_ready)

    async def stop(app: web.Application) -> None:
        future = app[SERVICE_FUTURE]
        if future.done() and not future.cancelled() and future.exception() is None:
            future.result().close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/healthz", _healthz)
    app.router.add_post("/api/ask", _make_ask(get_service, settings))

    from bot.slack.adapter import mount as mount_slack
    from bot.teams.adapter import mount as mount_teams

    mount_slack(app, settings, get_service)
    mount_teams(app, settings, get_service)
    return app


def _log_ready(future: asyncio.Future) -> None:
    if future.cancelled():
        return
    if future.exception() is not None:
        log.error("engine failed to start: %r", future.exception())
    else:
        log.info("engine ready")


async def _healthz(request: web.Request) -> web.Response:
    future = request.app[SERVICE_FUTURE]
    if not future.done():
        return web.json_response({"status": "starting"}, status=503)
    if future.cancelled() or future.exception() is not None:
        return web.json_response({"status": "failed"}, status=503)
    return web.json_response({"status": "ok"})


def _bad_request(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _make_ask(get_service: GetService, settings: Settings):
    async def ask(request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _bad_request(f"Forespørselen er større enn {settings.max_body_bytes} byte.", 413)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _bad_request("Ugyldig JSON. Send {\"question\": \"…\"}.")
        question = payload.get("question") if isinstance(payload, dict) else None
        if not isinstance(question, str):
            return _bad_request("Feltet «question» mangler eller er ikke tekst. Send {\"question\": \"…\"}.")
        conversation = payload.get("conversation_id")
        if (error := conversation_id_error(conversation)):
            return _bad_request(error)
        service = await get_service()
        answer = await service.respond(Question(question, platform="web", conversation=conversation or ""))
        if conversation:
            answer = replace(answer, conversation_id=conversation)
        return web.json_response(answer.to_json(), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return ask


async def start_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free port of 127.0.0.1 (for the local fakes of Slack and the Bot Connector,
    and the benchmarks); returns the runner to clean up and the base URL without a trailing slash."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def serve(settings: Settings, make_service: Callable[[], ChatService]) -> None:
    """Run until SIGINT/SIGTERM (aiohttp installs both handlers), finish in-flight requests, close the store."""
    app = build_app(settings, make_service)
    print(f"omstillingsbot lytter på http://{settings.host}:{settings.port}  "
          f"(POST /api/ask, /slack/events, /api/messages; GET /healthz)", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None,
                handle_signals=True, shutdown_timeout=10)
