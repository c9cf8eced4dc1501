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
from bot.answering.holdings import Holding
from bot.types import Question
from bot.web.language import preferred_lang
from bot.answering.teaching import Suggestion, UnitChoice
from bot.feedback.base import Lesson
from bot.web.admin_pages import dashboard_page, local_time, week_name
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


def test_chat_page_names_each_document_and_links_only_web_addresses():
    held = (Holding("r", "Departementene i førersetet for omstilling?", "Difi-rapport 2019:3",
                    "https://dfo.no/r", summary=True),
            Holding("x", "<script>Rapport</script> & co", "DFØ-rapport 2022:5", "javascript:alert(1)"),
            Holding("y", "Uten lenke", "Notat 1"))
    html = chat_page("nb", 2000, holdings=held)
    assert "Sammendraget av «Departementene i førersetet for omstilling?» (Difi-rapport 2019:3)" in html
    assert ('<a class="full-report" data-source="Difi-rapport 2019:3" href="https://dfo.no/r" target="_blank" '
            'rel="noopener noreferrer">Les hele Difi-rapport 2019:3<span class="visually-hidden"> (åpnes i ny fane)'
            "</span></a>") in html
    assert "«&lt;script&gt;Rapport&lt;/script&gt; &amp; co» (DFØ-rapport 2022:5)" in html  # a whole document
    assert "javascript:" not in html and html.count('class="full-report"') == 1
    assert "«Uten lenke» (Notat 1)" in html
    assert "The summary of «Departementene" in chat_page("en", 2000, holdings=held[:1])
    assert "Jeg starter opp" in chat_page("nb", 2000, holdings=None)  # the engine is still starting
    assert 'class="holdings"' not in chat_page("nb", 2000, holdings=())


def test_chat_page_hands_the_script_its_texts_with_slots():
    html = chat_page("nb", 2000)
    assert 'data-t-read-source="Les i {source}"' in html and 'data-t-full-report="Les hele {source}"' in html
    assert 'data-t-next-steps="Forslag til neste spørsmål"' in html
    assert 'data-t-read-source="Read in {source}"' in chat_page("en", 2000)


def test_dashboard_escapes_questions_and_labels_and_preselects_no_unit():
    summary = summarize([_row("<b>fet</b> & \"sitat\"", abstained=True, down=1)])
    rows = [Suggestion("<img src=x onerror=alert(1)>", "refused", (), "<i>før</i>", None, "",
                       (UnitChoice("r#A2", "Anbefaling 2 <x>"),), "a1")]
    html = dashboard_page(summary, rows)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>fet</b>" not in html and "&lt;b&gt;fet&lt;/b&gt; &amp; &quot;sitat&quot;" in html
    assert "<i>før</i>" not in html and "Oppfølging av «&lt;i&gt;før&lt;/i&gt;»" in html
    assert '<option value="r#A2">Anbefaling 2 &lt;x&gt;</option>' in html
    assert html.count(" selected") == 1 and '<option value="" selected disabled>Velg del …</option>' in html
    for choice in ('value="unit"', 'value="none"', 'value="ignore"'):
        assert f'name="choice" {choice}' in html


def test_dashboard_marks_taught_rows_with_local_time_and_what_the_bot_answers_now():
    lesson = Lesson("k", "Hvordan bygge tillit?", "r#A2", "Anbefaling 2", "2026-07-01T08:05Z")
    rows = [Suggestion("Hvordan bygge tillit?", "voted_down", ("Anbefaling 1",), "", lesson, "Anbefaling 2", (), "a"),
            Suggestion("Hva med lønn?", "refused", (), "", Lesson("j", "Hva med lønn?", "none", "", "2026-01-05T23:30Z"),
                       "", (), "b")]
    html = dashboard_page(None, rows)
    assert html.count('class="question-row taught"') == 2
    assert "Lært 1.7.2026 kl. 10.05: knyttet til «Anbefaling 2»" in html  # summer time: UTC+2
    assert "Lært 6.1.2026 kl. 00.30: dekkes ikke" in html  # winter, and past midnight in Oslo
    assert '<td class="now">Anbefaling 2</td>' in html and '<td class="now">Ubesvart</td>' in html
    assert "tommel ned</span> Anbefaling 1" in html


def test_times_and_weeks_read_as_owners_say_them():
    assert local_time("2026-12-06T08:41Z") == "6.12.2026 kl. 09.41"
    assert local_time("not a time") == "not a time"
    assert week_name("2025-W03") == "uke 3, 2025" and week_name("x") == "x"


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


def test_suggestions_list_refused_and_voted_down_questions_with_what_the_bot_answers_now(engine, tmp_path):
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
    refusal = by_question[refused.question]
    assert (refusal.reason, refusal.answered, refusal.now, refusal.lesson) == ("refused", (), "", None)
    assert len(refusal.choices) > 8  # the nearest units, then every keyed unit
    down = by_question[disliked.question]
    label = "Anbefaling 2 – overfor underliggende virksomheter"
    assert (down.reason, down.answered, down.now, down.answer_id) == ("voted_down", (label,), label,
                                                                      disliked.answer_id)
    assert down.choices[0] == UnitChoice("difi-rapport-2019-3#A2", label)  # nearest first
