"""The web surface's pure parts without a server: language choice, rate limiter, admin sessions,
the HTML renderers' escaping, teaching (corpus file and suggestions) and the fixed feedback chart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.feedback.plot import chart_figure
from bot.feedback.sqlite import SqliteStore
from bot.feedback.summary import UNCITED, ExportRow, summarize
from bot.answering.teaching import suggestions, teach
from bot.types import Question
from bot.web.language import preferred_lang
from bot.web.admin_pages import SuggestionRow, UnitChoice, dashboard_page
from bot.web.pages import chat_page
from bot.web.security import RateLimiter
from bot.web.session import SESSION_SECONDS, Sessions
from retrieval.documents import load_document

ROOT = Path(__file__).resolve().parents[1]
REPORT = "difi-rapport-2019-3.md"


@pytest.mark.parametrize("header, lang", [
    ("", "nb"), ("nb-NO,nb;q=0.9,en;q=0.8", "nb"), ("en-GB,en;q=0.9,nb;q=0.8", "en"), ("en-US", "en"),
    ("de-DE,de;q=0.9", "nb"), ("de,en;q=0.5", "en"), ("nn-NO", "nb"), ("en;q=0.4,no;q=0.6", "nb"),
    ("en;q=0", "nb"), ("en;q=abc,nb", "nb"),
])
def test_preferred_language(header, lang):
    assert preferred_lang(header) == lang


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_refills_and_tells_how_long_to_wait():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one request per 10 s, bursts of 6
    assert [limiter.take("a", "/api/ask") for _ in range(6)] == [0] * 6
    assert limiter.take("a", "/api/ask") == 10
    assert limiter.take("b", "/api/ask") == 0 and limiter.take("a", "/api/feedback") == 0  # per client, per route
    clock.now += 4
    assert limiter.take("a", "/api/ask") == 6
    clock.now += 6
    assert limiter.take("a", "/api/ask") == 0
    assert RateLimiter(0).take("a", "/api/ask") == 0  # 0 switches it off


def test_sessions_expire_are_signed_and_revocable():
    clock = Clock()
    sessions = Sessions("token", clock=clock)
    cookie = sessions.new()
    assert sessions.valid(cookie)
    expiry, nonce, signature = cookie.split(".")
    assert not sessions.valid(f"{int(expiry) + 3600}.{nonce}.{signature}")  # a longer life is a bad signature
    assert not sessions.valid(cookie + "0") and not sessions.valid("") and not sessions.valid(None)
    assert not Sessions("other-token", clock=clock).valid(cookie)  # a new token signs everyone out
    assert sessions.token_matches("token") and not sessions.token_matches("token ")
    other = sessions.new()
    sessions.revoke(cookie)
    assert not sessions.valid(cookie) and sessions.valid(other)
    clock.now += SESSION_SECONDS + 1
    assert not sessions.valid(other)


def test_chat_page_escapes_and_has_no_inline_script():
    html = chat_page("nb", 2000)
    assert html.count("<script") == 1 and 'src="/static/chat.js"' in html and "onclick" not in html
    assert 'aria-live="polite"' in html and '<label for="question">Spørsmålet ditt</label>' in html
    assert "Prøv for eksempel" in html and "anbefalinger" in html
    assert '<html lang="en">' in chat_page("en", 2000) and "Your question" in chat_page("en", 2000)


def test_dashboard_escapes_questions_and_labels():
    summary = summarize([_row("<b>fet</b> & \"sitat\"", abstained=True, down=1)])
    rows = [SuggestionRow("<img src=x onerror=alert(1)>", "refused", "A2", "A2 <label>")]
    html = dashboard_page(summary, rows, [UnitChoice("A2", "Anbefaling 2 <x>")])
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>fet</b>" not in html and "&lt;b&gt;fet&lt;/b&gt; &amp; &quot;sitat&quot;" in html
    assert '<option value="A2" selected>Anbefaling 2 &lt;x&gt;</option>' in html


def _row(question, labels=(), up=0, down=0, abstained=False, answer_id=None, hour="2025-01-06T10:00Z") -> ExportRow:
    return ExportRow(answer_id=answer_id or question or "x", hour=hour, platform="web", kind="answer", lang="nb",
                     question=question, confidence=0.5, abstained=abstained, chunk_ids=(), labels=tuple(labels),
                     up=up, down=down)


def test_chart_counts_votes_on_refusals_in_both_panels_and_stays_within_100_percent():
    summary = summarize([_row("Om fotball", abstained=True, up=1, down=1)])
    assert summary.by_unit == () and summary.uncited is not None
    assert (summary.uncited.name, summary.uncited.up, summary.uncited.down) == (UNCITED, 1, 1)
    figure = chart_figure(summary)
    week, unit = [ax for sub in figure.subfigs for ax in sub.axes]
    assert week.get_ylim() == (0, 100) and unit.get_xlim() == (0, 100)
    no_votes = [t for ax in (week, unit) for t in ax.texts if t.get_text() == "Ingen stemmer ennå"]
    assert no_votes == []  # the contradiction: a weekly bar above, "no votes yet" below
    assert any(UNCITED in label.get_text() for label in unit.get_yticklabels())
    bars = [patch for patch in unit.patches if patch.get_width() > 0]
    assert sorted(round(p.get_width()) for p in bars) == [50, 50]  # 50 % up + 50 % down = one full bar
    for patch in week.patches:
        assert 0 <= patch.get_y() + patch.get_height() <= 100


def test_text_report_lists_refusals_with_the_units():
    from bot.feedback.report import render_text

    text = render_text(summarize([_row("Om fotball", abstained=True, down=2), _row("A2?", ["Anbefaling 2"], up=1)]))
    unit_section = text.split("Per sitert anbefaling/utfordring")[1].split("Per plattform")[0]
    assert "Anbefaling 2" in unit_section and UNCITED in unit_section


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def test_teach_writes_an_example_question_under_the_unit_heading_once(corpus):
    original = load_document(corpus / REPORT)
    teach(corpus, "  Hvordan  bygger man tillit\n til etatene? ", "A2")
    teach(corpus, "Hvordan bygger man tillit til etatene?", "A2")  # the same question again: no change
    teach(corpus, "Hva med gode målbilder?", "A2")
    text = (corpus / REPORT).read_text(encoding="utf-8")
    # Appended after the unit's existing example questions, before its text.
    assert ("? Hvordan bygger man tillit til etatene?\n? Hva med gode målbilder?\n\nOverfor underliggende") in text
    heading = text.index("{#A2}")
    assert heading < text.index("? Hvordan bygger man tillit") < text.index("Overfor underliggende virksomheter bør")
    assert text.count("? Hvordan bygger man tillit") == 1
    # Example questions are not report text: the units and their quoted text are unchanged.
    assert load_document(corpus / REPORT).blocks == original.blocks
    teach(corpus, "Hva er <!-- dette?", "U1")
    teach(corpus, "Og --> dette?", "U3")
    assert load_document(corpus / REPORT).blocks == original.blocks  # no comment swallowed report text
    with pytest.raises(KeyError):
        teach(corpus, "Hva?", "Z9")
    with pytest.raises(ValueError):
        teach(corpus, "  \n ", "A2")


def test_suggestions_list_refused_and_voted_down_questions_with_todays_top_unit(engine, tmp_path):
    store = SqliteStore(tmp_path / "feedback.sqlite3")
    try:
        refused = engine.respond(Question("Hvem vant fotball-VM i 1994?", platform="web"))
        disliked = engine.respond(Question("Hva bør departementene gjøre overfor underliggende virksomheter?"))
        liked = engine.respond(Question("Hva er rapportens hovedanbefaling?"))
        for answer in (refused, disliked, liked):
            store.record_answer(answer, "web")
        store.vote(disliked.answer_id, "voter-1", "down")
        store.vote(liked.answer_id, "voter-1", "up")
        found = suggestions(store, engine, limit=10)
    finally:
        store.close()
    assert refused.abstained and not liked.abstained
    by_question = {s.question: s for s in found}
    assert set(by_question) == {refused.question, disliked.question}
    assert by_question[refused.question].reason == "refused"
    assert by_question[refused.question].top_key  # a refusal still has a best-ranked unit to offer
    down = by_question[disliked.question]
    assert (down.reason, down.top_key, down.answer_id) == ("voted_down", "A2", disliked.answer_id)
    assert down.top_label == "Anbefaling 2 – overfor underliggende virksomheter"
