"""Server-rendered HTML for the owners' dashboard at `/admin`: pure functions, text in, text out.

Shares the chat page's frame and escaping (bot/web/pages.py); every value from outside goes through `e()`.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import messages
from bot.feedback.report import HEADINGS
from bot.feedback.base import NOT_COVERED
from bot.feedback.summary import Group, Summary
from bot.answering.teaching import Suggestion
from bot.web.pages import e, page_frame, page_header


def _a(key: str, **values: object) -> str:
    return messages.text(key, "nb", **values)


def login_page(error: bool = False) -> str:
    alert = f'<p class="alert error" role="alert">{e(_a("admin_wrong_token"))}</p>' if error else ""
    body = f"""{page_header(_a("admin_title"))}
<main class="wrap narrow">
<h1>{e(_a("admin_sign_in"))}</h1>
<p class="lead">{e(_a("admin_sign_in_lead"))}</p>
{alert}
<form method="post" action="/admin/login" class="card stack">
<label for="token">{e(_a("admin_token"))}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">{e(_a("admin_sign_in"))}</button>
</form>
</main>"""
    return page_frame("nb", _a("admin_title"), body)


# The owners work in Norway: times and weeks are shown as they read them, not in UTC or ISO notation.
LOCAL_TIME = ZoneInfo("Europe/Oslo")
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def local_time(stamp: str) -> str:
    """"2026-12-06T08:41Z" (UTC, as stored) -> "6.12.2026 kl. 09.41" (Norwegian time)."""
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%MZ").replace(tzinfo=ZoneInfo("UTC"))
    except ValueError:
        return stamp
    local = moment.astimezone(LOCAL_TIME)
    return f"{local.day}.{local.month}.{local.year} kl. {local:%H.%M}"


def week_name(iso_week: str) -> str:
    """"2025-W03" -> "uke 3, 2025"."""
    match = _ISO_WEEK.match(iso_week)
    return _a("admin_week", week=int(match.group(2)), year=match.group(1)) if match else iso_week


def platform_name(platform: str) -> str:
    return _a(f"admin_platform_{platform}") if platform in ("slack", "teams", "web", "cli") else platform


def _percent(group: Group) -> str:
    share = group.helpful_share
    return HEADINGS["no_votes"] if share is None else f"{share:.0%}".replace("%", " %")


def _table(caption: str, groups: Sequence[Group]) -> str:
    head = "".join(f'<th scope="col" class="num">{e(c)}</th>' for c in HEADINGS["columns"])
    if not groups:
        rows = f'<tr><td colspan="6">{e(HEADINGS["none"])}</td></tr>'
    else:
        rows = "".join(
            f'<tr><th scope="row">{e(textwrap.shorten(g.name, 90, placeholder="…"))}</th>'
            f'<td class="num">{g.answers}</td><td class="num">{g.up}</td><td class="num">{g.down}</td>'
            f'<td class="num">{e(_percent(g))}</td><td class="num">{g.abstained}</td></tr>'
            for g in groups
        )
    return (f'<div class="table-wrap"><table><caption>{e(caption)}</caption>'
            f'<thead><tr><td></td>{head}</tr></thead><tbody>{rows}</tbody></table></div>')


def _figures(summary: Summary) -> str:
    t = summary.total
    cells = (
        (HEADINGS["columns"][0], t.answers), (_a("admin_votes"), t.up + t.down), (HEADINGS["columns"][1], t.up),
        (HEADINGS["columns"][2], t.down), (HEADINGS["columns"][3], _percent(t)), (HEADINGS["columns"][4], t.abstained),
    )
    return '<dl class="figures">' + "".join(
        f'<div class="figure"><dt>{e(name)}</dt><dd>{e(value)}</dd></div>' for name, value in cells) + "</dl>"


def _worst(summary: Summary) -> str:
    if not summary.worst_questions:
        return f"<p>{e(HEADINGS['none'])}</p>"
    items = "".join(
        "<li>" + e(HEADINGS["worst_line"].format(rank=rank, question=q.question, asked=q.asked, down=q.down,
                                                abstained=q.abstained).strip()) + "</li>"
        for rank, q in enumerate(summary.worst_questions, start=1)
    )
    return f'<ul class="worst">{items}</ul>'


def _lesson_line(row: Suggestion) -> str:
    lesson = row.lesson
    if lesson is None:
        return ""
    when = local_time(lesson.taught)
    text = _a("admin_lesson_none", when=when) if lesson.unit == NOT_COVERED \
        else _a("admin_lesson_unit", when=when, label=lesson.label)
    return f'<p class="lesson">{e(text)}</p>'


def _teach_row(n: int, row: Suggestion) -> str:
    """One question: what it followed, what the bot answered then and answers now, and the three
    choices. Nothing is pre-selected: an owner who clicks without choosing a part teaches nothing."""
    options = f'<option value="" selected disabled>{e(_a("admin_pick_unit"))}</option>' + "".join(
        f'<option value="{e(u.id)}">{e(u.label)}</option>' for u in row.choices)
    follows = f'<p class="follows">{e(_a("admin_follows", question=row.follows))}</p>' if row.follows else ""
    reason = _a("admin_reason_refused" if row.reason == "refused" else "admin_reason_voted_down")
    then = ", ".join(row.answered)  # a refusal: the tag says it
    now = row.now or _a("admin_refused")
    taught = " taught" if row.lesson is not None else ""
    return (
        f'<tr class="question-row{taught}"><td class="q">{e(row.question)}{follows}{_lesson_line(row)}</td>'
        f'<td><span class="tag {e(row.reason)}">{e(reason)}</span> {e(then)}</td>'
        f'<td class="now">{e(now)}</td>'
        f'<td><form method="post" action="/admin/teach" class="teach">'
        f'<input type="hidden" name="question" value="{e(row.question)}">'
        f'<label for="unit-{n}" class="visually-hidden">{e(_a("admin_teach_unit"))}</label>'
        f'<select id="unit-{n}" name="unit">{options}</select>'
        f'<button type="submit" name="choice" value="unit">{e(_a("admin_link"))}</button>'
        f'<button type="submit" name="choice" value="none" class="secondary">{e(_a("admin_not_covered"))}</button>'
        f'<button type="submit" name="choice" value="ignore" class="link">{e(_a("admin_ignore"))}</button>'
        f"</form></td></tr>"
    )


def _teach_table(rows: Sequence[Suggestion]) -> str:
    if not rows:
        return f"<p>{e(_a('admin_none'))}</p>"
    head = "".join(f'<th scope="col">{e(_a(k))}</th>' for k in
                   ("admin_question", "admin_answered_then", "admin_answered_now", "admin_choose"))
    body = "".join(_teach_row(n, row) for n, row in enumerate(rows))
    return (f'<div class="table-wrap"><table class="suggestions"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _readable(summary: Summary) -> Summary:
    """Weeks and platforms named as owners say them."""
    return replace(summary, by_week=tuple(replace(g, name=week_name(g.name)) for g in summary.by_week),
                   by_platform=tuple(replace(g, name=platform_name(g.name)) for g in summary.by_platform))


def dashboard_page(summary: Summary | None, rows: Sequence[Suggestion], notice: str = "",
                   notice_is_error: bool = False) -> str:
    sign_out = (f'<form method="post" action="/admin/logout" class="sign-out">'
                f'<button type="submit" class="link light">{e(_a("admin_sign_out"))}</button></form>')
    alert = ""
    if notice:
        kind = "error" if notice_is_error else "ok"
        alert = f'<p class="alert {kind}" role="status">{e(notice)}</p>'
    if summary is not None:
        summary = _readable(summary)
    if summary is None:
        figures = f'<p class="alert error" role="alert">{e(_a("admin_store_down"))}</p>'
    else:
        figures = f"""{_figures(summary)}
<figure class="chart card"><img src="/admin/chart.png" alt="{e(_a("admin_chart_alt"))}" width="1100"></figure>
<section aria-labelledby="tables-heading"><h2 id="tables-heading" class="visually-hidden">{e(HEADINGS["by_week"])}</h2>
{_table(HEADINGS["by_week"], summary.by_week)}
{_table(HEADINGS["by_unit"], summary.by_unit_and_uncited)}
{_table(HEADINGS["by_platform"], summary.by_platform)}
</section>
<section aria-labelledby="worst-heading"><h2 id="worst-heading">{e(HEADINGS["worst"])}</h2>{_worst(summary)}</section>"""
    body = f"""{page_header(_a("admin_title"), sign_out)}
<main class="wrap wide">
<h1>{e(HEADINGS["title"].format(title=messages.REPORT_TITLE, report=messages.REPORT_ID))}</h1>
{alert}
{figures}
<section aria-labelledby="teach-heading" class="teach-section">
<h2 id="teach-heading">{e(_a("admin_suggestions"))}</h2>
<p class="lead">{e(_a("admin_suggestions_lead"))}</p>
{_teach_table(rows)}
</section>
</main>"""
    return page_frame("nb", _a("admin_title"), body, body_class="admin")
