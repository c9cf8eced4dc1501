"""Owners' sign-in: the admin token is compared in constant time, and a signed session cookie follows.

The cookie is `<expiry>.<nonce>.<signature>`, signed with a key derived from the admin token, so
every instance sharing the token accepts it and changing the token signs everyone out. Signing out
revokes the nonce in this process and, by its `revocation_key`, in the feedback store, which every
admin request asks too (bot/web/admin.py): a copied cookie stays dead after a restart and on the
other instances. The cookie also expires after SESSION_SECONDS. Nothing about the owner is in it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

COOKIE = "omstillingsbot_admin"
SESSION_SECONDS = 8 * 3600
MAX_REVOKED = 10_000


class Sessions:
    def __init__(self, admin_token: str, clock: Callable[[], float] = time.time) -> None:
        self._token = admin_token.encode()
        self._key = hmac.new(self._token, b"omstillingsbot admin session v1", hashlib.sha256).digest()
        self._clock = clock
        self._revoked: dict[str, int] = {}  # nonce -> expiry

    def token_matches(self, candidate: str) -> bool:
        """The whole token, in constant time: both sides are hashed first, so neither a prefix nor the
        token's length can be found by timing (compare_digest returns at once on unequal lengths)."""
        digest = hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).digest()
        return hmac.compare_digest(digest, hashlib.sha256(self._token).digest())

    def new(self) -> str:
        expiry = int(self._clock()) + SESSION_SECONDS
        payload = f"{expiry}.{secrets.token_urlsafe(18)}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, cookie: str | None) -> bool:
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            return False
        payload = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(payload), parts[2]):
            return False
        return int(parts[0]) > self._clock() and parts[1] not in self._revoked

    def revoke(self, cookie: str | None) -> None:
        if not self.valid(cookie):
            return
        expiry, nonce, _ = (cookie or "").split(".")
        now = self._clock()
        for old in [n for n, e in self._revoked.items() if e <= now]:
            del self._revoked[old]
        if len(self._revoked) < MAX_REVOKED:
            self._revoked[nonce] = int(expiry)

    @staticmethod
    def revocation_key(cookie: str) -> tuple[str, int]:
        """What the store keeps for a signed-out session (a valid cookie): a digest of its nonce (the
        nonce itself never leaves the cookie) and its expiry, after which the row can go."""
        expiry, nonce, _ = cookie.split(".")
        return hashlib.sha256(nonce.encode()).hexdigest(), int(expiry)

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()
