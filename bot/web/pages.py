"""Server-rendered HTML for the web chat (the owners' pages: bot/web/admin_pages.py): pure functions, text in, text out.

Every value that comes from outside this file (messages, questions, labels, figures) goes through
`e()` (HTML escaping, quotes included), so no answer or question can become markup. Pages load
only /static/web.css and /static/*.js: no inline script or style, as the CSP demands.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot import messages
from bot.answering.holdings import Holding
from bot.types import Lang

STARTERS = ("web_starter_1", "web_starter_2", "web_starter_3", "web_starter_4")
# (command as typed, message key describing it); the words are the command parser's own.
COMMANDS = {
    "nb": (("anbefalinger", "teams_cmd_recommendations"), ("anbefaling 2", "teams_cmd_recommendation"),
           ("utfordringer", "teams_cmd_challenges"), ("utfordring 3", "teams_cmd_challenge"),
           ("om", "teams_cmd_about"), ("hjelp", "teams_cmd_help")),
    "en": (("recommendations", "teams_cmd_recommendations"), ("recommendation 2", "teams_cmd_recommendation"),
           ("challenges", "teams_cmd_challenges"), ("challenge 3", "teams_cmd_challenge"),
           ("about", "teams_cmd_about"), ("help", "teams_cmd_help")),
}
# Strings the chat script needs, handed over as data attributes (no inline script).
SCRIPT_TEXTS = {
    "you": "web_you", "bot": "web_title", "sources": "sources", "show-quote": "web_show_quote",
    "read-report": "web_read_report", "helpful": "helpful_prompt", "up-label": "feedback_up_label",
    "down-label": "feedback_down_label", "working": "working", "error": "web_error", "source": "source",
    "page": "page", "new-tab": "web_new_tab", "next-steps": "web_next_steps",
}
# Script strings with a slot the script fills in ("Les i {source}"): the slot stays in the text.
SCRIPT_TEMPLATES = {"read-source": ("web_read_source", "source"), "full-report": ("web_full_report", "source")}


def e(value: object) -> str:
    return escape(str(value), quote=True)


def page_frame(lang: str, title: str, body: str, script: str = "", body_class: str = "") -> str:
    script_tag = f'\n<script src="/static/{e(script)}" defer></script>' if script else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/web.css">'
        f"{script_tag}\n</head>\n"
        f'<body class="{e(body_class)}">\n{body}\n</body>\n</html>\n'
    )


def page_header(title: str, extra: str = "") -> str:
    return (
        '<header class="top"><div class="wrap top-row">'
        f'<p class="brand"><span class="mark" aria-hidden="true"></span>{e(title)}</p>{extra}'
        "</div></header>"
    )


# --- web chat -------------------------------------------------------------------------------------

def privacy_line(lang: Lang, retention_days: int, store_questions: bool = True, privacy_url: str = "") -> str:
    """What the chat keeps and for how long (from the settings), with a link to the privacy statement when
    OMSTILLINGSBOT_PRIVACY_URL is set."""
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    kept = store_questions and retention_days > 0
    sentence = t("web_privacy_kept", days=int(retention_days)) if kept else t("web_privacy_not_kept")
    link = f' <a href="{e(privacy_url)}" rel="noopener">{e(t("web_privacy_link"))}</a>' if privacy_url else ""
    return f'<p class="privacy" id="privacy">{e(sentence)}{link}</p>'


def is_web_url(url: str) -> bool:
    """Only http(s) addresses become links (never javascript: or data: from a document's front matter)."""
    return url.lower().startswith(("https://", "http://"))


def external_link(href: str, text: str, lang: Lang, class_name: str = "", source: str = "") -> str:
    """A link that opens in a new tab, and says so to screen readers; noopener keeps the opened page from
    reaching back into the chat through window.opener."""
    hidden = f'<span class="visually-hidden"> {e(messages.text("web_new_tab", lang))}</span>'
    data = f' data-source="{e(source)}"' if source else ""
    return (f'<a class="{e(class_name)}"{data} href="{e(href)}" target="_blank" rel="noopener noreferrer">'
            f"{e(text)}{hidden}</a>")


def holdings_section(lang: Lang, holdings: Sequence[Holding] | None) -> str:
    """What the bot answers from: each document's title and series number («sammendraget» when the corpus
    holds only the report's summary) and a link to the full report. `None`: the engine is still starting,
    so the documents are not known yet. The script reads the links' `data-source` to offer them in a refusal."""
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    if holdings is None:
        body = f'<p class="hint">{e(t("web_holdings_pending"))}</p>'
    elif not holdings:
        return ""
    else:
        items = []
        for h in holdings:
            name = t("web_holding_summary" if h.summary else "web_holding_document", title=h.title, source=h.source)
            link = ""
            if is_web_url(h.url):
                link = " " + external_link(h.url, t("web_full_report", source=h.source), lang, "full-report", h.source)
            items.append(f'<li><span class="holding">{e(name)}</span>{link}</li>')
        body = f'<ul id="holdings">{"".join(items)}</ul><p class="hint">{e(t("web_holdings_scope"))}</p>'
    return (f'<section class="holdings" aria-labelledby="holdings-heading">'
            f'<h2 id="holdings-heading">{e(t("web_holdings_heading"))}</h2>{body}</section>')


def chat_page(lang: Lang, max_chars: int, privacy: str = "", holdings: Sequence[Holding] | None = ()) -> str:
    """`privacy`: the line from `privacy_line` (empty: the general sentence). `holdings`: the documents the
    bot answers from (`None` while the engine starts; empty: no section)."""
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    privacy = privacy or f'<p class="privacy">{e(t("web_privacy"))}</p>'
    texts = [(name, t(key)) for name, key in SCRIPT_TEXTS.items()]
    texts += [(name, t(key, **{slot: "{" + slot + "}"})) for name, (key, slot) in SCRIPT_TEMPLATES.items()]
    data = " ".join(f'data-t-{name}="{e(text)}"' for name, text in texts)
    starters = "".join(
        f'<li><button type="button" class="starter" data-question="{e(t(k))}">{e(t(k))}</button></li>'
        for k in STARTERS
    )
    commands = "".join(
        f'<div class="cmd"><dt><button type="button" class="starter code" data-question="{e(word)}">{e(word)}</button>'
        f"</dt><dd>{e(t(key))}</dd></div>"
        for word, key in COMMANDS["en" if lang == "en" else "nb"]
    )
    body = f"""{page_header(t("web_title"))}
<main id="chat" class="wrap" data-lang="{e(lang)}" {data}>
<h1 class="visually-hidden">{e(t("web_title"))}</h1>
<p class="lead">{e(t("web_lead"))}</p>
{holdings_section(lang, holdings)}
<section class="conversation" aria-labelledby="log-heading">
<h2 id="log-heading" class="visually-hidden">{e(t("web_conversation"))}</h2>
<ol id="log" class="log" aria-live="polite" aria-relevant="additions"></ol>
</section>
<form id="ask" class="ask" method="post" action="/api/ask">
<label for="question">{e(t("web_question_label"))}</label>
<p id="question-hint" class="hint">{e(t("web_question_hint"))}</p>
<div class="ask-row">
<textarea id="question" name="question" rows="2" maxlength="{int(max_chars)}" required aria-describedby="question-hint"></textarea>
<button type="submit" id="send" class="primary">{e(t("web_send"))}</button>
</div>
<p class="ask-tools"><button type="button" id="new-conversation" class="link">{e(t("web_new_conversation"))}</button></p>
</form>
<section class="starters" aria-labelledby="starters-heading">
<h2 id="starters-heading">{e(t("web_starters"))}</h2>
<ul>{starters}</ul>
</section>
<section class="commands" aria-labelledby="commands-heading">
<h2 id="commands-heading">{e(t("web_commands"))}</h2>
<dl>{commands}</dl>
</section>
{privacy}
</main>
<footer class="foot"><div class="wrap">{e(t("web_footer"))}</div></footer>"""
    return page_frame(lang, t("web_title"), body, script="chat.js")
