"""Mounting Teams on the server: what it says at start-up, bad configuration, and the SDK boundary."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from aiohttp import web

from bot.settings import Settings
from bot.teams import adapter

ROOT = Path(__file__).resolve().parents[1]
SDK_PACKAGES = ("botbuilder", "botframework", "msrest")


async def _get_service():  # never called: nothing is posted in these tests
    raise AssertionError


def test_without_an_app_id_the_server_says_it_runs_in_local_mode(caplog):
    caplog.set_level(logging.INFO)
    app = web.Application()
    adapter.mount(app, Settings(), _get_service)
    assert "lokal modus" in caplog.text
    assert any(route.resource.canonical == "/api/messages" and route.method == "POST" for route in app.router.routes())


def test_with_an_app_id_the_server_says_tokens_are_required_and_logs_no_secret(caplog):
    caplog.set_level(logging.DEBUG)
    settings = Settings(microsoft_app_id="3b1f2a3c-1111-4222-8333-444455556666", microsoft_app_password="s3cret-pw",
                        microsoft_app_type="SingleTenant", microsoft_app_tenant_id="72f988bf-0000-4000-8000-0000000000aa")
    adapter.mount(web.Application(), settings, _get_service)
    assert "krever gyldig Bot Framework-token (app-type SingleTenant)" in caplog.text
    assert "s3cret-pw" not in caplog.text and "72f988bf" not in caplog.text


@pytest.mark.parametrize("app_type", ["SingleTenant", "UserAssignedMSI"])
def test_a_tenant_bound_app_type_without_a_tenant_id_fails_at_start_with_a_clear_reason(app_type):
    settings = Settings(microsoft_app_id="3b1f2a3c-1111-4222-8333-444455556666", microsoft_app_password="pw",
                        microsoft_app_type=app_type)
    with pytest.raises(RuntimeError, match="Teams-oppsettet er ugyldig.*TENANTID"):
        adapter.mount(web.Application(), settings, _get_service)


def test_only_the_teams_adapter_imports_the_bot_framework_sdk():
    importers = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] in SDK_PACKAGES for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert set(importers) == {"bot/teams/adapter.py"}
