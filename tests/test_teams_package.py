"""The Teams app package: manifest.json against the documented schema, and the two icons.

There is no internet here, so the official JSON schema
(https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json) cannot be
downloaded. MANIFEST_SCHEMA below is written by hand from Microsoft's manifest reference
(learn.microsoft.com, "App manifest", and the Microsoft 365 app manifest schema reference for
1.22–1.30): every required field this app's manifest must have, with the documented types,
lengths, enums and patterns. Properties the app does not use are not repeated here.
"""

from __future__ import annotations

import io
import json
import zipfile

import jsonschema
import pytest
from PIL import Image

from bot.settings import Settings
from bot.teams import constants as c
from bot.teams.package import build_package, manifest

APP_ID = "3b1f2a3c-1111-4222-8333-444455556666"
GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
HTTPS = {"type": "string", "pattern": r"^https://", "maxLength": 2048}
COMMANDS = {"type": "array", "minItems": 1, "maxItems": 12, "items": {
    "type": "object", "required": ["title", "description"],
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 32},
                   "description": {"type": "string", "minLength": 1, "maxLength": 128}}}}
MANIFEST_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["manifestVersion", "version", "id", "developer", "name", "description", "icons", "accentColor"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "manifestVersion": {"type": "string", "pattern": r"^1\.\d+$"},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$", "maxLength": 256},
        "id": {"type": "string", "pattern": GUID},
        "developer": {"type": "object", "required": ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
                      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 32},
                                     "websiteUrl": HTTPS, "privacyUrl": HTTPS, "termsOfUseUrl": HTTPS}},
        "name": {"type": "object", "required": ["short", "full"],  # "full" is required from 1.17
                 "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 30},
                                "full": {"type": "string", "minLength": 1, "maxLength": 100}}},
        "description": {"type": "object", "required": ["short", "full"],
                        "properties": {"short": {"type": "string", "minLength": 1, "maxLength": 80},
                                       "full": {"type": "string", "minLength": 1, "maxLength": 4000}}},
        "icons": {"type": "object", "required": ["outline", "color"],
                  "properties": {"outline": {"type": "string"}, "color": {"type": "string"}}},
        "accentColor": {"type": "string", "pattern": r"^#[0-9a-fA-F]{6}$"},
        "bots": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "required": ["botId", "scopes"],
            "properties": {
                "botId": {"type": "string", "pattern": GUID},
                "scopes": {"type": "array", "minItems": 1, "maxItems": 4, "uniqueItems": True,
                           "items": {"enum": ["team", "personal", "groupChat", "copilot"]}},
                "isNotificationOnly": {"type": "boolean"},
                "supportsFiles": {"type": "boolean"},
                "commandLists": {"type": "array", "maxItems": 3, "items": {
                    "type": "object", "required": ["scopes", "commands"],
                    "properties": {"scopes": {"type": "array", "minItems": 1, "maxItems": 3,
                                              "items": {"enum": ["team", "personal", "groupChat"]}},
                                   "commands": COMMANDS}}}}}},
        "validDomains": {"type": "array", "uniqueItems": True,
                         "items": {"type": "string", "maxLength": 2048, "pattern": r"^[^/:]+$"}},
    },
}


@pytest.fixture
def package(tmp_path):
    path = build_package(Settings(microsoft_app_id=APP_ID), tmp_path / "out" / "teams.zip",
                         public_url="https://omstillingsbot.example.no/api/messages")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_holds_the_manifest_and_both_icons_at_its_root(package):
    assert sorted(package) == ["color.png", "manifest.json", "outline.png"]


def test_the_manifest_validates_against_the_documented_schema(package):
    document = json.loads(package["manifest.json"])
    jsonschema.validate(document, MANIFEST_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["$schema"].endswith(f"/v{document['manifestVersion']}/MicrosoftTeams.schema.json")
    assert document["name"]["short"] != document["name"]["full"]
    assert document["description"]["short"] != document["description"]["full"]
    assert document["description"]["short"] not in document["description"]["full"]  # the store's rule
    assert {document["icons"]["color"], document["icons"]["outline"]} <= set(package)


def test_the_bot_uses_the_configured_app_id_in_every_scope_with_the_command_menu(package):
    document = json.loads(package["manifest.json"])
    [bot] = document["bots"]
    assert document["id"] == bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert [lst["scopes"] for lst in bot["commandLists"]] == [["personal"], ["team"], ["groupChat"]]
    for command_list in bot["commandLists"]:
        starters = c.PROMPT_STARTERS if command_list["scopes"] == ["personal"] else 0  # prompt starters first
        assert [cmd["title"] for cmd in command_list["commands"]][starters:] == [m.word for m in c.MENU]
    assert document["validDomains"] == ["omstillingsbot.example.no"]


def test_the_icons_have_the_required_sizes_and_the_outline_is_white_on_transparent(package):
    color = Image.open(io.BytesIO(package["color.png"]))
    opened = Image.open(io.BytesIO(package["outline.png"]))
    assert color.format == opened.format == "PNG"
    outline = opened.convert("RGBA")
    assert color.size == (192, 192) and outline.size == (32, 32)
    pixels = list(outline.get_flattened_data())
    visible = [p for p in pixels if p[3] > 0]
    assert visible and len(visible) < len(pixels) / 2  # a drawing, not a filled square
    assert all(p[:3] == (255, 255, 255) for p in visible)
    assert outline.getpixel((0, 0))[3] == 0
    assert len(set(color.convert("RGB").get_flattened_data())) >= 2


def test_the_package_is_reproducible(tmp_path, package):
    again = build_package(Settings(microsoft_app_id=APP_ID), tmp_path / "again.zip",
                          public_url="https://omstillingsbot.example.no/api/messages")
    first = tmp_path / "out" / "teams.zip"
    assert first.read_bytes() == again.read_bytes()


@pytest.mark.parametrize("app_id", ["", "not-a-guid", "28:3b1f2a3c-1111-4222-8333-444455556666"])
def test_without_a_valid_app_id_there_is_no_package_and_a_clear_reason(tmp_path, app_id):
    with pytest.raises(ValueError, match="MicrosoftAppId"):
        build_package(Settings(microsoft_app_id=app_id), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_without_a_public_url_the_manifest_lists_no_domains():
    assert manifest(Settings(microsoft_app_id=APP_ID))["validDomains"] == []
