"""The feedback store on a real SQLite file and a real PostgreSQL server (TEST_DATABASE_URL)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest

from bot.feedback import UnknownAnswer, open_store, sqlite_path
from bot.feedback.migrations import LATEST
from bot.settings import Settings
from bot.types import Tally
from tests.feedback_helpers import Clock, backend, make_answer, pg_url, vote_then_die  # noqa: F401 - fixtures

A2 = "Anbefaling 2 – overfor underliggende virksomheter"
U4 = "Utfordring 4 – Omstilling på tvers er et motbakkeløp"


def test_vote_change_retract_and_repeat(backend):
    store = backend.open()
    answer = make_answer(labels=(A2,))
    store.record_answer(answer, "slack")
    aid = answer.answer_id
    assert store.vote(aid, "voter-1", "up") == Tally(1, 0)
    assert store.vote(aid, "voter-1", "up") == Tally(1, 0)  # the same vote again changes nothing
    assert store.vote(aid, "voter-2", "down") == Tally(1, 1)
    assert store.vote(aid, "voter-1", "down") == Tally(0, 2)  # changed mind
    assert store.vote(aid, "voter-1", "none") == Tally(0, 1)  # retracted
    assert store.vote(aid, "voter-1", "none") == Tally(0, 1)  # retracting twice is harmless
    assert store.vote(aid, "voter-1", "up") == Tally(1, 1)  # and may vote again
    assert backend.dump().count("votes: ") == 2


def test_votes_on_different_answers_are_counted_apart(backend):
    store = backend.open()
    first, second = make_answer(), make_answer()
    for a in (first, second):
        store.record_answer(a, "teams")
    store.vote(first.answer_id, "k", "up")
    assert store.vote(second.answer_id, "k", "down") == Tally(0, 1)
    assert store.tally(first.answer_id) == Tally(1, 0)


def test_unknown_answer_is_refused_and_nothing_is_stored(backend):
    store = backend.open()
    with pytest.raises(UnknownAnswer):
        store.vote("no-such-answer", "k", "up")
    with pytest.raises(UnknownAnswer):
        store.vote("no-such-answer", "k", "none")
    with pytest.raises(UnknownAnswer):
        store.link_message("msg", "no-such-answer")
    with pytest.raises(UnknownAnswer):
        store.record_feedback_text("no-such-answer", "k", "bra")
    assert "no-such-answer" not in backend.dump()


def test_invalid_vote_value_is_a_programming_error(backend):
    store = backend.open()
    answer = make_answer()
    store.record_answer(answer, "cli")
    with pytest.raises(ValueError):
        store.vote(answer.answer_id, "k", "sideways")  # type: ignore[arg-type]


def test_record_answer_stores_what_was_answered_redacted_and_rounded(backend):
    clock = Clock(datetime(2025, 3, 4, 13, 47, 12, 500, tzinfo=UTC))
    store = backend.store(clock=clock)
    answer = make_answer("Ring meg på 912 34 567: hva sier anbefaling 2?", (A2, f"{U4}, side 7"), confidence=0.73)
    store.record_answer(answer, "teams")
    store.record_answer(answer, "teams")  # recorded twice (e.g. a retry): still one answer
    [row] = store.export_rows()
    assert row.answer_id == answer.answer_id
    assert row.hour == "2025-03-04T13:00Z" and row.week == "2025-W10"
    assert row.platform == "teams" and row.kind == "answer" and row.lang == "nb"
    assert row.question == "Ring meg på [telefon]: hva sier anbefaling 2?"
    assert row.labels == (A2, f"{U4}, side 7")
    assert row.chunk_ids == tuple(c.id for c in answer.citations)
    assert row.confidence == pytest.approx(0.73) and row.abstained is False
    dump = backend.dump()
    assert "912 34 567" not in dump and "47:12" not in dump


def test_question_text_is_not_stored_when_switched_off(backend):
    store = backend.open(store_questions=False)
    answer = make_answer("Hva mener rapporten om tillit?", (A2,), abstained=False)
    store.record_answer(answer, "slack")
    assert store.export_rows()[0].question is None
    assert "tillit" not in backend.dump()


def test_message_links(backend):
    store = backend.open()
    first, second = make_answer(), make_answer()
    for a in (first, second):
        store.record_answer(a, "slack")
    store.link_message("key-1", first.answer_id)
    assert store.answer_for_message("key-1") == first.answer_id
    assert store.answer_for_message("key-2") is None
    store.link_message("key-1", second.answer_id)  # the message was updated with a new answer
    assert store.answer_for_message("key-1") == second.answer_id


def test_links_and_claims_in_one_transaction_answer_per_item(backend):
    """The service groups a burst's links and event claims; one unknown answer costs only its own link."""
    store = backend.open()
    known = make_answer()
    store.record_answer(known, "teams")
    assert store.link_messages([("key-a", known.answer_id), ("key-b", "never-recorded")]) == [True, False]
    assert store.answer_for_message("key-a") == known.answer_id
    assert store.answer_for_message("key-b") is None
    with pytest.raises(UnknownAnswer):
        store.link_message("key-c", "never-recorded")
    assert store.claim_events(["e-1", "e-2", "e-1"]) == [True, True, False]
    assert store.claim_events(["e-2", "e-3"]) == [False, True]


def test_events_are_claimed_once_across_stores_and_pruned_after_a_day(backend):
    clock = Clock(datetime(2025, 1, 6, 9, tzinfo=UTC))
    store, other_instance = backend.store(clock=clock), backend.store(clock=clock)
    assert store.claim_event("event-1") is True
    assert store.claim_event("event-1") is False
    assert other_instance.claim_event("event-1") is False
    clock.now += timedelta(days=2)
    fresh = backend.store(clock=clock)  # a new process prunes on its first claim
    assert fresh.claim_event("event-2") is True
    assert "event-1" not in backend.dump()


def test_feedback_text_is_redacted_replaced_and_can_be_switched_off(backend):
    store = backend.open()
    answer = make_answer()
    store.record_answer(answer, "teams")
    store.record_feedback_text(answer.answer_id, "k", "Feil svar, ring 22 33 44 55")
    store.record_feedback_text(answer.answer_id, "k", "Feil svar.   Mangler   anbefaling 3, skriv til ola@dep.no")
    store.record_feedback_text(answer.answer_id, "k2", "   ")  # nothing to keep
    assert store.export_rows()[0].comments == ("Feil svar. Mangler anbefaling 3, skriv til [e-post]",)
    quiet = backend.open(store_feedback_text=False)
    quiet.record_feedback_text(answer.answer_id, "k3", "Dette skal ikke lagres")
    dump = backend.dump()
    assert "Dette skal ikke lagres" not in dump and "22 33 44 55" not in dump and "ola@dep.no" not in dump


def test_migrations_are_versioned_and_idempotent(backend):
    store = backend.open()
    answer = make_answer()
    store.record_answer(answer, "cli")
    store.vote(answer.answer_id, "k", "up")
    store.migrate()
    backend.open().migrate()
    assert store.schema_versions() == list(range(1, LATEST + 1))
    assert store.tally(answer.answer_id) == Tally(1, 0)


def test_an_old_schema_is_upgraded_without_losing_votes(backend):
    old = backend.store(migrate=False)
    old.migrate_to(1)
    assert old.schema_versions() == [1]
    assert "[answers]" in backend.dump() and "[feedback_texts]" not in backend.dump()
    # A version-1 deployment's data, written as version 1 wrote it (any public call would upgrade first).
    with old._transaction(write=True) as run:
        run("INSERT INTO answers (answer_id, hour, platform, kind, lang, question, confidence, abstained) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("old-answer", "2024-12-02T10:00Z", "slack", "answer", "nb", "Hva er U3?", 0.6, False))
        run("INSERT INTO votes (answer_id, voter_key, value) VALUES ('old-answer', 'k', 'down')")
    upgraded = backend.open()
    assert upgraded.schema_versions() == list(range(1, LATEST + 1))
    upgraded.record_feedback_text("old-answer", "k", "mangler kilde")
    [row] = upgraded.export_rows()
    assert (row.answer_id, row.question, row.down, row.comments) == ("old-answer", "Hva er U3?", 1, ("mangler kilde",))


def test_acknowledged_votes_survive_a_crash(backend):
    store = backend.open()
    answer = make_answer()
    store.record_answer(answer, "slack")
    store.close()
    votes = [("a", "up"), ("b", "down"), ("c", "up"), ("a", "none"), ("d", "up")]
    child = multiprocessing.get_context("spawn").Process(
        target=vote_then_die, args=(backend.settings, answer.answer_id, votes))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0  # the child got past every vote, i.e. each was acknowledged
    assert backend.open().tally(answer.answer_id) == Tally(up=2, down=1)


def test_database_url_selects_the_back_end(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert sqlite_path(settings) == tmp_path / "feedback.sqlite3"
    assert sqlite_path(settings.with_(database_url=f"sqlite:///{tmp_path}/x.db")) == tmp_path / "x.db"
    assert sqlite_path(settings.with_(database_url="postgres://u@h/db")) is None
    with pytest.raises(ValueError) as info:
        sqlite_path(settings.with_(database_url="mysql://user:pw@host/db"))
    assert "pw" not in str(info.value)
    with pytest.raises(ValueError):
        open_store(settings.with_(database_url="postgresql://host/db?sslmode=nonsense&=broken"))
    store = open_store(settings.with_(database_url=f"sqlite:///{tmp_path}/sub/x.db"))
    store.close()
    assert (tmp_path / "sub" / "x.db").exists()
