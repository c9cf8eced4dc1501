"""Scenarios over HTTP: mentions and direct messages, answered through the fake Slack Web API.

Everything below the HTTP request is real: signature check, bolt, the adapter, the engine over the
real corpus, the SQLite feedback store. Only Slack's cloud is the local fake.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.slack import constants as c
from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID
from tests.slack_fakes import button, eventually, find_block, running_slack


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


async def test_mention_in_channel_gets_a_threaded_answer_with_citations_and_feedback(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 2?")
    status, _ = await slack.event(mention)
    assert status == 200
    [post] = await slack.fake.wait_for("chat.postMessage")
    params = post.params
    assert params["channel"] == mention["channel"] and params["thread_ts"] == mention["ts"]
    assert "Overfor underliggende virksomheter" in params["text"]
    sources = find_block(params["blocks"], c.BLOCK_SOURCES)["elements"][0]["text"]
    assert "Anbefaling 2 – overfor underliggende virksomheter · Difi-rapport 2019:3" in sources
    answer_id = button(params["blocks"], c.ACTION_VOTE_UP)["value"].split(":")[1]
    # The answer was recorded for feedback: the store lists it (an unknown id would not be), with its citation.
    [row] = [row for row in slack.service.store.export_rows() if row.answer_id == answer_id]
    assert row.platform == "slack" and row.labels[0] == "Anbefaling 2 – overfor underliggende virksomheter"
    # The posted message is linked to its answer, so reactions on it can be counted.
    ref = (mention["channel"], post.response["ts"])
    assert await eventually(lambda: slack.service.answer_id_for("slack", ref)) == answer_id


async def test_mention_inside_a_thread_answers_in_that_thread(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> utfordringer", thread_ts="1700000000.000100")
    await slack.event(mention)
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000000.000100"
    assert "fire hovedutfordringer" in post.params["text"]


async def test_direct_message_is_answered_in_the_dm(slack):
    dm = p.direct_message("Hva er hovedanbefalingen?")
    await slack.event(dm)
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == dm["channel"] and "thread_ts" not in post.params
    assert "strategisk aktør" in post.params["text"]


@pytest.mark.parametrize("event", [
    p.direct_message("Hva er anbefaling 1?", user=BOT_USER_ID, bot_id=BOT_ID),  # the bot's own reply
    p.direct_message("Hva er anbefaling 1?", bot_id="B0OTHERBOT"),  # another bot
    p.direct_message("Hva er anbefaling 1?", subtype="message_changed"),  # an edit
    p.direct_message("har blitt med i kanalen", subtype="channel_join"),  # a join
    {**p.direct_message("Hva er anbefaling 1?"), "channel_type": "channel"},  # a channel message, not a DM
    {**p.app_mention(f"<@{BOT_USER_ID}> anbefaling 1"), "bot_id": "B0OTHERBOT"},  # a bot mentioning us
    p.app_mention(f"<@{BOT_USER_ID}> anbefaling 1", channel="D0DIRECT01"),  # DM copy of a message.im
])
async def test_bots_edits_joins_and_non_dm_messages_are_ignored(slack, event):
    status, _ = await slack.event(event)
    assert status == 200
    await slack.after_a_later_event()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_unsubscribed_event_types_are_acknowledged_and_ignored(slack):
    status, _ = await slack.event({"type": "member_joined_channel", "user": "U0NEW", "channel": "C0CHANNEL1"})
    assert status == 200
    await slack.after_a_later_event()
    assert [call.method for call in slack.fake.calls if call.method != "auth.test"] == []


async def test_empty_mention_gets_a_clear_reply(slack):
    await slack.event(p.app_mention(f"<@{BOT_USER_ID}>"))
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert "tom melding" in post.params["text"]


async def test_huge_message_gets_a_clear_reply(slack):
    await slack.event(p.app_mention(f"<@{BOT_USER_ID}> " + "omstilling " * 1000))
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert "for lang" in post.params["text"]


async def test_user_text_with_channel_ping_and_mentions_is_rendered_harmless(slack):
    # Slack escapes what a user typed: "<!channel>" typed as text arrives as "&lt;!channel&gt;".
    await slack.event(p.app_mention(f"<@{BOT_USER_ID}> anbefaling &lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|x&gt;"))
    [post] = await slack.fake.wait_for("chat.postMessage")
    sent = json.dumps(post.params, ensure_ascii=False)
    assert "<!channel>" not in sent and "<@U123>" not in sent and "<https://evil" not in sent
    assert "&lt;!channel&gt;" in post.params["text"]  # shown as typed, not executed
    assert all(t["verbatim"] for b in post.params["blocks"] if b["type"] == "section" for t in [b["text"]])


async def test_slow_answer_shows_progress_then_replaces_it(settings, make_service):
    async with running_slack(settings, make_service, progress_after_s=0) as slack:
        mention = p.app_mention(f"<@{BOT_USER_ID}> Hva er anbefaling 3?")
        await slack.event(mention)
        [update] = await slack.fake.wait_for("chat.update")
        [placeholder] = slack.fake.calls_to("chat.postMessage")
        assert "leter i rapporten" in placeholder.params["text"] and placeholder.params["thread_ts"] == mention["ts"]
        assert update.params["channel"] == mention["channel"]
        assert "Overfor andre departementer" in update.params["text"]
        assert button(update.params["blocks"], c.ACTION_VOTE_UP)


async def test_logs_carry_no_message_text_or_ids(slack, caplog):
    caplog.set_level(logging.INFO)
    slack.fake.fail_next("chat.postMessage", status=200, error="channel_not_found", retry_after=None)
    await slack.event(p.app_mention(f"<@{BOT_USER_ID}> Hemmelig spørsmål om anbefaling 2", user="U0SECRET1",
                                    channel="C0SECRET1"))
    assert await slack.fake.wait_until(lambda calls: len(slack.fake.rejected) == 1)  # the post failed …
    await slack.after_a_later_event()  # … and the bot has moved on (and logged it) before the next one
    assert "channel_not_found" in caplog.text  # the failure is logged …
    for secret in ("Hemmelig", "U0SECRET1", "C0SECRET1", "xoxb-", "anbefaling 2"):
        assert secret not in caplog.text  # … without the text, ids or token
