"""Votes from Slack: buttons, Slack's feedback_buttons element and reactions, counted anonymously."""

from __future__ import annotations

import socket

import pytest

from bot.slack import blocks
from bot.slack import constants as c
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID
from bot.types import Tally
from tests.feedback_helpers import dump_tables
from tests.slack_fakes import button, eventually, find_block, running_slack

THANKS = "Takk! Tilbakemeldingen er anonym."


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


async def _answered(slack, question: str = "Hva er anbefaling 2?", channel: str = "C0CHANNEL1"):
    """Mention the bot; return the posted answer's call and its answer id once it is linked."""
    before = len(slack.fake.calls_to("chat.postMessage"))
    await slack.event(p.app_mention(f"<@{BOT_USER_ID}> {question}", channel=channel))
    post = (await slack.fake.wait_for("chat.postMessage", before + 1))[before]
    answer_id = button(post.params["blocks"], c.ACTION_VOTE_UP)["value"].split(":")[1]
    ref = (channel, post.response["ts"])
    assert await eventually(lambda: slack.service.answer_id_for("slack", ref)) == answer_id
    return post, answer_id


async def _click(slack, post, action_id: str, user: str = "U0VOTER01", ephemeral: bool = False) -> str:
    url = slack.fake.response_url()
    action = p.button_action(button(post.params["blocks"], action_id), c.BLOCK_FEEDBACK)
    status, _ = await slack.post_form(p.block_actions(action, url, user=user, channel=post.params["channel"],
                                                      message_ts=post.response.get("ts"), ephemeral=ephemeral,
                                                      thread_ts=post.params.get("thread_ts")))
    assert status == 200
    return url


async def _ephemerals(slack, count: int) -> list:
    return await slack.fake.wait_for("chat.postEphemeral", count)


async def test_button_vote_is_counted_thanked_and_can_be_changed(slack):
    post, answer_id = await _answered(slack)
    await _click(slack, post, c.ACTION_VOTE_UP)
    [thanks] = await _ephemerals(slack, 1)
    assert thanks.params["text"] == THANKS and thanks.params["user"] == "U0VOTER01"
    assert thanks.params["channel"] == post.params["channel"] and thanks.params["thread_ts"] == post.params["thread_ts"]
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=0)

    await _click(slack, post, c.ACTION_VOTE_DOWN)  # changing one's mind replaces the vote
    await _ephemerals(slack, 2)
    assert slack.service.store.tally(answer_id) == Tally(up=0, down=1)

    await _click(slack, post, c.ACTION_VOTE_DOWN)  # clicking again does not count twice
    await _ephemerals(slack, 3)
    await _click(slack, post, c.ACTION_VOTE_UP, user="U0VOTER02")  # another person
    await _ephemerals(slack, 4)
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=1)


async def test_vote_on_an_ephemeral_answer_is_thanked_through_the_response_url(slack):
    response = await slack.command("anbefaling 3")
    up = button(response["blocks"], c.ACTION_VOTE_UP)
    answer_id = up["value"].split(":")[1]
    url = slack.fake.response_url()
    await slack.post_form(p.block_actions(p.button_action(up, c.BLOCK_FEEDBACK), url, ephemeral=True))
    thanks = (await slack.wait_response(url)).params
    assert thanks["text"] == THANKS and thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=0)
    assert slack.fake.calls_to("chat.postEphemeral") == []


async def test_feedback_buttons_element_payload_is_counted(slack):
    response = await slack.command("utfordring 2")
    answer = _answer_from(response)
    element = next(b for b in blocks.answer_blocks(answer, style="context_actions")
                   if b["type"] == "context_actions")["elements"][0]
    url = slack.fake.response_url()
    action = p.feedback_buttons_action(element, c.BLOCK_FEEDBACK, positive=False)
    await slack.post_form(p.block_actions(action, url, ephemeral=True))
    assert (await slack.wait_response(url)).params["text"] == THANKS
    assert slack.service.store.tally(answer.answer_id) == Tally(up=0, down=1)


async def test_reactions_vote_and_removing_them_retracts(slack):
    post, answer_id = await _answered(slack)
    channel, ts = post.params["channel"], post.response["ts"]
    await slack.event(p.reaction(True, "+1::skin-tone-3", user="U0REACT01", channel=channel, ts=ts))
    [thanks] = await _ephemerals(slack, 1)
    assert thanks.params["text"] == THANKS and thanks.params["user"] == "U0REACT01"
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=0)

    await slack.event(p.reaction(True, "thumbsdown", user="U0REACT02", channel=channel, ts=ts))
    await _ephemerals(slack, 2)
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=1)

    await slack.event(p.reaction(False, "+1::skin-tone-3", user="U0REACT01", channel=channel, ts=ts))
    [_, _, withdrawn] = await _ephemerals(slack, 3)
    assert withdrawn.params["text"] == "Stemmen din er trukket tilbake."
    assert slack.service.store.tally(answer_id) == Tally(up=0, down=1)


async def test_reactions_that_are_not_votes_or_not_on_our_answers_are_ignored(slack):
    post, answer_id = await _answered(slack)
    channel, ts = post.params["channel"], post.response["ts"]
    await slack.event(p.reaction(True, "heart", user="U0REACT01", channel=channel, ts=ts))
    await slack.event(p.reaction(True, "+1", user="U0REACT01", channel=channel, ts="1.000001", item_user="U0SOMEONE"))
    await slack.event(p.reaction(True, "+1", user="U0REACT01", channel=channel, ts="1.000002"))  # ours, not an answer
    await slack.after_a_later_event()
    assert slack.fake.calls_to("chat.postEphemeral") == []
    assert slack.service.store.tally(answer_id) == Tally(up=0, down=0)


async def test_a_retried_reaction_event_counts_once(slack):
    post, answer_id = await _answered(slack)
    envelope = p.event_callback(p.reaction(True, "+1", user="U0REACT01", channel=post.params["channel"],
                                           ts=post.response["ts"]))
    await slack.post_json(envelope)
    await slack.post_json(envelope, retry_num=1)
    await slack.fake.wait_for("chat.postEphemeral")  # the first delivery is thanked …
    await slack.after_a_later_event()  # … and the retry has had its chance to be thanked too
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 1
    assert slack.service.store.tally(answer_id) == Tally(up=1, down=0)


async def test_unreadable_vote_values_change_nothing(slack):
    post, answer_id = await _answered(slack)
    forged = {"type": "button", "action_id": c.ACTION_VOTE_UP, "block_id": c.BLOCK_FEEDBACK,
              "text": {"type": "plain_text", "text": "x"}, "value": "up:'; DROP TABLE votes;--:nb"}
    status, _ = await slack.post_form(p.block_actions(forged, slack.fake.response_url()))
    assert status == 200
    await slack.after_a_later_event()
    assert slack.fake.calls_to("chat.postEphemeral") == [] and slack.service.store.tally(answer_id) == Tally()


async def test_when_the_store_is_down_the_voter_is_told(settings, make_service):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{closed}/test")
    async with running_slack(down, make_service) as slack:
        await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?"))
        [post] = await slack.fake.wait_for("chat.postMessage")  # the answer still goes out
        assert "Overfor underliggende virksomheter" in post.params["text"]
        await _click(slack, post, c.ACTION_VOTE_UP)
        [sorry] = await slack.fake.wait_for("chat.postEphemeral", timeout=20)
        assert "ble ikke lagret" in sorry.params["text"]


async def test_nothing_stored_identifies_the_asker_voter_or_channel(slack):
    post, _ = await _answered(slack, channel="C0PRIVACY1")
    await _click(slack, post, c.ACTION_VOTE_UP, user="U0VOTER77")
    await slack.event(p.reaction(True, "+1", user="U0REACT77", channel="C0PRIVACY1", ts=post.response["ts"]))
    await _ephemerals(slack, 2)
    dump = dump_tables(slack.settings)
    assert "[votes]" in dump and "up" in dump
    for identifier in ("U0ASKER01", "U0VOTER77", "U0REACT77", "C0PRIVACY1", "T0FAKETEAM", post.response["ts"]):
        assert identifier not in dump


def _answer_from(response: dict):
    """Rebuild the Answer a rendered response came from (id and language from its vote button)."""
    from bot.types import Answer

    _, answer_id, lang = button(response["blocks"], c.ACTION_VOTE_UP)["value"].split(":")
    return Answer(text=response["text"], answer_id=answer_id, lang=lang, kind="listing")


async def test_the_feedback_buttons_setting_renders_slacks_element_and_both_kinds_are_counted(settings, make_service):
    """OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS=true: answers carry Slack's feedback_buttons element; a click on
    it counts, and so does a click on the ordinary buttons of an answer posted before the switch."""
    async with running_slack(settings, make_service) as before_switch:
        old_post, old_id = await _answered(before_switch)
    async with running_slack(settings.with_(slack_feedback_buttons=True), make_service) as slack:
        await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 3?"))
        [post] = await slack.fake.wait_for("chat.postMessage")
        feedback = find_block(post.params["blocks"], c.BLOCK_FEEDBACK)
        assert feedback["type"] == "context_actions"
        [element] = feedback["elements"]
        assert element["type"] == "feedback_buttons" and element["action_id"] == c.ACTION_FEEDBACK_BUTTONS
        answer_id = element["positive_button"]["value"].split(":")[1]
        assert not any(e.get("action_id") in (c.ACTION_VOTE_UP, c.ACTION_VOTE_DOWN)
                       for b in post.params["blocks"] for e in b.get("elements", []))

        for user, positive in (("U0VOTER01", True), ("U0VOTER02", True), ("U0VOTER03", False)):
            action = p.feedback_buttons_action(element, c.BLOCK_FEEDBACK, positive=positive)
            await slack.post_form(p.block_actions(action, slack.fake.response_url(), user=user,
                                                  channel=post.params["channel"], message_ts=post.response["ts"]))
        assert [e.params["text"] for e in await _ephemerals(slack, 3)] == [THANKS] * 3
        assert slack.service.store.tally(answer_id) == Tally(up=2, down=1)

        # The same store, an answer rendered with the ordinary buttons before the switch: still counted.
        await _click(slack, old_post, c.ACTION_VOTE_DOWN, user="U0VOTER04")
        await _ephemerals(slack, 4)
        assert slack.service.store.tally(old_id) == Tally(up=0, down=1)

        response = await slack.command("anbefaling 1")  # the slash command's answer uses it too
        assert find_block(response["blocks"], c.BLOCK_FEEDBACK)["type"] == "context_actions"


def test_the_feedback_buttons_setting_is_read_from_the_environment():
    from bot.settings import Settings

    assert Settings.from_env({}).slack_feedback_buttons is False
    assert Settings.from_env({"OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS": "true"}).slack_feedback_buttons is True
