"""`omstillingsbot feedback`: summary, CSV/JSON export and the PNG chart, from stored votes."""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.feedback.report import run_report
from bot.feedback.summary import ExportRow, summarize
from bot.settings import Settings
from tests.feedback_helpers import Clock, backend, make_answer, pg_url  # noqa: F401 - fixtures

A1 = "Anbefaling 1 – overfor politisk ledelse"
A2 = "Anbefaling 2 – overfor underliggende virksomheter"
U2 = "Utfordring 2 – For svak strategisk styring"
NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)  # a Thursday in ISO week 12

# (days before NOW, question, cited labels, abstained, votes)
PLAN = [
    (15, "Hva er anbefaling 1?", (A1,), False, ["up", "up", "down"]),
    (15, "Hva sier rapporten om styring?", (f"{U2}, side 9", U2), False, ["down", "down"]),
    (8, "Hva er anbefaling 2? Ring 912 34 567", (A2,), False, ["up", "up", "up", "up"]),
    (8, "Hvem vant VM i fotball?", (), True, ["down"]),
    (1, "hva sier rapporten  om STYRING?", (U2, A2), False, ["down", "up"]),
    (1, "Hvor ligger Difi?", (), True, []),
]


def seed(backend) -> None:
    """Record the plan's answers at their times and cast its votes."""
    clock = Clock(NOW)
    store = backend.store(clock=clock)
    for days, question, labels, abstained, votes in PLAN:
        clock.now = NOW - timedelta(days=days)
        answer = make_answer(question, labels, abstained=abstained)
        store.record_answer(answer, "slack" if days > 5 else "teams")
        for n, value in enumerate(votes):
            store.vote(answer.answer_id, f"voter-{n}", value)


def report(settings: Settings, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_report(settings, list(argv), now=NOW, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_text_summary(backend):
    seed(backend)
    code, out, _ = report(backend.settings)
    up = sum(v.count("up") for *_, v in PLAN)
    down = sum(v.count("down") for *_, v in PLAN)
    assert code == 0
    share, abstained = round(100 * up / (up + down)), sum(p[3] for p in PLAN)
    assert (f"Svar: {len(PLAN)}   Stemmer: {up + down} (opp {up}, ned {down})   "
            f"Andel nyttig: {share} %   Ubesvart: {abstained}") in out
    for week in ("2025-W10", "2025-W11", "2025-W12"):
        assert week in out
    assert ", side 9" not in out  # pages of one unit are counted as one unit
    units = out.split("Per sitert anbefaling/utfordring")[1].split("Per plattform")[0]
    # Utfordring 2: two answers, 2 + 1 down, 1 up; cited twice in one answer but counted once.
    assert [line.split()[-6:] for line in units.splitlines() if line.strip().startswith("Utfordring 2")] == [
        ["2", "1", "3", "25", "%", "0"]]
    worst = out.split("ubesvarte (personopplysninger fjernet)")[1].strip().splitlines()
    assert worst[0].strip().startswith("1. «Hva sier rapporten om styring?» – spurt 2, ned 3")
    assert any("«Hvem vant VM i fotball?» – spurt 1, ned 1, ubesvart 1" in line for line in worst)


def test_csv_export_has_every_answer_redacted(backend):
    seed(backend)
    code, out, _ = report(backend.settings, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(PLAN)
    assert sum(int(r["up"]) for r in rows) == sum(v.count("up") for *_, v in PLAN)
    assert sorted(r["question"] for r in rows) == sorted(q.replace("912 34 567", "[telefon]") for _, q, *_ in PLAN)
    [mixed] = [r for r in rows if r["labels"] == f"{U2} | {A2}"]
    assert (mixed["week"], mixed["platform"], mixed["up"], mixed["down"]) == ("2025-W12", "teams", "1", "1")


def test_json_export_and_weeks_filter(backend):
    seed(backend)
    code, out, _ = report(backend.settings, "--json", "--weeks", "1")
    data = json.loads(out)
    recent = [p for p in PLAN if p[0] <= 7]
    assert code == 0 and len(data["answers"]) == len(recent)
    assert data["summary"]["total"]["answers"] == len(recent)
    assert data["summary"]["total"]["abstained"] == sum(p[3] for p in recent)
    assert {a["week"] for a in data["answers"]} == {"2025-W12"}


def test_plot_draws_a_png_with_good_and_bad_bars(backend, tmp_path):
    seed(backend)
    path = tmp_path / "charts" / "feedback.png"
    code, out, err = report(backend.settings, "--csv", "--plot", str(path))
    assert code == 0 and out.startswith("answer_id,") and str(path) in err  # the note stays off stdout
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width >= 800
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}
    assert (0x2E, 0x7D, 0x32) in colours and (0xC6, 0x28, 0x28) in colours  # helpful and unhelpful bars


def test_empty_store_reports_and_plots_nothing_gracefully(tmp_path):
    settings = Settings(data_dir=tmp_path)
    code, out, err = report(settings, "--plot", str(tmp_path / "empty.png"))
    assert code == 0 and "Svar: 0" in out and "(ingen)" in out
    assert (tmp_path / "empty.png").stat().st_size > 0


def test_unreachable_database_gives_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = report(Settings(data_dir=tmp_path, database_url=f"postgresql://u:pw@127.0.0.1:{port}/x"))
    assert code == 2 and out == ""
    assert "DATABASE_URL" in err and "pw" not in err


def _row(question: str | None, labels=(), up=0, down=0, abstained=False, hour="2025-01-06T10:00Z") -> ExportRow:
    return ExportRow(answer_id=question or "x", hour=hour, platform="slack", kind="answer", lang="nb",
                     question=question, confidence=0.5, abstained=abstained, chunk_ids=(), labels=tuple(labels),
                     up=up, down=down)


def test_summary_groups_units_weeks_and_questions():
    summary = summarize([
        _row("Hva er A2?", [f"{A2}, side 3", A2], up=2),
        _row("hva  er a2?", [A2], down=1, hour="2025-01-13T09:00Z"),
        _row("Om fotball", abstained=True),
        _row(None, [A1], down=5),  # question storage off: counted, never listed
    ], top=5)
    assert [(g.name, g.answers, g.up, g.down) for g in summary.by_unit] == [(A1, 1, 0, 5), (A2, 2, 2, 1)]
    assert [(g.name, g.answers) for g in summary.by_week] == [("2025-W02", 3), ("2025-W03", 1)]
    assert [(q.question, q.asked, q.down, q.abstained) for q in summary.worst_questions] == [
        ("Hva er A2?", 2, 1, 0), ("Om fotball", 1, 0, 1)]
    assert summary.total.helpful_share == pytest.approx(2 / 8)
    assert summarize([_row("q")]).total.helpful_share is None
