"""The owners' dashboard at `/admin`: sign-in with OMSTILLINGSBOT_ADMIN_TOKEN, the feedback figures and
chart of `omstillingsbot feedback`, and the refused / voted-down questions with a "teach" action.

Mounted only when the token is set (and long enough, bot/web/limits.py), so without it every /admin
path is a plain 404. Sign-in attempts are bounded per client and in all, whatever the client sends,
and a refused one is answered late. Forms are read strictly (URL-encoded UTF-8, as the pages send
them): anything else is a 400 that says so, never a 500. Every request checks the session against
the revocations in the feedback store. Pages are never cached. The teach action writes to the corpus (`bot.answering.teaching.teach`); the running engine
keeps its index, and the new example question counts from the next index build.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

from aiohttp import web

from bot import messages
from bot.answering import teaching
from bot.feedback.summary import summarize
from bot.settings import Settings
from bot.web.admin_pages import SuggestionRow, UnitChoice, dashboard_page, login_page
from bot.web.limits import FAILED_LOGIN_DELAY_S, LoginGuard
from bot.web.security import is_https
from bot.web.session import COOKIE, SESSION_SECONDS, Sessions

log = logging.getLogger(__name__)

SUGGESTION_LIMIT = 30
NO_STORE = {"Cache-Control": "no-store"}
# The "Om rapporten" unit is made from front matter and has no heading to teach under.
UNTEACHABLE = {"meta"}
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 10


def mount_admin(app: web.Application, settings: Settings, get_service) -> None:
    sessions = Sessions(settings.admin_token)
    logins = LoginGuard()

    async def signed_in(request: web.Request) -> bool:
        """A valid cookie not signed out here or, as the store says, anywhere. A store that cannot be
        asked refuses the session (503): a revoked cookie must not come back while the database is down."""
        cookie = request.cookies.get(COOKIE)
        if not sessions.valid(cookie):
            return False
        store = (await get_service()).store
        if store is None:
            return True
        try:
            revoked = await asyncio.to_thread(store.session_revoked, sessions.revocation_key(str(cookie))[0])
        except Exception as exc:  # noqa: BLE001 - StoreUnavailable and driver errors alike
            log.warning("admin session could not be checked: %s", type(exc).__name__)
            raise web.HTTPServiceUnavailable(text=messages.text("admin_session_unknown", "nb"), headers=NO_STORE)
        return not revoked

    def html(text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", headers=NO_STORE)

    def to_dashboard(query: str = "") -> web.Response:
        return web.Response(status=303, headers={"Location": "/admin" + query, **NO_STORE})

    async def dashboard(request: web.Request) -> web.Response:
        if not await signed_in(request):
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
        if not await signed_in(request):
            raise web.HTTPUnauthorized(headers=NO_STORE)
        from bot.feedback.plot import chart_png

        service = await get_service()
        rows = await asyncio.to_thread(service.store.export_rows) if service.store is not None else []
        png = await asyncio.to_thread(chart_png, summarize(rows))
        return web.Response(body=png, content_type="image/png", headers=NO_STORE)

    async def sign_in(request: web.Request) -> web.Response:
        wait = logins.take(request.remote or "unknown")
        if wait:
            log.info("admin sign-in attempt over the limit")
            return web.Response(text=messages.text("admin_login_limited", "nb", seconds=wait), status=429,
                                headers={"Retry-After": str(wait), **NO_STORE})
        form = await _form(request)
        if form is None:
            return _bad_form()
        token = form.get("token")
        if token is None or not sessions.token_matches(token):
            log.info("admin sign-in refused")
            await asyncio.sleep(FAILED_LOGIN_DELAY_S)
            return html(login_page(error=True), status=401)
        response = to_dashboard()
        response.set_cookie(COOKIE, sessions.new(), max_age=SESSION_SECONDS, path="/admin", httponly=True,
                            samesite="Strict", secure=is_https(request))
        return response

    async def sign_out(request: web.Request) -> web.Response:
        cookie = request.cookies.get(COOKIE)
        if sessions.valid(cookie):
            sessions.revoke(cookie)
            store = (await get_service()).store
            try:
                if store is not None:
                    await asyncio.to_thread(store.revoke_session, *sessions.revocation_key(str(cookie)))
            except Exception as exc:  # noqa: BLE001 - the cookie is still deleted and dead in this process
                log.warning("admin sign-out not stored: %s", type(exc).__name__)
        response = to_dashboard()
        response.del_cookie(COOKIE, path="/admin")
        return response

    async def teach(request: web.Request) -> web.Response:
        if not await signed_in(request):
            raise web.HTTPForbidden(headers=NO_STORE)
        form = await _form(request)
        if form is None:
            return _bad_form()
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


async def _form(request: web.Request) -> dict[str, str] | None:
    """The fields of a URL-encoded UTF-8 form, or None for any other body (multipart, another or an
    unknown charset, bytes that are not UTF-8, too many fields): aiohttp's own parser turned those into 500s."""
    if request.content_type != FORM_TYPE or (request.charset or "utf-8").lower() not in ("utf-8", "utf8"):
        return None
    try:
        text = (await request.read()).decode("utf-8")
        return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                              max_num_fields=MAX_FORM_FIELDS))
    except (UnicodeDecodeError, ValueError):
        return None


def _bad_form() -> web.Response:
    log.info("admin form refused: not a URL-encoded UTF-8 form")
    return web.Response(text=messages.text("admin_bad_form", "nb"), status=400, headers=NO_STORE)


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
