"""The Slack app manifests match what the adapter actually handles, with the minimum scopes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.slack import constants as c

yaml = pytest.importorskip("yaml", reason="PyYAML reads the manifests")
HERE = Path(c.__file__).parent


def _load(name: str) -> dict:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def test_http_manifest_points_everything_at_the_one_endpoint():
    manifest = _load("manifest.yaml")
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == c.SLASH_COMMAND and command["should_escape"] is False
    urls = [command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert all(url.startswith("https://") and url.endswith(c.EVENTS_PATH) for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_minimum_scopes_and_the_events_the_adapter_handles():
    manifest = _load("manifest.yaml")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "chat:write", "commands", "im:history", "reactions:read",
        "channels:history", "groups:history", "assistant:write"}  # thread replies, the assistant surface
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "reaction_added", "reaction_removed",
        "message.channels", "message.groups", "assistant_thread_started", "assistant_thread_context_changed"}
    assert manifest["features"]["assistant_view"]["assistant_description"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert len(manifest["display_information"]["description"]) <= 140
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000


def test_socket_mode_variant_is_the_same_app_without_urls():
    http, socket = _load("manifest.yaml"), _load("manifest.socket.yaml")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in str(socket) and "'url'" not in str(socket)  # no URLs at all
    expected = copy.deepcopy(http)
    del expected["features"]["slash_commands"][0]["url"]
    del expected["settings"]["event_subscriptions"]["request_url"]
    del expected["settings"]["interactivity"]["request_url"]
    expected["settings"]["socket_mode_enabled"] = True
    assert socket == expected
