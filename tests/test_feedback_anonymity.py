"""After questions, votes, message links, event dedupe and a comment from known Slack and Teams
users, no table of either back end and no line of the log contains any of their identifiers."""

from __future__ import annotations

import logging

import pytest

from bot.feedback.privacy import load_secret, voter_key
from bot.types import Question, Tally
from tests.feedback_helpers import dump_tables, pg_url  # noqa: F401 - fixture

SLACK_USERS = ("U0ANON1SLK", "W0ANON2SLK")
SLACK_TEAM, SLACK_CHANNEL, SLACK_TS, SLACK_EVENT = "T0ANON3SLK", "C0ANON4SLK", "1712345678.123456", "Ev0ANON5SLK"
TEAMS_USER = "29:1AnonTeamsUserXyzAbcDefGhi"
TEAMS_AAD = "4d1c7b2e-9f0a-4e55-8b11-0a1b2c3d4e5f"
TEAMS_TENANT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
TEAMS_CONVERSATION = "a:1AnonConversationIdXyz123"
TEAMS_ACTIVITY = "1712345678901"
NAMES = ("Kari Nordmann", "kari.nordmann", "Ola Normann")
EMAIL = "kari.nordmann@kmd.dep.no"
IDENTIFIERS = (*SLACK_USERS, SLACK_TEAM, SLACK_CHANNEL, SLACK_TS, SLACK_EVENT, TEAMS_USER, TEAMS_AAD,
               TEAMS_TENANT, TEAMS_CONVERSATION, TEAMS_ACTIVITY, *NAMES, EMAIL)
QUESTION = "Hva bør departementene gjøre overfor underliggende virksomheter?"


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request, settings):
    if request.param == "postgres":
        return settings.with_(database_url=request.getfixturevalue("pg_url"))
    return settings


async def test_nothing_stored_or_logged_identifies_a_voter(make_service, store_settings, caplog):
    caplog.set_level(logging.DEBUG)
    service = make_service(store_settings)
    slack = await service.respond(Question(
        f"<@{SLACK_USERS[1]}|{NAMES[1]}> og <#{SLACK_CHANNEL}|ledermøte> lurer på: {QUESTION} Svar til {EMAIL}",
        "slack"))
    teams = await service.respond(Question(f"<at>{NAMES[0]}</at> {QUESTION} (spør {TEAMS_AAD})", "teams"))
    assert slack.wants_feedback and teams.wants_feedback  # both are recorded and can be voted on

    await service.remember_message("slack", (SLACK_TEAM, SLACK_CHANNEL, SLACK_TS), slack.answer_id)
    await service.remember_message("teams", (TEAMS_TENANT, TEAMS_CONVERSATION, TEAMS_ACTIVITY), teams.answer_id)
    assert await service.answer_id_for("slack", (SLACK_TEAM, SLACK_CHANNEL, SLACK_TS)) == slack.answer_id
    assert await service.first_delivery("slack", SLACK_EVENT) is True
    assert await service.first_delivery("slack", SLACK_EVENT) is False

    for user in SLACK_USERS:
        await service.vote("slack", slack.answer_id, user, "down")
    final = await service.vote("slack", slack.answer_id, SLACK_USERS[0], "up")
    assert final.saved and final.tally == Tally(1, 1)
    assert (await service.vote("teams", teams.answer_id, TEAMS_USER, "up")).tally == Tally(1, 0)
    key = voter_key(load_secret(store_settings), "teams", TEAMS_USER, teams.answer_id)
    service.store.record_feedback_text(teams.answer_id, key, f"Spør heller <at>{NAMES[2]}</at>?")

    dump = dump_tables(store_settings)
    # The dump really covers the store: answers, votes and the (redacted) comment are all there.
    assert "[votes]" in dump and slack.answer_id in dump and "Spør heller [omtale]?" in dump
    leaked = [i for i in IDENTIFIERS if i.casefold() in dump.casefold() or i.casefold() in caplog.text.casefold()]
    assert leaked == []
    assert store_settings.feedback_secret not in dump
    # Message text is not logged at INFO or above.
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "underliggende" in r.getMessage()]
