"""Server-rendered HTML for the owners' dashboard at `/admin`: pure functions, text in, text out.

Shares the chat page's frame and escaping (bot/web/pages.py); every value from outside goes through `e()`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from bot import messages
from bot.feedback.report import HEADINGS
from bot.feedback.summary import Group, Summary
from bot.web.pages import _header, _page, e

def _a(key: str, **values: object) -> str:
    return messages.text(key, "nb", **values)


def login_page(error: bool = False) -> str:
    alert = f'<p class="alert error" role="alert">{e(_a("admin_wrong_token"))}</p>' if error else ""
    body = f"""{_header(_a("admin_title"))}
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
    return _page("nb", _a("admin_title"), body)


@dataclass(frozen=True)
class UnitChoice:
    key: str
    label: str


@dataclass(frozen=True)
class SuggestionRow:
    """What the dashboard shows for one teachable question (from `bot.answering.teaching.Suggestion`)."""

    question: str
    reason: str  # "refused" | "voted_down"
    top_key: str
    top_label: str


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


def _teach_table(rows: Sequence[SuggestionRow], units: Sequence[UnitChoice]) -> str:
    if not rows:
        return f"<p>{e(_a('admin_none'))}</p>"
    body = []
    for n, row in enumerate(rows):
        options = "".join(
            f'<option value="{e(u.key)}"{" selected" if u.key == row.top_key else ""}>{e(u.label)}</option>'
            for u in units
        )
        reason = _a("admin_reason_refused" if row.reason == "refused" else "admin_reason_voted_down")
        body.append(
            f'<tr><td class="q">{e(row.question)}</td><td><span class="tag {e(row.reason)}">{e(reason)}</span></td>'
            f"<td>{e(row.top_label or HEADINGS['no_votes'])}</td>"
            f'<td><form method="post" action="/admin/teach" class="teach">'
            f'<input type="hidden" name="question" value="{e(row.question)}">'
            f'<label for="unit-{n}" class="visually-hidden">{e(_a("admin_teach_unit"))}</label>'
            f'<select id="unit-{n}" name="key">{options}</select>'
            f'<button type="submit">{e(_a("admin_teach"))}</button></form></td></tr>'
        )
    head = "".join(f'<th scope="col">{e(_a(k))}</th>' for k in
                   ("admin_question", "admin_reason", "admin_top_unit", "admin_teach_unit"))
    return f'<div class="table-wrap"><table class="suggestions"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def dashboard_page(summary: Summary | None, rows: Sequence[SuggestionRow], units: Sequence[UnitChoice],
                   notice: str = "", notice_is_error: bool = False) -> str:
    sign_out = (f'<form method="post" action="/admin/logout" class="sign-out">'
                f'<button type="submit" class="link light">{e(_a("admin_sign_out"))}</button></form>')
    alert = ""
    if notice:
        kind = "error" if notice_is_error else "ok"
        alert = f'<p class="alert {kind}" role="status">{e(notice)}</p>'
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
    body = f"""{_header(_a("admin_title"), sign_out)}
<main class="wrap wide">
<h1>{e(HEADINGS["title"].format(title=messages.REPORT_TITLE, report=messages.REPORT_ID))}</h1>
{alert}
{figures}
<section aria-labelledby="teach-heading" class="teach-section">
<h2 id="teach-heading">{e(_a("admin_suggestions"))}</h2>
<p class="lead">{e(_a("admin_suggestions_lead"))}</p>
{_teach_table(rows, units)}
</section>
</main>"""
    return _page("nb", _a("admin_title"), body, body_class="admin")
