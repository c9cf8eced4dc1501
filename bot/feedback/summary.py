"""What the report's owners see: one row per stored answer, and a summary computed from the rows.

The summary is computed here, in Python, from `export_rows()`, so both back ends give the same
figures by construction. The volume (one row per answered question) is small.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

TOP_QUESTIONS = 10
# Answers that cite nothing (refusals): shown beside the units, so the per-unit figures add up to the
# weekly ones instead of silently leaving refusals (and their votes) out.
UNCITED = "Ubesvart – ingen del av rapporten sitert"
# Labels of ordinary text chunks end with ", side 12"; the unit is the same on every page.
_PAGE_SUFFIX = re.compile(r",\s*side\s+\d+$")


@dataclass(frozen=True)
class ExportRow:
    """One stored answer with its current tally. Nothing here identifies a voter."""

    answer_id: str
    hour: str  # UTC, rounded down to the hour, ISO 8601 ("2025-01-13T09:00Z")
    platform: str
    kind: str
    lang: str
    question: str | None  # redacted; None when question storage is off
    confidence: float
    abstained: bool
    chunk_ids: tuple[str, ...]
    labels: tuple[str, ...]
    up: int
    down: int
    comments: tuple[str, ...] = ()  # redacted free-text feedback (Teams)
    follows: str | None = None  # for a follow-up: the question it followed (redacted)

    @property
    def week(self) -> str:
        """ISO week, e.g. "2025-W03"."""
        year, week, _ = datetime.strptime(self.hour[:10], "%Y-%m-%d").isocalendar()
        return f"{year}-W{week:02d}"

    def to_json(self) -> dict:
        return {
            "answer_id": self.answer_id, "hour": self.hour, "week": self.week, "platform": self.platform,
            "kind": self.kind, "lang": self.lang, "question": self.question,
            "confidence": round(self.confidence, 4), "abstained": self.abstained,
            "chunk_ids": list(self.chunk_ids), "labels": list(self.labels),
            "up": self.up, "down": self.down, "comments": list(self.comments), "follows": self.follows,
        }


@dataclass(frozen=True)
class Group:
    """Answers and votes for one week, one cited unit or one platform."""

    name: str
    answers: int
    up: int
    down: int
    abstained: int = 0

    @property
    def helpful_share(self) -> float | None:
        """Share of votes that were thumbs-up; None when nobody voted."""
        votes = self.up + self.down
        return self.up / votes if votes else None

    def to_json(self) -> dict:
        return {"name": self.name, "answers": self.answers, "up": self.up, "down": self.down,
                "abstained": self.abstained, "helpful_share": self.helpful_share}


@dataclass(frozen=True)
class QuestionStat:
    """A (redacted) question asked one or more times, with its down-votes and abstentions."""

    question: str
    asked: int
    down: int
    abstained: int

    def to_json(self) -> dict:
        return {"question": self.question, "asked": self.asked, "down": self.down, "abstained": self.abstained}


@dataclass(frozen=True)
class Summary:
    total: Group
    by_week: tuple[Group, ...] = ()
    by_unit: tuple[Group, ...] = ()
    by_platform: tuple[Group, ...] = ()
    worst_questions: tuple[QuestionStat, ...] = field(default=())
    uncited: Group | None = None  # answers citing no unit (refusals); None when there are none

    @property
    def by_unit_and_uncited(self) -> tuple[Group, ...]:
        """The per-unit groups plus the refusals, for tables and charts that must add up."""
        return self.by_unit + ((self.uncited,) if self.uncited else ())

    def to_json(self) -> dict:
        return {
            "total": self.total.to_json(),
            "by_week": [g.to_json() for g in self.by_week],
            "by_unit": [g.to_json() for g in self.by_unit],
            "by_platform": [g.to_json() for g in self.by_platform],
            "worst_questions": [q.to_json() for q in self.worst_questions],
            "uncited": self.uncited.to_json() if self.uncited else None,
        }


def unit_name(label: str) -> str:
    return _PAGE_SUFFIX.sub("", label.strip())


def summarize(rows: Iterable[ExportRow], top: int = TOP_QUESTIONS) -> Summary:
    rows = list(rows)
    weeks: dict[str, list[ExportRow]] = defaultdict(list)
    units: dict[str, list[ExportRow]] = defaultdict(list)
    uncited = [row for row in rows if not row.labels]
    platforms: dict[str, list[ExportRow]] = defaultdict(list)
    for row in rows:
        weeks[row.week].append(row)
        platforms[row.platform].append(row)
        for name in dict.fromkeys(unit_name(label) for label in row.labels):  # an answer counts once per unit
            units[name].append(row)
    by_unit = sorted((_group(n, rs) for n, rs in units.items()), key=lambda g: (-(g.up + g.down), -g.answers, g.name))
    return Summary(
        total=_group("total", rows),
        by_week=tuple(_group(w, weeks[w]) for w in sorted(weeks)),
        by_unit=tuple(by_unit),
        by_platform=tuple(_group(p, platforms[p]) for p in sorted(platforms)),
        worst_questions=_worst(rows, top),
        uncited=_group(UNCITED, uncited) if uncited else None,
    )


def _group(name: str, rows: list[ExportRow]) -> Group:
    return Group(
        name=name, answers=len(rows), up=sum(r.up for r in rows), down=sum(r.down for r in rows),
        abstained=sum(r.abstained for r in rows),
    )


def _worst(rows: list[ExportRow], top: int) -> tuple[QuestionStat, ...]:
    """Questions with down-votes or abstentions, worst first; the same question asked twice counts together."""
    grouped: dict[str, list[ExportRow]] = defaultdict(list)
    for row in rows:
        if row.question:
            grouped[" ".join(row.question.split()).casefold()].append(row)
    stats = [
        QuestionStat(question=rs[0].question or "", asked=len(rs), down=sum(r.down for r in rs),
                     abstained=sum(r.abstained for r in rs))
        for rs in grouped.values()
    ]
    stats = [s for s in stats if s.down or s.abstained]
    stats.sort(key=lambda s: (-(s.down + s.abstained), -s.down, s.question))
    return tuple(stats[:top])
