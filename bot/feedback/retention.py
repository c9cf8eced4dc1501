"""Retention: how long the words people typed are kept, and the purge that enforces it.

Question texts and free-text comments are kept `Settings.retention_days` days (default 90);
0 means they are never written. That holds for every table that keeps such a text: answers,
feedback_texts and the conversation state (whose last question is cleared, and whose rows older than
OMSTILLINGSBOT_CONVERSATION_TTL_HOURS are deleted by the same purge, so an idle bot keeps none). Votes, tallies, cited units and the hour of each answer are
anonymous and stay, so the feedback report's counts do not change when texts are purged.

The server purges once at start-up and then every hour (`purge_forever`); an operator can
purge at any time with `omstillingsbot purge`. Texts are stamped by the hour, so a text goes
within about two hours after it has become older than the period (hour stamp + hourly run).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.feedback.base import FeedbackStore, Purged

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0


def log_purged(purged: Purged) -> None:
    if purged.questions or purged.comments or purged.conversations:
        log.info("retention: removed %d question texts and %d comments from before %s, "
                 "and purged %d conversation states", purged.questions, purged.comments, purged.before,
                 purged.conversations)


async def purge_forever(get_store: Callable[[], Awaitable[FeedbackStore | None]],
                        interval_s: float = PURGE_EVERY_S) -> None:
    """Purge now, then every `interval_s` seconds, until cancelled. A failed purge (database down)
    is logged and tried again at the next turn; it never stops the bot."""
    try:
        store = await get_store()
    except Exception as exc:  # noqa: BLE001 - the engine failed to start; the server reports that itself
        log.warning("retention purge not scheduled: %s", type(exc).__name__)
        return
    if store is None:
        return
    while True:
        try:
            log_purged(await asyncio.to_thread(store.purge))
        except Exception as exc:  # noqa: BLE001 - StoreUnavailable, driver errors
            log.warning("retention purge failed: %s", type(exc).__name__)
        await asyncio.sleep(interval_s)
