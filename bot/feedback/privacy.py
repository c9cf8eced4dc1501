"""Privacy model of the feedback store.

What is stored, and what is not:

* An answer is stored under a random id (uuid4, made by the engine, never derived from a
  platform id), with the question text *after redaction* (or no text at all when
  `Settings.store_questions` is off), the cited chunk ids and labels, the engine's confidence,
  whether it abstained, the platform name ("slack", "teams", "web", "cli") and the hour it was
  asked (UTC, rounded down) - nothing finer that could be matched against a chat log.
* A vote is stored as (answer id, voter key, up|down). The voter key is an HMAC-SHA256 of
  the platform name, the platform user id AND the answer id under a secret the store never
  sees. It exists only to keep one vote per person per answer: the same person gets a
  different key on every answer, so keys cannot be joined across answers, and without the
  secret a key cannot be matched to a user list.
* Chat message references (Slack channel+ts, Teams activity ids) and delivery event ids are
  stored only as HMACs of the same kind, to find the answer a reaction belongs to and to drop
  duplicate deliveries. Event keys are pruned after a day.
* Conversation state (for follow-up questions) is stored under an HMAC of the adapter's
  conversation key: the cited unit ids and answer kinds of the last few turns, the language, the
  last resolved question (redacted; none when question storage is off) and the minute it was
  updated. It is deleted once older than OMSTILLINGSBOT_CONVERSATION_TTL_HOURS (default 24).
* No platform user id, name, e-mail, team/tenant id or channel id is stored anywhere, and
  none is logged. Question redaction replaces e-mail addresses (IDN domains and quoted local
  parts included), phone numbers, Norwegian national identity numbers (with or without
  separators), bank account numbers and IBANs, IPv4/IPv6 addresses, URLs carrying credentials,
  access tokens, and anything that looks like a Slack/Teams mention or id with placeholders.

The secret comes from OMSTILLINGSBOT_FEEDBACK_SECRET; when that is unset it is generated once
into `<data dir>/feedback-secret` (mode 0600) and a warning is logged. Losing the secret only
means that a person who voted before can vote once more on the same old answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from ipaddress import ip_address
from pathlib import Path

from bot.datadir import ensure_private_dir
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_FILE = "feedback-secret"
MAX_STORED_CHARS = 2000


def _digest(secret: bytes, purpose: str, parts: Sequence[str]) -> str:
    """HMAC-SHA256 over length-prefixed parts, so ("ab", "c") and ("a", "bc") never collide and
    a voter key can never equal a message key (the purpose is the first part)."""
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for part in (purpose, *parts):
        # A platform id is whatever arrived: "surrogatepass" so a lone surrogate in one is a key, not a 500.
        data = part.encode("utf-8", "surrogatepass")
        mac.update(len(data).to_bytes(4, "big"))
        mac.update(data)
    return mac.hexdigest()


def voter_key(secret: bytes, platform: str, user_id: str, answer_id: str) -> str:
    """One person's key for one answer; a different answer gives an unrelated key."""
    return _digest(secret, "voter", (platform, user_id, answer_id))


def message_key(secret: bytes, platform: str, parts: Sequence[str]) -> str:
    """Key for a chat message reference (e.g. channel + ts) or a delivery event id."""
    return _digest(secret, "message", (platform, *parts))


def conversation_key(secret: bytes, platform: str, conversation: str) -> str:
    """Key for a conversation's state (the adapter's opaque key: Slack team+channel+thread, Teams
    conversation id, …); the store never sees the platform's ids themselves."""
    return _digest(secret, "conversation", (platform, conversation))


def load_secret(settings: Settings) -> bytes:
    """The deployment's HMAC secret: from the environment, else generated once into the data folder."""
    if settings.feedback_secret:
        return settings.feedback_secret.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        if _create_secret_file(path):
            log.warning(
                "OMSTILLINGSBOT_FEEDBACK_SECRET is not set: generated a new feedback secret in %s. "
                "Set the variable (the same value on every instance) to keep voter keys stable.",
                path,
            )
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        # Not regenerated silently: a new secret would let everyone vote again on old answers, and an
        # empty file usually means a failed copy or restore that the operator should look at.
        raise RuntimeError(f"Filen {path} med tilbakemeldingshemmeligheten er tom. Gjenopprett den fra "
                           f"sikkerhetskopi, slett den (da lages en ny), eller sett OMSTILLINGSBOT_FEEDBACK_SECRET.")
    return secret.encode("ascii")


def _create_secret_file(path: Path) -> bool:
    """Write a fresh secret atomically; False when another process created the file first.

    The secret is written to a private temporary file and hard-linked into place: a link never
    replaces an existing file, so two processes starting together end up with the same secret,
    and no process ever reads a half-written one."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


# --- Redaction -----------------------------------------------------------------------------------
# Order matters: markup and URLs first (they may contain digits and @), then identity numbers
# before phone numbers (an 11-digit number contains 8-digit runs).

def _iban(match: re.Match[str]) -> str:
    """An IBAN is 15-34 characters and passes the ISO 7064 mod-97 check; anything else is kept."""
    raw = match.group(0).replace(" ", "")
    if not 15 <= len(raw) <= 34:
        return match.group(0)
    digits = "".join(str(int(ch, 36)) for ch in raw[4:] + raw[:4])
    return "[kontonummer]" if int(digits) % 97 == 1 else match.group(0)


def _link(match: re.Match[str]) -> str:
    """A link with credentials in its query or fragment, or user:password@ in its authority, becomes
    a placeholder; an ordinary link (regjeringen.no/...) is kept: it says what the question is about."""
    rest = match.group(0).split("://", 1)[1]
    return "[lenke]" if _CREDENTIALS.match(rest) else match.group(0)


def _ipv6(match: re.Match[str]) -> str:
    try:
        ip_address(match.group(0).split("%")[0])
    except ValueError:
        return match.group(0)  # a clock time, a ratio, a Teams id: not an address
    return "[ip-adresse]"


def _eleven_digits(match: re.Match[str]) -> str:
    """A fødselsnummer (or D-/H-nummer: day +40 / month +40) starts with a valid date; other
    eleven-digit numbers (12345678903) are taken as bank account numbers. Both are redacted."""
    digits = re.sub(r"\D", "", match.group(0))
    day, month = int(digits[:2]), int(digits[2:4])
    day = day - 40 if day > 40 else day
    month = month - 40 if month > 40 else month
    return "[fødselsnummer]" if 1 <= day <= 31 and 1 <= month <= 12 else "[kontonummer]"


_SECRET_PARAMS = (
    r"token|access_token|id_token|refresh_token|sig|signature|code|key|api_?key|secret|"
    r"password|passwd|pwd|auth|session|sid|sas|x-amz-signature|x-amz-credential|t"
)
# Matched at the start of a link's text after "://" (one try per link, so linear in the link: the user
# name holds no ":", so "a:a:a:…" is not split at every colon in turn).
_CREDENTIALS = re.compile(rf"[^/\s@<>|:]+:[^/\s@<>|]+@|.*?[?&#;](?:{_SECRET_PARAMS})=", re.IGNORECASE)
_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # Slack markup: <@U123|name>, <#C123|general>, <!subteam^S123|@team>, <!here>
    (re.compile(r"<@[^<>\s]+>"), "[omtale]"),
    (re.compile(r"<#[^<>\s|]+(?:\|[^<>]*)?>"), "[kanal]"),
    (re.compile(r"<![^<>]+>"), "[omtale]"),
    # Teams mention markup: <at>Kari Nordmann</at>
    # (Tempered: a mention holds no other "<at", so each "<at" is scanned only up to the next one.)
    (re.compile(r"<at\b[^<>]*>(?:(?!</?at\b).)*</at>", re.IGNORECASE | re.DOTALL), "[omtale]"),
    # URLs with credentials in the query/fragment or user:password@ in the authority; an
    # ordinary link (regjeringen.no/...) is kept because it says what the question is about.
    # The whole link is matched once and judged in _link: a pattern that looked for the credential
    # from every "http://" in a long run of links scanned the rest of the run each time (quadratic).
    (re.compile(r"(?:https?|ftp)://[^\s<>|]*", re.IGNORECASE), _link),
    # Access tokens that travel without a URL
    (re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+"), "[token]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "[token]"),
    (re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*", re.IGNORECASE), "[token]"),
    # Teams / Bot Framework ids: "29:1AbC...", "8:orgid:<guid>", "19:abc@thread.tacv2", "a:1xY..."
    (re.compile(r"(?<![\w:])(?:\d{1,2}|[a-z]):[A-Za-z0-9_.:@=+/-]{10,}"), "[id]"),
    # GUIDs (AAD object ids, tenant ids)
    (re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b"), "[id]"),
    # Slack ids (U…, W…, C…, T…, …): an upper-case letter then 7–14 upper-case letters/digits,
    # at least one a digit, so capitalised words ("DEPARTEMENTET", "COVID19") are kept.
    (re.compile(r"\b[UWCGDTBSEFAR](?=[A-Z0-9]*\d)[A-Z0-9]{7,14}\b"), "[id]"),
    # E-mail: quoted local parts ("kari nordmann"@…) and non-ASCII (IDN) domains too.
    # An unquoted local part starts where no local-part character precedes it: tried from inside a
    # long word, it ran to the word's end and failed there, once per letter (quadratic).
    (re.compile(r'(?:"[^"\n]{1,64}"|(?<![\w.%+-])[\w.%+-]+)@(?:[\w-]+\.)+[^\W\d_]{2,}'), "[e-post]"),
    # IBAN (NO93 8601 1117 947, DE89 3704 0044 0532 0130 00); checked in _iban.
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b"), _iban),
    # IP addresses: v4 dotted quads, v6 candidates checked by the ipaddress module.
    (re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"),
     "[ip-adresse]"),
    (re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[\w.]+)?(?![\w:])"), _ipv6),
    # Bank account numbers written in their groups: 1234.56.78903 / 1234 56 78903
    (re.compile(r"(?<![\d.,])\d{4}[ .]\d{2}[ .]\d{5}(?!\d|[.,]\d)"), "[kontonummer]"),
    # Fødselsnummer / D-nummer, also written "010199 12345" or "01.01.99 12345"; eleven digits that
    # are no valid birth date are a bank account number (_eleven_digits).
    (re.compile(r"(?<![\d.,])\d{2}[./-]?\d{2}[./-]?\d{2}[ .-]?\d{5}(?!\d|[.,]\d)"), _eleven_digits),
    # Phone numbers: with a country prefix anything phone-shaped; without, the Norwegian
    # groupings 8 digits / 3-2-3 / 2-2-2-2 / 4-4; a 4-4 pair must not start with 1 or 2, so a
    # pair of years ("2019 2020") stays.
    (re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){1,4}(?![\d])"), "[telefon]"),
    (re.compile(
        r"(?<![\d.,])(?:\d{8}|\d{3}[ .-]\d{2}[ .-]\d{3}|\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|[3-9]\d{3}[ .-]\d{4})(?![\d]|[.,]\d)"
    ), "[telefon]"),
)


def redact(text: str) -> str:
    """The text with personal data and platform identifiers replaced by placeholders.

    Also cut to MAX_STORED_CHARS: the store keeps what a question was about, not a document.
    NUL and other control characters go first (PostgreSQL refuses NUL in text columns)."""
    text = "".join(ch for ch in text[: 4 * MAX_STORED_CHARS]
                   if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text[:MAX_STORED_CHARS]
