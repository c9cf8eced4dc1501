"""A question about what came of the report is refused, and the bot says why: no report holds its own aftermath."""

import pytest

from bot.types import Question
from retrieval.text import asks_after_report


@pytest.mark.parametrize("question", [
    "Ble enheten faktisk lagt ned etter at rapporten kom?",
    "Har regjeringen fulgt opp rapporten?",
    "Hvordan har departementene fulgt opp anbefalingene i ettertid?",
    "Hvilke tiltak satte regjeringen i gang som følge av rapporten?",
    "Kva har departementa gjort sidan rapporten kom ut?",
    "Når skal etaten endre inndelingen sin neste gang?",
    "What did the government do after the report was published?",
    "How did the ministry respond? What changed in response to the report?",
])
def test_questions_about_the_reports_aftermath_are_recognised(question):
    assert asks_after_report(question)


@pytest.mark.parametrize("question", [
    "Hva bør man gjøre neste gang en reform gjennomføres?",  # the report's own advice for the next time
    "Hvordan er anbefalingene fra 2019 fulgt opp?",  # a follow-up report answers this
    "Når kommer neste undersøkelse?",  # a report may announce its successor
    "Hva skjedde etter reformen?",
    "Hva anbefaler rapporten?",
])
def test_questions_a_report_may_answer_are_not(question):
    assert not asks_after_report(question)


def test_the_engine_refuses_and_says_why(engine):
    answer = engine.respond(Question("Hvordan styrer departementene direktoratene etter at rapporten kom?"))
    assert answer.abstained and not answer.citations
    assert answer.text.startswith("En rapport kan ikke si hva som skjedde etter at den ble skrevet.")
    nynorsk = engine.respond(Question("Korleis styrer departementa direktorata sidan rapporten kom ut?"))
    assert nynorsk.abstained and nynorsk.text.startswith("Ein rapport kan ikkje seie kva som skjedde")
    english = engine.respond(Question("How have the ministries steered their agencies since the report was published?"))
    assert english.abstained and english.text.startswith("A report cannot tell what happened after it was written.")
    # the same question about the report's own time is answered
    assert not engine.respond(Question("Hvordan styrer departementene direktoratene?")).abstained


def test_the_reason_is_given_when_a_labelled_lesson_refuses_too(engine):
    """«Har regjeringen fulgt opp rapporten?» is labelled not covered: the lesson refuses it before the gate,
    and the refusal still says why."""
    answer = engine.respond(Question("Har regjeringen fulgt opp rapporten?"))
    assert answer.abstained and answer.reason == "En rapport kan ikke si hva som skjedde etter at den ble skrevet."
