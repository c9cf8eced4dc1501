"""The web surface over HTTP (aiohttp's test client against the real app, engine and SQLite store):
security headers, the same-origin check, the rate limit, votes, and /admin's sign-in and absence."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest

from bot.feedback import open_store
from bot.web.chat import VOTER_COOKIE
from bot.web.session import COOKIE as ADMIN_COOKIE
from tests.web_helpers import ADMIN_TOKEN

ANSWERABLE = "Hva er rapportens hovedanbefaling?"
REPORT_URL = "https://dfo.no/rapporter/departementene-i-forersetet-omstilling"


@pytest.fixture
async def client(make_client):
    return await make_client()


def assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_every_web_response_carries_the_security_headers(client):
    for path in ("/", "/static/chat.js", "/static/web.css", "/admin", "/no-such-page"):
        response = await client.get(path)
        assert_security_headers(response)
    assert_security_headers(await client.post("/api/ask", json={"question": ANSWERABLE}))


async def test_the_page_has_no_inline_script_and_serves_its_assets_locally(client):
    html = await (await client.get("/")).text()
    assert '<script src="/static/chat.js" defer></script>' in html
    assert html.count("<script") == 1 and "style=" not in html
    # Everything the page loads comes from this server; only the links to the reports point elsewhere.
    assert sorted(set(re.findall(r'\b(?:src|href)="(https?:[^"]*)"', html))) == [REPORT_URL]
    assert re.search(r'<a class="full-report"[^>]*href="https://', html)
    assert (await client.get("/static/chat.js")).headers["Content-Type"] == "application/javascript"


async def test_the_page_names_the_documents_the_bot_holds(client):
    html = await (await client.get("/")).text()
    assert "Sammendraget av «Departementene i førersetet for omstilling?» (Difi-rapport 2019:3)" in html
    assert (f'<a class="full-report" data-source="Difi-rapport 2019:3" href="{REPORT_URL}" target="_blank" '
            'rel="noopener noreferrer">Les hele Difi-rapport 2019:3') in html
    english = await (await client.get("/", headers={"Accept-Language": "en"})).text()
    assert "The summary of «Departementene i førersetet for omstilling?»" in english


async def test_the_page_does_not_wait_for_a_starting_engine(base_settings, engine, tmp_path):
    """The first start builds the index for a minute: the page comes at once and says the bot is starting."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.runtime import build_service
    from bot.server import build_app
    from tests.web_helpers import web_settings

    settings = web_settings(base_settings, tmp_path)
    ready = threading.Event()

    def slow_start():
        ready.wait(30)
        return build_service(settings, engine)

    client = TestClient(TestServer(build_app(settings, slow_start)))
    await client.start_server()
    try:
        started = time.monotonic()
        starting = await client.get("/")
        html = await starting.text()
        assert starting.status == 200 and time.monotonic() - started < 5
        assert "Jeg starter opp og leser dokumentene" in html and 'class="full-report"' not in html
        ready.set()
        for _ in range(200):
            if (await client.get("/healthz")).status == 200:
                break
            await asyncio.sleep(0.05)
        assert "Sammendraget av «Departementene" in await (await client.get("/")).text()
    finally:
        ready.set()
        await client.close()


async def test_cross_origin_posts_are_refused(client):
    ask = {"question": ANSWERABLE}
    evil = await client.post("/api/ask", json=ask, headers={"Origin": "https://evil.example"})
    assert evil.status == 403 and "ikke fra denne siden" in (await evil.json())["error"]
    assert (await client.post("/api/ask", json=ask, headers={"Sec-Fetch-Site": "cross-site"})).status == 403
    assert (await client.post("/api/ask", json=ask, headers={"Origin": "null"})).status == 403
    vote = await client.post("/api/feedback", json={"answer_id": "x", "vote": "up"},
                             headers={"Origin": "http://attacker.test"})
    assert vote.status == 403
    login = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, headers={"Sec-Fetch-Site": "same-site"},
                              allow_redirects=False)
    assert login.status == 403 and ADMIN_COOKIE not in login.cookies
    # The same requests from the page itself, and from a non-browser client, go through.
    host = f"{client.host}:{client.port}"
    assert (await client.post("/api/ask", json=ask, headers={"Origin": f"http://{host}"})).status == 200
    assert (await client.post("/api/ask", json=ask, headers={"Sec-Fetch-Site": "same-origin"})).status == 200
    assert (await client.post("/api/ask", json=ask)).status == 200


async def test_rate_limit_answers_429_with_retry_after(make_client):
    client = await make_client(rate_limit=3)
    browser = {"Sec-Fetch-Site": "same-origin"}
    statuses = [(await client.post("/api/feedback", json={"answer_id": "nope", "vote": "up"}, headers=browser)).status
                for _ in range(3)]
    assert statuses == [404, 404, 404]  # unknown answer, but let through
    limited = await client.post("/api/feedback", json={"answer_id": "nope", "vote": "up"}, headers=browser)
    assert limited.status == 429
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 60 and str(wait) in (await limited.json())["error"]
    assert_security_headers(limited)
    # /api/ask has its own bucket, and other routes are never limited.
    assert (await client.post("/api/ask", json={"question": ANSWERABLE}, headers=browser)).status == 200
    assert (await client.get("/")).status == 200


async def test_scripts_are_bounded_by_the_queue_not_the_browser_rate_limit(make_client):
    """An integration (no browser headers) asking more than the browser limit is still answered."""
    client = await make_client(rate_limit=3)
    statuses = [(await client.post("/api/ask", json={"question": ANSWERABLE})).status for _ in range(6)]
    assert statuses == [200] * 6
    origin = {"Origin": f"http://{client.server.host}:{client.server.port}"}
    browser = [(await client.post("/api/ask", json={"question": ANSWERABLE}, headers=origin)).status for _ in range(4)]
    assert browser == [200, 200, 200, 429]


async def test_web_votes_one_per_browser_changeable_and_anonymous(client):
    answer = await (await client.post("/api/ask", json={"question": ANSWERABLE})).json()
    first = await client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "up"})
    body = await first.json()
    assert first.status == 200 and body["saved"] and (body["up"], body["down"]) == (1, 0)
    assert body["message"] == "Takk! Tilbakemeldingen er anonym."
    cookie = first.cookies[VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    voter = cookie.value
    # The test client keeps the cookie, like a browser: a second vote changes the first.
    changed = await (await client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "down"})).json()
    assert (changed["up"], changed["down"]) == (0, 1)
    withdrawn = await (await client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "none"})).json()
    assert (withdrawn["up"], withdrawn["down"]) == (0, 0) and withdrawn["message"] == "Stemmen din er trukket tilbake."
    client.session.cookie_jar.clear()  # another browser
    again = await (await client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "up"},
                                     headers={"Accept-Language": "en-GB,en;q=0.9"})).json()
    assert (again["up"], again["down"]) == (1, 0) and again["message"] == "Thanks! Your feedback is anonymous."
    database = (client.settings.data_dir / "feedback.sqlite3").read_bytes()
    assert voter.encode() not in database


async def test_bad_votes_and_conversation_ids_are_400(client):
    for body in ({"answer_id": "a", "vote": "maybe"}, {"vote": "up"}, {"answer_id": "x" * 65, "vote": "up"}, [1]):
        assert (await client.post("/api/feedback", json=body)).status == 400
    assert (await client.post("/api/feedback", data=b"not json")).status == 400
    unknown = await client.post("/api/feedback", json={"answer_id": "0" * 32, "vote": "up"})
    assert unknown.status == 404 and not (await unknown.json())["saved"]
    for conversation in ("x" * 129, 42, ["a"]):
        response = await client.post("/api/ask", json={"question": ANSWERABLE, "conversation_id": conversation})
        assert response.status == 400 and "conversation_id" in (await response.json())["error"]
    ok = await client.post("/api/ask", json={"question": ANSWERABLE, "conversation_id": "t" * 128})
    assert ok.status == 200


async def test_admin_is_404_without_the_token_setting(make_client):
    client = await make_client(admin_token="")
    for method, path in (("GET", "/admin"), ("GET", "/admin/chart.png"), ("POST", "/admin/login"),
                         ("POST", "/admin/teach"), ("POST", "/admin/logout")):
        assert (await client.request(method, path)).status == 404, path


async def test_admin_sign_in_sign_out_and_guarded_routes(client):
    assert (await client.get("/admin/chart.png")).status == 401
    assert (await client.post("/admin/teach", data={"question": "q", "key": "A2"})).status == 403
    wrong = await client.post("/admin/login", data={"token": ADMIN_TOKEN + "x"}, allow_redirects=False)
    assert wrong.status == 401 and "Feil tilgangsnøkkel." in await wrong.text()
    assert ADMIN_COOKIE not in wrong.cookies

    right = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False)
    assert right.status == 303 and right.headers["Location"] == "/admin"
    session = right.cookies[ADMIN_COOKIE]
    assert session["httponly"] and session["samesite"] == "Strict" and session["path"] == "/admin"
    assert not session["secure"]  # plain http here; see the https test below
    dashboard = await client.get("/admin")
    assert "Logg ut" in await dashboard.text() and dashboard.headers["Cache-Control"] == "no-store"
    chart = await client.get("/admin/chart.png")
    assert chart.status == 200 and (await chart.read()).startswith(b"\x89PNG")

    stolen = session.value
    await client.post("/admin/logout", allow_redirects=False)
    client.session.cookie_jar.update_cookies({ADMIN_COOKIE: stolen})
    assert (await client.get("/admin/chart.png")).status == 401  # a signed-out session stays dead


async def test_session_cookie_is_secure_behind_https(client):
    right = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, headers={"X-Forwarded-Proto": "https"},
                              allow_redirects=False)
    assert right.cookies[ADMIN_COOKIE]["secure"]


async def test_dashboard_escapes_stored_questions(client):
    hostile = "<script>alert(1)</script> lønn?"
    await client.post("/api/ask", json={"question": hostile})
    store = open_store(client.settings)
    try:
        assert any(r.question and "<script>" in r.question for r in store.export_rows())
    finally:
        store.close()
    await client.post("/admin/login", data={"token": ADMIN_TOKEN})
    page = await (await client.get("/admin")).text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; lønn?" in page


async def test_the_chat_page_says_how_long_questions_are_kept_and_links_the_privacy_statement_when_set(make_client):
    """The privacy line follows OMSTILLINGSBOT_RETENTION_DAYS, and the link appears only with OMSTILLINGSBOT_PRIVACY_URL."""
    url = "https://www.eksempel.no/personvern?a=1&b=2"
    pages = {}
    for days, privacy_url in ((30, ""), (7, url), (0, "")):
        response = await make_client(retention_days=days, privacy_url=privacy_url)
        page = await response.get("/")
        assert page.status == 200
        assert_security_headers(page)
        pages[days] = await page.text()
    assert "lagres uten navn i 30 dager" in pages[30] and "7 dager" not in pages[30]
    assert "lagres uten navn i 7 dager" in pages[7] and "30 dager" not in pages[7]
    assert "Personvernerklæring" not in pages[30] and "<a href=\"https://www.eksempel.no" not in pages[30]
    assert '<a href="https://www.eksempel.no/personvern?a=1&amp;b=2" rel="noopener">Personvernerklæring</a>' in pages[7]
    assert "Spørsmålene lagres ikke." in pages[0] and "dager" not in pages[0]
    english = await (await make_client(retention_days=14)).get("/", headers={"Accept-Language": "en"})
    assert "stored without names for 14 days" in await english.text()
