"""The key-metadata fetch breaker (bot/teams/keyfetch.py): paused after a failure, doubling, reset on success."""

from __future__ import annotations

import asyncio

import requests

from bot.teams.keyfetch import FetchBreaker, is_fetch_failure


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_a_failure_fetching_pauses_with_a_doubling_back_off_and_a_success_resets_it():
    clock = Clock()
    breaker = FetchBreaker(clock, first_s=5, max_s=12)
    assert not breaker.open
    breaker.failed()
    assert breaker.open
    clock.now += 5.1
    assert not breaker.open  # one try after the back-off
    breaker.failed()
    clock.now += 9.9
    assert breaker.open  # 10 s now
    clock.now += 0.2
    breaker.failed()
    clock.now += 11.9
    assert breaker.open  # capped at 12 s
    clock.now += 0.2
    assert not breaker.open
    breaker.succeeded()
    breaker.failed()
    clock.now += 5.1
    assert not breaker.open  # back to the first back-off


def test_only_network_failures_count_not_rejected_tokens():
    assert is_fetch_failure(requests.ConnectionError("unreachable"))
    assert is_fetch_failure(requests.HTTPError("503"))
    assert is_fetch_failure(asyncio.TimeoutError())
    assert not is_fetch_failure(PermissionError("invalid token"))
    assert not is_fetch_failure(ValueError("bad header"))
