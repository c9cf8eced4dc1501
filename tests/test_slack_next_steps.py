"""Next steps in Slack, over HTTP against the fake Slack Web API: an answer's suggestions are buttons,
and a click asks the suggestion in the conversation the button sits in (the channel thread, the
direct message, or back to the clicker under an ephemeral slash-command answer)."""

from __future__ import annotations

import pytest

from bot.slack import constants as c
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack_fakes import find_block, running_slack


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


def steps(blocks: list[dict]) -> list[dict]:
    return find_block(blocks, c.BLOCK_NEXT)["elements"]


async def click(slack, post, element: dict, *, ephemeral: bool = False, url: str | None = None) -> str:
    url = url or slack.fake.response_url()
    action = p.button_action(element, c.BLOCK_NEXT)
    status, _ = await slack.post_form(p.block_actions(action, url, channel=post.params.get("channel", "C0CHANNEL1"),
                                                      message_ts=(post.response or {}).get("ts"), ephemeral=ephemeral,
                                                      thread_ts=post.params.get("thread_ts")))
    assert status == 200
    return url


async def test_a_clicked_suggestion_is_answered_in_the_same_thread_with_its_context(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> Hva sier rapporten om tillit?")
    await slack.event(mention)
    [first] = await slack.fake.wait_for("chat.postMessage")
    why = next(e for e in steps(first.params["blocks"]) if e["value"] == "Hvorfor det?")
    assert c.ASK_ACTION_PATTERN.match(why["action_id"])
    await click(slack, first, why)
    second = (await slack.fake.wait_for("chat.postMessage", 2))[1]
    assert second.params["channel"] == mention["channel"] and second.params["thread_ts"] == mention["ts"]
    # "Hvorfor det?" alone means nothing: it was answered from the thread's context (A2 -> its challenge).
    sources = find_block(second.params["blocks"], c.BLOCK_SOURCES)["elements"][0]["text"]
    assert "Utfordring 2" in sources
    assert "Hvorfor det?" in second.params["blocks"][0]["elements"][0]["text"]  # what the click asked


async def test_a_clicked_suggestion_in_a_direct_message_stays_in_the_dm(slack):
    dm = p.direct_message("Hva er lønnen til en seniorrådgiver?")
    await slack.event(dm)
    [refusal] = await slack.fake.wait_for("chat.postMessage")
    offered = steps(refusal.params["blocks"])
    assert 2 <= len(offered) <= 3  # a refusal's way forward: the units nearest the question
    await click(slack, refusal, offered[0])
    answer = (await slack.fake.wait_for("chat.postMessage", 2))[1]
    assert answer.params["channel"] == dm["channel"] and "thread_ts" not in answer.params
    assert find_block(answer.params["blocks"], c.BLOCK_SOURCES)  # the unit, cited


async def test_a_suggestion_under_an_ephemeral_answer_comes_back_to_the_clicker(slack):
    response = await slack.command("anbefalinger")
    offered = steps(response["blocks"])
    assert [e["value"] for e in offered] == ["anbefaling 1", "anbefaling 2", "anbefaling 3"]

    class Post:  # the ephemeral message: only its channel is known to the click
        params = {"channel": "C0CHANNEL1"}
        response = None

    url = await click(slack, Post, offered[1], ephemeral=True)
    reply = (await slack.wait_response(url)).params
    assert reply["response_type"] == "ephemeral" and "Overfor underliggende virksomheter" in reply["text"]
    assert slack.fake.calls_to("chat.postMessage") == []
