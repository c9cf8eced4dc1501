"""The Block Kit renderer, tested directly on Answers (real ones from the engine where it matters)."""

from __future__ import annotations

import json

from bot.slack import blocks
from bot.slack import constants as c
from bot.types import Answer, Citation, Question
from tests.slack_fakes import button

CIT = Citation("c1", "Anbefaling 2 – overfor underliggende virksomheter", "Overfor underliggende …", "Difi-rapport 2019:3")


def _answer(**kw) -> Answer:
    base = {"text": "Dette sier rapporten:\n«Overfor underliggende …» [1]", "citations": (CIT,), "confidence": 0.9,
            "answer_id": "0123456789abcdef0123456789abcdef", "kind": "answer", "lang": "nb", "question": "q"}
    return Answer(**{**base, **kw})


def _all_text(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_escape_neutralises_slack_control_sequences():
    assert blocks.escape("<!channel> & <@U123> <https://x.example|klikk>") == \
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x.example|klikk&gt;"


def test_user_text_cannot_ping_mention_or_link():
    hostile = "<!channel> <!here> <@U0123ABC> <#C0123|general> <https://evil.example|trykk her> &lt;"
    message = blocks.answer_message(_answer(text=f"Det som passer best til «{hostile}»:"), asked=hostile)
    for text_object in _text_objects(message["blocks"]):
        assert "<" not in text_object["text"]  # every Slack link, mention and ping starts with "<"
        if text_object["type"] == "mrkdwn":
            assert text_object["verbatim"] is True  # no auto-linking of bare URLs or names either
    assert "<" not in message["text"]
    assert "&lt;!channel&gt;" in message["text"] and "&amp;lt;" in message["text"]


def test_answer_has_text_sources_and_vote_buttons_carrying_the_answer_id(engine):
    answer = engine.respond(Question("Hva er anbefaling 2?", "slack"))
    rendered = blocks.answer_blocks(answer)
    section = next(b for b in rendered if b.get("block_id") == c.BLOCK_ANSWER)
    assert "[a]" in section["text"]["text"] and answer.citations[0].text[:40] in section["text"]["text"]
    sources = next(b for b in rendered if b.get("block_id") == c.BLOCK_SOURCES)["elements"][0]["text"]
    assert "Anbefaling 2 – overfor underliggende virksomheter · Difi-rapport 2019:3" in sources
    up, down = button(rendered, c.ACTION_VOTE_UP), button(rendered, c.ACTION_VOTE_DOWN)
    assert up["value"] == f"up:{answer.answer_id}:nb" and down["value"] == f"down:{answer.answer_id}:nb"
    assert up["accessibility_label"] and len(up["accessibility_label"]) <= 75


def test_citation_label_has_page_for_pdf_sources():
    cit = Citation("p1", "Kapittel 3 – Funn", "…", "Difi-rapport 2019:3 (PDF)", page=12)
    assert blocks.citation_label(cit) == "Kapittel 3 – Funn · Difi-rapport 2019:3 (PDF) · side 12"
    assert blocks.citation_label(cit, "en").endswith("· page 12")
    assert "side" not in blocks.citation_label(CIT)


def test_abstention_says_so_and_offers_help_command(engine):
    answer = engine.respond(Question("Hvordan lager man pizza?", "slack"))
    assert answer.abstained
    text = _all_text(blocks.answer_message(answer))
    assert "dekker ikke rapporten" in text and "/omstilling hjelp" in text
    assert c.BLOCK_SOURCES not in text  # nothing cited for an abstention
    assert c.ACTION_VOTE_UP in text  # abstentions get feedback too: the owners want to see them


def test_help_has_slack_usage_and_no_vote_buttons(engine):
    answer = engine.respond(Question("", "slack", via_command=True))
    assert answer.kind == "help"
    text = _all_text(blocks.answer_message(answer, share_value="hjelp"))
    assert "/omstilling" in text and "anbefaling" in text
    assert c.ACTION_VOTE_UP not in text


def test_share_button_only_when_asked_and_within_slack_value_limit():
    assert c.ACTION_SHARE not in _all_text(blocks.answer_blocks(_answer()))
    shared = button(blocks.answer_blocks(_answer(), share_value="anbefaling 2"), c.ACTION_SHARE)
    assert shared["value"] == "anbefaling 2"
    assert c.ACTION_SHARE not in _all_text(blocks.answer_blocks(_answer(), share_value="x" * (c.BUTTON_VALUE_MAX + 1)))


def test_long_answers_are_split_into_sections_within_slack_limits():
    long = "\n".join(f"«{'ord ' * 150}» [{n}]" for n in range(1, 40))
    rendered = blocks.answer_blocks(_answer(text=long))
    sections = [b for b in rendered if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s["text"]["text"]) <= c.SECTION_TEXT_MAX for s in sections)
    assert len(rendered) <= c.MAX_BLOCKS
    assert rendered[-1]["block_id"] == c.BLOCK_FEEDBACK  # the controls survive any cut
    assert len({b.get("block_id") for b in rendered if b.get("block_id")}) == \
        len([b for b in rendered if b.get("block_id")])  # block ids are unique, as Slack requires
    assert len(blocks.fallback_text(_answer(text=long))) <= c.FALLBACK_TEXT_MAX


def test_single_overlong_line_is_cut_hard():
    pieces = blocks._split("x" * 7000, 3000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_context_actions_style_renders_feedback_buttons_element():
    rendered = blocks.answer_blocks(_answer(), share_value="anbefaling 2", style="context_actions")
    context_actions = next(b for b in rendered if b["type"] == "context_actions")
    element = context_actions["elements"][0]
    assert element["type"] == "feedback_buttons" and element["action_id"].startswith(c.VOTE_PREFIX)
    assert element["positive_button"]["value"].startswith("up:") and element["negative_button"]["value"].startswith("down:")
    assert button(rendered, c.ACTION_SHARE)  # the share button still has a home


def test_english_answers_get_english_controls():
    rendered = blocks.answer_blocks(_answer(lang="en"))
    assert button(rendered, c.ACTION_VOTE_UP)["text"]["text"].endswith("Helpful")
    assert button(rendered, c.ACTION_VOTE_UP)["value"].endswith(":en")


def _text_objects(rendered: list[dict]):
    for block in rendered:
        if "text" in block:
            yield block["text"]
        for element in block.get("elements", []):
            if element.get("type") in ("mrkdwn", "plain_text"):
                yield element
            elif "text" in element:
                yield element["text"]
