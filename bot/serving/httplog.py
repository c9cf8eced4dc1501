"""What the HTTP server writes to the log: one short line per refused request, and an access log
without who the client is unless the operator asks for it.

aiohttp logs every request it cannot handle with a full traceback (0.85-2.2 KB for a broken gzip
body, an oversized header or an unreadable form), so a script could grow the log by megabytes a
minute. `ShortErrors` stands in for aiohttp's server logger: a fault of the client (the parser or the
body refused it, the client hung up) is one line naming the error's class; anything else is a fault
of ours, logged with its traceback the first time it happens at that place and in one line after.
No line carries the client's address or what it sent.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Mapping
from typing import Any

from aiohttp import http_exceptions
from aiohttp.web_protocol import RequestPayloadError

from bot.settings import Settings

# aiohttp's default access-log format, for operators who turn the client fields on.
ACCESS_LOG_WITH_CLIENT = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
# The default: what was asked and how it went, not who asked (address, Referer, User-Agent).
ACCESS_LOG_PRIVATE = '%t "%r" %s %b %Tf'
CLIENT_FAULTS = (http_exceptions.HttpProcessingError, RequestPayloadError, ConnectionError)
MAX_PLACES = 256  # distinct failure places whose traceback has been logged once; bounded memory

log = logging.getLogger("aiohttp.server")


class ShortErrors(logging.LoggerAdapter):
    def __init__(self, logger: logging.Logger = log) -> None:
        super().__init__(logger, {})
        self._traced: set[tuple[str, str]] = set()

    def log(self, level: int, msg: object, *args: Any, exc_info: Any = None, **kwargs: Any) -> None:
        if not exc_info:
            super().log(level, msg, *args, **kwargs)
            return
        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if exc is None:
            super().log(level, msg, *args, **kwargs)
            return
        name = type(exc).__name__
        if isinstance(exc, CLIENT_FAULTS):
            self.logger.info("request refused: %s", name)
            return
        place = _place(exc)
        if (name, place) in self._traced or len(self._traced) >= MAX_PLACES:
            self.logger.error("request failed: %s at %s (traceback logged before)", name, place)
            return
        self._traced.add((name, place))
        self.logger.error("request failed: %s at %s", name, place, exc_info=exc)


def _place(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def handler_args(settings: Settings) -> Mapping[str, Any]:
    """aiohttp's request-handler options (web.Application(handler_args=...), which run_app and the
    test server both honour)."""
    return {"logger": ShortErrors(),
            "access_log_format": ACCESS_LOG_WITH_CLIENT if settings.access_log_client else ACCESS_LOG_PRIVATE}
