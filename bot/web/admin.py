"""The owners' dashboard at `/admin`: sign-in with OMSTILLINGSBOT_ADMIN_TOKEN, the feedback figures and
chart of `omstillingsbot feedback`, and the refused / voted-down questions with a "teach" action.

Mounted only when the token is set, so without it every /admin path is a plain 404. Pages are
never cached. The teach action writes to the corpus (`bot.answering.teaching.teach`); the running engine
keeps its index, and the new example question counts from the next index build.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot import messages
from bot.answering import teaching
from bot.feedback.summary import summarize
from bot.settings import Settings
from bot.web.pages import SuggestionRow, UnitChoice, dashboard_page, login_page
from bot.web.security import is_https
from bot.web.session import COOKIE, SESSION_SECONDS, Sessions

log = logging.getLogger(__name__)

SUGGESTION_LIMIT = 30
NO_STORE = {"Cache-Control": "no-store"}
# The "Om rapporten" unit is made from front matter and has no heading to teach under.
UNTEACHABLE = {"meta"}


def mount_admin(app: web.Application, settings: Settings, get_service) -> None:
    sessions = Sessions(settings.admin_token)

    def signed_in(request: web.Request) -> bool:
        return sessions.valid(request.cookies.get(COOKIE))

    def html(text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", headers=NO_STORE)

    def to_dashboard(query: str = "") -> web.Response:
        return web.Response(status=303, headers={"Location": "/admin" + query, **NO_STORE})

    async def dashboard(request: web.Request) -> web.Response:
        if not signed_in(request):
            return html(login_page())
        service = await get_service()
        units = _units(service.engine)
        summary = None
        rows: list[SuggestionRow] = []
        if service.store is not None:
            try:
                summary = summarize(await asyncio.to_thread(service.store.export_rows))
                found = await service.in_engine_thread(teaching.suggestions, service.store, service.engine,
                                                       SUGGESTION_LIMIT)
                rows = [SuggestionRow(s.question, s.reason, s.top_key, s.top_label) for s in found]
            except Exception as exc:  # noqa: BLE001 - a store that is down still gets a page
                log.warning("dashboard could not read the feedback store: %s", type(exc).__name__)
        notice, is_error = _notice(request, units)
        return html(dashboard_page(summary, rows, units, notice, is_error))

    async def chart(request: web.Request) -> web.Response:
        if not signed_in(request):
            raise web.HTTPUnauthorized(headers=NO_STORE)
        from bot.feedback.plot import chart_png

        service = await get_service()
        rows = await asyncio.to_thread(service.store.export_rows) if service.store is not None else []
        png = await asyncio.to_thread(chart_png, summarize(rows))
        return web.Response(body=png, content_type="image/png", headers=NO_STORE)

    async def sign_in(request: web.Request) -> web.Response:
        form = await request.post()
        token = form.get("token")
        if not isinstance(token, str) or not sessions.token_matches(token):
            log.info("admin sign-in refused")
            return html(login_page(error=True), status=401)
        response = to_dashboard()
        response.set_cookie(COOKIE, sessions.new(), max_age=SESSION_SECONDS, path="/admin", httponly=True,
                            samesite="Strict", secure=is_https(request))
        return response

    async def sign_out(request: web.Request) -> web.Response:
        sessions.revoke(request.cookies.get(COOKIE))
        response = to_dashboard()
        response.del_cookie(COOKIE, path="/admin")
        return response

    async def teach(request: web.Request) -> web.Response:
        if not signed_in(request):
            raise web.HTTPForbidden(headers=NO_STORE)
        form = await request.post()
        question, key = form.get("question"), form.get("key")
        service = await get_service()
        keys = {u.key for u in _units(service.engine)}
        if not isinstance(question, str) or not question.strip() or key not in keys \
                or len(question) > settings.max_question_chars:
            return to_dashboard("?teach=invalid")
        try:
            await asyncio.to_thread(teaching.teach, settings.corpus_dir, question, str(key))
        except (KeyError, ValueError):
            return to_dashboard("?teach=invalid")
        # In effect at once: the running engine remembers it (the next build reads the corpus file).
        await service.in_engine_thread(service.engine.learn, question, str(key))
        log.info("taught an example question to unit %s", key)
        return to_dashboard(f"?taught={key}")

    app.router.add_get("/admin", dashboard)
    app.router.add_get("/admin/chart.png", chart)
    app.router.add_post("/admin/login", sign_in)
    app.router.add_post("/admin/logout", sign_out)
    app.router.add_post("/admin/teach", teach)


def _units(engine) -> list[UnitChoice]:
    """Every keyed unit, in corpus order (the primary report first), once per key."""
    seen: dict[str, UnitChoice] = {}
    for chunk in engine.retriever.chunks:
        if chunk.key and chunk.key not in seen and chunk.key not in UNTEACHABLE:
            seen[chunk.key] = UnitChoice(chunk.key, chunk.label)
    return list(seen.values())


def _notice(request: web.Request, units: list[UnitChoice]) -> tuple[str, bool]:
    taught = request.query.get("taught")
    labels = {u.key: u.label for u in units}
    if taught in labels:
        return messages.text("admin_taught", "nb", label=labels[taught]), False
    if request.query.get("teach") == "invalid":
        return messages.text("admin_teach_invalid", "nb"), True
    return "", False
