"""No repetition in a conversation: a unit quoted in full a moment ago is referred to, «utdyp» adds
only what is new, «hvorfor det?» without a stated reason says so, and a follow-up on a list names the
item it takes or asks which. Real engine, real corpus, the dialogue as every surface uses it."""

from __future__ import annotations

from pathlib import Path

from bot import messages
from bot.answering.conversation import ConversationState, Turn, load_relations
from bot.answering.dialogue import Dialogue, load_source_urls
from bot.answering.holdings import holdings
from bot.feedback.base import StoredConversation
from bot.types import Question

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REPORT_URL = "https://dfo.no/rapporter/departementene-i-forersetet-omstilling"


class Chat:
    def __init__(self, engine) -> None:
        self.d = Dialogue(engine, load_relations(CORPUS), "", load_source_urls(CORPUS), holdings(engine, CORPUS))
        self.state = None

    def say(self, text: str):
        answer, self.state = self.d.reply(self.state, Question(text, platform="cli", conversation="c"))
        return answer


def quoted_in_full(answer, key: str) -> bool:
    cite = next(c for c in answer.citations if c.id.endswith(f"#{key}"))
    return f"«{cite.text}»" in answer.text


def test_a_unit_just_quoted_is_referred_to_with_the_sentence_that_answers(engine):
    chat = Chat(engine)
    first = chat.say("anbefaling 2")
    assert quoted_in_full(first, "A2")
    again = chat.say("Hva sier rapporten om handlingsrom?")
    a2 = next(c for c in again.citations if c.id.endswith("#A2"))  # still cited: the sources stay the same
    assert not quoted_in_full(again, "A2")
    assert messages.text("as_above", "nb", label="Anbefaling 2", quote=a2.focus) in again.text
    assert "gi handlingsrom" in a2.focus


def test_asking_to_see_it_again_or_the_command_quotes_it_in_full(engine):
    chat = Chat(engine)
    chat.say("anbefaling 2")
    assert quoted_in_full(chat.say("vis anbefaling 2"), "A2")
    assert quoted_in_full(chat.say("anbefaling 2"), "A2")


def test_elaborate_adds_only_what_was_not_shown(engine):
    chat = Chat(engine)
    chat.say("Hva bør departementene gjøre overfor underliggende virksomheter?")
    more = chat.say("utdyp")
    assert more.citations[0].id.endswith("#A2") and not quoted_in_full(more, "A2")
    assert quoted_in_full(more, "C")  # the paragraph that says more is new, so it is quoted


def test_why_without_a_stated_reason_says_so_and_points_to_the_full_report(engine):
    chat = Chat(engine)
    chat.say("utfordring 1")
    why = chat.say("hvorfor det?")
    lines = why.text.splitlines()
    assert lines[0] == messages.text("followup_why_none", "nb", label="Utfordring 1")
    assert why.citations[0].id.endswith("#U1") and not quoted_in_full(why, "U1")
    assert messages.text("beyond_summary_url", "nb", url=REPORT_URL) in lines
    assert messages.text("quick_why", "nb") not in [step.ask for step in why.suggestions]  # no loop


def test_elaborate_when_the_summary_says_no_more_does_not_offer_elaborate_again(engine):
    chat = Chat(engine)
    chat.say("utfordring 3")
    more = chat.say("utdyp")
    assert messages.text("beyond_summary_url", "nb", url=REPORT_URL) in more.text.splitlines()
    assert more.suggestions and messages.text("quick_more", "nb") not in [step.ask for step in more.suggestions]


def test_why_after_the_recommendations_names_the_item_it_takes(engine):
    chat = Chat(engine)
    chat.say("anbefalinger")
    why = chat.say("hvorfor det?")
    assert why.text.splitlines()[0] == messages.text("followup_why_item", "nb", label="Hovedanbefaling")
    asks = [s.ask for s in why.suggestions]
    assert asks == [messages.text("quick_why_unit", "nb", kind="anbefaling", n=n) for n in (1, 2, 3)]
    # Each offered "Hvorfor anbefaling 2?" gives that recommendation's own reason.
    reason = chat.say(asks[1])
    assert [c.id.rsplit("#", 1)[1] for c in reason.citations] == ["U2"]


def test_why_after_the_challenges_asks_which_one(engine):
    chat = Chat(engine)
    chat.say("utfordringer")
    which = chat.say("hvorfor det?")
    assert which.text == messages.text("followup_which", "nb") and which.citations == ()
    assert len(which.suggestions) == 4
    picked = chat.say(which.suggestions[2].ask)
    assert picked.citations[0].id.endswith("#U3")


def test_elaborate_after_the_challenges_asks_which_one(engine):
    chat = Chat(engine)
    chat.say("utfordringer")
    which = chat.say("utdyp")
    assert which.text == messages.text("followup_which", "nb")
    assert [s.ask for s in which.suggestions][0] == messages.text("quick_elaborate_unit", "nb", kind="utfordring", n=1)


def test_turns_remember_what_they_quoted_in_full_and_old_rows_still_load():
    state = ConversationState((Turn(("d#A2",), "unit", ("d#A2",)),), "nb", "q")
    assert ConversationState.from_stored(state.to_stored()) == state
    old = StoredConversation(turns='[{"ids": ["d#A2"], "kind": "unit"}]', last_kind="unit", lang="nb", question="q")
    assert ConversationState.from_stored(old).turns == (Turn(("d#A2",), "unit"),)


def test_an_overview_that_quotes_list_lead_ins_offers_the_lists(engine):
    chat = Chat(engine)
    overview = chat.say("Kan du oppsummere rapporten?")
    assert any(c.id.endswith("#U") for c in overview.citations)  # «Vi ser fire hovedutfordringer:» alone
    asks = [step.ask for step in overview.suggestions]
    assert messages.text("quick_all_challenges_cmd", "nb") in asks and messages.text("quick_why", "nb") not in asks
    listed = chat.say(messages.text("quick_all_challenges_cmd", "nb"))
    assert [c.id.split("#")[1] for c in listed.citations] == ["U1", "U2", "U3", "U4"]
