"""The owners' lessons on every instance: each process reads the lessons in the shared feedback
store at most once every LESSON_POLL_S seconds (before answering a question) and teaches its engine
the new and changed ones, so a lesson given on `/admin` of one instance is answered by every
instance within about a second, without a restart or a rebuild. A store that cannot be read leaves
the lessons already applied in force and is tried again at the next poll.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.feedback.base import IGNORED, Lesson

LESSON_POLL_S = 1.0


class LessonBook:
    """Which lessons this process's engine has applied: (unit, time taught) per question key."""

    def __init__(self) -> None:
        self._applied: dict[str, tuple[str, str]] = {}

    def fresh(self, lessons: Sequence[Lesson]) -> list[Lesson]:
        """The lessons the engine has not applied yet, or that an owner has changed since; a dismissed
        question teaches nothing."""
        return [lesson for lesson in lessons if lesson.unit != IGNORED and lesson.question
                and self._applied.get(lesson.question_key) != (lesson.unit, lesson.taught)]

    def mark(self, lessons: Sequence[Lesson]) -> None:
        for lesson in lessons:
            self._applied[lesson.question_key] = (lesson.unit, lesson.taught)
