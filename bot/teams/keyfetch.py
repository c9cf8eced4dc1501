"""Rate limit for fetching Microsoft's token-signing key metadata while that fetch is failing.

botframework-connector caches the OpenID metadata and keys for a day once a fetch succeeded, but
while the endpoint is unreachable every request with a token (a forged one too) starts a fresh
outbound fetch, each holding an auth thread for up to AUTH_TIMEOUT_S. After a failed fetch this
breaker answers "unavailable" at once for a back-off that doubles per failure (5 s up to 5 min);
the next request after the back-off tries again, and a success resets it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import aiohttp
import requests

FIRST_BACKOFF_S = 5.0
MAX_BACKOFF_S = 300.0


def is_fetch_failure(exc: BaseException) -> bool:
    """A network failure reaching the metadata endpoint (not a token that failed validation)."""
    if isinstance(exc, PermissionError):
        return False
    return isinstance(exc, (requests.RequestException, aiohttp.ClientError, asyncio.TimeoutError, TimeoutError,
                            ConnectionError))


class FetchBreaker:
    def __init__(self, clock: Callable[[], float] = time.monotonic, first_s: float = FIRST_BACKOFF_S,
                 max_s: float = MAX_BACKOFF_S) -> None:
        self._clock, self._first, self._max = clock, first_s, max_s
        self._failures = 0
        self._until = float("-inf")
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """True while fetching is paused after a failure."""
        return self._clock() < self._until

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            self._until = self._clock() + min(self._max, self._first * 2 ** (self._failures - 1))

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._until = float("-inf")
