"""The owners' lessons: stored in the shared feedback store (SQLite and PostgreSQL), applied by every
instance without a restart, shown on `/admin`, exported to the corpus on demand. Real stores, the
real engine, the whole web app over HTTP; a second instance has an engine of its own."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.answering.teaching import lesson, question_key
from bot.feedback.base import IGNORED, NOT_COVERED, Lesson
from bot.serving.lessons import LessonBook
from bot.types import Question
from tests.feedback_helpers import Clock, backend, make_answer, pg_url  # noqa: F401 - fixtures
from tests.web_helpers import ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[1]
PRIMARY = "difi-rapport-2019-3"
# Not among the labelled questions; today the engine refuses it.
TAUGHT = "Hvor ofte bør departementet møte etatene?"
A2_LABEL = "Anbefaling 2 – overfor underliggende virksomheter"


@pytest.fixture
def restore_lessons(engine):
    """These tests teach the session's engine: its lessons are put back as they were afterwards."""
    before = engine.model.lessons
    yield
    engine.model.lessons = before


def test_a_lesson_is_upserted_per_question_and_a_dismissed_question_keeps_no_text(backend):
    clock = Clock(datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    store = backend.store(clock=clock)
    store.save_lesson(Lesson(question_key("Hva med lønn?"), "Hva med lønn? Ring 41234567", "r#A1", "Anbefaling 1"))
    clock.now += timedelta(minutes=5)
    store.save_lesson(Lesson(question_key("  hva MED lønn? "), "Hva med lønn?", NOT_COVERED))
    store.save_lesson(Lesson(question_key("Vær?"), "Vær?", IGNORED))
    lessons = store.lessons()
    assert [(x.unit, x.taught) for x in lessons] == [(NOT_COVERED, "2026-03-02T09:20Z"), (IGNORED, "2026-03-02T09:20Z")]
    assert lessons[0].question == "Hva med lønn?" and lessons[1].question is None
    assert "41234567" not in backend.dump()


def test_migration_5_keeps_earlier_answers_and_purge_clears_what_a_follow_up_followed(backend):
    clock = Clock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    store = backend.store(migrate=False, clock=clock, retention_days=30)
    store.migrate_to(4)
    with store._transaction(write=True) as run:  # an answer recorded by the previous release
        run("INSERT INTO answers (answer_id, hour, platform, kind, lang, question, confidence, abstained) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ("old", "2026-03-02T08:00Z", "web", "answer", "nb", "Hei?", 0.5, False))
    store.migrate()
    follow_up = replace(make_answer("hvorfor det?", ("Utfordring 1",)), follows="Hva er anbefaling 2? Ring 41234567")
    store.record_answer(follow_up, "slack")
    rows = {r.answer_id: r for r in store.export_rows()}
    assert rows["old"].follows is None and rows["old"].question == "Hei?"
    assert rows[follow_up.answer_id].follows == "Hva er anbefaling 2? Ring [telefon]"
    clock.now += timedelta(days=31)
    store.purge()
    assert all(r.follows is None and r.question is None for r in store.export_rows())


def test_the_book_applies_new_and_changed_lessons_once_and_never_a_dismissed_one():
    book = LessonBook()
    first = [Lesson("a", "Spm a?", "r#A1", "", "t1"), Lesson("b", None, IGNORED, "", "t1")]
    assert book.fresh(first) == first[:1]
    book.mark(book.fresh(first))
    assert book.fresh(first) == []
    changed = [Lesson("a", "Spm a?", NOT_COVERED, "", "t2")]
    assert book.fresh(changed) == changed


def test_a_lesson_to_a_lists_lead_in_is_answered_with_the_list(engine, restore_lessons):
    question = "Hva sliter departementene mest med i omstillingsarbeidet sitt?"
    assert engine.learn(question, "U")
    answer = engine.respond(Question(question))
    assert [c.id.split("#")[1] for c in answer.citations] == ["U1", "U2", "U3", "U4"]


def test_lesson_refuses_unknown_units_empty_questions_and_control_characters(engine):
    with pytest.raises(KeyError):
        lesson(engine, "Hva nå?", f"{PRIMARY}#Z9")
    with pytest.raises(ValueError):
        lesson(engine, "   ", NOT_COVERED)
    with pytest.raises(ValueError):
        lesson(engine, "Hva\x00nå?", NOT_COVERED)
    made = lesson(engine, "Hva nå?", "A2")  # a key of the primary document is its unit's id
    assert (made.unit, made.label) == (f"{PRIMARY}#A2", A2_LABEL)


async def _sign_in(client) -> None:
    response = await client.post("/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False)
    assert response.status == 303


async def _ask(client, question: str, conversation: str = "") -> dict:
    body = {"question": question, **({"conversation_id": conversation} if conversation else {})}
    response = await client.post("/api/ask", json=body)
    assert response.status == 200
    return await response.json()


async def test_teaching_on_admin_is_answered_at_once_here_and_soon_on_a_second_instance(
        make_client, second_engine, restore_lessons):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.runtime import build_service
    from bot.server import build_app

    client = await make_client()
    corpus = (client.settings.corpus_dir / f"{PRIMARY}.md").read_text(encoding="utf-8")
    # A second instance: its own engine and process state, the same database (the data folder's SQLite file).
    settings = client.settings
    other = TestClient(TestServer(build_app(settings, lambda: build_service(settings, second_engine))))
    await other.start_server()
    try:
        before = await _ask(client, TAUGHT)
        assert before["abstained"]
        assert (await _ask(other, TAUGHT))["citations"] == before["citations"]  # and it is cached there now
        await _sign_in(client)
        taught = await client.post("/admin/teach", allow_redirects=False,
                                   data={"question": TAUGHT, "choice": "unit", "unit": f"{PRIMARY}#A2"})
        assert taught.status == 303 and taught.headers["Location"].startswith("/admin?lesson=")
        page = await (await client.get(taught.headers["Location"])).text()
        assert f"er knyttet til «{A2_LABEL}». Boten svarer nå med «{A2_LABEL}»." in page
        assert (await _ask(client, TAUGHT))["citations"][0]["id"] == f"{PRIMARY}#A2"
        for _ in range(40):  # the other instance reads the lessons at most once a second
            cited = (await _ask(other, TAUGHT))["citations"]
            if cited and cited[0]["id"] == f"{PRIMARY}#A2":
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the second instance did not apply the lesson")
        assert len((await _ask(other, TAUGHT))["citations"]) == 1  # a lesson names its answer: that unit alone
    finally:
        await other.close()
    assert (client.settings.corpus_dir / f"{PRIMARY}.md").read_text(encoding="utf-8") == corpus


async def test_not_covered_refuses_at_once_and_ignore_hides_the_question(make_client, restore_lessons):
    client = await make_client()
    answered = "Hva anbefaler rapporten overfor andre departementer?"
    assert not (await _ask(client, answered))["abstained"]
    refused = await _ask(client, "Hvem vant fotball-VM i 1994?")
    assert refused["abstained"]
    await _sign_in(client)
    page = await (await client.get("/admin")).text()
    assert "Hvem vant fotball-VM i 1994?" in page
    response = await client.post("/admin/teach", data={"question": answered, "choice": "none"},
                                 allow_redirects=False)
    page = await (await client.get(response.headers["Location"])).text()
    assert "er merket som ikke dekket av rapporten. Boten svarer nå at rapporten ikke dekker det." in page
    assert (await _ask(client, answered))["abstained"]
    response = await client.post("/admin/teach", data={"question": "Hvem vant fotball-VM i 1994?",
                                                       "choice": "ignore"}, allow_redirects=False)
    page = await (await client.get(response.headers["Location"])).text()
    teach_section = page.split('id="teach-heading"')[1]
    assert "Spørsmålet er ignorert" in page and "Hvem vant fotball-VM i 1994?" not in teach_section


async def test_teach_without_a_chosen_unit_or_with_a_forged_one_changes_nothing(make_client, restore_lessons):
    client = await make_client()
    await _sign_in(client)
    for form in ({"question": "Hva nå?", "choice": "unit"}, {"question": "Hva nå?", "choice": "unit", "unit": ""},
                 {"question": "Hva nå?", "choice": "unit", "unit": f"{PRIMARY}#Z9"},
                 {"question": "Hva nå?", "choice": "all", "unit": f"{PRIMARY}#A2"},
                 {"question": "   ", "choice": "none"}, {"question": "Hva\x07nå?", "choice": "none"},
                 {"question": "Hva nå?", "key": "A2"}):
        response = await client.post("/admin/teach", data=form, allow_redirects=False)
        assert response.headers["Location"] == "/admin?teach=invalid", form
    page = await (await client.get("/admin?teach=invalid")).text()
    assert "Velg en del av rapporten først" in page
    from bot.feedback import open_store

    store = open_store(client.settings)
    try:
        assert store.lessons() == []
    finally:
        store.close()


async def test_a_follow_up_shows_the_question_it_followed_on_the_owners_page(make_client):
    client = await make_client()
    first = await _ask(client, "Hva bør departementene gjøre overfor underliggende virksomheter?",
                       conversation="samtale-1")
    follow = await _ask(client, "hvorfor det?", conversation="samtale-1")
    command = await _ask(client, "Hva er den andre hovedutfordringen?", conversation="samtale-2")
    after_command = await _ask(client, "utdyp", conversation="samtale-2")
    assert first["citations"] and follow["answer_id"]
    for answer in (follow, after_command):
        vote = await client.post("/api/feedback", json={"answer_id": answer["answer_id"], "vote": "down"})
        assert vote.status == 200
    assert command["citations"][0]["id"].endswith("#U2")
    await _sign_in(client)
    page = await (await client.get("/admin")).text()
    assert "Oppfølging av «Hva bør departementene gjøre overfor underliggende virksomheter?»" in page
    # A numbered unit is reached without a search, so no question is kept: the units it cited stand in.
    assert f"Oppfølging av «{command['citations'][0]['label']}»" in page


def test_teach_command_stores_a_lesson_and_export_writes_it_under_the_unit_heading(tmp_path, base_settings, engine):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(ROOT / "corpus", corpus)
    # The session's index, built from the same corpus: the commands load it instead of building their own.
    shutil.copytree(base_settings.index_dir, base_settings.with_(data_dir=data).index_dir)
    env = {**os.environ, "OMSTILLINGSBOT_CORPUS": str(corpus), "OMSTILLINGSBOT_DATA": str(data),
           "OMSTILLINGSBOT_FEEDBACK_SECRET": "t"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=600, check=False)

    taught = cli("teach", TAUGHT, "A2")
    assert taught.returncode == 0, taught.stderr
    assert A2_LABEL in taught.stdout
    assert "? " + TAUGHT not in (corpus / f"{PRIMARY}.md").read_text(encoding="utf-8")  # the database holds it
    assert cli("teach", "Hvem står bak rapporten?", "meta").returncode == 0  # the facts: no heading to write under
    exported = cli("teach", "--export")
    assert exported.returncode == 0, exported.stderr
    assert "1 lærte spørsmål skrevet inn" in exported.stdout and "1 gjelder deler uten overskriftsnøkkel" in exported.stdout
    lines = (corpus / f"{PRIMARY}.md").read_text(encoding="utf-8").splitlines()
    heading = next(i for i, line in enumerate(lines) if line.endswith("{#A2}"))
    assert "? " + TAUGHT in lines[heading + 1: heading + 30]
    assert cli("teach").returncode == 2
