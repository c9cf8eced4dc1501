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


CUSTOM = Settings(
    microsoft_app_id=APP_ID,
    teams_developer_name="Direktoratet for eksempel",
    teams_website_url="https://www.eksempel.no/omstillingsbot",
    privacy_url="https://www.eksempel.no/personvern",
    teams_terms_url="https://www.eksempel.no/vilkar",
    teams_app_version="2.3.10",
    teams_short_description="Spør rapporten om omstilling i departementene.",
    teams_long_description="Boten svarer med rapportens egne ord og viser hvilken del svaret kommer fra.",
)


def test_a_package_with_custom_details_passes_the_schema_and_carries_them(tmp_path):
    path = build_package(CUSTOM, tmp_path / "custom.zip")
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("manifest.json"))
    jsonschema.validate(document, MANIFEST_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["version"] == "2.3.10"
    assert document["developer"] == {"name": "Direktoratet for eksempel",
                                     "websiteUrl": "https://www.eksempel.no/omstillingsbot",
                                     "privacyUrl": "https://www.eksempel.no/personvern",
                                     "termsOfUseUrl": "https://www.eksempel.no/vilkar"}
    assert document["description"] == {"short": CUSTOM.teams_short_description,
                                        "full": CUSTOM.teams_long_description}


def test_the_defaults_are_the_previous_values():
    document = manifest(Settings(microsoft_app_id=APP_ID))
    assert document["version"] == "1.0.0" and document["developer"]["websiteUrl"] == "https://www.dfo.no/"
    assert document["description"]["short"].startswith("Svar fra Difi-rapport 2019:3")


@pytest.mark.parametrize("change, named", [
    ({"teams_website_url": "http://www.eksempel.no/"}, "OMSTILLINGSBOT_TEAMS_WEBSITE_URL"),
    ({"privacy_url": "www.eksempel.no/personvern"}, "OMSTILLINGSBOT_PRIVACY_URL"),
    ({"teams_terms_url": "https://"}, "OMSTILLINGSBOT_TEAMS_TERMS_URL"),
    ({"teams_app_version": "2.0"}, "semantisk versjonsnummer"),
    ({"teams_app_version": "v1.0.1"}, "semantisk versjonsnummer"),
    ({"teams_app_version": "1.0.0-beta"}, "semantisk versjonsnummer"),
    ({"teams_developer_name": "D" * 33}, "OMSTILLINGSBOT_TEAMS_DEVELOPER_NAME"),
    ({"teams_short_description": "x" * 81}, "OMSTILLINGSBOT_TEAMS_SHORT_DESCRIPTION"),
    ({"teams_long_description": "Spør rapporten om omstilling i departementene. Og mer."}, "gjentas"),
])
def test_invalid_details_are_refused_with_a_reason_that_names_the_setting(tmp_path, change, named):
    with pytest.raises(ValueError, match=named):
        build_package(CUSTOM.with_(**change), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_the_command_takes_flags_over_settings_and_explains_refusals(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "MicrosoftAppId": APP_ID, "OMSTILLINGSBOT_TEAMS_APP_VERSION": "1.0.0",
           "OMSTILLINGSBOT_TEAMS_PRIVACY_URL": "https://www.eksempel.no/personvern"}
    run = [sys.executable, "-m", "bot.cli", "teams-package", "--out", str(tmp_path / "t.zip")]
    ok = subprocess.run([*run, "--app-version", "1.1.0", "--developer-name", "Eksempeldirektoratet"],
                        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        document = json.loads(archive.read("manifest.json"))
    assert (document["version"], document["developer"]["name"]) == ("1.1.0", "Eksempeldirektoratet")
    assert document["developer"]["privacyUrl"] == "https://www.eksempel.no/personvern"

    bad = subprocess.run([*run, "--app-version", "1.2", "--terms-url", "http://x.no"], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert "Kan ikke lage Teams-pakken" in bad.stderr and "1.2" in bad.stderr and "--terms-url" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("public_url", [
    "http://bot.example.no", "bot.example.no", "https://", "junk", "https:// bot.example.no",
    "ftp://bot.example.no", "https://user:pw@bot.example.no", "https://bot.example.no:port/",
])
def test_a_public_url_that_is_not_https_is_refused_with_exit_2(tmp_path, public_url):
    import os
    import subprocess
    import sys

    with pytest.raises(ValueError, match="--public-url"):
        manifest(Settings(microsoft_app_id=APP_ID), public_url=public_url)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "teams-package", "--out", str(tmp_path / "t.zip"),
                          "--public-url", public_url], env={**os.environ, "MicrosoftAppId": APP_ID},
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2
    assert "--public-url må være botens offentlige https://-adresse" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "t.zip").exists()


def test_out_as_an_existing_folder_writes_the_package_inside_it(tmp_path):
    import os
    import subprocess
    import sys

    folder = tmp_path / "pakker"
    folder.mkdir()
    env = {**os.environ, "MicrosoftAppId": APP_ID}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "teams-package", "--out", str(folder),
                          "--public-url", "https://bot.example.no/"], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    written = folder / "omstillingsbot-teams.zip"
    assert str(written) in out.stdout
    with zipfile.ZipFile(written) as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == ["bot.example.no"]

    (tmp_path / "fil").write_text("x")  # a file where a folder must be: refused plainly
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "teams-package", "--out", str(tmp_path / "fil" / "t.zip")],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2 and "Kan ikke skrive Teams-pakken" in bad.stderr and "Traceback" not in bad.stderr
