"""PNG chart of helpfulness by week and by cited unit, for the report's owners.

matplotlib is imported only when a chart is asked for (it is slow to import and the bot itself
never draws), and through the Agg canvas directly: no pyplot, no GUI backend, no global state.

Both panels count the same votes: refusals cite no unit, so the unit panel has a bar for them
(`summary.UNCITED`); otherwise votes on refusals showed in the weekly panel and nowhere below it.
Shares are 0–100 % and so are the axes: each bar is the helpful share (green) with the rest (red)
stacked on it; vote counts go in the tick labels, not above the bars.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from bot.feedback.summary import Group, Summary

MAX_UNITS = 12
MIN_WEEK_SLOTS = 8
UP_COLOUR = "#2e7d32"
DOWN_COLOUR = "#c62828"

TITLE = "Var svaret nyttig? Andel tommel opp (grønn) og ned (rød)"
WEEK_AXIS = "Per uke"
UNIT_AXIS = "Per sitert anbefaling/utfordring"
SHARE_LABEL = "andel nyttig"
NO_VOTES = "Ingen stemmer ennå"


def write_chart(summary: Summary, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(chart_png(summary))


def chart_png(summary: Summary) -> bytes:
    out = io.BytesIO()
    chart_figure(summary).savefig(out, format="png")
    return out.getvalue()


def chart_figure(summary: Summary):
    """The chart as a matplotlib Figure (week axes first, unit axes second)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    weeks = [g for g in summary.by_week if g.up + g.down]
    units = [g for g in summary.by_unit_and_uncited if g.up + g.down]
    units = sorted(units, key=lambda g: -(g.up + g.down))[:MAX_UNITS]
    figure = Figure(figsize=(10, 4 + 0.45 * max(len(units), 3)), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(TITLE, fontsize=14)
    # Separate subfigures, so the long unit labels below do not squeeze the week axis above.
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, max(1.0, len(units) / 6)])
    _by_week(top.subplots(), weeks)
    _by_unit(bottom.subplots(), units)
    return figure


def _share(group: Group) -> float:
    return 100.0 * (group.helpful_share or 0.0)


def _votes(group: Group) -> int:
    return group.up + group.down


def _by_week(axes, weeks: list[Group]) -> None:
    axes.set_title(WEEK_AXIS, loc="left", fontsize=11)
    axes.set_ylim(0, 100)
    axes.set_ylabel(f"{SHARE_LABEL} (%)")
    if not weeks:
        axes.text(0.5, 0.5, NO_VOTES, ha="center", va="center", transform=axes.transAxes)
        return
    names = [f"{g.name}\n{_share(g):.0f} % av {_votes(g)}" for g in weeks]
    shares = [_share(g) for g in weeks]
    # Helpful share from the bottom, the rest stacked on top: every bar is exactly 100 % tall.
    axes.bar(names, shares, color=UP_COLOUR, width=0.6)
    axes.bar(names, [100.0 - s for s in shares], bottom=shares, color=DOWN_COLOUR, width=0.6)
    axes.axhline(50, color="white", linewidth=0.8, linestyle="--")
    axes.set_xlim(-0.6, max(len(weeks), MIN_WEEK_SLOTS) - 0.4)  # one week is a bar, not the whole panel
    axes.tick_params(axis="x", labelsize=9, labelrotation=45 if len(weeks) > 6 else 0)


def _by_unit(axes, units: list[Group]) -> None:
    axes.set_title(UNIT_AXIS, loc="left", fontsize=11)
    axes.set_xlim(0, 100)
    axes.set_xlabel(f"{SHARE_LABEL} (%)")
    if not units:
        axes.text(0.5, 0.5, NO_VOTES, ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
        return
    names = [f"{textwrap.shorten(g.name, 55, placeholder='…')}  ({_share(g):.0f} % av {_votes(g)})" for g in units]
    shares = [_share(g) for g in units]
    axes.barh(names, shares, color=UP_COLOUR, height=0.6)
    axes.barh(names, [100.0 - s for s in shares], left=shares, color=DOWN_COLOUR, height=0.6)
    axes.axvline(50, color="white", linewidth=0.8, linestyle="--")
    axes.invert_yaxis()  # most-voted unit on top
    axes.tick_params(axis="y", labelsize=9)
