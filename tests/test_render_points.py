"""Every renderer marks the same things: the clause that answers (bold in Slack and Teams, emphasis in
the terminal), addresses as links, letter markers in the text and the source list, and the next steps
as buttons (Slack actions, Teams card buttons or suggested actions, a numbered terminal line)."""

from __future__ import annotations

import re

from bot.answering.spans import answer_lines, links
from bot.slack import blocks
from bot.slack import constants as sc
from bot.teams import cards
from bot.teams import constants as tc
from bot.teams import inbound as teams_inbound
from bot import terminal
from bot.types import Answer, Citation, NextStep

TEXT = "Overfor underliggende virksomheter bør departementene stille kritiske spørsmål. På den annen side bør de gi handlingsrom."
FOCUS = "På den annen side bør de gi handlingsrom."
A2 = Citation("d#A2", "Anbefaling 2 – overfor underliggende virksomheter", TEXT, "Difi-rapport 2019:3", focus=FOCUS)
A3 = Citation("d#A3", "Anbefaling 3 – overfor andre departementer", "Overfor andre departementer bør de ta ansvar.",
              "Difi-rapport 2019:3")
STEPS = (NextStep("Anbefaling 3", "anbefaling 3"), NextStep("Hvorfor det?", "Hvorfor det?"))


def answer(**kw) -> Answer:
    base = dict(text=f"Dette sier rapporten:\n«{A2.text}» [a]\n«{A3.text}» [b]", citations=(A2, A3), confidence=0.9,
                answer_id="ab" * 16, kind="answer", suggestions=STEPS)
    return Answer(**{**base, **kw})


def test_spans_cut_a_line_without_changing_it():
    lines = answer_lines(answer())
    assert ["".join(s.text for s in line) for line in lines] == answer().text.split("\n")
    assert [s.text for s in lines[1] if s.kind == "focus"] == [FOCUS]
    assert not any(s.kind == "focus" for s in lines[2])
    found = links("Skriv til post@dfo.no eller se https://dfo.no/r. Takk")
    assert [(s.kind, s.text) for s in found if s.kind != "plain"] == [("mail", "post@dfo.no"), ("url", "https://dfo.no/r")]


def test_slack_bolds_the_focus_links_addresses_and_letters_its_sources():
    rendered = blocks.answer_blocks(answer(text=answer().text + "\nKontakt: post@dfo.no", links=("post@dfo.no",)))
    section = next(b for b in rendered if b.get("block_id") == sc.BLOCK_ANSWER)["text"]["text"]
    assert f"*{FOCUS}*" in section and "[a]" in section and "[b]" in section
    assert "<mailto:post@dfo.no|post@dfo.no>" in section
    # An address the bot did not put there itself (the user's words echoed back) never becomes a link.
    echoed = blocks.answer_blocks(answer(text="Det som passer best til «https://evil.example»:"))
    assert "<" not in next(b for b in echoed if b.get("block_id") == sc.BLOCK_ANSWER)["text"]["text"]
    sources = next(b for b in rendered if b.get("block_id") == sc.BLOCK_SOURCES)["elements"][0]["text"]
    assert sources.splitlines()[0].startswith("[a] ") and sources.splitlines()[1].startswith("[b] ")


def test_slack_next_steps_are_buttons_that_carry_their_question():
    rendered = blocks.answer_blocks(answer())
    block = next(b for b in rendered if b.get("block_id") == sc.BLOCK_NEXT)
    assert block["type"] == "actions"
    assert [(e["text"]["text"], e["value"]) for e in block["elements"]] == [(s.label, s.ask) for s in STEPS]
    assert all(sc.ASK_ACTION_PATTERN.match(e["action_id"]) for e in block["elements"])
    assert len({e["action_id"] for e in block["elements"]}) == len(STEPS)  # unique within the block
    shared = blocks.answer_blocks(answer(), suggestions=False)
    assert not any(b.get("block_id") == sc.BLOCK_NEXT for b in shared)


def test_teams_card_bolds_the_focus_in_markdown_and_letters_its_sources():
    card = cards.answer_card(answer(text=answer().text + "\nKontakt: post@dfo.no\nSe https://evil.example",
                                    links=("post@dfo.no",)), vote_buttons=False)
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert any(f"**{FOCUS}**" in t and t.endswith("[a]") for t in texts)
    assert "Kontakt: [post@dfo.no](mailto:post@dfo.no)" in texts
    assert "Se https://evil.example" in texts  # not the bot's own address: left as text
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert [f["title"] for f in facts] == ["[a]", "[b]"]


def test_teams_next_steps_are_card_buttons_in_groups_and_suggested_actions_in_personal_chats():
    group = cards.answer_activity(answer(), native_feedback=True, quick_replies=False)
    body = group["attachments"][0]["content"]["body"]
    asks = next(b for b in body if b["type"] == "ActionSet")["actions"]
    assert [(a["title"], teams_inbound.card_ask(a["data"])) for a in asks] == [(s.label, s.ask) for s in STEPS]
    assert "suggestedActions" not in group
    personal = cards.answer_activity(answer(), native_feedback=True, quick_replies=True)
    assert [a["value"] for a in personal["suggestedActions"]["actions"]] == [s.ask for s in STEPS]
    assert not any(b["type"] == "ActionSet" for b in personal["attachments"][0]["content"]["body"])
    # A vote button's data is not a question, and a forged question is refused.
    assert teams_inbound.card_ask({tc.VOTE_KEY: tc.VOTE_VERB, "value": "up"}) is None
    assert teams_inbound.card_ask({tc.VOTE_KEY: tc.ASK_VERB, "ask": "x" * 5000}) is None


def test_terminal_emphasises_the_focus_and_numbers_the_next_steps():
    plain = terminal.render(answer())
    assert f"*{FOCUS}*" in plain
    assert "[a] Anbefaling 2" in plain and "[b] Anbefaling 3" in plain
    assert "1) Anbefaling 3" in plain and "2) Hvorfor det?" in plain
    bold = terminal.render(answer(), emphasis="ansi")
    assert "\033[1m" in bold and f"*{FOCUS}*" not in bold


def test_terminal_wraps_at_the_width_without_breaking_words():
    text = terminal.render(answer(), width=30)
    words = set(re.findall(r"\S+", answer().text.replace("*", "")))
    for line in text.splitlines():
        visible = line.replace("*", "")
        assert len(visible) <= 30 or " " not in visible  # only a single over-long word may exceed it
    # Every word of the answer is still whole on some line.
    shown = set(re.findall(r"\S+", text.replace("*", "")))
    assert words <= shown


def test_finding_addresses_takes_linear_time_on_hostile_text():
    from tests.complexity import grows_linearly

    for unit in ("a@", "a@b.", "a@b-", "https://", "http://a.", "x.", "@b.cc", "a.b@"):
        assert grows_linearly(links, unit), unit
