"""Pure renderers: an engine `Answer` in, the JSON of a Teams message activity out.

One message per answer: an Adaptive Card that reads well on its own (the answer with its [n]
markers, the numbered sources, and vote buttons where Teams' own feedback loop is unavailable),
plus the schema.org Message entity that makes Teams show the AI label and the [n] markers as
native citations. TextBlocks render a small Markdown subset: the report's sentences contain
none of its syntax (tests/test_teams_cards.py checks the corpus), and no user text is ever echoed
into a card, so nothing a user types can become card markup.
"""

from __future__ import annotations

from bot import messages
from bot.answering.spans import Span, answer_lines, emphasised, links
from bot.teams import constants as c
from bot.types import Answer, Citation, Lang, NextStep, VoteValue, marker


def _text(text: str, **style: object) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation_name(citation: Citation, lang: Lang = "nb") -> str:
    """"Anbefaling 2 – overfor underliggende virksomheter · side 12": the label, and the page for PDFs."""
    page = f" · {messages.text('page', lang)} {citation.page}" if citation.page is not None else ""
    return _shorten(citation.label, c.CITATION_NAME_MAX - len(page)) + page


def message_entity(answer: Answer) -> dict | None:
    """The schema.org Message entity: AI label on engine answers, and one Claim per [n] marker."""
    if not answer.wants_feedback:
        return None
    entity: dict = {
        "type": c.SCHEMA_MESSAGE_TYPE, "@type": "Message", "@context": "https://schema.org", "@id": "",
        "additionalType": [c.AI_GENERATED],
    }
    claims = []
    for position, citation in enumerate(answer.citations[: c.MAX_CITATIONS], start=1):
        appearance = {
            "@type": "DigitalDocument",
            "name": citation_name(citation, answer.lang),
            "abstract": _shorten(citation.text, c.CITATION_ABSTRACT_MAX),
        }
        if citation.page is not None:
            appearance["image"] = {"@type": "ImageObject", "name": c.CITATION_ICON_PDF}
        if _web_url(citation.url):
            appearance["url"] = citation.url  # Teams opens the source from the citation pop-up
        claims.append({"@type": "Claim", "position": position, "appearance": appearance})
    if claims:
        entity["citation"] = claims
    return entity


def vote_data(answer: Answer, value: VoteValue) -> dict:
    """What a card vote button submits; the answer id is random, so it says nothing about anyone."""
    return {c.VOTE_KEY: c.VOTE_VERB, "value": value, "answer_id": answer.answer_id, "lang": answer.lang}


def _markdown_span(span: Span) -> str:
    """One span in the card's Markdown: the clause that answers in bold (a TextBlock cannot bold part of
    its text any other way), addresses as links. Spaces stay outside the asterisks, or it is not bold."""
    if span.kind == "focus":
        return emphasised(span.text, "**")
    if span.kind in ("url", "mail") and not any(ch in span.target for ch in "()[] "):
        return f"[{span.text}]({span.target})"
    return span.text


def markdown(spans: list[Span]) -> str:
    return "".join(_markdown_span(s) for s in spans)


def _sources(answer: Answer) -> list[dict]:
    facts = [{"title": f"[{marker(n)}]", "value": f"{citation_name(cit, answer.lang)} · {cit.source}"}
             for n, cit in enumerate(answer.citations)]
    return [_text(messages.text("sources", answer.lang), weight="Bolder", spacing="Medium", separator=True),
            {"type": "FactSet", "facts": facts}]


def command_facts(lang: Lang) -> dict:
    """The command menu as a FactSet: the word to type, and what it does."""
    facts = [{"title": m.word_en if lang == "en" else m.word, "value": messages.text(m.message_key, lang)}
             for m in c.MENU]
    return {"type": "FactSet", "facts": facts}


def _commands(lang: Lang) -> list[dict]:
    return [_text(messages.text("teams_commands", lang), weight="Bolder", spacing="Medium"), command_facts(lang)]


def _card(body: list[dict], actions: list[dict] | None = None) -> dict:
    card: dict = {"type": "AdaptiveCard", "$schema": c.CARD_SCHEMA, "version": c.CARD_VERSION, "body": body,
                  "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def ask_data(step: NextStep) -> dict:
    """What a card's suggestion button submits: the question to ask in the same conversation."""
    return {c.VOTE_KEY: c.ASK_VERB, "ask": step.ask}


def answer_card(answer: Answer, *, vote_buttons: bool, ask_buttons: bool = False) -> dict:
    """The answer, one TextBlock per line (Teams collapses single line breaks inside one block), its
    focus in bold and its addresses as links. `ask_buttons` puts the suggested next questions on the
    card (channels and group chats, where Teams shows no suggested actions)."""
    body = [_text(markdown(spans)) for spans in answer_lines(answer) if "".join(s.text for s in spans).strip()]
    body = body or [_text(" ")]
    if answer.citations:
        body += _sources(answer)
    steps = answer.suggestions[: c.MAX_QUICK_REPLIES] if ask_buttons else ()
    if answer.kind == "abstain" and not steps:
        body += _commands(answer.lang)
    elif answer.kind == "help":
        body.append(_text(messages.text("teams_usage", answer.lang), isSubtle=True, spacing="Medium"))
    if steps:
        # A row of their own in the body: the card's own actions (votes, the source) stay within the
        # handful Teams shows before it folds the rest into a menu.
        body.append({"type": "ActionSet", "spacing": "Medium", "actions": [
            {"type": "Action.Submit", "title": step.label, "data": ask_data(step)} for step in steps]})
    actions: list[dict] = []
    if vote_buttons and answer.wants_feedback and answer.answer_id:
        body.append(_text(messages.text("helpful_prompt", answer.lang), isSubtle=True, spacing="Medium"))
        actions += [
            {"type": "Action.Submit", "title": f"👍 {messages.text('feedback_up', answer.lang)}",
             "data": vote_data(answer, "up")},
            {"type": "Action.Submit", "title": f"👎 {messages.text('feedback_down', answer.lang)}",
             "data": vote_data(answer, "down")},
        ]
    # One source document: a button that opens it (several would need one button each; the
    # citations' schema.org entries carry their own URLs).
    source_urls = list(dict.fromkeys(cit.url for cit in answer.citations if _web_url(cit.url)))
    if len(source_urls) == 1:
        actions.append({"type": "Action.OpenUrl", "title": messages.text("teams_open_source", answer.lang),
                        "url": source_urls[0]})
    return _card(body, actions or None)


def _attachment(card: dict) -> dict:
    return {"contentType": c.CARD_CONTENT_TYPE, "content": card}


def answer_activity(answer: Answer, *, native_feedback: bool, quick_replies: bool = False) -> dict:
    """The reply activity. With `native_feedback` Teams draws 👍/👎 under the message itself;
    otherwise the card has its own buttons. `summary` is what notifications and the chat list show.
    `quick_replies` adds suggested actions (Teams shows them in personal chats only); without it the
    suggestions are buttons on the card."""
    wants_votes = answer.wants_feedback and bool(answer.answer_id)
    card = answer_card(answer, vote_buttons=wants_votes and not native_feedback, ask_buttons=not quick_replies)
    activity: dict = {
        "type": "message",
        "summary": _shorten(answer.text, c.SUMMARY_MAX),
        "attachments": [_attachment(card)],
    }
    entity = message_entity(answer)
    if entity is not None:
        activity["entities"] = [entity]
    if wants_votes and native_feedback:
        activity["channelData"] = {c.FEEDBACK_LOOP_FLAG: True}
    if quick_replies:
        steps = answer.suggestions[: c.MAX_QUICK_REPLIES]
        if steps:
            activity["suggestedActions"] = {"actions": [
                {"type": "imBack", "title": step.label, "value": step.ask} for step in steps]}
    return activity


def _web_url(url: str | None) -> bool:
    return bool(url) and url.startswith(("https://", "http://"))  # type: ignore[union-attr]


def welcome_activity(lang: Lang = "nb", scope: str = "") -> dict:
    """Sent once when the bot is added: what it does, what it knows (`scope`: the documents it holds,
    each with its link), where to use it, and the commands."""
    body = [_text(messages.text("welcome", lang), weight="Bolder")]
    body += [_text(markdown(links(line))) for line in scope.split("\n") if line.strip()]
    body += [_text(messages.text("teams_usage", lang), isSubtle=True)] + _commands(lang)
    return {"type": "message", "summary": _shorten(messages.text("welcome", lang), c.SUMMARY_MAX),
            "attachments": [_attachment(_card(body))]}


def notice_activity(text: str) -> dict:
    """A one-line message in the bot's own words (vote thanks, errors); plain text, no markup."""
    return {"type": "message", "text": text, "textFormat": "plain"}
