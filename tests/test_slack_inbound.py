"""Slack markup in, plain data out: mentions stripped, votes and reactions parsed."""

from __future__ import annotations

import pytest

from bot.slack import inbound


@pytest.mark.parametrize("raw, expected", [
    ("<@U0BOT> Hva er anbefaling 2?", "Hva er anbefaling 2?"),
    ("<@U0BOT|omstillingsbot>   anbefalinger", "anbefalinger"),
    ("Hei <@U0BOT>, hva med tillit?", "Hei , hva med tillit?"),
    ("<!here> <!channel> utfordring 3", "utfordring 3"),
    ("se <https://www.difi.no/rapport|rapporten> om <#C012|omstilling>", "se rapporten om #omstilling"),
    ("lenke <https://example.org/a?b=1>", "lenke https://example.org/a?b=1"),
    ("A &amp; B &lt;tag&gt;", "A & B <tag>"),
    ("<@U0BOT>", ""),
    ("", ""),
])
def test_question_text(raw, expected):
    assert inbound.question_text(raw) == expected


def test_user_message_filter():
    person = {"type": "message", "user": "U1", "text": "hei", "channel_type": "im"}
    assert inbound.is_user_message(person)
    assert not inbound.is_user_message({**person, "subtype": "message_changed"})
    assert not inbound.is_user_message({**person, "subtype": "channel_join"})
    assert not inbound.is_user_message({**person, "subtype": "bot_message"})
    assert not inbound.is_user_message({**person, "bot_id": "B1"})
    assert not inbound.is_user_message({**person, "bot_profile": {"id": "B1"}})
    assert not inbound.is_user_message({k: v for k, v in person.items() if k != "user"})


def test_parse_vote_value():
    vote = inbound.parse_vote_value("down:0123456789abcdef0123456789abcdef:en")
    assert (vote.value, vote.answer_id, vote.lang) == ("down", "0123456789abcdef0123456789abcdef", "en")
    for bad in (None, 3, "", "up", "up:abc", "sideways:0123456789abcdef:nb", "up:NOT-HEX-ID-123:nb",
                "up:0123456789abcdef:xx", "up:0123456789abcdef:nb:extra", "none:0123456789abcdef:nb"):
        assert inbound.parse_vote_value(bad) is None, bad


def test_reaction_vote():
    assert inbound.reaction_vote("+1") == "up"
    assert inbound.reaction_vote("thumbsup") == "up"
    assert inbound.reaction_vote("+1::skin-tone-4") == "up"
    assert inbound.reaction_vote("-1") == "down"
    assert inbound.reaction_vote("thumbsdown::skin-tone-2") == "down"
    assert inbound.reaction_vote("heart") is None
    assert inbound.reaction_vote(None) is None
