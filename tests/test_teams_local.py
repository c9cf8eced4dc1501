"""Teams local mode (no MicrosoftAppId) is fenced in to this machine: it is off on a HOST others can
reach unless explicitly allowed, refuses what a web page in the local user's browser can send, replies
only to the Emulator's form of serviceUrl, and no error body names an exception class. Real aiohttp
route on loopback, the fake Bot Connector, the real engine."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from aiohttp import web

from bot.settings import Settings
from bot.teams import adapter
from bot.teams.adapter import is_emulator_service_url
from tests.fakes import teams_activities as fa
from tests.teams_fakes import TeamsServer

ROOT = Path(__file__).resolve().parents[1]


async def _get_service():  # never called: nothing is answered in the mount tests
    raise AssertionError


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "bot.example.no"])
def test_local_mode_on_a_network_address_is_off_and_says_why(host, caplog):
    caplog.set_level(logging.INFO)
    endpoint = adapter.mount(web.Application(), Settings(host=host), _get_service)
    assert endpoint.local_mode_off
    assert "Teams er av" in caplog.text and "OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_local_mode_on_loopback_is_on(host):
    assert not adapter.mount(web.Application(), Settings(host=host), _get_service).local_mode_off


def test_the_any_host_setting():
    assert Settings.from_env({"OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST": "1"}).teams_local_any_host
    assert not Settings.from_env({}).teams_local_any_host
    settings = Settings(host="0.0.0.0", teams_local_any_host=True)
    assert not adapter.mount(web.Application(), settings, _get_service).local_mode_off
    with_app_id = Settings(host="0.0.0.0", microsoft_app_id="3b1f2a3c-1111-4222-8333-444455556666",
                           microsoft_app_password="pw")
    assert not adapter.mount(web.Application(), with_app_id, _get_service).local_mode_off  # tokens required


async def test_on_a_network_address_nothing_is_answered_unless_allowed(chat_service):
    async with TeamsServer(chat_service, Settings(host="0.0.0.0")) as server:
        posted = await server.post(fa.message("hjelp", server.service_url))
        assert posted.status == 503 and "OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST" in posted.json()["error"]
    assert server.connector.calls == []
    async with TeamsServer(chat_service, Settings(host="0.0.0.0", teams_local_any_host=True)) as server:
        await server.after_a_later_event()  # allowed explicitly: answered


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-site"}, 403),  # another port of localhost is "same-site"
    ({"Host": "rebound.evil.example"}, 403),  # DNS rebinding: the page's own name pointed at 127.0.0.1
    ({"Content-Type": "text/plain"}, 415),  # what a page can POST without a CORS preflight
], ids=["origin", "origin-null", "cross-site", "same-site", "host", "text-plain"])
async def test_requests_a_web_page_can_make_are_refused(chat_service, headers, status):
    async with TeamsServer(chat_service) as server:
        posted = await server.post(fa.message("Hva er anbefaling 2?", server.service_url), headers)
        assert posted.status == status
        await server.after_a_later_event()  # the Emulator's own requests are still answered
        assert server.connector.calls == []


async def test_the_emulators_own_requests_are_answered(chat_service):
    async with TeamsServer(chat_service) as server:
        await server.after_a_later_event({"Sec-Fetch-Site": "none"})
        origin = server.url.rsplit("/api/", 1)[0]
        await server.after_a_later_event({"Origin": origin, "Sec-Fetch-Site": "same-origin"})


def test_the_emulators_service_url_form():
    for url in ("http://localhost:52965", "http://localhost:52965/", "http://127.0.0.1:3979/", "http://[::1]:3979"):
        assert is_emulator_service_url(url), url
    for url in ("http://127.0.0.1:8080/admin/delete", "http://user:pw@127.0.0.1:8080/", "http://localhost/",
                "http://127.0.0.1:8080/?x=1", "https://smba.trafficmanager.net/emea/", "http://10.0.0.5:3979/",
                "http://localhost:99999/", "file:///etc/passwd", "", None, 5):
        assert not is_emulator_service_url(url), url


async def test_local_mode_replies_only_to_the_emulators_form_of_service_url(chat_service):
    """A forged activity must not steer the bot's POST to an arbitrary path of a local service."""
    async with TeamsServer(chat_service) as server:
        for url in (server.service_url + "admin/delete-everything", server.service_url.replace("http://", "http://u:p@")):
            assert (await server.post(fa.message("hjelp", url))).status == 401, url
        await server.after_a_later_event()
        assert server.connector.calls == []


def test_no_error_body_names_an_exception_class():
    """Error responses are sentences from bot/messages.py: a `json_response` or `_error` in the Teams adapter
    must not put `__name__` (e.g. type(exc).__name__) into the body. The class name goes to the log only."""
    tree = ast.parse((ROOT / "bot" / "teams" / "adapter.py").read_text(encoding="utf-8"))
    offending = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "json_response", "_error", "Response"):
            if any(isinstance(n, ast.Attribute) and n.attr == "__name__" for n in ast.walk(node)):
                offending.append(node.lineno)
    assert offending == []
