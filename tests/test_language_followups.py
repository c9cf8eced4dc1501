"""Small language facts the replies depend on: a Norwegian yes/no question with an English-looking
word is still Norwegian, and asking for a follow-up in another language is still a follow-up."""

from __future__ import annotations

import pytest

from bot.answering.conversation import ConversationState, Turn, resolve
from bot.answering.language import detect


@pytest.mark.parametrize("text, lang", [
    ("Er embetsverket for defensivt?", "nb"), ("Mener rapporten at styringsdialogen er for driftsorientert?", "nb"),
    ("Is the report any good?", "en"), ("What does the report say about the steering of agencies?", "en"),
    ("Kva er den andre hovudutfordringa?", "nn"), ("Kva seier rapporten om tillit?", "nn"),
])
def test_the_language_of_the_framing(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["Can you elaborate in English?", "utdyp på nynorsk", "forklar nærmere på engelsk"])
def test_a_follow_up_that_names_a_language_is_still_a_follow_up(text):
    state = ConversationState((Turn(("d#U4",), "unit", ("d#U4",)),), "nb", "")
    assert resolve(state, text, detect(text)).action == "elaborate"


@pytest.mark.parametrize("text, lang", [
    ("Tek embetsverket for lite initiativ?", "nn"),  # one English marker ("for") in a Norwegian question
    ("What is DFØ?", "en"),  # Norwegian letters inside an acronym do not make it Norwegian
    ("the second one?", "en"), ("Why?", "en"), ("Er embetsverket for defensivt?", "nb"),
])
def test_the_language_of_short_and_mixed_messages(text, lang):
    from bot.answering import language

    assert language.detect(text) == lang
