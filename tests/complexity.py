"""Does a text function's time grow linearly with its input? For patterns that backtrack.

Linear work grows 8-fold from 1,000 to 8,000 characters and quadratic work 64-fold: the bound sits
between, so the check is about the shape of the growth, not about how fast this machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SHORT, LONG = 1_000, 8_000
BOUND = 24


def _best_of_three(fn: Callable[[str], object], text: str) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        fn(text)
        timings.append(time.perf_counter() - started)
    return min(timings)


def grows_linearly(fn: Callable[[str], object], unit: str) -> bool:
    """True when `fn` on `unit` repeated to 8,000 characters takes under BOUND times as long as on 1,000."""
    return _best_of_three(fn, unit * (LONG // len(unit))) < BOUND * _best_of_three(fn, unit * (SHORT // len(unit)))
