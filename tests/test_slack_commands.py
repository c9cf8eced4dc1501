"""`/omstilling` over HTTP: acknowledged at once, answered ephemerally via the response_url, shareable."""

from __future__ import annotations

import json
import time

import pytest

from bot.slack import constants as c
from tests.fakes import slack_payloads as p
from tests.slack_fakes import button, eventually, running_slack


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


def _labels(response: dict) -> str:
    return next((b["elements"][0]["text"] for b in response["blocks"] if b.get("block_id") == c.BLOCK_SOURCES), "")


async def test_command_is_acknowledged_within_slacks_three_seconds_with_an_empty_body(slack):
    url = slack.fake.response_url()
    started = time.perf_counter()
    status, body = await slack.post_form(p.slash_command("anbefaling 2", url))
    assert status == 200 and body == ""
    assert time.perf_counter() - started < 1.0
    response = (await slack.wait_response(url)).params
    assert response["response_type"] == "ephemeral"


@pytest.mark.parametrize("text, expect_text, expect_labels", [
    ("", "Still et spørsmål, eller bruk en kommando", []),
    ("hjelp", "anbefaling &lt;nummer eller ord&gt;", []),  # escaped: "<" is Slack markup
    ("help", "Ask a question, or use a command", []),
    ("om", "Difi og DFØ", ["Om rapporten"]),
    ("anbefalinger", "hovedanbefaling", ["Hovedanbefaling", "Anbefaling 1", "Anbefaling 2", "Anbefaling 3"]),
    ("anbefaling 2", "Overfor underliggende virksomheter", ["Anbefaling 2 – overfor underliggende virksomheter"]),
    ("anbefaling tillit", "tillit", ["Anbefaling 2"]),
    ("utfordringer", "fire hovedutfordringer", ["Utfordring 1", "Utfordring 2", "Utfordring 3", "Utfordring 4"]),
    ("utfordring 3", "for defensiv rolle", ["Utfordring 3 – For defensivt?"]),
    ("recommendation 1", "From the report", ["Anbefaling 1 – overfor politisk ledelse"]),
    ("Hva er rapportens hovedanbefaling?", "strategisk aktør", ["Hovedanbefaling"]),
])
async def test_each_subcommand(slack, text, expect_text, expect_labels):
    response = await slack.command(text)
    assert response["response_type"] == "ephemeral"
    assert expect_text in response["text"]
    labels = _labels(response)
    for label in expect_labels:
        assert label in labels
    if not expect_labels:
        assert labels == ""


async def test_out_of_range_number_is_explained(slack):
    response = await slack.command("anbefaling 9")
    assert "1–3" in response["text"]


async def test_answers_can_be_shared_in_the_channel_and_the_ephemeral_copy_goes_away(slack):
    response = await slack.command("anbefaling 2", channel="C0SHARE01")
    share = button(response["blocks"], c.ACTION_SHARE)
    assert share["value"] == "anbefaling 2"
    url = slack.fake.response_url()
    status, _ = await slack.post_form(p.block_actions(p.button_action(share, c.BLOCK_FEEDBACK), url,
                                                      channel="C0SHARE01", ephemeral=True))
    assert status == 200
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0SHARE01" and "Overfor underliggende virksomheter" in post.params["text"]
    assert "`/omstilling anbefaling 2`" in json.dumps(post.params["blocks"], ensure_ascii=False)
    assert button(post.params["blocks"], c.ACTION_VOTE_UP)  # the shared copy collects votes too
    assert c.ACTION_SHARE not in json.dumps(post.params["blocks"])
    assert (await slack.wait_response(url)).params == {"delete_original": True, "_key": url.rsplit("/", 1)[1]}
    shared_id = button(post.params["blocks"], c.ACTION_VOTE_UP)["value"].split(":")[1]
    ref = ("C0SHARE01", post.response["ts"])
    assert await eventually(lambda: slack.service.answer_id_for("slack", ref)) == shared_id


async def test_sharing_where_the_bot_is_not_a_member_falls_back_to_the_response_url(settings, make_service):
    async with running_slack(settings, make_service, not_in_channels=frozenset({"C0PRIVATE"})) as slack:
        response = await slack.command("utfordring 1", channel="C0PRIVATE")
        share = button(response["blocks"], c.ACTION_SHARE)
        url = slack.fake.response_url()
        await slack.post_form(p.block_actions(p.button_action(share, c.BLOCK_FEEDBACK), url, channel="C0PRIVATE",
                                              ephemeral=True))
        in_channel = (await slack.wait_response(url)).params
        assert in_channel["response_type"] == "in_channel" and in_channel["replace_original"] is False
        assert "Faglighet og langsiktighet" in in_channel["text"]
        assert (await slack.wait_response(url, 2)).params["delete_original"] is True


async def test_help_and_abstentions_have_no_share_button(slack):
    for text in ("hjelp", "Hvordan baker man brød?"):
        response = await slack.command(text)
        assert c.ACTION_SHARE not in json.dumps(response["blocks"])
    # A refusal's way forward is its next-step buttons (the units nearest the question), not a hint to type.
    assert any(b.get("block_id") == c.BLOCK_NEXT for b in response["blocks"])


async def test_response_url_rate_limit_is_retried(slack):
    slack.fake.fail_next("response_url", status=429, error="rate_limited", retry_after=0)
    response = await slack.command("anbefaling 1")
    assert "Overfor politisk ledelse" in response["text"]
    assert [call.method for call in slack.fake.rejected] == ["response_url"]
