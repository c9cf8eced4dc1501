"""The web surface on the bot's own server: the chat at `/`, votes at `/api/feedback`, the owners'
dashboard at `/admin` (only when OMSTILLINGSBOT_ADMIN_TOKEN is set), and the guards around them.

`mount(app, settings, get_service)` adds the routes, the security headers on every response, and one
middleware that checks origin and rate limits on the web POSTs (see `security`); `hosts_only(settings)`
is the middleware that keeps the web surface to its own host names (DNS rebinding).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from pathlib import Path

from aiohttp import web

from bot import messages
from bot.settings import Settings
from bot.web.language import preferred_lang
from bot.web.limits import MIN_ADMIN_TOKEN_CHARS
from bot.web.security import (HardenedRequest, RateLimiter, from_browser, harden_on_prepare, host_allowed,
                              same_origin)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
# Browser POSTs that must come from this site; the first three are also rate limited per client
# (browser clients only; every client, scripts too, has the wider CLIENT_LIMITED bound below and the
# engine's queue, bot/serving/admission.py).
RATE_LIMITED = ("/api/ask", "/api/feedback", "/admin/login")
SAME_ORIGIN_POSTS = (*RATE_LIMITED, "/admin/logout", "/admin/teach")
# Limited per client address whatever the client sends (OMSTILLINGSBOT_CLIENT_RATE_LIMIT); sign-in has
# its own, stricter bounds (bot/web/limits.py).
CLIENT_LIMITED = ("/api/ask", "/api/feedback")
# The web surface, answered only under OMSTILLINGSBOT_ALLOWED_HOSTS. Slack's and Teams' routes are not
# in it: they are called by those services under the public name, and authenticated by signature and
# token, which a rebinding page cannot forge; /healthz is for load balancers, which often use an address.
WEB_PATHS = ("/api/ask", "/api/feedback")
WEB_PREFIXES = ("/admin", "/static/")


def mount(app: web.Application, settings: Settings, get_service) -> None:
    from bot.web.admin import mount_admin
    from bot.web.chat import mount_chat

    app.on_response_prepare.append(harden_on_prepare)
    # Requests the parser refuses never reach the signal above; aiohttp's request factory takes the class.
    app._make_request = partial(app._make_request, _cls=HardenedRequest)  # type: ignore[method-assign]
    app.middlewares.append(_guard(RateLimiter(settings.rate_limit), RateLimiter(settings.client_rate_limit)))
    mount_chat(app, settings, get_service)
    if len(settings.admin_token) >= MIN_ADMIN_TOKEN_CHARS:
        mount_admin(app, settings, get_service)
    elif settings.admin_token:
        _mount_admin_disabled(app, len(settings.admin_token))
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)


def _refuse(request: web.Request, status: int, text: str, headers: dict | None = None) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": text}, status=status, headers=headers,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))
    return web.Response(text=text, status=status, headers=headers)


def _mount_admin_disabled(app: web.Application, length: int) -> None:
    """A token too short to withstand guessing: the dashboard stays off and says why (so does the log)."""
    text = messages.text("admin_token_too_short", length=length, minimum=MIN_ADMIN_TOKEN_CHARS)
    log.warning("%s", text)

    async def disabled(request: web.Request) -> web.Response:
        return web.Response(text=text, status=503, headers={"Cache-Control": "no-store"})

    app.router.add_route("*", "/admin", disabled)
    app.router.add_route("*", "/admin/{rest:.*}", disabled)


def _guard(limiter: RateLimiter, per_client: RateLimiter):
    @web.middleware
    async def guard(request: web.Request, handler):
        if request.method == "POST" and request.path in SAME_ORIGIN_POSTS:
            lang = preferred_lang(request.headers.get("Accept-Language", ""))
            if not same_origin(request):
                return _refuse(request, 403, messages.text("web_cross_origin", lang))
            client = request.remote or "unknown"
            wait = limiter.take(client, request.path) if request.path in RATE_LIMITED and from_browser(request) else 0
            if not wait and request.path in CLIENT_LIMITED:
                wait = per_client.take(client, request.path)
            if wait:
                return _refuse(request, 429, messages.text("web_rate_limited", lang, seconds=wait),
                               {"Retry-After": str(wait)})
        return await handler(request)

    return guard


def is_web_path(path: str) -> bool:
    return path == "/" or path in WEB_PATHS or path.startswith(WEB_PREFIXES)


def hosts_only(settings: Settings):
    hosts = settings.web_hosts

    @web.middleware
    async def only_own_hosts(request: web.Request, handler):
        if is_web_path(request.path) and not host_allowed(request, hosts):
            lang = preferred_lang(request.headers.get("Accept-Language", ""))
            return _refuse(request, 421, messages.text("web_wrong_host", lang))
        return await handler(request)

    return only_own_hosts
