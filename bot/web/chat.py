"""The web chat's routes: the page at `GET /` and votes at `POST /api/feedback`.

The page names the documents the bot answers from (the dialogue's `holdings`, once the engine is ready;
while it starts, the page says so instead of waiting for it).

Questions go to the existing `POST /api/ask` (bot/server.py) with the tab's `conversation_id`.
A voter is an anonymous random id in an HttpOnly, SameSite=Strict cookie that only this browser
holds; `ChatService.vote` turns it into the same per-answer HMAC voter key as Slack's and Teams'
user ids, so one browser has one vote per answer, can change it, and nothing identifying is stored.
One address adds at most a few voters to one answer (bot/web/limits.py): a script that drops or
forges the cookie changes one shared vote instead of adding hundreds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets

from aiohttp import web

from bot import messages
from bot.serving import safejson
from bot.answering.compose import is_answer_id
from bot.answering.holdings import Holding
from bot.settings import Settings
from bot.web.language import preferred_lang
from bot.web.limits import VoterBound
from bot.web.pages import chat_page, privacy_line
from bot.web.security import is_https

VOTER_COOKIE = "omstillingsbot_voter"
VOTER_COOKIE_DAYS = 180
_VOTER_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
VOTES = ("up", "down", "none")
# How long the page waits for a starting engine before it is sent without the list of documents: the
# first start builds the index for a minute, and a page should not hang that long.
PAGE_WAIT_S = 1.0

log = logging.getLogger(__name__)


async def documents(get_service) -> tuple[Holding, ...] | None:
    """What the bot holds, as its dialogue says it (built with the engine, and again with a rebuilt one);
    None while the engine is not ready (or failed: /healthz and the log say why)."""
    try:
        service = await asyncio.wait_for(get_service(), PAGE_WAIT_S)
    except TimeoutError:
        return None
    except Exception as exc:  # noqa: BLE001 - a failed start must not take the page down with it
        log.debug("engine not available for the page: %s", type(exc).__name__)
        return None
    dialogue = getattr(service, "dialogue", None)
    return dialogue.holdings if dialogue is not None else ()  # a stand-in engine (tests) knows no documents


def mount_chat(app: web.Application, settings: Settings, get_service) -> None:
    voters = VoterBound()

    async def page(request: web.Request) -> web.Response:
        lang = preferred_lang(request.headers.get("Accept-Language", ""))
        privacy = privacy_line(lang, settings.retention_days, settings.store_questions, settings.privacy_url)
        held = await documents(get_service)
        return web.Response(text=chat_page(lang, settings.max_question_chars, privacy, held),
                            content_type="text/html",
                            headers={"Cache-Control": "no-cache", "Vary": "Accept-Language"})

    async def feedback(request: web.Request) -> web.Response:
        lang = preferred_lang(request.headers.get("Accept-Language", ""))
        try:
            payload = safejson.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            payload = None
        answer_id = payload.get("answer_id") if isinstance(payload, dict) else None
        vote = payload.get("vote") if isinstance(payload, dict) else None
        if not is_answer_id(answer_id) or vote not in VOTES:
            return _json({"error": messages.text("web_bad_vote", lang)}, 400)
        voter = request.cookies.get(VOTER_COOKIE, "")
        new_voter = not _VOTER_ID.match(voter)
        if new_voter:
            voter = secrets.token_urlsafe(24)  # 32 characters
        service = await get_service()
        counted_as = voters.voter(request.remote or "unknown", answer_id, voter)
        outcome = await service.vote("web", answer_id, counted_as, vote, lang)
        status = 200 if outcome.saved else 404 if outcome.unknown_answer else 503
        body = {"saved": outcome.saved, "vote": vote, "message": outcome.message,
                "up": outcome.tally.up if outcome.tally else None,
                "down": outcome.tally.down if outcome.tally else None}
        response = _json(body, status)
        if new_voter:
            response.set_cookie(VOTER_COOKIE, voter, max_age=VOTER_COOKIE_DAYS * 86400, path="/api/feedback",
                                httponly=True, samesite="Strict", secure=is_https(request))
        return response

    app.router.add_get("/", page)
    app.router.add_post("/api/feedback", feedback)


def _json(body: dict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
