"""A correctly signed Slack request for another workspace or app is acknowledged and ignored, over signed
HTTP against the local fake Slack (whose auth.test names the bot's workspace)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode

import pytest

from bot.settings import Settings, SettingsError
from bot.slack.inbound import from_elsewhere
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import APP_ID, BOT_USER_ID, TEAM_ID
from bot.slack import constants as c
from tests.slack_fakes import button, find_block, running_slack

OTHER_TEAM = "T0OTHERWS1"


def _elsewhere(payload: dict, team: str = OTHER_TEAM, app: str | None = None) -> dict:
    payload = {**payload, "team_id": team,
               "authorizations": [{**a, "team_id": team} for a in payload.get("authorizations", [])]}
    if app is not None:
        payload["api_app_id"] = app
    return payload


def _form(body: str, **changes: str) -> str:
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    return urlencode({**fields, **changes})


async def test_events_commands_and_clicks_from_another_workspace_are_acknowledged_and_ignored(settings, make_service):
    async with running_slack(settings, make_service) as slack:
        mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?")
        status, _ = await slack.post_json(_elsewhere(p.event_callback(mention)))
        assert status == 200
        status, _ = await slack.post_json(_elsewhere(p.event_callback(p.direct_message("Hva er anbefaling 2?"))))
        assert status == 200
        url = slack.fake.response_url()
        status, _ = await slack.post_form(_form(p.slash_command("anbefaling 2", url), team_id=OTHER_TEAM))
        assert status == 200
        await slack.after_a_later_event()  # the bot's own workspace is still answered
        assert slack.fake.calls_to("chat.postMessage") == []
        assert [c for c in slack.fake.calls if c.method == "response_url"] == []

        # A vote button clicked in another workspace (the answer exists: asked in the bot's own) is not counted.
        await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?"))
        [posted] = await slack.fake.wait_for("chat.postMessage")
        up = button(posted.params["blocks"], c.ACTION_VOTE_UP)
        click = p.block_actions(p.button_action(up, c.BLOCK_FEEDBACK), slack.fake.response_url())
        payload = json.loads(parse_qs(click)["payload"][0])
        payload["team"] = {"id": OTHER_TEAM, "domain": "other"}
        payload["user"]["team_id"] = OTHER_TEAM
        status, _ = await slack.post_form(urlencode({"payload": json.dumps(payload)}))
        assert status == 200
        await slack.after_a_later_event()
        assert slack.fake.calls_to("chat.postEphemeral") == []
        vote_id = up["value"].split(":")[1]
        assert slack.service.store.tally(vote_id).up == 0


async def test_with_the_app_id_configured_another_apps_requests_are_ignored(settings, make_service):
    async with running_slack(settings.with_(slack_app_id=APP_ID), make_service) as slack:
        mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?")
        status, _ = await slack.post_json(_elsewhere(p.event_callback(mention), team=TEAM_ID, app="A0OTHERAPP"))
        assert status == 200
        await slack.after_a_later_event()  # the same workspace and this app: answered
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_a_pinned_team_id_wins_over_auth_test(settings, make_service):
    async with running_slack(settings.with_(slack_team_id="T0PINNED01"), make_service) as slack:
        status, _ = await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?"))  # team T0FAKETEAM
        assert status == 200
        status, _ = await slack.post_json(_elsewhere(p.event_callback(p.app_mention(
            f"<@{BOT_USER_ID}> hjelp", channel="C0PINNED01")), team="T0PINNED01"))
        assert status == 200
        [post] = await slack.fake.wait_for("chat.postMessage")
        await slack.fake.settle()
        assert [c.params["channel"] for c in slack.fake.calls_to("chat.postMessage")] == ["C0PINNED01"]


def test_where_each_payload_kind_names_its_workspace():
    event = p.event_callback(p.app_mention("hei"))
    assert not from_elsewhere(event, TEAM_ID, "", "")
    assert from_elsewhere(_elsewhere(event), TEAM_ID, "", "")
    # A channel shared with another workspace: the event is that workspace's, delivered to this installation.
    shared = {**_elsewhere(event), "authorizations": [{"team_id": TEAM_ID, "enterprise_id": None}]}
    assert not from_elsewhere(shared, TEAM_ID, "", "")
    click = json.loads(parse_qs(p.block_actions({"action_id": "x"}, "https://x"))["payload"][0])
    assert not from_elsewhere(click, TEAM_ID, "", "")
    assert from_elsewhere({**click, "team": {"id": OTHER_TEAM}, "user": {"team_id": OTHER_TEAM}}, TEAM_ID, "", "")
    assert from_elsewhere({"type": "event_callback"}, TEAM_ID, "", "")  # names no workspace at all
    # An org-wide install knows its organisation, not one workspace.
    grid = {**_elsewhere(event), "enterprise_id": "E0GRID0001"}
    assert not from_elsewhere(grid, "", "E0GRID0001", "")
    assert from_elsewhere(grid, "", "E0OTHERORG", "")
    assert from_elsewhere(event, TEAM_ID, "", "A0OTHERAPP") and not from_elsewhere(event, TEAM_ID, "", APP_ID)
    assert not from_elsewhere(_elsewhere(event), "", "", "")  # nothing known: nothing to compare


@pytest.mark.parametrize("name", ["OMSTILLINGSBOT_SLACK_TEAM_ID", "OMSTILLINGSBOT_SLACK_APP_ID"])
def test_slack_id_settings(name):
    field = "slack_team_id" if name.endswith("TEAM_ID") else "slack_app_id"
    assert getattr(Settings.from_env({name: " T0123ABCD "}), field) == "T0123ABCD"
    assert getattr(Settings.from_env({}), field) == ""
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: "t0123 abcd"})
