"""TeamsBot under botbuilder's own TestAdapter: messages, mentions, commands, feedback, reactions, welcome.

The engine and the SQLite feedback store are real (tests/conftest.py); only the channel is simulated.
"""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity, ActivityTypes

from tests.fakes import teams_activities as fa
from tests.teams_fakes import SERVICE_URL, as_activity, as_sent, card_of, card_text, handler_adapter


@pytest.fixture
def service(chat_service):
    return chat_service


async def _send(test_adapter, data: dict) -> list[Activity]:
    """Deliver one activity and return what the bot sent (typing indicators left out)."""
    test_adapter.activity_buffer.clear()
    await test_adapter.receive_activity(as_activity(data))
    return [as_sent(a) for a in test_adapter.activity_buffer if a.type != ActivityTypes.typing]


async def _ask(test_adapter, text: str, **options) -> Activity:
    replies = await _send(test_adapter, fa.message(text, SERVICE_URL, **options))
    assert len(replies) == 1
    return replies[0]


async def test_a_question_gets_a_cited_card_and_is_remembered_for_feedback(service):
    test_adapter, _ = handler_adapter(service)
    reply = await _ask(test_adapter, "Hva anbefaler rapporten overfor underliggende virksomheter?")
    card = card_of(reply)
    assert "Anbefaling 2 – overfor underliggende virksomheter" in card_text(card)
    assert reply.channel_data == {"feedbackLoopEnabled": True}
    entity = reply.entities[0]
    assert entity.type == "https://schema.org/Message"
    assert entity.additional_properties["citation"][0]["appearance"]["name"].startswith("Anbefaling 2")
    # TestAdapter numbers what the bot sends; that id is what a reaction or feedback later points at.
    answer_id = await service.answer_id_for("teams", (fa.PERSONAL_CONVERSATION, str(test_adapter._next_id)))
    [row] = [row for row in service.store.export_rows() if row.answer_id == answer_id]
    assert row.platform == "teams" and row.labels[0] == "Anbefaling 2 – overfor underliggende virksomheter"


async def test_in_a_channel_the_mention_is_removed_before_the_engine_sees_the_text(service):
    test_adapter, _ = handler_adapter(service)
    reply = await _ask(test_adapter, "anbefaling 2", mention=True, conversation_type="channel")
    assert "Anbefaling 2 – overfor underliggende virksomheter" in card_text(card_of(reply))
    row = service.store.export_rows()[-1]
    assert row.question == "anbefaling 2" and row.kind == "listing"


async def test_in_a_channel_without_a_mention_the_bot_stays_quiet(service):
    test_adapter, _ = handler_adapter(service)
    assert await _send(test_adapter, fa.message("anbefaling 2", SERVICE_URL, conversation_type="channel")) == []
    assert await _send(test_adapter, fa.message("hjelp", SERVICE_URL, conversation_type="groupChat")) == []


async def test_only_a_mention_is_an_empty_message_and_gets_a_clear_answer(service):
    test_adapter, _ = handler_adapter(service)
    reply = await _ask(test_adapter, "", mention=True, conversation_type="groupChat")
    assert "tom melding" in card_text(card_of(reply))
    assert reply.channel_data is None  # nothing to vote on


@pytest.mark.parametrize("command, expected", [
    ("anbefalinger", "Anbefaling 3 – overfor andre departementer"),
    ("utfordring 3", "Utfordring 3"),
    ("om", "Difi-rapport 2019:3"),
    ("hjelp", "anbefaling <nummer eller ord>"),
    ("recommendation 2", "Sources"),
])
async def test_commands_are_the_first_word_of_a_message(service, command, expected):
    test_adapter, _ = handler_adapter(service)
    assert expected in card_text(card_of(await _ask(test_adapter, command)))


async def test_native_feedback_with_a_comment_is_stored_anonymously_and_thanked(service):
    test_adapter, _ = handler_adapter(service)
    await _ask(test_adapter, "Hva er rapportens hovedanbefaling?")
    message_id = str(test_adapter._next_id)
    replies = await _send(test_adapter, fa.feedback(message_id, "dislike", SERVICE_URL,
                                                    text="Mangler anbefaling 3. Ring meg på 22 33 44 55"))
    invoke_response = [a for a in replies if a.type == ActivityTypes.invoke_response]
    assert len(invoke_response) == 1 and invoke_response[0].value.status == 200 and invoke_response[0].value.body == {}
    thanks = [a.text for a in replies if a.type == ActivityTypes.message]
    assert thanks == ["Takk! Tilbakemeldingen er anonym."]
    row = service.store.export_rows()[-1]
    assert (row.up, row.down) == (0, 1)
    assert row.comments == ("Mangler anbefaling 3. Ring meg på [telefon]",)


async def test_feedback_on_a_message_the_bot_does_not_know_is_answered_honestly(service):
    test_adapter, _ = handler_adapter(service)
    replies = await _send(test_adapter, fa.feedback("1700000999999", "like", SERVICE_URL))
    assert [a.value.status for a in replies if a.type == ActivityTypes.invoke_response] == [200]
    assert [a.text for a in replies if a.type == ActivityTypes.message] == \
        ["Jeg finner ikke svaret du ga tilbakemelding på, så stemmen ble ikke lagret."]


async def test_a_thumbs_up_reaction_votes_and_removing_it_retracts(service):
    test_adapter, _ = handler_adapter(service)
    await _ask(test_adapter, "Hva er rapportens hovedanbefaling?")
    message_id = str(test_adapter._next_id)
    answer_id = await service.answer_id_for("teams", (fa.PERSONAL_CONVERSATION, message_id))
    assert await _send(test_adapter, fa.reaction(message_id, SERVICE_URL)) == []  # silent when saved
    assert service.store.tally(answer_id).up == 1
    assert await _send(test_adapter, fa.reaction(message_id, SERVICE_URL, added=None, removed="like")) == []
    assert service.store.tally(answer_id).up == 0
    assert await _send(test_adapter, fa.reaction("1700000888888", SERVICE_URL)) == []  # not an answer: ignored


async def test_card_buttons_vote_where_the_native_loop_is_missing(service):
    test_adapter, _ = handler_adapter(service, channel_id="emulator")
    reply = await _ask(test_adapter, "Hva er rapportens hovedanbefaling?", channelId="emulator")
    assert reply.channel_data is None
    up_button = card_of(reply)["actions"][0]
    replies = await _send(test_adapter, fa.card_submit(up_button["data"], SERVICE_URL, channelId="emulator"))
    assert [a.text for a in replies] == ["Takk! Tilbakemeldingen er anonym."]
    assert service.store.tally(up_button["data"]["answer_id"]).up == 1


async def test_the_welcome_is_sent_when_the_bot_is_added_and_only_then(service):
    test_adapter, _ = handler_adapter(service)
    replies = await _send(test_adapter, fa.bot_added(SERVICE_URL))
    assert len(replies) == 1 and "anbefalinger" in card_text(card_of(replies[0]))
    # It says what the bot holds: the report's summary, with a Markdown link to it.
    assert "sammendraget av «Departementene i førersetet for omstilling?»" in card_text(card_of(replies[0]))
    assert "(https://dfo.no/rapporter/departementene-i-forersetet-omstilling)" in card_text(card_of(replies[0]))
    someone_else = fa.envelope("conversationUpdate", SERVICE_URL, membersAdded=[{"id": "29:new-member"}])
    assert await _send(test_adapter, someone_else) == []


async def test_a_redelivered_activity_is_answered_once(service):
    test_adapter, _ = handler_adapter(service)
    message = fa.message("anbefaling 1", SERVICE_URL)
    assert len(await _send(test_adapter, message)) == 1
    assert await _send(test_adapter, message) == []


async def test_unknown_activity_types_and_invokes_are_handled_quietly(service):
    test_adapter, _ = handler_adapter(service)
    assert await _send(test_adapter, fa.envelope("installationUpdate", SERVICE_URL, action="add")) == []
    assert await _send(test_adapter, fa.envelope("somethingNew", SERVICE_URL)) == []
    replies = await _send(test_adapter, fa.envelope("invoke", SERVICE_URL, name="composeExtension/query", value={}))
    assert [a.value.status for a in replies] == [501]  # an invoke this bot does not offer
    malformed = await _send(test_adapter, fa.envelope("invoke", SERVICE_URL, name="message/submitAction", value="x"))
    assert [(a.type, a.value.status) for a in malformed] == [(ActivityTypes.invoke_response, 200)]


def test_a_rendered_reply_goes_out_as_its_json_with_the_address_botbuilder_set():
    """`_RenderedSerializer` writes only the shell's set fields (issue 11: walking all 42 of them cost
    ~0.1 ms a reply); the JSON must equal what msrest's full walk writes, dates included."""
    from datetime import datetime, timezone

    from botbuilder.core import TurnContext
    from msrest.serialization import Serializer

    from bot.teams.adapter import Rendered
    from tests.teams_fakes import rendered_serializer

    incoming = as_activity(fa.message("hei", SERVICE_URL))
    shell = TurnContext.apply_conversation_reference(Rendered({"type": "message", "text": "svar"}),
                                                     TurnContext.get_conversation_reference(incoming))
    shell.timestamp = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    serializer = rendered_serializer()
    sent = serializer.body(shell, "Activity")
    assert sent == {"type": "message", "text": "svar", **Serializer._serialize(serializer, shell, "Activity")}
    assert sent["conversation"]["id"] == incoming.conversation.id and sent["timestamp"] == "2026-11-29T12:00:00.000Z"
    assert sent["recipient"]["id"] == fa.USER_ID and sent["replyToId"] == incoming.id
