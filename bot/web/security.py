"""The web surface's defences: response headers, a same-origin check on POSTs, a per-client rate limit.

- Every response carries a Content-Security-Policy that allows only this server's own scripts,
  styles and images (no inline script, no CDN) and forbids framing, plus nosniff and a same-origin referrer policy.
- A browser POST to a web route must come from this site: `Sec-Fetch-Site` (when the browser sends
  it) must be same-origin; otherwise `Origin` (when present) must name this host. Clients that send
  neither (curl, scripts) are not browsers and cannot carry a victim's cookies, so they pass.
- The rate limit is a token bucket per client address and route: `limit` requests per minute with
  bursts up to `limit`; when empty the answer is 429 with `Retry-After` in whole seconds. It applies
  to browsers (requests carrying `Sec-Fetch-Site` or `Origin`, as every browser's POST does): the web
  chat's users. Scripts and integrations calling `/api/ask` get a wider per-address bound
  (OMSTILLINGSBOT_CLIENT_RATE_LIMIT, 120 a minute, applied whatever they send) and the engine's admission
  queue (503 with `Retry-After` when full, bot/serving/admission.py): the browser's 30 would make one
  integration, or a whole ministry behind one NAT address, wait a minute after 30 questions.
  Behind a reverse proxy every request has the proxy's address, so the limit then applies to the
  proxy as a whole (set OMSTILLINGSBOT_RATE_LIMIT accordingly, or 0 and limit in the proxy).
- The headers go on every response through `on_response_prepare`, and on the ones aiohttp writes before
  any route is found (a request line or header it cannot parse) through `HardenedRequest`; the `Server`
  header (aiohttp's and Python's versions) is removed from all of them.
- The web surface answers only under the configured host names (`host_allowed`): a page whose DNS name
  is re-pointed at an internal address (DNS rebinding) is same-origin to the browser, and only the Host
  header it sends tells it apart.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not "no-referrer": with it, Chromium sends "Origin: null" on same-site form posts.
    "Referrer-Policy": "same-origin",
}
MAX_BUCKETS = 10_000  # forget idle clients beyond this many, so memory stays bounded


def add_security_headers(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def harden(response: web.StreamResponse) -> None:
    """The security headers, and no version banner (aiohttp has set its Server header by now)."""
    add_security_headers(response)
    response.headers.popall("Server", None)


async def harden_on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    harden(response)


class HardenedRequest(web.Request):
    """aiohttp's request, whose response is hardened even when no route matched: a request that the
    parser refused (oversized header, bad request line) never reaches the app's signals."""

    async def _prepare_hook(self, response: web.StreamResponse) -> None:
        await super()._prepare_hook(response)
        harden(response)


def host_allowed(request: web.Request, hosts: frozenset[str]) -> bool:
    if "*" in hosts:
        return True
    header = request.headers.get("Host", "")
    try:
        name = urlsplit("//" + header).hostname if header else None
    except ValueError:  # "[::1" and the like
        return False
    return bool(name) and name in hosts  # urlsplit lower-cases it


def same_origin(request: web.Request) -> bool:
    # A browser's own word, which page script cannot set; "none" is a user action (address bar).
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.lower() in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null" (sandboxed frames, file://) and anything odd
    return parts.netloc.lower() == (request.host or "").lower()


def from_browser(request: web.Request) -> bool:
    """A browser sends Sec-Fetch-Site on every request and Origin on every POST; page script can
    remove neither."""
    return "Sec-Fetch-Site" in request.headers or "Origin" in request.headers


def is_https(request: web.Request) -> bool:
    """Served over https here or at a proxy in front (only used to add the Secure cookie flag)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by (client, route); `take()` returns 0 when allowed, else seconds to wait."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def take(self, client: str, route: str) -> int:
        if not self.enabled:
            return 0
        now = self._clock()
        bucket = self._buckets.get((client, route))
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_idle(now)
            bucket = self._buckets[(client, route)] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled (their clients are back to a clean slate anyway); if every
        client is active, drop the oldest half."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_BUCKETS:
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)[: MAX_BUCKETS // 2]
            for key in oldest:
                del self._buckets[key]
