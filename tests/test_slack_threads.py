"""Slack threads and the assistant surface, over signed HTTP against the local fake Slack: replies in
a thread the bot answered in are answered without a new mention; channel chatter is not; an assistant
thread gets a greeting and suggested prompts, and a question there sets a status and a title."""

from __future__ import annotations

import pytest

from tests.fakes import slack_payloads as p
from tests.fakes.slack_api import BOT_USER_ID
from bot.slack import constants as c
from tests.slack_fakes import find_block, running_slack


@pytest.fixture
async def slack(settings, make_service):
    async with running_slack(settings, make_service) as harness:
        yield harness


async def test_a_reply_in_the_bots_thread_is_answered_in_context_without_a_mention(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> anbefaling 2")
    await slack.event(mention)
    [first] = await slack.fake.wait_for("chat.postMessage")
    assert first.params["thread_ts"] == mention["ts"]
    reply = p.channel_message("hvorfor det?", thread_ts=mention["ts"])
    status, _ = await slack.event(reply)
    assert status == 200
    posts = await slack.fake.wait_for("chat.postMessage", count=2)
    assert len(posts) == 2
    second = posts[1].params
    assert second["channel"] == mention["channel"] and second["thread_ts"] == mention["ts"]
    assert "For svak strategisk styring" in second["text"]  # the challenge behind Anbefaling 2


async def test_the_same_reply_in_a_private_channel_thread_works_too(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> utfordringer", channel="G0PRIVATE1")
    await slack.event(mention)
    await slack.fake.wait_for("chat.postMessage")
    await slack.event(p.channel_message("den tredje", channel="G0PRIVATE1", thread_ts=mention["ts"],
                                        channel_type="group"))
    posts = await slack.fake.wait_for("chat.postMessage", count=2)
    assert "for defensiv rolle" in posts[1].params["text"]


@pytest.mark.parametrize("make_event", [
    lambda: p.channel_message("Hva er anbefaling 2?"),  # top-level chatter
    lambda: p.channel_message("Hva er anbefaling 2?", thread_ts="1700000000.000900"),  # a thread without the bot
])
async def test_channel_messages_without_a_mention_are_not_answered(slack, make_event):
    status, _ = await slack.event(make_event())
    assert status == 200
    await slack.fake.settle()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_a_reply_in_the_bots_thread_addressed_to_someone_else_is_left_alone(slack):
    mention = p.app_mention(f"<@{BOT_USER_ID}> anbefaling 2")
    await slack.event(mention)
    await slack.fake.wait_for("chat.postMessage")
    await slack.event(p.channel_message("<@U0COLLEAGUE> hva tenker du?", thread_ts=mention["ts"]))
    await slack.event(p.channel_message(f"<@{BOT_USER_ID}> hvorfor det?", thread_ts=mention["ts"]))  # app_mention's twin
    await slack.fake.settle()
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_assistant_thread_start_gets_a_greeting_and_suggested_prompts(slack):
    started = p.assistant_thread_started()
    await slack.event(started)
    [prompts] = await slack.fake.wait_for("assistant.threads.setSuggestedPrompts")
    thread = started["assistant_thread"]
    assert prompts.params["channel_id"] == thread["channel_id"] and prompts.params["thread_ts"] == thread["thread_ts"]
    assert 2 <= len(prompts.params["prompts"]) <= 4 and prompts.response == {"ok": True}
    assert all(prompt["message"] for prompt in prompts.params["prompts"])
    [greeting] = await slack.fake.wait_for("chat.postMessage")
    assert greeting.params["thread_ts"] == thread["thread_ts"] and "Difi-rapport 2019:3" in greeting.params["text"]
    # It says what the bot holds: the report's summary, linked.
    shown = greeting.params["blocks"][0]["text"]["text"]
    assert "sammendraget av «Departementene i førersetet for omstilling?»" in shown
    assert "<https://dfo.no/rapporter/departementene-i-forersetet-omstilling|" in shown


async def test_a_question_in_an_assistant_thread_sets_status_and_title_then_answers(slack):
    started = p.assistant_thread_started()
    thread_ts = started["assistant_thread"]["thread_ts"]
    await slack.event(started)
    await slack.fake.wait_for("assistant.threads.setSuggestedPrompts")
    await slack.event(p.assistant_message("anbefalinger", thread_ts))
    posts = await slack.fake.wait_for("chat.postMessage", count=2)
    [status] = slack.fake.calls_to("assistant.threads.setStatus")
    [title] = slack.fake.calls_to("assistant.threads.setTitle")
    assert status.params["thread_ts"] == thread_ts and status.params["status"] and status.response == {"ok": True}
    assert title.params["title"] == "anbefalinger"
    assert status.at < posts[1].at  # the status shows while the engine works, before the answer
    answer = posts[1].params
    assert answer["thread_ts"] == thread_ts and "strategisk aktør" in answer["text"]
    assert all("Et øyeblikk" not in call.params.get("text", "") for call in posts)  # no placeholder message
    # The answer's next steps become the thread's suggested prompts, not buttons in the message.
    prompts = (await slack.fake.wait_for("assistant.threads.setSuggestedPrompts", count=2))[1].params["prompts"]
    assert [p_["message"] for p_ in prompts] == ["anbefaling 1", "anbefaling 2", "anbefaling 3"]
    assert not any(b.get("block_id") == c.BLOCK_NEXT for b in answer["blocks"])
    # A follow-up in the same assistant thread uses the conversation.
    await slack.event(p.assistant_message("den andre", thread_ts))
    posts = await slack.fake.wait_for("chat.postMessage", count=3)
    assert "Overfor underliggende virksomheter" in posts[2].params["text"]
    assert len(slack.fake.calls_to("assistant.threads.setStatus")) == 2
    assert len(slack.fake.calls_to("assistant.threads.setTitle")) == 1  # the first question names the thread


def test_a_citation_with_a_url_links_to_its_source():
    from bot.slack.blocks import answer_message
    from bot.types import Answer, Citation

    linked = Citation("d#A2", "Anbefaling 2", "…", "Difi-rapport 2019:3", url="https://example.org/r?a=1&b=2")
    unsafe = Citation("d#A3", "Anbefaling 3", "…", "Difi-rapport 2019:3", url="javascript:alert(1)")
    answer = Answer("Fra rapporten:", (linked, unsafe), answer_id="ab" * 16, kind="answer")
    sources = next(b for b in answer_message(answer)["blocks"] if b.get("block_id") == "omstilling_sources")
    text = sources["elements"][0]["text"]
    assert "[a] *<https://example.org/r?a=1&amp;b=2|Anbefaling 2 · Difi-rapport 2019:3>*" in text
    assert "[b] *Anbefaling 3 · Difi-rapport 2019:3*" in text  # only http(s) addresses become links


async def test_assistant_thread_answers_use_the_configured_feedback_element(settings, make_service):
    async with running_slack(settings.with_(slack_feedback_buttons=True), make_service) as slack:
        started = p.assistant_thread_started()
        thread_ts = started["assistant_thread"]["thread_ts"]
        await slack.event(started)
        await slack.event(p.assistant_message("Hva er anbefaling 2?", thread_ts))
        posts = await slack.fake.wait_for("chat.postMessage", count=2)
        feedback = find_block(posts[1].params["blocks"], c.BLOCK_FEEDBACK)
        assert feedback["type"] == "context_actions" and feedback["elements"][0]["type"] == "feedback_buttons"
