"""The web surface on the bot's own server: the chat at `/`, votes at `/api/feedback`, the owners'
dashboard at `/admin` (only when OMSTILLINGSBOT_ADMIN_TOKEN is set), and the guards around them.

`mount(app, settings, get_service)` adds the routes and one middleware that puts the security
headers on every response and checks origin and rate limit on the web POSTs (see `security`).
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from bot import messages
from bot.settings import Settings
from bot.web.language import preferred_lang
from bot.web.security import RateLimiter, add_security_headers, from_browser, same_origin

STATIC_DIR = Path(__file__).parent / "static"
# Browser POSTs that must come from this site; the first three are also rate limited per client
# (browser clients only: scripts and integrations are bounded by the engine's queue, bot/serving/admission.py).
RATE_LIMITED = ("/api/ask", "/api/feedback", "/admin/login")
SAME_ORIGIN_POSTS = (*RATE_LIMITED, "/admin/logout", "/admin/teach")


def mount(app: web.Application, settings: Settings, get_service) -> None:
    from bot.web.admin import mount_admin
    from bot.web.chat import mount_chat

    app.middlewares.append(_guard(RateLimiter(settings.rate_limit)))
    mount_chat(app, settings, get_service)
    if settings.admin_token:
        mount_admin(app, settings, get_service)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)


def _refuse(request: web.Request, status: int, text: str, headers: dict | None = None) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": text}, status=status, headers=headers,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))
    return web.Response(text=text, status=status, headers=headers)


def _guard(limiter: RateLimiter):
    @web.middleware
    async def guard(request: web.Request, handler):
        if request.method == "POST" and request.path in SAME_ORIGIN_POSTS:
            lang = preferred_lang(request.headers.get("Accept-Language", ""))
            if not same_origin(request):
                response = _refuse(request, 403, messages.text("web_cross_origin", lang))
                add_security_headers(response)
                return response
            if request.path in RATE_LIMITED and from_browser(request):
                wait = limiter.take(request.remote or "unknown", request.path)
                if wait:
                    response = _refuse(request, 429, messages.text("web_rate_limited", lang, seconds=wait),
                                       {"Retry-After": str(wait)})
                    add_security_headers(response)
                    return response
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            add_security_headers(exc)
            raise
        add_security_headers(response)
        return response

    return guard
