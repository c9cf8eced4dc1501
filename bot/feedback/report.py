"""`omstillingsbot feedback`: the feedback report for the report's owners.

Prints a summary (answers, votes, share helpful; by week, by cited recommendation/challenge,
by platform; the questions with most down-votes or abstentions, redacted), or exports every
stored answer as CSV or JSON, and optionally draws a PNG chart. Headings are in bokmål: the
readers are the report's owners at Digdir, not chat users.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot import messages
from bot.feedback import StoreUnavailable, open_store
from bot.feedback.sqlstore import hour_of
from bot.feedback.summary import TOP_QUESTIONS, ExportRow, Group, Summary, summarize
from bot.settings import Settings

CSV_COLUMNS = ("answer_id", "hour", "week", "platform", "kind", "lang", "question", "confidence", "abstained",
               "up", "down", "labels", "chunk_ids", "comments", "follows")
LIST_SEPARATOR = " | "

HEADINGS = {
    "title": "Tilbakemeldinger på svar om «{title}» ({report})",
    "period": "Periode: de siste {weeks} ukene",
    "coverage": "Svarene dekker {first} – {last} (UTC, hele timer).",
    "coverage_empty": "Ingen lagrede svar i perioden.",
    "retention": ("Spørsmålstekster og kommentarer oppbevares i {days} dager: tekster fra før {cutoff} er slettet. "
                  "Stemmer og tellinger er beholdt for hele perioden."),
    "retention_zero": ("Spørsmålstekster og kommentarer lagres ikke (OMSTILLINGSBOT_RETENTION_DAYS=0). "
                       "Stemmer og tellinger er beholdt."),
    "totals": "Svar: {answers}   Stemmer: {votes} (opp {up}, ned {down})   Andel nyttig: {share}   Ubesvart: {abstained}",
    "by_week": "Per uke",
    "by_unit": "Per sitert anbefaling/utfordring",
    "by_platform": "Per plattform",
    "worst": "Spørsmål med flest tommel ned eller ubesvarte (personopplysninger fjernet)",
    "worst_line": "{rank:>2}. «{question}» – spurt {asked}, ned {down}, ubesvart {abstained}",
    "columns": ("Svar", "Opp", "Ned", "Nyttig", "Ubesvart"),
    "none": "(ingen)",
    "no_votes": "–",
    "chart": "Figur skrevet til {path}",
    "unavailable": "Fant ikke tilbakemeldingsdatabasen ({error}). Sjekk DATABASE_URL og at databasen kjører.",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omstillingsbot feedback",
                                     description="Oppsummer eller eksporter de anonyme tilbakemeldingene.")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="skriv alle lagrede svar som CSV til standard ut")
    out.add_argument("--json", action="store_true", help="skriv sammendrag og alle lagrede svar som JSON")
    parser.add_argument("--plot", type=Path, metavar="FIL.png", help="tegn andel nyttige svar per uke og per enhet")
    parser.add_argument("--weeks", type=int, metavar="N", help="bare svar fra de siste N ukene")
    parser.add_argument("--top", type=int, default=TOP_QUESTIONS, metavar="N",
                        help=f"antall dårligste spørsmål (standard {TOP_QUESTIONS})")
    return parser


def run_report(settings: Settings, argv: list[str], *, now: datetime | None = None,
               out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    store = open_store(settings, clock=(lambda: now) if now is not None else None)
    try:
        # Enforce the retention period first, so the report never shows a text the policy says is gone.
        purged = store.purge()
        rows = store.export_rows()
    except StoreUnavailable as exc:
        print(HEADINGS["unavailable"].format(error=exc), file=err)
        return 2
    finally:
        store.close()
    if args.weeks is not None:
        rows = recent(rows, args.weeks, now or datetime.now(UTC))
    summary = summarize(rows, top=args.top)
    period = Period.of(rows, settings.retention_days, purged.before)
    if args.csv:
        write_csv(rows, out)
    elif args.json:
        json.dump({"period": period.to_json(), "summary": summary.to_json(), "answers": [r.to_json() for r in rows]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_text(summary, args.weeks, period))
    if args.plot:
        from bot.feedback.plot import write_chart

        write_chart(summary, args.plot)
        # stderr, so the note never ends up inside a CSV/JSON export piped to a file
        print(HEADINGS["chart"].format(path=args.plot), file=err)
    return 0


@dataclass(frozen=True)
class Period:
    """What the report covers: the hours of the first and last answer, and from when texts are kept."""

    first: str | None
    last: str | None
    retention_days: int
    texts_from: str | None  # hour stamp; texts from before it have been purged

    @classmethod
    def of(cls, rows: Sequence[ExportRow], retention_days: int, texts_from: str | None) -> "Period":
        hours = sorted(r.hour for r in rows)
        return cls(hours[0] if hours else None, hours[-1] if hours else None, retention_days, texts_from)

    def lines(self) -> list[str]:
        lines = [HEADINGS["coverage"].format(first=self.first, last=self.last) if self.first
                 else HEADINGS["coverage_empty"]]
        if self.retention_days == 0:
            lines.append(HEADINGS["retention_zero"])
        elif self.texts_from:
            lines.append(HEADINGS["retention"].format(days=self.retention_days, cutoff=self.texts_from))
        return lines

    def to_json(self) -> dict:
        return {"first_hour": self.first, "last_hour": self.last, "retention_days": self.retention_days,
                "texts_kept_from": None if self.retention_days == 0 else self.texts_from}


def recent(rows: Sequence[ExportRow], weeks: int, now: datetime) -> list[ExportRow]:
    cutoff = hour_of(now - timedelta(weeks=weeks))
    return [r for r in rows if r.hour >= cutoff]


def write_csv(rows: Sequence[ExportRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([
            r.answer_id, r.hour, r.week, r.platform, r.kind, r.lang, r.question or "", f"{r.confidence:.4f}",
            int(r.abstained), r.up, r.down, LIST_SEPARATOR.join(r.labels), " ".join(r.chunk_ids),
            LIST_SEPARATOR.join(r.comments), r.follows or "",
        ])


def _percent(group: Group) -> str:
    share = group.helpful_share
    return HEADINGS["no_votes"] if share is None else f"{share:.0%}".replace("%", " %")


def _table(groups: Sequence[Group], width: int = 60) -> list[str]:
    if not groups:
        return ["  " + HEADINGS["none"]]
    head = "  " + " " * width + "".join(f"{c:>9}" for c in HEADINGS["columns"])
    lines = [head]
    for g in groups:
        name = textwrap.shorten(g.name, width - 1, placeholder="…")
        cells = (g.answers, g.up, g.down, _percent(g), g.abstained)
        lines.append(f"  {name:<{width}}" + "".join(f"{c:>9}" for c in cells))
    return lines


def render_text(summary: Summary, weeks: int | None = None, period: Period | None = None) -> str:
    t = summary.total
    lines = [HEADINGS["title"].format(title=messages.REPORT_TITLE, report=messages.REPORT_ID)]
    if weeks is not None:
        lines.append(HEADINGS["period"].format(weeks=weeks))
    if period is not None:
        lines += period.lines()
    lines += [
        HEADINGS["totals"].format(answers=t.answers, votes=t.up + t.down, up=t.up, down=t.down,
                                  share=_percent(t), abstained=t.abstained),
        "", HEADINGS["by_week"], *_table(summary.by_week),
        "", HEADINGS["by_unit"], *_table(summary.by_unit_and_uncited),
        "", HEADINGS["by_platform"], *_table(summary.by_platform),
        "", HEADINGS["worst"],
    ]
    if not summary.worst_questions:
        lines.append("  " + HEADINGS["none"])
    for rank, q in enumerate(summary.worst_questions, start=1):
        question = textwrap.shorten(q.question, 120, placeholder="…")
        lines.append("  " + HEADINGS["worst_line"].format(rank=rank, question=question, asked=q.asked,
                                                           down=q.down, abstained=q.abstained))
    return "\n".join(lines) + "\n"
