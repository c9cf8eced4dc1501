"""The web surface against a script that ignores browser headers and cookies (the security probe's
findings): sign-in guessing, vote stuffing, log flooding, unreadable forms, headers on aiohttp's own
errors, sign-out across restarts and instances, rows from repeated questions, foreign Host names and
what the access log keeps. Real server on loopback, real engine, real SQLite file (and PostgreSQL
when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
import time

import pytest
from aiohttp.test_utils import TestClient

from bot.feedback.privacy import load_secret, voter_key
from bot.settings import Settings
from bot.web.chat import VOTER_COOKIE
from bot.web.limits import LOGIN_EVERYONE, LOGIN_PER_CLIENT, VOTERS_PER_CLIENT_AND_ANSWER, LoginGuard
from bot.web.session import COOKIE as ADMIN_COOKIE
from bot.web.session import Sessions
from tests.web_helpers import ADMIN_TOKEN

ANSWERABLE = "Hva er rapportens hovedanbefaling?"
BAD_FORM = "Skjemaet kunne ikke leses"


async def _raw(client: TestClient, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(65536), 5)
    finally:
        writer.close()


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / "feedback.sqlite3") as conn:
        return conn.execute(sql).fetchall()


# --- 1. sign-in guessing ------------------------------------------------------------------------------

async def test_sign_in_attempts_are_bounded_per_client_without_browser_headers(make_client):
    client = await make_client()
    statuses = await asyncio.gather(*(client.post("/admin/login", data={"token": f"guess-{n}"}, allow_redirects=False)
                                      for n in range(LOGIN_PER_CLIENT + 2)))
    codes = sorted(r.status for r in statuses)
    assert codes == [401] * LOGIN_PER_CLIENT + [429, 429]
    limited = next(r for r in statuses if r.status == 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "For mange innloggingsforsøk" in await limited.text()
    # The right token does not get round the limit either.
    right = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False)
    assert right.status == 429 and ADMIN_COOKIE not in right.cookies


def test_sign_in_attempts_are_bounded_in_all_across_clients():
    now = [0.0]
    guard = LoginGuard(clock=lambda: now[0])
    allowed = sum(guard.take(f"10.0.{n // 250}.{n % 250}") == 0 for n in range(LOGIN_EVERYONE * 3))
    assert allowed == LOGIN_EVERYONE
    now[0] += 60.0
    assert guard.take("10.9.9.9") == 0  # refilled after a minute


async def test_a_refused_sign_in_is_answered_late_and_a_right_one_at_once(make_client):
    client = await make_client()
    started = time.monotonic()
    wrong = await client.post("/admin/login", data={"token": "not-the-token-at-all"}, allow_redirects=False)
    assert wrong.status == 401 and time.monotonic() - started >= 0.9
    started = time.monotonic()
    right = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False)
    assert right.status == 303 and time.monotonic() - started < 0.9


async def test_only_the_whole_token_signs_in_never_a_prefix(make_client):
    client = await make_client()
    for candidate in (ADMIN_TOKEN[:-1], ADMIN_TOKEN[:1], "", ADMIN_TOKEN + "x"):
        response = await client.post("/admin/login", data={"token": candidate}, allow_redirects=False)
        assert response.status == 401 and ADMIN_COOKIE not in response.cookies, candidate
    sessions = Sessions(ADMIN_TOKEN)
    assert sessions.token_matches(ADMIN_TOKEN)
    assert not any(sessions.token_matches(ADMIN_TOKEN[:n]) for n in range(len(ADMIN_TOKEN)))


async def test_a_short_admin_token_leaves_the_dashboard_off_and_says_why(make_client, caplog):
    caplog.set_level(logging.WARNING)
    client = await make_client(admin_token="k7")
    page = await client.get("/admin")
    text = await page.text()
    assert page.status == 503 and "slått av" in text and "minst 16" in text
    login = await client.post("/admin/login", data={"token": "k7"}, allow_redirects=False)
    assert login.status == 503 and ADMIN_COOKIE not in login.cookies
    assert any("OMSTILLINGSBOT_ADMIN_TOKEN" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert (await client.get("/")).status == 200  # the rest of the bot runs


# --- 4. unreadable forms are 400, not 500 ---------------------------------------------------------------

ODD_LOGIN_BODIES = (
    ("multipart/form-data; boundary=xx", b"--xx\r\nContent-Disposition: form-data; name=token\r\n\r\nabc\r\n--xx--\r\n"),
    ("multipart/form-data; boundary=xx", b"no boundary here"),
    ("application/x-www-form-urlencoded; charset=bogus", b"token=abc"),
    ("application/x-www-form-urlencoded", b"token=\xff"),
    ("application/x-www-form-urlencoded", b"token=%ff%fe"),
)


@pytest.mark.parametrize("content_type, body", ODD_LOGIN_BODIES)
async def test_odd_sign_in_bodies_are_400_with_a_norwegian_message(make_client, content_type, body):
    client = await make_client()
    response = await client.post("/admin/login", data=body, headers={"Content-Type": content_type})
    assert response.status == 400 and BAD_FORM in await response.text()


async def test_a_multipart_teach_form_is_400(make_client):
    client = await make_client()
    await client.post("/admin/login", data={"token": ADMIN_TOKEN})
    corpus = client.settings.corpus_dir / "difi-rapport-2019-3.md"
    before = corpus.read_text(encoding="utf-8")
    for content_type, body in ODD_LOGIN_BODIES:
        response = await client.post("/admin/teach", data=body, headers={"Content-Type": content_type})
        assert response.status == 400 and BAD_FORM in await response.text()
    assert corpus.read_text(encoding="utf-8") == before


# --- 3. one short line per bad request ------------------------------------------------------------------

async def test_fifty_bad_requests_write_no_traceback_and_little_log(make_client, caplog):
    client = await make_client()
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    host = f"{client.server.host}:{client.server.port}"
    for n in range(50):
        kind = n % 4
        if kind == 0:
            await client.post("/api/ask", data=b"0123456789", headers={
                "Content-Type": "application/json", "Content-Encoding": "gzip", "Connection": "close"})
        elif kind == 1:
            content_type, body = ODD_LOGIN_BODIES[n % len(ODD_LOGIN_BODIES)]
            await client.post("/admin/login", data=body, headers={"Content-Type": content_type, "Connection": "close"})
        elif kind == 2:
            await _raw(client, f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: ".encode() + b"a" * 10_000 + b"\r\n\r\n")
        else:
            await _raw(client, b"\x16\x03\x01 not http at all\r\n\r\n")
    await asyncio.sleep(0.1)
    assert "Traceback" not in caplog.text
    assert not any(r.exc_info for r in caplog.records)
    assert len(caplog.text) < 50 * 300, caplog.text[-2000:]


# --- 5. headers on every response, no version banner ----------------------------------------------------

@pytest.mark.parametrize("request_bytes", [
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",  # header too long
    b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # bad request line
    b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
])
async def test_errors_the_parser_makes_carry_the_security_headers_and_no_server_banner(make_client, request_bytes):
    client = await make_client()
    head = (await _raw(client, request_bytes)).split(b"\r\n\r\n")[0].decode("latin-1").lower()
    assert head.startswith("http/1.") and " 400 " in head.splitlines()[0]
    assert "content-security-policy: default-src 'self'" in head
    assert "x-content-type-options: nosniff" in head and "x-frame-options: deny" in head
    assert "\r\nserver:" not in head and "aiohttp" not in head and "python" not in head


async def test_ordinary_responses_and_routed_errors_have_no_server_banner(make_client):
    client = await make_client()
    for response in (await client.get("/"), await client.get("/no-such-page"), await client.get("/api/ask"),
                     await client.get("/healthz"), await client.post("/api/ask", json={"question": ANSWERABLE})):
        assert "Server" not in response.headers, response.status
        assert response.headers["X-Frame-Options"] == "DENY", response.status


# --- 9. sign-out survives restarts and reaches other instances ------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request) -> str:
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres_url")


async def test_a_signed_out_session_stays_dead_after_a_restart_and_on_another_instance(make_client, store_url):
    first = await make_client(database_url=store_url)
    other = await make_client(database_url=store_url)  # a second instance on the same database
    await first.post("/admin/login", data={"token": ADMIN_TOKEN})
    cookie = first.session.cookie_jar.filter_cookies(first.make_url("/admin"))[ADMIN_COOKIE].value
    other.session.cookie_jar.update_cookies({ADMIN_COOKIE: cookie})
    assert (await other.get("/admin/chart.png")).status == 200  # the session is good everywhere ...
    await first.post("/admin/logout", allow_redirects=False)
    assert (await other.get("/admin/chart.png")).status == 401  # ... and signed out everywhere
    await first.close()
    restarted = await make_client(database_url=store_url)
    restarted.session.cookie_jar.update_cookies({ADMIN_COOKIE: cookie})
    assert (await restarted.get("/admin/chart.png")).status == 401
    assert "Logg ut" not in await (await restarted.get("/admin")).text()
    # A fresh sign-in still works after all that.
    await restarted.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert (await restarted.get("/admin/chart.png")).status == 200


# --- 2. vote stuffing --------------------------------------------------------------------------------

async def _answer_id(client) -> str:
    return (await (await client.post("/api/ask", json={"question": ANSWERABLE})).json())["answer_id"]


async def test_a_script_without_cookies_changes_a_few_votes_not_hundreds(make_client):
    client = await make_client(cookies=False)
    answer_id = await _answer_id(client)
    tallies = [await (await client.post("/api/feedback", json={"answer_id": answer_id, "vote": "down"})).json()
               for _ in range(40)]
    assert all(t["saved"] for t in tallies)
    assert tallies[-1]["down"] == VOTERS_PER_CLIENT_AND_ANSWER + 1


async def test_forged_voter_cookies_do_not_add_voters_either(make_client):
    client = await make_client(cookies=False)
    answer_id = await _answer_id(client)
    for _ in range(40):
        forged = secrets.token_urlsafe(24)
        last = await (await client.post("/api/feedback", json={"answer_id": answer_id, "vote": "down"},
                                        headers={"Cookie": f"{VOTER_COOKIE}={forged}"})).json()
    assert last["down"] == VOTERS_PER_CLIENT_AND_ANSWER + 1


async def test_votes_are_limited_per_client_whatever_it_sends(make_client):
    client = await make_client(cookies=False, client_rate_limit=5)
    statuses = [(await client.post("/api/feedback", json={"answer_id": "0" * 32, "vote": "up"})).status
                for _ in range(6)]
    assert statuses == [404] * 5 + [429]


async def test_the_store_holds_the_hmac_of_the_web_voter_never_the_cookie(make_client):
    client = await make_client()
    answer_id = await _answer_id(client)
    voted = await client.post("/api/feedback", json={"answer_id": answer_id, "vote": "up"})
    cookie = voted.cookies[VOTER_COOKIE].value
    stored = _rows(client.settings, "SELECT voter_key FROM votes")
    assert stored == [(voter_key(load_secret(client.settings), "web", cookie, answer_id),)]
    assert cookie not in stored[0][0]


# --- 10. repeated questions and the per-client limit on /api/ask ---------------------------------------

async def test_a_question_repeated_by_one_client_is_stored_once(make_client):
    client = await make_client()
    answers = [await (await client.post("/api/ask", json={"question": ANSWERABLE})).json() for _ in range(20)]
    assert len({a["answer_id"] for a in answers}) == 1
    other = await (await client.post("/api/ask", json={"question": "Hva sier rapporten om tillit?"})).json()
    in_conversation = [await (await client.post("/api/ask", json={"question": q, "conversation_id": "tab-1"})).json()
                       for q in ("anbefaling 2", "og den neste?", "og den neste?")]
    assert len({a["answer_id"] for a in in_conversation}) == 3  # follow-ups with new answers are new rows
    stored = {row[0] for row in _rows(client.settings, "SELECT answer_id FROM answers")}
    given = {answers[0]["answer_id"], other["answer_id"], *(a["answer_id"] for a in in_conversation)} - {""}
    assert stored == given and len(stored) >= 4, [(a["kind"], a["answer_id"]) for a in in_conversation]
    vote = await client.post("/api/feedback", json={"answer_id": answers[-1]["answer_id"], "vote": "up"})
    assert vote.status == 200  # the repeat's id is the stored row's


async def test_asks_are_limited_per_client_without_browser_headers(make_client):
    client = await make_client(client_rate_limit=5)
    statuses = [(await client.post("/api/ask", json={"question": f"Hva sier rapporten om tillit, {n}?"})).status
                for n in range(6)]
    assert statuses == [200] * 5 + [429]


# --- 13. Host allowlist and the access log ------------------------------------------------------------

async def test_the_web_surface_answers_only_its_own_host_names(make_client):
    client = await make_client()
    evil = {"Host": "rebind.attacker.example"}
    assert (await client.get("/", headers=evil)).status == 421
    assert (await client.get("/static/chat.js", headers=evil)).status == 421
    refused = await client.post("/api/ask", json={"question": ANSWERABLE}, headers=evil)
    assert refused.status == 421 and "OMSTILLINGSBOT_ALLOWED_HOSTS" in (await refused.json())["error"]
    assert (await client.post("/admin/login", data={"token": ADMIN_TOKEN}, headers=evil,
                              allow_redirects=False)).status == 421
    for own in ("localhost", f"localhost:{client.server.port}", "127.0.0.1", "[::1]:80"):
        assert (await client.get("/", headers={"Host": own})).status == 200, own
    # Not the web surface: health checks, and the platforms' routes (authenticated by signature/token).
    assert (await client.get("/healthz", headers=evil)).status == 200
    assert (await client.post("/api/messages", json={"type": "x"}, headers=evil)).status != 421

    listed = await make_client(allowed_hosts=("bot.example.no",))
    assert (await listed.get("/", headers={"Host": "bot.example.no"})).status == 200
    assert (await listed.get("/", headers={"Host": "localhost"})).status == 421


def test_the_default_host_list_is_loopback_the_listening_address_and_the_public_url():
    assert Settings().web_hosts == {"localhost", "127.0.0.1", "::1"}
    public = Settings.from_env({"OMSTILLINGSBOT_PUBLIC_URL": "https://Bot.Example.no/", "HOST": "0.0.0.0"})
    assert public.web_hosts == {"localhost", "127.0.0.1", "::1", "bot.example.no"}
    assert Settings.from_env({"HOST": "10.1.2.3"}).web_hosts >= {"10.1.2.3"}
    assert Settings.from_env({"OMSTILLINGSBOT_ALLOWED_HOSTS": "a.no, B.no"}).web_hosts == {"a.no", "b.no"}


@pytest.mark.parametrize("keep_client", [False, True])
async def test_the_access_log_keeps_the_client_only_when_asked(make_client, caplog, keep_client):
    caplog.set_level(logging.INFO, logger="aiohttp.access")  # before the connection: aiohttp asks once per connection
    client = await make_client(access_log_client=keep_client)
    caplog.clear()
    await client.get("/", headers={"User-Agent": "ProbeAgent/1.0", "Referer": "http://referrer.example/page"})
    await asyncio.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert lines and '"GET / HTTP/1.1" 200' in lines[-1]
    for private in ("127.0.0.1", "ProbeAgent", "referrer.example"):
        assert (private in lines[-1]) == keep_client, (private, lines[-1])
