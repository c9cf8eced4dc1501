"""Parsing what Teams sends: mentions, card vote data, the native feedback invoke, reactions."""

from __future__ import annotations

import json

import pytest

from bot.teams import inbound
from tests.fakes.teams_activities import BOT_ID
from bot.types import VoteRequest
from tests.complexity import grows_linearly

BOT = inbound.Mention(BOT_ID, "<at>Omstillingsbot</at>")


def test_the_bot_mention_is_removed_and_noticed():
    got = inbound.incoming_text("<at>Omstillingsbot</at>\xa0anbefaling   2 ", [BOT], BOT_ID)
    assert got == inbound.Incoming("anbefaling 2", True)


def test_other_mentions_keep_the_name_but_lose_the_markup():
    other = inbound.Mention("29:someone", "<at>Ola</at>")
    got = inbound.incoming_text("<at>Omstillingsbot</at> hva mener <at>Ola</at> om tillit?", [BOT, other], BOT_ID)
    assert got == inbound.Incoming("hva mener Ola om tillit?", True)
    assert not inbound.incoming_text("<at>Ola</at> hei", [other], BOT_ID).mentions_bot


@pytest.mark.parametrize("text", [None, "", "<at>Omstillingsbot</at>", "  <at>Omstillingsbot</at> \n "])
def test_nothing_left_after_the_mention_is_an_empty_question(text):
    assert inbound.incoming_text(text, [BOT], BOT_ID).text == ""


@pytest.mark.parametrize("unit", ["<at ", "<at>x", "<AT>"])
def test_mention_markup_is_read_in_time_linear_in_the_message(unit):
    """A message of "<at <at <at …" (no end tag) was scanned to its end from every tag: quadratic."""
    assert grows_linearly(lambda text: inbound.incoming_text(text, [BOT], BOT_ID), unit)


def test_a_mention_is_reduced_to_its_name_even_with_attributes():
    got = inbound.incoming_text('<at id="0">Kari Nordmann</at> og <at>Ola</at>', [], BOT_ID)
    assert got.text == "Kari Nordmann og Ola"


def test_mentions_come_only_from_well_formed_mention_entities():
    entities = [("mention", {"text": "<at>Bot</at>", "mentioned": {"id": BOT_ID, "name": "Bot"}}),
                ("clientInfo", {"locale": "nb-NO"}),
                ("mention", {"text": "<at>x</at>", "mentioned": "not an object"}),
                ("Mention", {"mentioned": {"id": "29:u"}}),
                (None, {})]
    assert inbound.mentions_from_entities(entities) == [inbound.Mention(BOT_ID, "<at>Bot</at>"), inbound.Mention("29:u", "")]


def test_a_card_vote_round_trips_and_anything_else_is_not_a_vote():
    good = {"omstillingsbot": "vote", "value": "down", "answer_id": "3f2a9c", "lang": "en"}
    assert inbound.card_vote(good) == VoteRequest("3f2a9c", "down", "en")
    assert inbound.card_vote({**good, "lang": "de"}).lang == "nb"
    for bad in (None, "vote", [], {}, {**good, "omstillingsbot": "other"}, {**good, "value": "none"},
                {**good, "answer_id": ""}, {**good, "answer_id": "x" * 65}, {**good, "answer_id": "a/b"},
                {**good, "answer_id": 7}):
        assert inbound.card_vote(bad) is None


def test_native_feedback_reads_the_reaction_and_the_optional_comment():
    def value(reaction: str, feedback: object = None) -> dict:
        action = {"reaction": reaction}
        if feedback is not None:
            action["feedback"] = feedback
        return {"actionName": "feedback", "actionValue": action}

    assert inbound.native_feedback(value("like")) == inbound.NativeFeedback("up", "")
    assert inbound.native_feedback(value("dislike", json.dumps({"feedbackText": " Mangler kilde "}))) == \
        inbound.NativeFeedback("down", "Mangler kilde")
    assert inbound.native_feedback(value("like", {"feedbackText": "Bra"})).text == "Bra"
    assert inbound.native_feedback(value("like", "ren tekst")).text == "ren tekst"
    assert inbound.native_feedback(value("like", json.dumps({"other": 1}))).text == ""
    for bad in (None, {}, {"actionName": "other", "actionValue": {"reaction": "like"}},
                {"actionName": "feedback", "actionValue": "like"}, value("love")):
        assert inbound.native_feedback(bad) is None


def test_reactions_count_only_the_thumbs_up():
    assert inbound.reaction_votes(["like"], []) == ["up"]
    assert inbound.reaction_votes([], ["like"]) == ["none"]
    assert inbound.reaction_votes(["heart", "laugh", None], ["angry"]) == []


def test_a_channel_thread_and_its_root_share_the_conversation_key():
    assert inbound.conversation_key("19:abc@thread.tacv2;messageid=1700000000001") == "19:abc@thread.tacv2"
    assert inbound.conversation_key("a:1personal") == "a:1personal"
