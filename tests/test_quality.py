"""Quality gates: every labelled question set is evaluated with `bot.evaluation.evaluate.evaluate` (the code behind
`omstillingsbot eval`) and held to its own floor.

The sets are corpus/questions/*.jsonl (the labelled pool the answerability model is fitted on and
remembers: its figures are in-sample, close to 1.00 by construction, and say only that fitting
still works) and ../shared/eval/dev*.jsonl (also in the pool). The evidence is the cross-validated
gate at the end (`omstillingsbot eval --cv`: each question judged by models fitted without it) and
the held-aside sets in tests/holdout/, reported once in docs/ENGINEERING.md and never evaluated here
(asserted below). A labelled set without a line in FLOORS fails, so a new set cannot slip past its gate.

FLOORS were re-set on 2026-11-29 (second session) for engine v2.2 (neighbours vote, lead-in labels)
and the pool with the three reported held-aside sets retired into it (1,337 questions), from the values measured
then minus a small margin; the false-abstention ceilings are the measured counts. In-sample
(recall@1 / recall@3 / abstention accuracy / false abstentions), fresh data folder:
blind2 0.93/1.00/1.00/0 · blind3 1.00/1.00/1.00/0 · blind4 0.99/0.99/1.00/0 · blind5 1.00/1.00/1.00/0 ·
blind6 0.99/0.99/1.00/0 · blind7 0.98/0.98/1.00/0 · blind8 0.98/0.98/1.00/0 · dev 1.00/1.00/1.00/0 ·
dev2 1.00/1.00/1.00/0 · fresh 1.00/1.00/1.00/0 · heldout 1.00/1.00/1.00/0 · retired-holdout1
0.99/0.99/1.00/0 · retired-holdout2 1.00/1.00/1.00/0 · retired-holdout3 0.99/1.00/0.96/0 ·
retired-holdout4 0.98/0.99/1.00/0. Cross-validated over all 1,337 (REFUSE_SHARE 0.93): 0.91 / 0.95 /
283 of 304 refused / 14 of 1,033 answerable refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED, require_shared


@dataclass(frozen=True)
class Floor:
    recall_at_1: float
    recall_at_3: float
    abstention_accuracy: float
    max_false_abstentions: int


# One line per labelled set: file path relative to the repository's parent folder.
FLOORS: dict[str, Floor] = {
    "omstillingsbot/corpus/questions/blind2.jsonl": Floor(0.90, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind3.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind4.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind5.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind6.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind7.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/blind8.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/dev.jsonl": Floor(0.95, 0.95, 1.00, 0),
    "omstillingsbot/corpus/questions/dev2.jsonl": Floor(0.95, 0.95, 1.00, 0),
    "omstillingsbot/corpus/questions/fresh.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/heldout.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout1.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout2.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout3.jsonl": Floor(0.95, 0.95, 0.92, 0),
    "omstillingsbot/corpus/questions/retired-holdout4.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout5.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout6.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "omstillingsbot/corpus/questions/retired-holdout7.jsonl": Floor(0.95, 0.95, 0.95, 0),
    "shared/eval/dev.jsonl": Floor(0.95, 0.95, 1.00, 0),
    "shared/eval/dev2.jsonl": Floor(0.95, 0.95, 1.00, 0),
}
# Cross-validated over the whole pool (bot/evaluation/cross_validate.py), measured 0.93 / 0.96 / 12 of 1,318 answerable
# refused / 350 of 379 unanswerable refused. The memory gate judges only questions that resemble the labelled ones;
# the others meet the document-independent gate, which refuses at most 2 % of answerable questions: against the
# memory gate alone (0.92 / 0.96 / 23 / 361) 11 fewer answerable and 11 fewer unanswerable questions are refused.
CV_FLOOR = Floor(0.92, 0.95, 0.92, 15)
HOLDOUT_PREFIX = "holdout"


def _key(path: Path) -> str:
    """A set's name in FLOORS; the repository folder is called omstillingsbot whatever the checkout's name."""
    if path.is_relative_to(ROOT):
        return "omstillingsbot/" + path.relative_to(ROOT).as_posix()
    return path.relative_to(SHARED.parent).as_posix()


def _path(key: str) -> Path:
    return ROOT / key.removeprefix("omstillingsbot/") if key.startswith("omstillingsbot/") else SHARED.parent / key


def labelled_sets() -> list[Path]:
    """Every labelled set there is, the held-aside one excluded."""
    found = sorted((ROOT / "corpus" / "questions").glob("*.jsonl")) + sorted((SHARED / "eval").glob("dev*.jsonl"))
    return [path for path in found if not path.name.startswith(HOLDOUT_PREFIX)]


def test_the_held_aside_set_is_never_evaluated():
    assert not [key for key in FLOORS if Path(key).name.startswith(HOLDOUT_PREFIX)]
    assert not [path for path in labelled_sets() if path.name.startswith(HOLDOUT_PREFIX)]


def test_every_labelled_set_has_a_floor():
    assert {_key(path) for path in labelled_sets()} <= FLOORS.keys()


@pytest.mark.parametrize("key", sorted(FLOORS), ids=lambda key: Path(key).name)
def test_quality_floor(engine, key):
    from bot.evaluation.evaluate import evaluate

    assert not Path(key).name.startswith(HOLDOUT_PREFIX)
    path = _path(key)
    if key.startswith("shared/"):
        require_shared(path)  # missing ../shared: a failure in CI, a skip elsewhere
    floor = FLOORS[key]
    report = evaluate(engine, path)
    misses = report["misses"]
    assert report["answerable"] and report["unanswerable"], "a gate needs both kinds of question"
    assert report["recall@1"] >= floor.recall_at_1, misses
    assert report["recall@3"] >= floor.recall_at_3, misses
    assert report["abstention_accuracy"] >= floor.abstention_accuracy, misses
    assert report["false_abstentions"] <= floor.max_false_abstentions, misses


def test_cross_validated_quality_floor(engine):
    """The figure that is evidence: every labelled question judged by models fitted without it."""
    from bot.evaluation.cross_validate import cross_validate

    tally = cross_validate(engine, ROOT / "corpus")["alle"]
    answerable, unanswerable = tally["answerable"], tally["unanswerable"]
    assert answerable >= 700 and unanswerable >= 200
    assert tally["r1"] / answerable >= CV_FLOOR.recall_at_1, tally
    assert tally["r3"] / answerable >= CV_FLOOR.recall_at_3, tally
    assert tally["refused_ok"] / unanswerable >= CV_FLOOR.abstention_accuracy, tally
    assert tally["refused"] <= CV_FLOOR.max_false_abstentions, tally
