"""The contracts of two cut-offs, tested at their edges so an off-by-one shows (kept small and written
against the functions' documented behaviour, so they survive a rewrite of the modules around them):

* `taught_not_covered`: a question at least TAUGHT_NOT_COVERED near a taught «dekkes ikke» question,
  and nearer to it than to any unit, is vetoed; the threshold itself counts.
* `choose_threshold`: the lowest cut that still refuses `refuse_share` of the held-out negatives, where
  refusing means probability < cut; a negative exactly at a would-be cut must be refused, not answered.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from retrieval.answerability import TAUGHT_NOT_COVERED, taught_not_covered
from retrieval.learning import choose_threshold
from retrieval.search import Signals


def _result(not_covered: float, dense_top: float):
    return SimpleNamespace(signals=Signals(not_covered=not_covered, dense_top=dense_top), hits=())


def test_the_taught_not_covered_veto_holds_at_exactly_its_threshold():
    assert taught_not_covered(_result(TAUGHT_NOT_COVERED, TAUGHT_NOT_COVERED - 0.1))
    assert not taught_not_covered(_result(math.nextafter(TAUGHT_NOT_COVERED, 0.0), 0.5))
    assert not taught_not_covered(_result(TAUGHT_NOT_COVERED, TAUGHT_NOT_COVERED))  # a unit as near: no veto


@pytest.mark.parametrize("share", [1.0, 0.5, 0.34, 0.9])
def test_choose_threshold_refuses_the_negatives_it_promises_and_no_more(share):
    negatives = np.array([0.2, 0.35, 0.5, 0.8, 0.61])
    probabilities = np.concatenate([negatives, [0.9, 0.95, 0.4]])
    answerable = np.array([False] * len(negatives) + [True] * 3)
    cut = choose_threshold(probabilities, answerable, share)
    needed = math.ceil(share * len(negatives))
    refused = int(np.sum(negatives < cut))  # the engine answers when probability >= cut
    assert refused >= needed  # the negative at the cut itself is refused, not answered
    assert sorted(negatives)[needed - 1] < cut <= sorted(negatives)[needed - 1] + 1e-6  # and the cut is the lowest


def test_choose_threshold_with_nothing_to_refuse_answers_everything():
    assert choose_threshold(np.array([0.3, 0.7]), np.array([True, False]), 0.0) == 0.0
