"""The Teams renderers, directly: Answer in, message activity JSON out (no botbuilder involved)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.answering import commands
from bot.teams import cards, inbound
from bot.teams import constants as c
from bot.types import Answer, Citation, Question, marker

ROOT = Path(__file__).resolve().parents[1]


def _pdf_answer(citations: int = 2) -> Answer:
    cites = tuple(Citation(f"chunk-{n}", f"Anbefaling {n} – en svært lang overskrift " + "x" * 90,
                           "Sitert rapporttekst. " * 20, "Difi-rapport 2019:3", page=10 + n) for n in range(1, citations + 1))
    text = "Dette sier rapporten:\n" + "\n".join(f"«{cit.text[:40]}» [{marker(n)}]" for n, cit in enumerate(cites))
    return Answer(text, cites, 0.9, answer_id="a" * 32, kind="answer", question="q")


@pytest.fixture(scope="module")
def answers(engine) -> dict[str, Answer]:
    asked = {"answer": "Hva anbefaler rapporten overfor underliggende virksomheter?", "listing": "anbefalinger",
             "abstain": "Hva er lønnen til en seniorrådgiver?", "help": "hjelp", "invalid": " ",
             "english": "recommendation 2"}
    return {name: engine.respond(Question(text, platform="teams")) for name, text in asked.items()}


def _markers(text: str) -> set[int]:
    """The citation markers in the text ([a], [b] …) as the 1-based positions Teams' claims carry."""
    return {ord(m) - ord("a") + 1 for m in re.findall(r"\[([a-z])\]", text)}


def test_answer_card_has_the_text_line_by_line_and_numbered_sources(answers):
    answer = answers["answer"]
    card = cards.answer_card(answer, vote_buttons=False)
    assert card["type"] == "AdaptiveCard" and card["version"] == c.CARD_VERSION
    blocks = [b["text"].replace("**", "") for b in card["body"] if b["type"] == "TextBlock"]  # focus in bold
    for line in filter(str.strip, answer.text.split("\n")):
        assert line in blocks
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert [f["title"] for f in facts] == [f"[{marker(n)}]" for n in range(len(answer.citations))]
    for fact, citation in zip(facts, answer.citations):
        assert citation.label in fact["value"] and citation.source in fact["value"]
    assert _markers(answer.text) <= set(range(1, len(answer.citations) + 1))


def test_pdf_citations_show_the_page_and_respect_teams_limits():
    answer = _pdf_answer(25)
    entity = cards.message_entity(answer)
    claims = entity["citation"]
    assert len(claims) == c.MAX_CITATIONS
    for position, claim in enumerate(claims, start=1):
        appearance = claim["appearance"]
        assert claim["@type"] == "Claim" and claim["position"] == position
        assert appearance["@type"] == "DigitalDocument"
        assert len(appearance["name"]) <= c.CITATION_NAME_MAX and appearance["name"].endswith(f"side {10 + position}")
        assert 0 < len(appearance["abstract"]) <= c.CITATION_ABSTRACT_MAX
        assert appearance["image"] == {"@type": "ImageObject", "name": "PDF"}
    facts = next(b for b in cards.answer_card(answer, vote_buttons=False)["body"] if b["type"] == "FactSet")["facts"]
    assert "side 11" in facts[0]["value"]


def test_message_entity_marks_ai_content_and_cites_each_marker(answers):
    answer = answers["listing"]
    entity = cards.message_entity(answer)
    assert entity["type"] == "https://schema.org/Message" and entity["@type"] == "Message"
    assert entity["@context"] == "https://schema.org" and entity["@id"] == ""
    assert entity["additionalType"] == ["AIGeneratedContent"]
    positions = {claim["position"] for claim in entity["citation"]}
    assert _markers(answer.text) == positions == set(range(1, len(answer.citations) + 1))
    for claim, citation in zip(entity["citation"], answer.citations):
        assert claim["appearance"]["name"].startswith(citation.label[:40])
        assert citation.text.startswith(claim["appearance"]["abstract"].rstrip("…"))


def test_native_feedback_in_teams_card_buttons_elsewhere(answers):
    answer = answers["answer"]
    native = cards.answer_activity(answer, native_feedback=True)
    assert native["channelData"] == {"feedbackLoopEnabled": True}
    assert "actions" not in native["attachments"][0]["content"]
    emulator = cards.answer_activity(answer, native_feedback=False)
    assert "channelData" not in emulator
    actions = emulator["attachments"][0]["content"]["actions"]
    votes = [inbound.card_vote(action["data"]) for action in actions]
    assert [(v.answer_id, v.value, v.lang) for v in votes] == [(answer.answer_id, "up", "nb"), (answer.answer_id, "down", "nb")]
    assert all(action["type"] == "Action.Submit" for action in actions)


def test_abstention_says_so_lists_every_command_and_cites_nothing(answers):
    answer = answers["abstain"]
    activity = cards.answer_activity(answer, native_feedback=True)
    card = activity["attachments"][0]["content"]
    assert answer.text.split("\n")[0] == card["body"][0]["text"]
    facts = [b for b in card["body"] if b["type"] == "FactSet"]
    assert len(facts) == 1  # the command list, no sources
    words = [f["title"] for f in facts[0]["facts"]]
    assert words == [m.word for m in c.MENU]
    assert "citation" not in activity["entities"][0]
    assert activity["channelData"] == {"feedbackLoopEnabled": True}  # an abstention can be voted on too


def test_menu_words_are_the_shared_parser_s_command_words():
    for entry in c.MENU:
        assert commands.COMMAND_WORDS[entry.word] == entry.name
        assert commands.COMMAND_WORDS[entry.word_en] == entry.name


def test_help_and_invalid_input_get_no_feedback_and_no_ai_label(answers):
    for name in ("help", "invalid"):
        activity = cards.answer_activity(answers[name], native_feedback=True)
        assert "channelData" not in activity and "entities" not in activity
        assert "actions" not in activity["attachments"][0]["content"]
    help_card = cards.answer_card(answers["help"], vote_buttons=True)
    assert help_card["body"][-1]["text"].startswith("I Teams:")


def test_english_command_gets_english_controls(answers):
    answer = answers["english"]
    assert answer.lang == "en"
    card = cards.answer_card(answer, vote_buttons=True)
    assert [a["title"] for a in card["actions"]] == ["👍 Helpful", "👎 Not helpful"]
    assert any(b.get("text") == "Sources" for b in card["body"])


def test_summary_and_size_stay_within_teams_limits(answers):
    for answer in answers.values():
        activity = cards.answer_activity(answer, native_feedback=False)
        assert 0 < len(activity["summary"]) <= c.SUMMARY_MAX
        assert len(json.dumps(activity, ensure_ascii=False).encode("utf-16-le")) < 40 * 1024  # Teams' message limit


def test_welcome_explains_the_bot_and_lists_the_commands():
    card = cards.welcome_activity()["attachments"][0]["content"]
    texts = [b.get("text", "") for b in card["body"]]
    assert texts[0].startswith("Hei!") and any(t.startswith("I Teams:") for t in texts)
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert [f["title"] for f in facts] == [m.word for m in c.MENU] and all(f["value"] for f in facts)


def test_notice_is_plain_text():
    assert cards.notice_activity("Takk!") == {"type": "message", "text": "Takk!", "textFormat": "plain"}


def test_the_corpus_contains_no_card_markdown_syntax():
    """TextBlocks render a Markdown subset; the report's sentences go in unescaped, so they must not contain it."""
    corpus = re.sub(r"<!--.*?-->", "", (ROOT / "corpus" / "difi-rapport-2019-3.md").read_text(), flags=re.S)
    body = "\n".join(line for line in corpus.splitlines() if not line.startswith("#"))
    assert not re.search(r"[*_`]|\[[^\]]*\]\(|^\s*(?:[-+]|\d+\.)\s", body, flags=re.M)
