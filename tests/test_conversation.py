"""Follow-up resolution and small talk as pure functions: (state, message, language) -> resolution."""

from __future__ import annotations

import pytest

from bot.answering.conversation import ConversationState, Resolution, Turn, conversation_id_error, resolve
from bot.answering.smalltalk import SmallTalk, classify

DOC = "difi-rapport-2019-3"
RECOMMENDATIONS = Turn(tuple(f"{DOC}#{k}" for k in ("H", "A1", "A2", "A3")), "recommendations")
CHALLENGES = Turn(tuple(f"{DOC}#U{n}" for n in range(1, 5)), "challenges")
A2 = Turn((f"{DOC}#A2",), "unit")
U1 = Turn((f"{DOC}#U1",), "unit")


def state(*turns: Turn, question: str = "", lang="nb") -> ConversationState:
    return ConversationState(turns, lang, question)


@pytest.mark.parametrize("text, after, prefix, number", [
    ("og den andre?", RECOMMENDATIONS, "A", 2),
    ("nummer tre", RECOMMENDATIONS, "A", 3),
    ("Kva seier den første?", RECOMMENDATIONS, "A", 1),
    ("the first one", CHALLENGES, "U", 1),
    ("the third one?", CHALLENGES, "U", 3),
    ("Fortell mer om den siste", CHALLENGES, "U", -1),
    ("og nummer to?", U1, "U", 2),  # after one numbered unit: the same kind
    ("nr 2", CHALLENGES, "U", 2),
])
def test_an_ordinal_after_a_listing_or_a_unit_picks_that_unit(text, after, prefix, number):
    resolution = resolve(state(after), text, "nb")
    assert (resolution.prefix, resolution.number) == (prefix, number)
    assert resolution.action in ("units", "elaborate")


@pytest.mark.parametrize("text, after, number", [
    ("og den neste?", U1, 2),
    ("what about the next one?", A2, 3),
    ("og den forrige?", A2, 1),
    ("neste utfordring", U1, 2),
    ("kva med den førre?", U1, 0),  # out of range: the dialogue says which numbers there are
])
def test_next_and_previous_step_from_the_one_unit_just_shown(text, after, number):
    prefix = after.ids[0].rsplit("#", 1)[-1][0]
    assert resolve(state(after), text, "nb") == Resolution("units", prefix=prefix, number=number)


@pytest.mark.parametrize("text, after", [
    ("og den neste?", RECOMMENDATIONS),  # after a listing "the next" names nothing
    ("neste anbefaling", U1),  # another kind than the unit just shown
])
def test_next_without_one_unit_of_its_kind_before_it_is_asked_as_is(text, after):
    assert resolve(state(after), text, "nb").action == "ask"


def test_an_ordinal_that_names_its_kind_needs_no_context():
    assert resolve(None, "og den tredje utfordringen?", "nb") == Resolution("units", prefix="U", number=3)
    assert resolve(state(RECOMMENDATIONS), "og nummer to av hovedutfordringene?", "nb").prefix == "U"


def test_andre_as_other_is_not_an_ordinal():
    resolution = resolve(state(A2, question="Hva sier rapporten om underliggende virksomheter?"),
                         "og overfor andre departementer?", "nb")
    assert resolution.action == "shift"
    assert resolution.text == "Overfor andre departementer?"
    assert resolution.previous == "Hva sier rapporten om underliggende virksomheter?"


@pytest.mark.parametrize("text", ["hvorfor det?", "Hvorfor?", "Why is that?", "kvifor det?"])
def test_why_points_back_to_the_last_cited_units(text):
    assert resolve(state(A2), text, "nb") == Resolution("why", ids=A2.ids)


@pytest.mark.parametrize("text", ["utdyp", "kan du utdype?", "si mer", "Kan du forklare nærmere?", "elaborate",
                                  "tell me more"])
def test_elaborate_points_back(text):
    assert resolve(state(A2), text, "nb") == Resolution("elaborate", ids=A2.ids)


def test_a_kind_word_with_a_pronoun_asks_for_the_related_unit():
    assert resolve(state(U1), "Hva anbefaler de mot det?", "nb") == Resolution("relation", ids=U1.ids,
                                                                               kind="recommendation")


@pytest.mark.parametrize("text", ["hva mener de med det?", "Hva betyr det på norsk?", "What does that mean?"])
def test_a_pronoun_with_nothing_new_repeats_the_referent(text):
    assert resolve(state(A2), text, "nb") == Resolution("units", ids=A2.ids)


@pytest.mark.parametrize("text", [
    "Hva er det rapporten anbefaler?",  # "er det" is not a pronoun pointing back
    "Hvorfor får etatene for lite handlingsrom i styringsdialogen?",  # a why-question with its own topic
    "Hva sier rapporten om tillit?",
    "Hvem står bak rapporten?",
    "Hva mener de med strategisk aktør?",
    "Hvem ga den ut?",  # a new fact about the report, not about the last answer
])
def test_an_independent_question_is_not_bent_by_the_context(text):
    for before in (A2, RECOMMENDATIONS, CHALLENGES):
        assert resolve(state(before), text, "nb").action == "ask"


def test_after_small_talk_the_referent_is_the_answer_before_it():
    talk = Turn((), "smalltalk")
    assert resolve(state(A2, talk), "hvorfor det?", "nb") == Resolution("why", ids=A2.ids)


def test_a_follow_up_with_nothing_to_point_to_is_not_guessed():
    assert resolve(None, "hvorfor det?", "nb").action == "unclear"
    assert resolve(state(A2, Turn((), "refusal")), "utdyp", "nb").action == "unclear"
    assert resolve(None, "Hva sier rapporten om tillit?", "nb").action == "ask"


def test_state_round_trips_through_the_stored_form_and_keeps_only_the_last_turns():
    s = state(A2, question="Hva sier rapporten om tillit?", lang="nn")
    for _ in range(10):
        s = s.add(U1, "nn", None)
    again = ConversationState.from_stored(s.to_stored())
    assert again == s and len(again.turns) == 4 and again.question == "Hva sier rapporten om tillit?"
    assert s.to_stored().last_kind == "unit"


@pytest.mark.parametrize("text, category, lang", [
    ("hei", "greeting", "nb"), ("god morgen!", "greeting", "nb"), ("Hello there", "greeting", "en"),
    ("god morgon", "greeting", "nn"), ("tusen takk", "thanks", "nb"), ("thanks, bye", "bye", "en"),
    ("ha det bra", "bye", "nb"), ("hvem er du?", "who", "nb"), ("kven er du?", "who", "nn"),
    ("hva kan du?", "what", "nb"), ("What can you do?", "what", "en"), ("takk, det var nyttig", "thanks", "nb"),
    ("+", "sign", "nb"), ("Hei, kan du hjelpe meg?", "what", "nb"), ("Can you help me?", "what", "en"),
])
def test_small_talk_is_recognised_in_three_languages(text, category, lang):
    talk = classify(text)
    assert talk is not None and (talk.category, talk.lang) == (category, lang)


@pytest.mark.parametrize("text", ["hei, hva sier anbefaling 2?", "Hva kan du si om tillit?", "takk for tilliten",
                                  "Hvem er ansvarlig for omstilling?"])
def test_a_question_that_starts_like_small_talk_is_a_question(text):
    assert classify(text) is None


def test_conversation_ids_are_short_strings():
    assert conversation_id_error(None) == "" and conversation_id_error("abc") == ""
    assert conversation_id_error("x" * 129) and conversation_id_error(42) and conversation_id_error("")


@pytest.mark.parametrize("text", ["anbefaling 2", "utfordringer", "anbefaling tillit", "hjelp"])
def test_commands_are_left_to_the_engine_in_any_context(text):
    assert resolve(state(CHALLENGES), text, "nb") == Resolution("ask", text=text)


def test_what_to_do_instead_of_a_challenge_is_its_recommendation():
    assert resolve(state(U1), "hva bør de gjøre i stedet?", "nb") == Resolution("relation", ids=U1.ids,
                                                                              kind="recommendation")


def test_after_the_report_facts_a_pronoun_means_the_report():
    meta = Turn((f"{DOC}#meta",), "unit")
    assert resolve(state(meta), "Hva handler den om?", "nb").action == "ask"
    assert resolve(state(A2), "Hva handler den om?", "nb").action == "units"


@pytest.mark.parametrize("text", ["ok", "okei, takk", "got it", "flott!"])
def test_a_bare_acknowledgement_is_small_talk_not_a_question(text):
    talk = classify(text)
    assert talk is not None and talk.category == "thanks"


def test_a_pronoun_question_about_a_topic_of_the_report_is_a_new_question():
    topics = {"tillit", "styring"}.__contains__
    assert resolve(state(CHALLENGES), "Hva sier den om tillit?", "nb", is_topic=topics).action == "ask"
    assert resolve(state(A2), "Hva betyr det på norsk?", "nb", is_topic=topics).action == "units"
    assert resolve(state(A2), "og om styring?", "nb", is_topic=topics).action == "shift"


def test_a_shift_with_words_the_corpus_never_uses_is_marked_foreign():
    topics = {"styring", "overfor", "departementer"}.__contains__
    previous = state(A2, question="Hva sier rapporten om styring?")
    assert not resolve(previous, "og overfor departementer?", "nb", is_topic=topics).foreign
    assert resolve(previous, "og budsjettet til departementer?", "nb", is_topic=topics).foreign


@pytest.mark.parametrize("text", ["What is this report about?", "Hva handler denne rapporten om?",
                                  "Kven har skrive dette dokumentet?"])
def test_a_demonstrative_before_the_document_is_a_question_of_its_own(text):
    assert resolve(None, text, "nb").action == "ask"
    assert resolve(state(A2), text, "nb").action == "ask"


@pytest.mark.parametrize("text, lang", [
    ("God dag. Eg er direktør i eit underliggjande direktorat.", "nn"),
    ("Hei! Jeg er seniorrådgiver i et departement.", "nb"),
    ("Hi, I am a journalist writing about the report.", "en"),
])
def test_a_greeting_with_a_self_introduction_and_no_question_is_a_greeting(text, lang):
    assert classify(text) == SmallTalk("greeting", lang)


@pytest.mark.parametrize("text", [
    "Hei, jeg er ny og lurer på hva rapporten sier om tillit", "Hei. Jeg er seniorrådgiver. Hva sier rapporten om tillit?",
    "Jeg er seniorrådgiver i et departement.", "Eg er direktør. Rapporten er urettferdig mot etatane.",
])
def test_an_introduction_with_a_question_or_without_a_greeting_is_not_small_talk(text):
    assert classify(text) is None
