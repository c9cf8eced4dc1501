"""Teams conversations over the wire: a follow-up in a channel reply chain and in a personal chat
uses that conversation's context; answers in personal chats carry suggested actions; citations
link to the source; the manifest's personal command list starts with prompt starters."""

from __future__ import annotations

from bot.teams import cards
from bot.teams import constants as c
from bot.teams.package import command_lists
from bot.types import Answer, Citation
from tests.fakes import teams_activities as fa
from tests.teams_fakes import TeamsServer, card_text

CHAIN = f"{fa.CHANNEL_CONVERSATION};messageid=1700000000555"
OTHER_CHAIN = f"{fa.CHANNEL_CONVERSATION};messageid=1700000000777"


async def _say(server: TeamsServer, text: str, **options):
    before = len(server.connector.messages())
    posted = await server.post(fa.message(text, server.service_url, **options))
    assert posted.status == 200
    return (await server.connector.wait_for_messages(before + 1))[-1]


async def test_a_follow_up_in_a_channel_reply_chain_uses_that_chains_context(chat_service):
    channel = {"mention": True, "conversation_type": "channel"}
    async with TeamsServer(chat_service) as server:
        first = await _say(server, "anbefaling 2", conversation_id=CHAIN, **channel)
        assert "Anbefaling 2" in card_text(first.card)
        why = await _say(server, "hvorfor det?", conversation_id=CHAIN, **channel)
        assert "For svak strategisk styring" in card_text(why.card)  # the challenge behind Anbefaling 2
        elsewhere = await _say(server, "hvorfor det?", conversation_id=OTHER_CHAIN, **channel)
        assert "For svak strategisk styring" not in card_text(elsewhere.card)  # another chain: no context
        assert "suggestedActions" not in why.body  # Teams shows suggested actions in personal chats only


async def test_personal_chat_answers_carry_quick_replies_that_work_as_follow_ups(chat_service):
    async with TeamsServer(chat_service) as server:
        listing = await _say(server, "anbefalinger")
        actions = listing.body["suggestedActions"]["actions"]
        assert [a["title"] for a in actions] == ["Anbefaling 1", "Anbefaling 2", "Anbefaling 3"]
        assert all(a["type"] == "imBack" for a in actions)
        one = await _say(server, actions[2]["value"])  # the user taps "Anbefaling 3"
        assert "Overfor andre departementer" in card_text(one.card)
        titles = [a["title"] for a in one.body["suggestedActions"]["actions"]]
        assert titles == ["Hvorfor det?", "Utdyp", "Alle anbefalinger"]
        why = await _say(server, one.body["suggestedActions"]["actions"][0]["value"])
        assert "motbakkeløp" in card_text(why.card)  # Anbefaling 3 answers Utfordring 4
        refusal = await _say(server, "Hvem vant fotball-VM i 2018?")
        near = refusal.body["suggestedActions"]["actions"]
        assert 2 <= len(near) <= 3  # the units nearest the question, each a question that quotes it
        tapped = await _say(server, near[0]["value"])
        assert "Kilder" in card_text(tapped.card)


async def test_in_a_channel_suggestions_are_card_buttons_answered_in_the_same_chain(chat_service):
    channel = {"conversation_type": "channel", "conversation_id": CHAIN}
    async with TeamsServer(chat_service) as server:
        first = await _say(server, "Hva sier rapporten om tillit?", mention=True, **channel)
        buttons = next(b for b in first.card["body"] if b["type"] == "ActionSet")["actions"]
        why = next(a for a in buttons if a["title"] == "Hvorfor det?")
        before = len(server.connector.messages())
        posted = await server.post(fa.card_submit(why["data"], server.service_url, **channel))
        assert posted.status == 200
        reply = (await server.connector.wait_for_messages(before + 1))[-1]
        # Answered without an @mention (the click is addressed to the bot), from the chain's context.
        assert "For svak strategisk styring" in card_text(reply.card)


def test_a_citation_url_becomes_a_card_action_and_a_schema_org_url():
    cite = Citation("d#A2", "Anbefaling 2", "Overfor …", "Difi-rapport 2019:3", url="https://example.org/r")
    answer = Answer("Fra rapporten:\n«Overfor …» [1]", (cite,), answer_id="ab" * 16, kind="answer")
    activity = cards.answer_activity(answer, native_feedback=True)
    card = activity["attachments"][0]["content"]
    assert {"type": "Action.OpenUrl", "title": "Åpne rapporten", "url": "https://example.org/r"} in card["actions"]
    assert activity["entities"][0]["citation"][0]["appearance"]["url"] == "https://example.org/r"
    plain = cards.answer_activity(Answer("x", (Citation("d#A2", "A", "t", "s"),), answer_id="ab" * 16),
                                  native_feedback=True)
    assert "actions" not in plain["attachments"][0]["content"]
    assert "url" not in plain["entities"][0]["citation"][0]["appearance"]


def test_the_personal_command_list_starts_with_prompt_starters():
    personal, team, group = command_lists()
    titles = [command["title"] for command in personal["commands"]]
    assert titles[: c.PROMPT_STARTERS] == ["Hva er hovedutfordringene?", "Hva anbefaler rapporten?",
                                           "Hvem står bak rapporten?"]
    assert titles[c.PROMPT_STARTERS:] == [m.word for m in c.MENU] == [cmd["title"] for cmd in team["commands"]]
    assert len(personal["commands"]) <= 10 and all(len(t) <= c.COMMAND_TITLE_MAX for t in titles)
