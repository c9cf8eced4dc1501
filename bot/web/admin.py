"""The owners' dashboard at `/admin`: sign-in with OMSTILLINGSBOT_ADMIN_TOKEN, the feedback figures and
chart of `omstillingsbot feedback`, and the refused / voted-down questions with a "teach" action.

Mounted only when the token is set (and long enough, bot/web/limits.py), so without it every /admin
path is a plain 404. Sign-in attempts are bounded per client and in all, whatever the client sends,
and a refused one is answered late. Forms are read strictly (URL-encoded UTF-8, as the pages send
them): anything else is a 400 that says so, never a 500. Every request checks the session against
the revocations in the feedback store. Pages are never cached.

The teach action stores the owner's verdict as a lesson in the feedback store (bot/answering/teaching.py):
this instance applies it before redirecting, every other instance sharing the store within about a
second (bot/serving/lessons.py); nothing is written to the corpus (`omstillingsbot teach --export` does).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

from aiohttp import web

from bot import messages
from bot.answering import teaching
from bot.feedback.base import IGNORED, NOT_COVERED
from bot.feedback.summary import summarize
from bot.settings import Settings
from bot.web.admin_pages import dashboard_page, login_page
from bot.web.limits import FAILED_LOGIN_DELAY_S, LoginGuard
from bot.web.security import is_https
from bot.web.session import COOKIE, SESSION_SECONDS, Sessions

log = logging.getLogger(__name__)

SUGGESTION_LIMIT = 30
NO_STORE = {"Cache-Control": "no-store"}
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
        summary = None
        rows: list[teaching.Suggestion] = []
        notice, is_error = _notice(request), request.query.get("teach") is not None
        if service.store is not None:
            try:
                summary = summarize(await asyncio.to_thread(service.store.export_rows))
                await service.refresh_lessons()
                rows = await service.in_engine_thread(teaching.suggestions, service.store, service.engine,
                                                      SUGGESTION_LIMIT)
                if request.query.get("lesson"):
                    notice = await _lesson_notice(service, request.query["lesson"])
            except Exception as exc:  # noqa: BLE001 - a store that is down still gets a page
                log.warning("dashboard could not read the feedback store: %s", type(exc).__name__)
        return html(dashboard_page(summary, rows, notice, is_error))

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
        question, choice = form.get("question"), form.get("choice")
        unit = {"none": NOT_COVERED, "ignore": IGNORED}.get(str(choice), form.get("unit") if choice == "unit" else None)
        service = await get_service()
        if service.store is None or not isinstance(question, str) or not unit \
                or len(question) > settings.max_question_chars:
            return to_dashboard("?teach=invalid")
        try:
            lesson = await service.in_engine_thread(teaching.lesson, service.engine, question, unit)
        except (KeyError, ValueError):
            return to_dashboard("?teach=invalid")
        try:
            await asyncio.to_thread(service.store.save_lesson, lesson)
        except Exception as exc:  # noqa: BLE001 - StoreUnavailable and driver errors alike
            log.warning("lesson not stored: %s", type(exc).__name__)
            return to_dashboard("?teach=store")
        await service.refresh_lessons(force=True)  # in effect here before the owner sees the page again
        log.info("owners' lesson stored (%s)", "ignored" if unit == IGNORED else "not covered"
                 if unit == NOT_COVERED else "unit")
        return to_dashboard(f"?lesson={lesson.question_key}")

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


def _notice(request: web.Request) -> str:
    problem = request.query.get("teach")
    if problem == "store":
        return messages.text("admin_teach_store_down", "nb")
    return messages.text("admin_teach_invalid", "nb") if problem is not None else ""


async def _lesson_notice(service, question_key: str) -> str:
    """What the owner just taught, and what the bot answers now."""
    lessons = await asyncio.to_thread(service.store.lessons)
    lesson = next((item for item in lessons if item.question_key == question_key), None)
    if lesson is None or not lesson.question:
        return messages.text("admin_ignored", "nb") if lesson is not None else ""
    label = await service.in_engine_thread(teaching.answered_now, service.engine, lesson.question)
    now = messages.text("admin_now_answers", "nb", label=label) if label \
        else messages.text("admin_now_refuses", "nb")
    if lesson.unit == NOT_COVERED:
        return messages.text("admin_taught_none", "nb", question=lesson.question, now=now)
    return messages.text("admin_taught", "nb", question=lesson.question, label=lesson.label, now=now)
