"""Pointed answers, through the real engine over the real corpus: the sentence that answers is the
citation's focus, and a yes/no question gets «Ja»/«Nei» only where the quoted words support it."""

from __future__ import annotations

import pytest

from bot import messages
from bot.answering import pointed
from bot.types import Question
from retrieval.lexical import LexicalIndex


def ask(engine, text: str):
    return engine.respond(Question(text))


def test_the_sentence_that_answers_is_the_focus(engine):
    answer = ask(engine, "Hva sier rapporten om handlingsrom?")
    a2 = next(c for c in answer.citations if c.id.endswith("#A2"))
    assert "gi handlingsrom" in a2.focus and a2.focus in a2.text
    assert "stille kritiske spørsmål" not in a2.focus  # the other sentence of the unit is not marked


def test_the_focus_follows_the_question_within_one_unit(engine):
    critical = ask(engine, "Bør departementene stille kritiske spørsmål til virksomhetene?")
    a2 = next(c for c in critical.citations if c.id.endswith("#A2"))
    assert "stille kritiske spørsmål" in a2.focus and "handlingsrom" not in a2.focus


@pytest.mark.parametrize("text", ["anbefaling 2", "Hva er den tredje anbefalingen?"])
def test_a_unit_asked_for_by_name_or_a_one_sentence_quote_has_no_focus(engine, text):
    answer = ask(engine, text)
    assert answer.citations and all(c.focus == "" for c in answer.citations)


def test_a_polar_question_the_text_states_gets_yes_first(engine):
    answer = ask(engine, "Bør departementene ta et mer aktivt ansvar for sektorovergripende omstilling?")
    assert answer.text.splitlines()[0] == messages.text("polar_yes", "nb")
    assert answer.citations[0].id.endswith("#A3")


def test_a_polar_question_the_text_does_not_state_is_not_answered_yes(engine):
    answer = ask(engine, "Does the report recommend more detailed control of agencies?")
    assert not answer.abstained
    first = answer.text.splitlines()[0]
    assert first not in (messages.text("polar_yes", answer.lang), messages.text("polar_no", answer.lang))
    assert first == messages.text("polar_unclear", answer.lang)


def test_an_open_question_gets_no_verdict(engine):
    answer = ask(engine, "Hva bør departementene gjøre overfor andre departementer?")
    assert answer.text.splitlines()[0] == messages.text("answer_intro", "nb")


def test_yes_no_and_not_directly_on_a_small_text():
    texts = ["Departementene bør bygge tillit til etatene.", "Departementene bør ikke detaljstyre etatene.",
             "Etatene lager planer for fornyelse."]
    lexical = LexicalIndex(texts)
    assert pointed.polar_intro(lexical, "Bør departementene bygge tillit til etatene?", texts[0], "nb") \
        == messages.text("polar_yes", "nb")
    assert pointed.polar_intro(lexical, "Bør departementene detaljstyre etatene?", texts[1], "nb") \
        == messages.text("polar_no", "nb")
    # Shares too few of the question's words: not a yes, however close the topic.
    assert pointed.polar_intro(lexical, "Bør departementene styre budsjettene til etatene strengere?", texts[2],
                               "nb") == messages.text("polar_unclear", "nb")
    # A negated question ("Bør de ikke …?") is never read as a plain yes or no.
    assert pointed.polar_intro(lexical, "Bør departementene ikke bygge tillit til etatene?", texts[0], "nb") \
        == messages.text("polar_unclear", "nb")


@pytest.mark.parametrize("text, polar", [
    ("Anbefaler rapporten at departementene bygger tillit?", True), ("Er embetsverket for defensivt?", True),
    ("Does the report say ministries should build trust?", True), ("Hva anbefaler rapporten?", False),
    ("Hvorfor er styringen svak?", False),
])
def test_polar_questions_open_with_a_verb(text, polar):
    assert pointed.is_polar(text) is polar
