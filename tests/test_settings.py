"""Settings read from a real environment mapping: every variable the README documents, its default,
values that are set, and values that must stop the bot with an error naming the variable.

A new variable is one line in VARIABLES; a variable documented in a README table ("| Variabel …")
without a line here, or a line here for an undocumented variable, fails the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Variable:
    name: str  # the environment variable, exactly as documented
    attribute: str  # the Settings field it sets
    default: object
    good: tuple[tuple[str, object], ...]  # (value in the environment, what Settings holds)
    bad: tuple[str, ...] = ()  # values that must raise SettingsError naming the variable


URL = "https://example.org/path/"
VARIABLES = (
    Variable("PORT", "port", 3978, (("8080", 8080), (" 443 ", 443)), ("http", "0", "70000", "80.5")),
    Variable("HOST", "host", "127.0.0.1", (("0.0.0.0", "0.0.0.0"),)),
    Variable("OMSTILLINGSBOT_CORPUS", "corpus_dir", Path("corpus"), (("/srv/korpus", Path("/srv/korpus")),)),
    Variable("OMSTILLINGSBOT_DATA", "data_dir", Path("data"), (("/var/lib/bot", Path("/var/lib/bot")),)),
    Variable("OMSTILLINGSBOT_EMBEDDER", "embedder", "e5",
             (("minilm", "minilm"), ("st:intfloat/multilingual-e5-base", "st:intfloat/multilingual-e5-base")),
             ("e6", "st:", "E5")),
    Variable("OMSTILLINGSBOT_MAX_QUESTION_CHARS", "max_question_chars", 2000, (("500", 500),), ("many", "0", "-5")),
    Variable("LOG_LEVEL", "log_level", "INFO", (("debug", "DEBUG"), ("WARNING", "WARNING")), ("verbose", "5")),
    Variable("DATABASE_URL", "database_url", "",
             (("postgresql://bot:pw@db:5432/bot", "postgresql://bot:pw@db:5432/bot"),
              ("sqlite:///srv/feedback.db", "sqlite:///srv/feedback.db")),
             ("mysql://bot:hemmelig-passord@db/bot", "/srv/feedback.db")),
    Variable("OMSTILLINGSBOT_FEEDBACK_SECRET", "feedback_secret", "", (("s3cr3t", "s3cr3t"),)),
    Variable("OMSTILLINGSBOT_STORE_QUESTIONS", "store_questions", True,
             (("false", False), ("0", False), ("nei", False), ("True", True)), ("maybe", "ja takk")),
    Variable("OMSTILLINGSBOT_STORE_FEEDBACK_TEXT", "store_feedback_text", True,
             (("off", False), ("no", False), ("yes", True)), ("2",)),
    Variable("SLACK_BOT_TOKEN", "slack_bot_token", "", (("xoxb-1-2-abc", "xoxb-1-2-abc"),)),
    Variable("SLACK_SIGNING_SECRET", "slack_signing_secret", "", (("8f742231b10e8888abcd99yyyzzz85a5", "8f742231b10e8888abcd99yyyzzz85a5"),)),
    Variable("SLACK_APP_TOKEN", "slack_app_token", "", (("xapp-1-A0-1-abc", "xapp-1-A0-1-abc"),)),
    Variable("SLACK_API_URL", "slack_api_url", "", (("https://slack-gov.com/api/", "https://slack-gov.com/api/"),),
             ("slack-gov.com/api/", "ftp://slack.com/api/")),
    Variable("MicrosoftAppId", "microsoft_app_id", "", (("3b1f2a3c-1111-4222-8333-444455556666",
                                                         "3b1f2a3c-1111-4222-8333-444455556666"),)),
    Variable("MicrosoftAppPassword", "microsoft_app_password", "", (("client~secret", "client~secret"),)),
    Variable("MicrosoftAppType", "microsoft_app_type", "MultiTenant",
             (("SingleTenant", "SingleTenant"), ("userassignedmsi", "userassignedmsi")), ("MultiTennant",)),
    Variable("MicrosoftAppTenantId", "microsoft_app_tenant_id", "", (("72f988bf-86f1", "72f988bf-86f1"),)),
    Variable("ToBotFromChannelOpenIdMetadataUrl", "teams_openid_metadata_url", "", ((URL, URL),),
             ("login.botframework.com/v1",)),
    Variable("ToChannelFromBotLoginUrl", "teams_login_url", "", ((URL, URL),), ("not a url",)),
    Variable("OMSTILLINGSBOT_RETENTION_DAYS", "retention_days", 90, (("30", 30), ("0", 0)), ("-1", "90d", "1.5")),
    Variable("OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS", "slack_feedback_buttons", False, (("true", True),), ("kanskje",)),
    Variable("OMSTILLINGSBOT_SLACK_TEAM_ID", "slack_team_id", "", ((" T0123ABCD ", "T0123ABCD"),), ("t0123abcd", "T 1")),
    Variable("OMSTILLINGSBOT_SLACK_APP_ID", "slack_app_id", "", (("A0123ABCD", "A0123ABCD"),), ("app-1",)),
    Variable("OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST", "teams_local_any_host", False, (("1", True), ("false", False)),
             ("kanskje",)),
    Variable("OMSTILLINGSBOT_TEAMS_APP_VERSION", "teams_app_version", "1.0.0", (("1.2.3", "1.2.3"),)),
    Variable("OMSTILLINGSBOT_TEAMS_DEVELOPER_NAME", "teams_developer_name", "Omstillingsbot", (("DFØ", "DFØ"),)),
    Variable("OMSTILLINGSBOT_TEAMS_SHORT_DESCRIPTION", "teams_short_description", "", (("Kort", "Kort"),)),
    Variable("OMSTILLINGSBOT_TEAMS_LONG_DESCRIPTION", "teams_long_description", "", (("Lang", "Lang"),)),
    Variable("OMSTILLINGSBOT_ADMIN_TOKEN", "admin_token", "", (("t0ken", "t0ken"),)),
    Variable("OMSTILLINGSBOT_RATE_LIMIT", "rate_limit", 30, (("0", 0), ("120", 120)), ("many", "-1")),
    Variable("OMSTILLINGSBOT_CLIENT_RATE_LIMIT", "client_rate_limit", 120, (("0", 0), ("600", 600)), ("lots", "-1")),
    Variable("OMSTILLINGSBOT_ALLOWED_HOSTS", "allowed_hosts", (),
             (("bot.dfo.no", ("bot.dfo.no",)), (" Bot.DFO.no, [::1] ", ("bot.dfo.no", "::1")), ("*", ("*",))),
             ("https://bot.dfo.no", "bot.dfo.no/chat")),
    Variable("OMSTILLINGSBOT_PUBLIC_URL", "public_url", "", ((URL, URL),), ("bot.dfo.no",)),
    Variable("OMSTILLINGSBOT_ACCESS_LOG_CLIENT", "access_log_client", False, (("1", True), ("ja", True)), ("kanskje",)),
    Variable("OMSTILLINGSBOT_MAX_QUEUE", "max_queue", 100, (("500", 500),), ("0", "lots")),
    Variable("OMSTILLINGSBOT_CONVERSATION_TTL_HOURS", "conversation_ttl_hours", 24.0, (("2", 2.0),), ("0", "day")),
    Variable("OMSTILLINGSBOT_PRIVACY_URL", "privacy_url", "", ((URL, URL),), ("www.eksempel.no/personvern",)),
    Variable("OMSTILLINGSBOT_TEAMS_PRIVACY_URL", "privacy_url", "", ((URL, URL),), ("personvern",)),
    Variable("OMSTILLINGSBOT_TEAMS_WEBSITE_URL", "teams_website_url", "https://www.dfo.no/", ((URL, URL),)),
    Variable("OMSTILLINGSBOT_TEAMS_TERMS_URL", "teams_terms_url", "https://www.dfo.no/", ((URL, URL),)),
    Variable("OMSTILLINGSBOT_CONTACT", "contact", "", ((" postmottak@dfo.no ", "postmottak@dfo.no"),)),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}


def _documented() -> set[str]:
    """Every variable named in the first column of a README table whose header starts with "Variabel"."""
    names: set[str] = set()
    in_table = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            in_table = False
        elif cells[0].startswith("Variabel"):
            in_table = True
        elif in_table and not set(cells[0]) <= {"-", ":", " "}:
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cells[0]))
    return names


def test_every_documented_variable_has_a_line_here_and_every_line_is_documented():
    documented = _documented()
    assert documented, "no README table headed «Variabel» found"
    assert documented - BY_NAME.keys() == set(), "documented but not tested"
    assert BY_NAME.keys() - documented == set(), "tested but not documented"
    assert {variable.attribute for variable in VARIABLES} <= {field.name for field in fields(Settings)}


def test_an_empty_environment_and_empty_values_give_the_defaults():
    for env in ({}, {name: "" for name in BY_NAME}):
        settings = Settings.from_env(env)
        for variable in VARIABLES:
            assert getattr(settings, variable.attribute) == variable.default, variable.name
    assert not Settings.from_env({}).slack_enabled


@pytest.mark.parametrize("variable", VARIABLES, ids=lambda variable: variable.name)
def test_each_variable_sets_its_own_field_and_no_other(variable):
    defaults = Settings.from_env({})
    for raw, expected in variable.good:
        settings = Settings.from_env({variable.name: raw})
        assert getattr(settings, variable.attribute) == expected, (variable.name, raw)
        changed = {field.name for field in fields(Settings) if getattr(settings, field.name) != getattr(defaults, field.name)}
        assert changed <= {variable.attribute}, (variable.name, changed)
        # Environment names are case-sensitive: a near-miss spelling is not read.
        near_miss = {variable.name.swapcase(): raw, variable.name + "S": raw}
        assert getattr(Settings.from_env(near_miss), variable.attribute) == variable.default


@pytest.mark.parametrize("case", [(v, bad) for v in VARIABLES for bad in v.bad],
                         ids=lambda case: f"{case[0].name}={case[1]}")
def test_a_bad_value_is_an_error_that_names_the_variable(case):
    variable, bad = case
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({variable.name: bad})
    message = str(raised.value)
    assert variable.name in message
    assert isinstance(raised.value, ValueError)
    assert "hemmelig-passord" not in message  # a database URL is never echoed: it may hold a password


def test_slack_and_teams_switch_on_from_their_variables():
    slack = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert slack.slack_enabled and (slack.slack_bot_token, slack.slack_signing_secret) == ("xoxb-1", "s")
    assert Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).slack_enabled
    assert not Settings.from_env({"SLACK_SIGNING_SECRET": "s"}).slack_enabled


def test_without_a_mapping_the_process_environment_is_read(monkeypatch):
    monkeypatch.setenv("PORT", "4999")
    monkeypatch.setenv("MicrosoftAppId", "app-from-env")
    settings = Settings.from_env()
    assert (settings.port, settings.microsoft_app_id) == (4999, "app-from-env")


def test_the_command_line_prints_the_error_and_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("OMSTILLINGSBOT_STORE_QUESTIONS", "kanskje")
    assert cli.main(["ask", "hjelp"]) == 2
    captured = capsys.readouterr()
    assert "OMSTILLINGSBOT_STORE_QUESTIONS" in captured.err and "kanskje" in captured.err
    assert captured.out == ""
