"""Pure renderers: an engine `Answer` in, a Slack message (Block Kit JSON + plain-text fallback) out.

Every piece of text that came from a user or from the corpus goes through `escape()` and into
mrkdwn objects marked `verbatim`, so it can never become a mention, a channel ping or a link:
Slack only turns `<…>` sequences into those, and `verbatim` stops it auto-linking bare URLs
and names.

Feedback controls: an ordinary `actions` block with two buttons is the default, because it renders
in every Slack client and surface. Slack's `context_actions` block with a `feedback_buttons`
element (documented for AI apps) is available with style="context_actions"; a click on it arrives
as a block_actions action {"type": "feedback_buttons", "action_id", "block_id", "value"} whose
`value` is the clicked button's, so both styles carry "<up|down>:<answer_id>:<lang>" and one
handler serves them.
"""

from __future__ import annotations

from typing import Literal

from bot import messages
from bot.answering.spans import Span, answer_lines, emphasised, links
from bot.slack import constants as c
from bot.types import Answer, Citation, Lang, NextStep, VoteValue, marker

FeedbackStyle = Literal["buttons", "context_actions"]


def escape(text: str) -> str:
    """Slack's three control characters; `&` first so the others are not double-escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _split(text: str, limit: int) -> list[str]:
    """Cut at line breaks (or hard, for a single overlong line) so each piece fits one section."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def _quote_lines(text: str) -> str:
    """The report's own sentences («…» [a]) as Slack block quotes, so they read apart from the bot's words."""
    return "\n".join(f">{line}" if line.startswith("«") else line for line in text.split("\n"))


def _linkable(url: str) -> bool:
    """An address Slack can carry inside <…|…> unchanged."""
    return url.startswith(("https://", "http://", "mailto:")) and not any(ch in url for ch in "|<> ")


def _mrkdwn_span(span: Span) -> str:
    """One span as mrkdwn: the clause that answers in bold, addresses as links; all of it escaped."""
    text = escape(span.text)
    if span.kind == "focus":
        return emphasised(text, "*")
    if span.kind in ("url", "mail") and _linkable(span.target):
        return f"<{escape(span.target)}|{text}>"
    return text


def answer_mrkdwn(answer: Answer) -> str:
    """The answer's text as mrkdwn: escaped, its focus bold, its addresses links, quotes as block quotes."""
    return _quote_lines("\n".join("".join(_mrkdwn_span(s) for s in line) for line in answer_lines(answer)))


def citation_label(citation: Citation, lang: Lang = "nb") -> str:
    """"Anbefaling 2 – overfor underliggende virksomheter · Difi-rapport 2019:3" (+ " · side 12" for PDFs)."""
    parts = [citation.label, citation.source]
    if citation.page is not None:
        parts.append(f"{messages.text('page', lang)} {citation.page}")
    return " · ".join(p for p in parts if p)


def vote_value(value: VoteValue, answer_id: str, lang: Lang) -> str:
    return c.VALUE_SEPARATOR.join((value, answer_id, lang))


def _source_line(n: int, citation: Citation, lang: Lang) -> str:
    """"[a] *Anbefaling 2 – … · Difi-rapport 2019:3*", a link to the source when its URL is known."""
    label = escape(citation_label(citation, lang))
    url = citation.url or ""
    if url.startswith(("https://", "http://")) and not any(ch in url for ch in "|<> "):
        return f"[{marker(n)}] *<{escape(url)}|{label}>*"
    return f"[{marker(n)}] *{label}*"


def _sources_block(answer: Answer) -> dict:
    lines = [_source_line(n, cit, answer.lang) for n, cit in enumerate(answer.citations)]
    # A context block holds at most 10 elements; one element with line breaks never hits that.
    text = "\n".join(lines)[: c.CONTEXT_TEXT_MAX]
    return {"type": "context", "block_id": c.BLOCK_SOURCES, "elements": [_mrkdwn(text)]}


def _vote_buttons(answer: Answer) -> list[dict]:
    lang = answer.lang
    return [
        {"type": "button", "action_id": c.ACTION_VOTE_UP, "text": _plain(f"👍 {messages.text('feedback_up', lang)}"),
         "value": vote_value("up", answer.answer_id, lang),
         "accessibility_label": messages.text("feedback_up_label", lang)},
        {"type": "button", "action_id": c.ACTION_VOTE_DOWN, "text": _plain(f"👎 {messages.text('feedback_down', lang)}"),
         "value": vote_value("down", answer.answer_id, lang),
         "accessibility_label": messages.text("feedback_down_label", lang)},
    ]


def _feedback_buttons_element(answer: Answer) -> dict:
    """Slack's AI-app feedback element; its block_actions payload carries the clicked button's `value`."""
    lang = answer.lang
    return {
        "type": "feedback_buttons",
        "action_id": c.ACTION_FEEDBACK_BUTTONS,
        "positive_button": {"text": _plain("👍"), "value": vote_value("up", answer.answer_id, lang),
                            "accessibility_label": messages.text("feedback_up_label", lang)},
        "negative_button": {"text": _plain("👎"), "value": vote_value("down", answer.answer_id, lang),
                            "accessibility_label": messages.text("feedback_down_label", lang)},
    }


def _share_button(share_value: str, lang: Lang) -> dict:
    return {"type": "button", "action_id": c.ACTION_SHARE, "text": _plain(messages.text("share", lang)),
            "value": share_value}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def next_steps_block(steps: tuple[NextStep, ...]) -> dict | None:
    """The suggested next questions as buttons; a click asks the button's `value` in the same thread."""
    buttons = [{"type": "button", "action_id": f"{c.ASK_PREFIX}_{n}", "text": _plain(_shorten(s.label, c.BUTTON_TEXT_MAX)),
                "value": s.ask} for n, s in enumerate(steps) if s.label and 0 < len(s.ask) <= c.BUTTON_VALUE_MAX]
    return {"type": "actions", "block_id": c.BLOCK_NEXT, "elements": buttons} if buttons else None


def _control_blocks(answer: Answer, share_value: str | None, style: FeedbackStyle) -> list[dict]:
    voting = answer.wants_feedback and bool(answer.answer_id)
    share = share_value is not None and 0 < len(share_value) <= c.BUTTON_VALUE_MAX
    blocks: list[dict] = []
    if voting:
        blocks.append({"type": "context", "block_id": c.BLOCK_HINT,
                       "elements": [_mrkdwn(messages.text("helpful_prompt", answer.lang))]})
    if voting and style == "context_actions":
        blocks.append({"type": "context_actions", "block_id": c.BLOCK_FEEDBACK,
                       "elements": [_feedback_buttons_element(answer)]})
        voting = False  # the share button, if any, goes into an ordinary actions block below
    elements = (_vote_buttons(answer) if voting else []) + ([_share_button(share_value, answer.lang)] if share else [])
    if elements:
        block_id = c.BLOCK_FEEDBACK if style == "buttons" else f"{c.BLOCK_FEEDBACK}_share"
        blocks.append({"type": "actions", "block_id": block_id, "elements": elements})
    return blocks


def answer_blocks(answer: Answer, *, share_value: str | None = None, asked: str | None = None,
                  style: FeedbackStyle = "buttons", suggestions: bool = True, clicked: str | None = None) -> list[dict]:
    """The answer text, its sources, a hint for help/abstentions, the suggested next questions as
    buttons, then the feedback (and share) controls.

    `share_value` adds a "Del i kanalen" button carrying that command text; `asked` shows the
    command a shared answer came from, `clicked` the suggestion a click asked (both the user's own
    choice, escaped like the rest). `suggestions=False` leaves the next questions out (a shared
    answer in a channel: a click there would answer outside any conversation)."""
    blocks: list[dict] = []
    if asked is not None:
        blocks.append({"type": "context", "elements": [_mrkdwn(f"`{c.SLASH_COMMAND} {escape(asked)}`"[: c.CONTEXT_TEXT_MAX])]})
    if clicked is not None:
        blocks.append({"type": "context", "elements": [_mrkdwn(f"› {escape(clicked)}"[: c.CONTEXT_TEXT_MAX])]})
    for n, piece in enumerate(_split(answer_mrkdwn(answer), c.SECTION_TEXT_MAX)):
        block_id = c.BLOCK_ANSWER if n == 0 else f"{c.BLOCK_ANSWER}_{n}"
        blocks.append({"type": "section", "block_id": block_id, "text": _mrkdwn(piece or " ")})
    if answer.citations:
        blocks.append(_sources_block(answer))
    next_steps = next_steps_block(answer.suggestions) if suggestions else None
    if answer.kind == "abstain" and next_steps is None:
        blocks.append({"type": "context", "elements": [_mrkdwn(messages.text("slack_help_hint", answer.lang))]})
    elif answer.kind == "help":
        blocks.append({"type": "context", "elements": [_mrkdwn(messages.text("slack_usage", answer.lang))]})
    controls = ([next_steps] if next_steps else []) + _control_blocks(answer, share_value, style)
    # Slack rejects more than 50 blocks; the controls must survive, so the text is cut instead.
    return blocks[: c.MAX_BLOCKS - len(controls)] + controls


def fallback_text(answer: Answer) -> str:
    """The notification / screen-reader text; escaped too, since Slack parses it as mrkdwn."""
    text = escape(answer.text)
    if len(text) > c.FALLBACK_TEXT_MAX:
        text = text[: c.FALLBACK_TEXT_MAX - 1].rstrip() + "…"
    return text


def answer_message(answer: Answer, *, share_value: str | None = None, asked: str | None = None,
                   style: FeedbackStyle = "buttons", suggestions: bool = True, clicked: str | None = None) -> dict:
    """Keyword arguments for chat.postMessage / chat.update / a response_url body."""
    return {
        "text": fallback_text(answer),
        "blocks": answer_blocks(answer, share_value=share_value, asked=asked, style=style, suggestions=suggestions,
                                clicked=clicked),
        "unfurl_links": False,
        "unfurl_media": False,
    }


def greeting_message(greeting: str, scope: str) -> dict:
    """A greeting, then what the bot knows (`scope`: the documents it holds, each with its link)."""
    lines = [greeting] + [line for line in scope.split("\n") if line.strip()]
    text = "\n".join("".join(_mrkdwn_span(s) for s in links(line)) for line in lines)
    return {"text": escape("\n".join(lines)), "blocks": [{"type": "section", "text": _mrkdwn(text[: c.SECTION_TEXT_MAX])}],
            "unfurl_links": False, "unfurl_media": False}


def notice_message(text: str) -> dict:
    """A one-line message in the bot's own words (vote thanks, progress, errors)."""
    return {"text": escape(text), "blocks": [{"type": "section", "text": _mrkdwn(escape(text))}]}
