"""Several processes on one database, on both back ends: 200 votes from 50 voters on one answer,
cast from several processes (each with several threads) at once, end in exactly the last vote
of each voter; and processes starting together on an empty database migrate it once."""

from __future__ import annotations

import random

from bot.feedback.migrations import LATEST
from bot.feedback.privacy import voter_key
from bot.types import Tally
from tests.feedback_helpers import (  # noqa: F401 - backend, pg_url are fixtures
    backend, make_answer, migrate_in_process, pg_url, run_together, vote_in_process)

PROCESSES = 4
VOTERS = 50
VOTES_PER_VOTER = 4  # 50 x 4 = 200 votes


def test_concurrent_votes_from_several_processes_end_in_exact_tallies(backend):
    rng = random.Random(20190303)
    plan = [(f"U{n:08d}", [rng.choice(["up", "down", "none"]) for _ in range(VOTES_PER_VOTER)])
            for n in range(VOTERS)]
    expected = Tally(up=sum(v[-1] == "up" for _, v in plan), down=sum(v[-1] == "down" for _, v in plan))
    assert expected.up and expected.down  # the plan exercises both kinds of final vote

    answer = make_answer()
    backend.open().record_answer(answer, "slack")
    exit_codes = run_together(vote_in_process, [(backend.settings, answer.answer_id, plan[i::PROCESSES])
                                                for i in range(PROCESSES)])
    assert exit_codes == [0] * PROCESSES

    store = backend.open()
    assert store.tally(answer.answer_id) == expected
    # Each voter's row holds exactly their last vote.
    secret = backend.settings.feedback_secret.encode()
    dump = backend.dump()
    for user, values in plan:
        key = voter_key(secret, "slack", user, answer.answer_id)
        present = f"'{key}', '{values[-1]}')" in dump
        assert present == (values[-1] != "none"), user


def test_processes_starting_together_migrate_an_empty_database_once(backend):
    assert run_together(migrate_in_process, [(backend.settings,)] * PROCESSES) == [0] * PROCESSES
    assert backend.open().schema_versions() == list(range(1, LATEST + 1))
