"""Repeated identical questions from one client, recorded once.

Every `POST /api/ask` recorded an answer row, even a question asked again and answered from the
cache: a script stored 1.77 MB with 300 requests. A repeat of the same question, with the same
answer, in the same conversation, from the same client address within REPEAT_WINDOW_S is given the
earlier answer's id (votes on it count on that one row) and is not recorded again. Comparing the answer
too keeps follow-ups apart: "og den neste?" asked twice in a conversation gives two answers, two rows.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.types import Answer, Question

# Ten minutes covers a reload, a double click, a retry and a script's loop, yet the same person asking
# the same thing again later in the day is counted again (the figures count questions asked).
REPEAT_WINDOW_S = 600.0
MAX_REMEMBERED = 10_000  # fingerprints kept; the oldest are forgotten first


class RecentAnswers:
    def __init__(self, window_s: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._clock = clock
        self._seen: OrderedDict[str, tuple[float, str]] = OrderedDict()  # fingerprint -> (when, answer id)

    def earlier(self, client: str, question: Question, answer: Answer) -> str | None:
        """The id of the same answer given to this client within the window, or None (and this one is
        remembered). Only digests are kept: no address or question text lingers here."""
        now = self._clock()
        key = _fingerprint(client, question, answer)
        found = self._seen.get(key)
        if found is not None and now - found[0] < self._window_s:
            return found[1]
        self._seen.pop(key, None)
        self._seen[key] = (now, answer.answer_id)
        while len(self._seen) > MAX_REMEMBERED:
            self._seen.popitem(last=False)
        return None


def _fingerprint(client: str, question: Question, answer: Answer) -> str:
    parts = (client, question.platform, question.conversation, question.text, answer.kind, answer.lang, answer.text,
             *(c.id for c in answer.citations))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
