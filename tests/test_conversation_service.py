"""Conversations through ChatService with the real engine and a real store: follow-ups, small talk,
expiry, a store that is down, anonymity of the stored state, citation URLs and the contact line."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.answering.conversation import load_relations
from bot.answering.dialogue import Dialogue, load_source_urls
from bot.feedback.privacy import load_secret
from bot.feedback.sqlite import SqliteStore
from bot.serving.service import ChatService
from bot.settings import Settings
from bot.types import Question
from tests.feedback_helpers import dump_tables, pg_url  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]
# Slack-like and Teams-like conversation keys, as adapters build them (platform ids inside).
SLACK_CONVERSATION = "T0CONV1SLK:C0CONV2SLK:1712345678.000100"
TEAMS_CONVERSATION = "19:conv3TeamsChannelXyz@thread.tacv2;messageid=1712345678901"
IDS = ("T0CONV1SLK", "C0CONV2SLK", "1712345678.000100", "19:conv3TeamsChannelXyz", "1712345678901")


def first_label(answer) -> str:
    return answer.citations[0].label if answer.citations else ""


async def ask(service, text: str, conversation: str = "conv-1", platform="web"):
    return await service.respond(Question(text, platform=platform, conversation=conversation))


async def test_follow_ups_use_the_previous_answer(chat_service):
    assert first_label(await ask(chat_service, "anbefaling 2")).startswith("Anbefaling 2")
    why = await ask(chat_service, "hvorfor det?")
    assert first_label(why).startswith("Utfordring 2") and not why.abstained  # corpus/relations.json: A2 -> U2
    await ask(chat_service, "anbefaling 2")
    third = await ask(chat_service, "og nummer tre?")
    assert [c.label.split(" –")[0] for c in third.citations] == ["Anbefaling 3"]
    more = await ask(chat_service, "utdyp")
    assert [c.label.split(" –")[0] for c in more.citations] == ["Anbefaling 3", "Mer konkrete anbefalinger"]
    assert [c.label.split(" –")[0] for c in (await ask(chat_service, "hvorfor?")).citations] == ["Utfordring 4"]
    back = await ask(chat_service, "Hva anbefaler de mot det?", conversation="conv-2")
    assert back.kind == "help"  # nothing before it in conv-2 to point to: not guessed
    await ask(chat_service, "utfordringer", conversation="conv-2")
    last = await ask(chat_service, "Fortell mer om den siste", conversation="conv-2")
    assert first_label(last).startswith("Utfordring 4")
    assert "hele rapporten" in last.text  # the summary says no more about U4: point to the full report
    remedy = await ask(chat_service, "Hva anbefaler de mot det?", conversation="conv-2")
    assert first_label(remedy).startswith("Anbefaling 3")


async def test_next_walks_through_the_numbered_units_and_says_where_they_end(chat_service):
    assert first_label(await ask(chat_service, "Hva er den tredje hovedutfordringen?")).startswith("Utfordring 3")
    assert first_label(await ask(chat_service, "og den neste?")).startswith("Utfordring 4")
    past = await ask(chat_service, "og den neste?")
    assert past.kind == "help" and "1–4" in past.text and not past.citations
    assert first_label(await ask(chat_service, "og den forrige?")).startswith("Utfordring 3")


async def test_a_topic_shift_to_something_the_report_never_mentions_is_refused_not_borrowed(chat_service):
    assert not (await ask(chat_service, "Hva anbefales overfor politisk ledelse?")).abstained
    shifted = await ask(chat_service, "og hva med budsjettene til departementene?")
    assert shifted.abstained and not shifted.citations
    assert first_label(await ask(chat_service, "og overfor andre departementer?")).startswith("Anbefaling 3")


async def test_conversations_do_not_share_state(chat_service):
    await ask(chat_service, "anbefalinger", conversation="a")
    await ask(chat_service, "utfordringer", conversation="b")
    assert first_label(await ask(chat_service, "den andre", conversation="a")).startswith("Anbefaling 2")
    assert first_label(await ask(chat_service, "den andre", conversation="b")).startswith("Utfordring 2")


@pytest.mark.parametrize("question", [
    "Hva sier rapporten om tillit?", "Hvem står bak rapporten?", "Hva er rapportens hovedanbefaling?",
    "Hvem vant fotball-VM i 2018?", "Hva sier den om tillit?",
])
async def test_an_independent_question_gets_the_same_answer_with_or_without_context(chat_service, engine, question):
    alone = engine.respond(Question(question))
    for before in ("anbefaling 2", "utfordringer", "hvorfor det?"):
        await ask(chat_service, before, conversation=f"ctx-{before}")
        within = await ask(chat_service, question, conversation=f"ctx-{before}")
        assert [c.id for c in within.citations] == [c.id for c in alone.citations]
        assert within.abstained == alone.abstained


@pytest.mark.parametrize("text, lang, fragment", [
    ("hei", "nb", "Hei!"), ("tusen takk", "nb", "Bare hyggelig"), ("thanks, bye", "en", "Goodbye"),
    ("kven er du?", "nn", "Eg er Omstillingsbot"), ("what can you do?", "en", "I can tell you"),
])
async def test_small_talk_gets_a_short_friendly_reply_without_report_content(chat_service, text, lang, fragment):
    answer = await ask(chat_service, text)
    assert answer.kind == "smalltalk" and not answer.citations and not answer.abstained
    assert answer.lang == lang and fragment in answer.text
    assert not answer.wants_feedback


async def test_state_expires_after_the_ttl_and_is_deleted(engine, settings, tmp_path):
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    store = SqliteStore(tmp_path / "state.sqlite3", clock=lambda: now[0])
    store.migrate()
    service = ChatService(engine, store, b"secret", dialogue=Dialogue(engine, load_relations(settings.corpus_dir)),
                          conversation_ttl=timedelta(hours=1))
    try:
        await ask(service, "anbefaling 2")
        now[0] += timedelta(minutes=50)
        assert first_label(await ask(service, "hvorfor det?")).startswith("Utfordring 2")  # within the hour
        await ask(service, "anbefaling 1", conversation="other")
        now[0] += timedelta(minutes=61)
        assert (await ask(service, "hvorfor det?")).kind == "help"  # expired: no context any more
        with store._transaction(write=False) as run:
            rows = run("SELECT COUNT(*) FROM conversations").fetchone()[0]
        assert rows == 1  # the expired "other" conversation was deleted; only the fresh one is left
    finally:
        service.close()


async def test_the_ttl_setting_reaches_the_service(make_service, settings):
    """OMSTILLINGSBOT_CONVERSATION_TTL_HOURS as the bot is built from Settings (bot.runtime.build_service):
    with 1 hour, a conversation last touched 90 minutes ago has expired (with the default 24 h it would not)."""
    import sqlite3

    from bot.feedback.sqlstore import minute_of

    assert Settings.from_env({"OMSTILLINGSBOT_CONVERSATION_TTL_HOURS": "1"}).conversation_ttl_hours == 1.0
    service = make_service(settings.with_(conversation_ttl_hours=1.0))
    await ask(service, "anbefaling 2", conversation="ttl")

    def touched(minutes_ago: int) -> None:
        conn = sqlite3.connect(settings.data_dir / "feedback.sqlite3")
        with conn:
            conn.execute("UPDATE conversations SET updated = ?",
                         (minute_of(datetime.now(UTC) - timedelta(minutes=minutes_ago)),))
        conn.close()

    touched(30)
    assert await service.takes_part("web", "ttl")
    touched(90)
    assert not await service.takes_part("web", "ttl")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_store_that_is_down_means_no_context_not_an_error(make_service, settings):
    service = make_service(settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"))
    assert first_label(await ask(service, "anbefaling 2")).startswith("Anbefaling 2")
    assert (await ask(service, "hvorfor det?")).kind == "help"
    assert (await ask(service, "hei")).kind == "smalltalk"


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request, settings):
    if request.param == "postgres":
        return settings.with_(database_url=request.getfixturevalue("pg_url"))
    return settings


async def test_stored_state_holds_no_platform_id(make_service, store_settings):
    service = make_service(store_settings)
    await ask(service, "anbefaling 2", SLACK_CONVERSATION, "slack")
    await ask(service, "hvorfor det?", SLACK_CONVERSATION, "slack")
    await ask(service, "Hva sier rapporten om tillit? Spør kari.nordmann@kmd.dep.no", TEAMS_CONVERSATION, "teams")
    dump = dump_tables(store_settings)
    assert "[conversations]" in dump and "#U2" in dump  # the dump covers the state: cited unit ids are there
    assert [i for i in IDS if i in dump] == [] and "kari.nordmann" not in dump
    assert "[e-post]" in dump  # the resolved question is kept, redacted
    assert load_secret(store_settings).decode() not in dump


async def test_question_text_is_not_kept_when_question_storage_is_off(make_service, settings):
    off = settings.with_(store_questions=False)
    service = make_service(off)
    await ask(service, "Hva sier rapporten om tillit?")
    await ask(service, "og overfor andre departementer?")
    rows = [line for line in dump_tables(off).splitlines() if line.startswith("conversations:")]
    assert len(rows) == 1 and "#A3" in rows[0]
    assert "tillit" not in rows[0] and "departementer" not in rows[0] and rows[0].count("None") == 1


def test_source_urls_come_from_the_front_matter(tmp_path):
    text = (ROOT / "corpus" / "difi-rapport-2019-3.md").read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines() if not line.startswith("url:"))
    (tmp_path / "rapport.md").write_text(without.replace("primary: true", "primary: true\nurl: https://example.org/r"),
                                         encoding="utf-8")
    (tmp_path / "no-url.md").write_text(without, encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n\nurl: https://not-front-matter.example\n", encoding="utf-8")
    assert load_source_urls(tmp_path) == {"rapport": "https://example.org/r"}
    assert load_source_urls(ROOT / "corpus") == {
        "difi-rapport-2019-3": "https://dfo.no/rapporter/departementene-i-forersetet-omstilling"}


async def test_citations_carry_the_url_and_refusals_offer_the_contact(engine, settings, tmp_path):
    doc = engine.lookup.retriever.chunks[0].doc
    dialogue = Dialogue(engine, load_relations(settings.corpus_dir), contact="omstilling@example.org",
                        urls={doc: "https://example.org/rapport"})
    store = SqliteStore(tmp_path / "s.sqlite3")
    store.migrate()
    service = ChatService(engine, store, b"secret", dialogue=dialogue)
    try:
        answer = await ask(service, "Hva sier rapporten om tillit?")
        assert answer.citations and all(c.url == "https://example.org/rapport" for c in answer.citations)
        assert answer.to_json()["citations"][0]["url"] == "https://example.org/rapport"
        refusal = await ask(service, "Hvem vant fotball-VM i 2018?")
        assert refusal.abstained and "omstilling@example.org" in refusal.text
        await ask(service, "utfordring 4", conversation="c")
        beyond = await ask(service, "utdyp", conversation="c")
        assert "https://example.org/rapport" in beyond.text and "omstilling@example.org" in beyond.text
        down = await service.vote("web", answer.answer_id, "someone", "down")
        assert down.saved and "omstilling@example.org" in down.message
        up = await service.vote("web", answer.answer_id, "someone else", "up")
        assert "omstilling@example.org" not in up.message
    finally:
        service.close()


def test_the_conversation_evaluator_scores_each_kind_of_turn(settings, engine, tmp_path):
    import json

    from bot.evaluation.conversations import evaluate_conversations, is_conversation_file

    conversations = [
        {"id": "t1", "lang": "nb", "turns": [
            {"user": "hei", "expect": {"smalltalk": True}},
            {"user": "anbefaling 2", "expect": {"cites_any": ["bygge tillit"]}},
            {"user": "hvorfor det?", "expect": {"cites_any": ["handler for mye om drift"]}},
            {"user": "og nummer tre?", "expect": {"cites_any": ["bygge tillit"]}},  # wrong on purpose: U3 is cited
        ]},
        {"id": "t2", "lang": "nb", "turns": [
            {"user": "Hvem vant fotball-VM i 2018?", "expect": {"abstain": True}},
            {"user": "utfordringer", "expect": {"cites_any_top3": ["for defensiv rolle"]}},
        ]},
    ]
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in conversations), encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"q": "Hva er anbefaling 2?", "answerable": True, "expect_any": ["tillit"]}) + "\n",
                         encoding="utf-8")
    assert is_conversation_file(path) and not is_conversation_file(questions)
    report = evaluate_conversations(settings, engine, path)
    assert (report["turns"], report["later_turns"]) == (6, 4)
    assert report["accuracy"] == pytest.approx(5 / 6) and report["later_accuracy"] == pytest.approx(3 / 4)
    assert report["by_kind"] == {"cites_any": {"right": 2, "turns": 3}, "cites_any_top3": {"right": 1, "turns": 1},
                                 "abstain": {"right": 1, "turns": 1}, "smalltalk": {"right": 1, "turns": 1}}
    assert report["resolved_by_context"] == 1 and report["context_leaks"] == []  # "hvorfor det?" needs context
    [miss] = report["misses"]
    assert (miss["id"], miss["turn"]) == ("t1", 4) and miss["cited"][0].startswith("Utfordring 3")
    assert not list(settings.data_dir.glob("*.sqlite3"))  # the evaluation used a private, temporary store
