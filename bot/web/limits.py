"""Bounds that hold whatever headers and cookies a client sends: owners' sign-in attempts and web votes.

Both are keyed by the client's address (`request.remote`), the one thing a script cannot choose per
request; behind a reverse proxy that is the proxy's address, so the bounds then apply to all users
together (generous enough for votes; for sign-in, owners are few). Both live in this process's
memory: a restart or another instance starts afresh, which bounds an attacker per process and hour,
not absolutely.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.web.security import RateLimiter

# Sign-in attempts per minute from one address (bursts up to the same): an owner mistyping a pasted
# token a few times never meets it, a guessing script gets 10 a minute instead of ~2,600 a second.
LOGIN_PER_CLIENT = 10
# Attempts per minute from all addresses together, so many addresses (a botnet, a rotated IPv6
# prefix) do not multiply the rate. An attacker can keep owners waiting this way, never get in.
LOGIN_EVERYONE = 60
# A refused attempt is answered this much later: one client's parallel guesses then cost connections held open.
FAILED_LOGIN_DELAY_S = 1.0
# Shorter tokens do not switch the dashboard on. 16 characters of `openssl rand -hex` are 64 bits: at
# LOGIN_EVERYONE guesses a minute that is ~10^11 years of guessing; even 16 lower-case letters are 75
# bits. The probe broke a 2-character token in 394 guesses.
MIN_ADMIN_TOKEN_CHARS = 16

# Distinct voters (browsers, by their cookie) one address may add to one answer. Colleagues behind
# one NAT address each keep their own vote; beyond this every further "new voter" from the address
# shares one vote on that answer, so a script that drops or forges cookies changes one vote, not 300.
VOTERS_PER_CLIENT_AND_ANSWER = 5
MAX_REMEMBERED = 20_000  # (address, answer) pairs kept; the oldest are forgotten first


class LoginGuard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_client = RateLimiter(LOGIN_PER_CLIENT, clock)
        self._everyone = RateLimiter(LOGIN_EVERYONE, clock)

    def take(self, client: str) -> int:
        """0 when this attempt may be checked, else the seconds to wait."""
        return self._per_client.take(client, "login") or self._everyone.take("*", "login")


class VoterBound:
    def __init__(self, per_answer: int = VOTERS_PER_CLIENT_AND_ANSWER) -> None:
        self._per_answer = per_answer
        self._seen: OrderedDict[str, set[str]] = OrderedDict()

    def voter(self, client: str, answer_id: str, voter_id: str) -> str:
        """The voter id to record the vote under: the browser's own while the address has few voters
        on this answer, else one id shared by every further voter from the address."""
        pair = _digest(client, answer_id)
        seen = self._seen.pop(pair, set())
        self._seen[pair] = seen  # most recently used last
        if len(self._seen) > MAX_REMEMBERED:
            self._seen.popitem(last=False)
        mine = _digest(voter_id)
        if mine in seen or len(seen) < self._per_answer:
            seen.add(mine)
            return voter_id
        return f"address:{client}"  # cannot clash with a cookie id (no ":" in those)


def _digest(*parts: str) -> str:
    """Only digests are kept in memory: no address or voter id lingers in the process."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
