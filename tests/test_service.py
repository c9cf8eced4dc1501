"""ChatService: the one door of both adapters. Duplicate deliveries, shared and local."""

from __future__ import annotations

import socket

from bot.types import Question


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_event_is_claimed_once_across_instances_sharing_the_store(settings, make_service):
    first, second = make_service(), make_service()  # two bot instances, one SQLite file
    assert await first.first_delivery("slack", "Ev0123")
    assert not await second.first_delivery("slack", "Ev0123")
    assert not await first.first_delivery("slack", "Ev0123")
    assert await second.first_delivery("teams", "Ev0123")  # another platform's id space


async def test_with_the_database_down_answers_go_out_and_retries_are_still_caught(settings, make_service):
    down = settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/test")
    service = make_service(down)
    answer = await service.respond(Question("Hva er rapportens hovedanbefaling?", platform="slack"))
    assert not answer.abstained and answer.citations
    assert await service.first_delivery("slack", "Ev-down")
    assert not await service.first_delivery("slack", "Ev-down")
    outcome = await service.vote("slack", answer.answer_id, "U123", "up")
    assert not outcome.saved and "ikke lagret" in outcome.message
