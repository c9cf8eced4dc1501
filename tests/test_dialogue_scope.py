"""What the bot says it holds, and its refusals: named documents with links, a short refusal with the
full report and a contact, and next steps near the question that, asked, quote their unit. Real engine,
real corpus; the dialogue as every surface uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import messages
from bot.answering.conversation import load_relations
from bot.answering.dialogue import Dialogue, load_source_urls
from bot.answering.holdings import holdings
from bot.types import Question

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REPORT_URL = "https://dfo.no/rapporter/departementene-i-forersetet-omstilling"
OFF_TOPIC = ["Hva er lønnen til en seniorrådgiver?", "Hvem vant fotball-VM i 2018?",
             "Hvordan ble intervjuene gjennomført?"]


def dialogue(engine, contact: str = "", corpus: Path = CORPUS) -> Dialogue:
    return Dialogue(engine, load_relations(corpus), contact, load_source_urls(corpus), holdings(engine, corpus))


def reply(d: Dialogue, text: str, state=None):
    return d.reply(state, Question(text, platform="cli", conversation="c"))


def test_help_names_the_summary_it_holds_with_a_link(engine):
    for word, lang in (("hjelp", "nb"), ("help", "en")):
        answer, _ = reply(dialogue(engine), word)
        assert answer.kind == "help"
        assert messages.text("scope_intro", lang) in answer.text
        assert messages.text("holding_summary", lang, title=messages.REPORT_TITLE, source="Difi-rapport 2019:3") \
            in answer.text
        assert REPORT_URL in answer.text


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_a_refusal_is_short_names_the_summary_and_links_the_full_report(engine, text):
    answer, _ = reply(dialogue(engine), text)
    assert answer.abstained and answer.citations == ()
    lines = answer.text.splitlines()
    assert lines[0] == messages.text("refusal_summary", "nb")
    assert messages.text("refusal_full_report", "nb", url=REPORT_URL) in lines
    assert len(lines) <= 3  # read on a phone: no paragraph of boilerplate


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_a_refusal_offers_nearby_units_that_quote_that_unit_when_asked(engine, text):
    d = dialogue(engine)
    answer, _ = reply(d, text)
    assert 2 <= len(answer.suggestions) <= 3
    near = [h.chunk.id for h in engine.search(text).hits[:6]]
    for step in answer.suggestions:
        clicked, _ = reply(d, step.ask)
        assert not clicked.abstained and clicked.citations, step
        # The unit the button names is what clicking it quotes, and it is one the search came close to
        # (for a list, its lead-in: the list is quoted from its first item).
        first = engine.retriever.chunk_by_id(clicked.citations[0].id)
        lead_in = engine.retriever.lead_in_of(first)
        assert first.id in near or (lead_in is not None and lead_in.id in near), step


def test_a_refusal_in_english_and_nynorsk_is_said_in_that_language(engine):
    en, _ = reply(dialogue(engine), "Who won the football World Cup in 2018?")
    assert en.abstained and en.text.splitlines()[0] == messages.text("refusal_summary", "en")
    nn, _ = reply(dialogue(engine), "Kven vann fotball-VM, og kva for lag spelte finalen?")
    assert nn.abstained and nn.text.splitlines()[0] == messages.text("refusal_summary", "nn")


def test_the_contact_comes_from_front_matter_unless_the_setting_overrides_it(engine, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    path = corpus / "difi-rapport-2019-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: true\n", "summary: true\ncontact: post@dfo.no\n", 1),
                    encoding="utf-8")
    from_file, _ = reply(dialogue(engine, corpus=corpus), OFF_TOPIC[0])
    assert messages.text("contact", "nb", contact="post@dfo.no") in from_file.text.splitlines()
    overridden, _ = reply(dialogue(engine, contact="hjelp@example.no", corpus=corpus), OFF_TOPIC[0])
    assert "hjelp@example.no" in overridden.text and "post@dfo.no" not in overridden.text
    without, _ = reply(dialogue(engine), OFF_TOPIC[0])
    assert messages.text("contact", "nb", contact="").split(":")[0] not in without.text


def test_small_talk_offers_its_questions_as_next_steps_not_as_text(engine):
    answer, _ = reply(dialogue(engine), "hei")
    assert answer.kind == "smalltalk"
    assert [s.ask for s in answer.suggestions] == messages.suggested_questions("nb")
    assert not any(q in answer.text for q in messages.suggested_questions("nb"))


def test_the_facts_about_the_report_offer_the_lists_not_why(engine):
    answer, _ = reply(dialogue(engine), "om")
    assert [s.ask for s in answer.suggestions] == [messages.text("quick_all_recommendations_cmd", "nb"),
                                                    messages.text("quick_all_challenges_cmd", "nb")]


def test_an_english_refusal_names_its_numbered_next_steps_in_english(engine):
    answer, _ = reply(dialogue(engine), "Which ministries performed worst in the survey?")
    assert answer.abstained and answer.suggestions
    numbered = [s for s in answer.suggestions if s.ask.split()[0] in ("recommendation", "challenge",
                                                                      "recommendations", "challenges")]
    assert numbered, answer.suggestions
    assert all(s.label.split()[0] in ("Recommendation", "Challenge", "All") for s in numbered)
