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
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestPayloadError

from bot import messages
from bot.serving import safejson
from bot.serving.httplog import handler_args
from bot.answering.conversation import conversation_id_error
from bot.serving.service import Busy, ChatService, Gone
from bot.settings import Settings
from bot.types import Question

log = logging.getLogger(__name__)

GetService = Callable[[], Awaitable[ChatService]]
SERVICE_FUTURE = web.AppKey("service_future", asyncio.Future)
SETTINGS = web.AppKey("settings", Settings)
MAX_CONVERSATION_ID = 128
START_FAILURE = web.AppKey("start_failure", list)
BODY_TIMEOUT_S = 10.0  # a client that sends its body slower than this is cut off (408)


def build_app(settings: Settings, make_service: Callable[[], ChatService], *,
              exit_on_failure: bool = False, watch_corpus: bool = False) -> web.Application:
    """`make_service` runs in a worker thread at start-up (it loads models and the index).
    With `exit_on_failure` (serve) a failed start stops the server. With `watch_corpus` (serve) a
    changed corpus is rebuilt beside the running engine and swapped in (bot/rebuilds.py)."""
    app = web.Application(client_max_size=settings.max_body_bytes, handler_args=handler_args(settings))
    app[SETTINGS] = settings
    app[START_FAILURE] = []

    async def get_service() -> ChatService:
        return await asyncio.shield(app[SERVICE_FUTURE])

    async def start(app: web.Application) -> None:
        app[SERVICE_FUTURE] = asyncio.get_running_loop().run_in_executor(None, make_service)
        app[SERVICE_FUTURE].add_done_callback(_log_ready)
        app[SERVICE_FUTURE].add_done_callback(_stop_on_failure(app, exit_on_failure))

    async def stop(app: web.Application) -> None:
        future = app[SERVICE_FUTURE]
        if future.done() and not future.cancelled() and future.exception() is None:
            future.result().close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/healthz", _healthz)
    app.router.add_post("/api/ask", _make_ask(get_service), expect_handler=_expect_within_limit)

    from bot.slack.adapter import mount as mount_slack
    from bot.teams.adapter import mount as mount_teams

    mount_slack(app, settings, get_service)
    mount_teams(app, settings, get_service)
    _schedule_retention_purge(app, get_service)
    if watch_corpus:
        _schedule_rebuilds(app, settings, get_service)

    from bot.web import hosts_only, mount as mount_web  # web chat, /api/feedback, /admin, headers, rate limit

    mount_web(app, settings, get_service)
    app.middlewares.append(_body_first(settings))  # after the web guard: a refused request is not read
    # After the body: a request for a foreign host that sends its body slowly is still cut off at 10 s (408).
    app.middlewares.append(hosts_only(settings))
    return app


def _body_first(settings: Settings):
    """Every POST body is read here, once, before its route (which then gets the bytes read): within
    BODY_TIMEOUT_S (else 408), within the size limit (413), and whole (400 for a body cut off or a
    Content-Encoding that does not unpack). Before, only /api/ask had a deadline: a half-sent body held
    a Slack, Teams or feedback connection open for good, and a broken gzip body was a 500."""

    @web.middleware
    async def body_first(request: web.Request, handler):
        if request.method == "POST" and request.body_exists:
            try:
                await asyncio.wait_for(request.read(), BODY_TIMEOUT_S)
            except web.HTTPRequestEntityTooLarge:
                return _bad_request(messages.text("request_too_large", limit=settings.max_body_bytes), 413)
            except TimeoutError:
                return _bad_request(messages.text("request_too_slow"), 408)
            except (ConnectionError, RequestPayloadError, http_exceptions.HttpProcessingError):
                # Nobody may be listening any more; no traceback (20,000 of them grew the log by 28 MB).
                return _bad_request(messages.text("request_broken"), 400)
        return await handler(request)

    return body_first


PURGE_TASK = web.AppKey("retention_purge_task", asyncio.Task)


def _schedule_retention_purge(app: web.Application, get_service: GetService) -> None:
    """Purge expired question texts and comments at start-up and then hourly (bot.feedback.retention)."""
    from bot.feedback.retention import purge_forever

    async def store():
        return (await get_service()).store

    async def start(app: web.Application) -> None:
        app[PURGE_TASK] = asyncio.create_task(purge_forever(store))

    async def stop(app: web.Application) -> None:  # on_shutdown: before on_cleanup closes the store
        app[PURGE_TASK].cancel()
        await asyncio.gather(app[PURGE_TASK], return_exceptions=True)

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


REBUILD_TASK = web.AppKey("rebuild_task", asyncio.Task)


def _schedule_rebuilds(app: web.Application, settings: Settings, get_service: GetService) -> None:
    from bot.rebuilds import keep_current

    async def start(app: web.Application) -> None:
        app[REBUILD_TASK] = asyncio.create_task(keep_current(settings, get_service))

    async def stop(app: web.Application) -> None:
        app[REBUILD_TASK].cancel()
        await asyncio.gather(app[REBUILD_TASK], return_exceptions=True)

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


def _log_ready(future: asyncio.Future) -> None:
    if future.cancelled():
        return
    if future.exception() is not None:
        log.error("engine failed to start: %s", future.exception())
    else:
        log.info("engine ready")


def _stop_on_failure(app: web.Application, exit_on_failure: bool):
    """A process whose engine failed to start cannot answer: remember why and stop serving (serve()
    then exits non-zero) instead of living on and answering 500 to every question."""

    def done(future: asyncio.Future) -> None:
        if future.cancelled() or future.exception() is None:
            return
        app[START_FAILURE].append(future.exception())
        if exit_on_failure:
            raise web.GracefulExit()  # a SystemExit: it leaves the event loop, run_app cleans up

    return done


async def _healthz(request: web.Request) -> web.Response:
    future = request.app[SERVICE_FUTURE]
    if not future.done():
        return web.json_response({"status": "starting"}, status=503)
    if future.cancelled() or future.exception() is not None or not future.result().healthy:
        return web.json_response({"status": "failed"}, status=503)
    return web.json_response({"status": "ok"})


def _bad_request(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _make_ask(get_service: GetService):
    async def ask(request: web.Request) -> web.Response:
        body = await request.read()  # already read, within its deadline and limit (`_body_first`)
        try:
            payload = safejson.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _bad_request("Ugyldig JSON. Send {\"question\": \"…\"}.")
        question = payload.get("question") if isinstance(payload, dict) else None
        if not isinstance(question, str):
            return _bad_request("Feltet «question» mangler eller er ikke tekst. Send {\"question\": \"…\"}.")
        conversation = payload.get("conversation_id")
        if (error := conversation_id_error(conversation)):
            return _bad_request(error)
        service = await get_service()
        try:
            # Namespaced, so no web caller can pose as a Slack or Teams conversation.
            answer = await service.respond(Question(question, platform="web",
                                                    conversation=f"web:{conversation}" if conversation else ""),
                                           refuse_when_full=True, wanted=lambda: _client_connected(request),
                                           client=request.remote or "")
        except Busy as busy:
            return web.json_response({"error": messages.text("busy_retry")}, status=503,
                                     headers={"Retry-After": str(int(busy.retry_after_s))},
                                     dumps=lambda o: json.dumps(o, ensure_ascii=False))
        except Gone:
            return web.Response(status=499)  # nobody is listening; the status is for the access log
        if conversation:
            answer = replace(answer, conversation_id=conversation)
        return web.json_response(answer.to_json(), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return ask


def _client_connected(request: web.Request) -> bool:
    """False once the HTTP client has hung up (read from the engine thread: a plain attribute check)."""
    transport = request.transport
    return transport is not None and not transport.is_closing()


async def _expect_within_limit(request: web.Request) -> None:
    """`Expect: 100-continue` with a body over the limit gets 413 at once, not "100 Continue"."""
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
        request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")


async def start_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free port of 127.0.0.1 (for the local fakes of Slack and the Bot Connector,
    and the benchmarks); returns the runner to clean up and the base URL without a trailing slash."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def serve(settings: Settings, make_service: Callable[[], ChatService]) -> int:
    """Run until SIGINT/SIGTERM (aiohttp installs both handlers), finish in-flight requests, close the store.
    Returns the exit code: 0, or 2 when the engine could not start (the reason is printed)."""
    app = build_app(settings, make_service, exit_on_failure=True, watch_corpus=True)
    print(f"omstillingsbot lytter på http://{settings.host}:{settings.port}  "
          f"(GET / web chat, /admin; POST /api/ask, /api/feedback, /slack/events, /api/messages; GET /healthz)", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None,
                handle_signals=True, shutdown_timeout=10)
    if app[START_FAILURE]:
        print(f"omstillingsbot kunne ikke starte: {app[START_FAILURE][0]}", file=sys.stderr, flush=True)
        return 2
    return 0
