"""Configuration, read from the environment once in `main()` and passed down.

Nothing in the code base reads `os.environ` anywhere else. Every variable is
listed in the README ("Konfigurasjon").
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from bot import messages
from retrieval.transfer import TRANSFER_FILE

DEFAULT_PORT = 3978
DEFAULT_EMBEDDER = "e5"  # chosen by measured quality on the dev set: see docs/ENGINEERING.md, "Embeddere"
MAX_QUESTION_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
DEFAULT_RETENTION_DAYS = 90
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RATE_LIMIT = 30
# Requests per minute per client address on /api/ask and /api/feedback, whatever headers it sends (browser or
# script). Well above one person's pace and the browser limit, so an integration or a NAT address of a
# ministry gets room, yet a script cannot store thousands of rows or votes a minute.
CLIENT_RATE_LIMIT = 120
# Host names a browser may reach the web surface under when OMSTILLINGSBOT_ALLOWED_HOSTS is not set.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class SettingsError(ValueError):
    """An environment variable holds a value the bot cannot use; the message names the variable.
    `omstillingsbot` prints it and exits with status 2 instead of starting half-configured."""


_TRUE = ("1", "true", "yes", "ja", "on")
_FALSE = ("0", "false", "no", "nei", "off")
APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")  # botbuilder compares them case-insensitively


def _flag(value: str | None, default: bool, name: str = "") -> bool:
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise SettingsError(messages.text("config_not_flag", name=name, value=value))


def _int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise SettingsError(messages.text("config_not_int", name=name, value=value, low=low, high=high))
    return number


def _choice(name: str, value: str | None, default: str, choices: tuple[str, ...], normalise=str.lower) -> str:
    """`value` if it is one of `choices` (compared after `normalise`), else a SettingsError."""
    if value is None or value.strip() == "":
        return default
    known = {normalise(choice): choice for choice in choices}
    if normalise(value.strip()) not in known:
        raise SettingsError(messages.text("config_not_choice", name=name, value=value, choices=", ".join(choices)))
    return value.strip()


def _url(name: str, value: str | None) -> str:
    if value is None or value.strip() == "":
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(messages.text("config_not_url", name=name, value=value))
    return value.strip()


def _hosts(value: str | None) -> tuple[str, ...]:
    """Comma-separated host names (no scheme, no port), lower-cased; `*` allows any host."""
    hosts = tuple(h.strip().lower().strip("[]") for h in (value or "").split(",") if h.strip())
    for host in hosts:
        if host != "*" and not re.fullmatch(r"[a-z0-9._:-]+", host):
            raise SettingsError(messages.text("config_bad_hosts", value=value))
    return hosts


_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def _slack_id(name: str, value: str | None) -> str:
    """A Slack team, enterprise or app id ("T0123ABCD", "A0123ABCD"): upper-case letters and digits."""
    if value is None or value.strip() == "":
        return ""
    if not _SLACK_ID.match(value.strip()):
        raise SettingsError(messages.text("config_not_slack_id", name=name, value=value))
    return value.strip()


def _embedder(value: str | None) -> str:
    """The rule of retrieval.embedders.make_embedder, checked before anything heavy is imported."""
    spec = (value or "").strip() or DEFAULT_EMBEDDER
    if spec in ("e5", "minilm") or (spec.startswith("st:") and spec[3:].strip()):
        return spec
    raise SettingsError(messages.text("config_not_choice", name="OMSTILLINGSBOT_EMBEDDER", value=value,
                                      choices="e5, minilm, st:<modell eller sti>"))


def _database_url(value: str | None) -> str:
    url = (value or "").strip()
    if url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError(messages.text("config_bad_database_url"))  # never echoed: it may hold a password
    return value or ""


def _days(value: str | None, default: int) -> int:
    """A whole number of days >= 0; anything else is a configuration error, said plainly."""
    if value is None or value.strip() == "":
        return default
    try:
        days = int(value.strip())
    except ValueError:
        days = -1
    if days < 0:
        raise SettingsError("OMSTILLINGSBOT_RETENTION_DAYS må være et helt antall dager, 0 eller mer.")
    return days


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path("data")
    embedder: str = DEFAULT_EMBEDDER
    # Other documents' rows for ranking and gating documents nobody labelled (retrieval/transfer.py);
    # a measurement points it at rows without the document it measures.
    transfer_file: Path = TRANSFER_FILE
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    max_question_chars: int = MAX_QUESTION_CHARS
    max_body_bytes: int = MAX_BODY_BYTES
    # Feedback
    database_url: str = ""  # empty: SQLite file in data_dir
    feedback_secret: str = ""  # empty: generated once and kept in data_dir
    store_questions: bool = True
    store_feedback_text: bool = True
    # Slack
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = ""
    # The workspace and app this bot serves: signed requests from any other are acknowledged and ignored.
    # Empty team: the one auth.test names for SLACK_BOT_TOKEN; empty app: api_app_id is not compared.
    slack_team_id: str = ""
    slack_app_id: str = ""
    # Teams / Bot Framework
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str = ""
    # Operations: retention, Slack feedback element, Teams package details
    retention_days: int = DEFAULT_RETENTION_DAYS  # question texts and comments; 0 = never stored
    slack_feedback_buttons: bool = False  # True: Slack's feedback_buttons element instead of two buttons
    teams_developer_name: str = "Omstillingsbot"
    teams_website_url: str = "https://www.dfo.no/"
    # The privacy statement: linked from the web chat when set, and the Teams package's privacyUrl
    # (which falls back to teams_website_url's default when it is empty). One setting for both surfaces.
    privacy_url: str = ""
    teams_terms_url: str = "https://www.dfo.no/"
    teams_app_version: str = "1.0.0"
    teams_short_description: str = ""  # empty: the text in bot/messages.py
    teams_long_description: str = ""  # empty: the text in bot/messages.py
    # Teams: where Bot Framework's signing keys and the bot's outbound tokens come from
    # (empty: Microsoft's public cloud; set for a private cloud, or a local issuer in the tests)
    teams_openid_metadata_url: str = ""
    teams_login_url: str = ""
    # Teams local mode (no MicrosoftAppId) on a HOST other than loopback: off unless this is set, since
    # local mode accepts activities without a token (e.g. a container whose port is published to 127.0.0.1 only).
    teams_local_any_host: bool = False
    # Web chat and owners' dashboard
    admin_token: str = ""  # empty: no /admin at all (404)
    rate_limit: int = RATE_LIMIT  # browser POSTs per minute per client on /api/ask and /api/feedback; 0: off
    client_rate_limit: int = CLIENT_RATE_LIMIT  # any client's POSTs per minute on the same routes; 0: off
    # Hosts the web surface answers under (DNS rebinding); empty: public_url's host, HOST and loopback.
    allowed_hosts: tuple[str, ...] = ()
    public_url: str = ""  # where users reach the bot (https://bot.example.no/); its host is allowed
    access_log_client: bool = False  # True: the access log keeps client address, Referer and User-Agent
    # Admission control: questions waiting for the engine before POST /api/ask answers 503.
    max_queue: int = 100
    # Conversations
    conversation_ttl_hours: float = 24.0  # conversation state older than this is deleted
    contact: str = ""  # an address or URL offered on refusals, after a thumbs-down and beyond the summary

    @property
    def index_dir(self) -> Path:
        """One index folder per embedder, so comparing embedders never rebuilds the default's index."""
        return self.data_dir / "index" / re.sub(r"[^A-Za-z0-9_.-]+", "_", self.embedder)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token) or bool(self.slack_app_token and self.slack_bot_token)

    @property
    def web_hosts(self) -> frozenset[str]:
        """The Host names the web surface answers under (see `allowed_hosts`)."""
        if self.allowed_hosts:
            return frozenset(self.allowed_hosts)
        hosts = set(LOOPBACK_HOSTS)
        if self.public_url:
            hosts.add((urlsplit(self.public_url).hostname or "").lower())
        if self.host not in ("", "0.0.0.0", "::"):  # a specific listening address is reached by that name
            hosts.add(self.host.lower().strip("[]"))
        return frozenset(hosts - {""})

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        e = dict(os.environ if env is None else env)
        get = e.get
        return cls(
            corpus_dir=Path(get("OMSTILLINGSBOT_CORPUS") or "corpus"),
            data_dir=Path(get("OMSTILLINGSBOT_DATA") or "data"),
            embedder=_embedder(get("OMSTILLINGSBOT_EMBEDDER")),
            host=get("HOST") or "127.0.0.1",
            port=_int("PORT", get("PORT"), DEFAULT_PORT, 1, 65535),
            log_level=_choice("LOG_LEVEL", get("LOG_LEVEL"), "INFO", LOG_LEVELS, str.upper).upper(),
            max_question_chars=_int("OMSTILLINGSBOT_MAX_QUESTION_CHARS", get("OMSTILLINGSBOT_MAX_QUESTION_CHARS"),
                                    MAX_QUESTION_CHARS, 1, MAX_BODY_BYTES),
            database_url=_database_url(get("DATABASE_URL")),
            feedback_secret=get("OMSTILLINGSBOT_FEEDBACK_SECRET") or "",
            store_questions=_flag(get("OMSTILLINGSBOT_STORE_QUESTIONS"), True, "OMSTILLINGSBOT_STORE_QUESTIONS"),
            store_feedback_text=_flag(get("OMSTILLINGSBOT_STORE_FEEDBACK_TEXT"), True,
                                      "OMSTILLINGSBOT_STORE_FEEDBACK_TEXT"),
            slack_bot_token=get("SLACK_BOT_TOKEN") or "",
            slack_signing_secret=get("SLACK_SIGNING_SECRET") or "",
            slack_app_token=get("SLACK_APP_TOKEN") or "",
            slack_api_url=_url("SLACK_API_URL", get("SLACK_API_URL")),
            slack_team_id=_slack_id("OMSTILLINGSBOT_SLACK_TEAM_ID", get("OMSTILLINGSBOT_SLACK_TEAM_ID")),
            slack_app_id=_slack_id("OMSTILLINGSBOT_SLACK_APP_ID", get("OMSTILLINGSBOT_SLACK_APP_ID")),
            microsoft_app_id=get("MicrosoftAppId") or "",
            microsoft_app_password=get("MicrosoftAppPassword") or "",
            microsoft_app_type=_choice("MicrosoftAppType", get("MicrosoftAppType"), "MultiTenant", APP_TYPES),
            microsoft_app_tenant_id=get("MicrosoftAppTenantId") or "",
            retention_days=_days(get("OMSTILLINGSBOT_RETENTION_DAYS"), DEFAULT_RETENTION_DAYS),
            slack_feedback_buttons=_flag(get("OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS"), False, "OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS"),
            teams_developer_name=get("OMSTILLINGSBOT_TEAMS_DEVELOPER_NAME") or cls.teams_developer_name,
            teams_website_url=get("OMSTILLINGSBOT_TEAMS_WEBSITE_URL") or cls.teams_website_url,
            # OMSTILLINGSBOT_TEAMS_PRIVACY_URL is the older name of the same setting, read when the new one is not set.
            privacy_url=_url("OMSTILLINGSBOT_PRIVACY_URL", get("OMSTILLINGSBOT_PRIVACY_URL"))
            or _url("OMSTILLINGSBOT_TEAMS_PRIVACY_URL", get("OMSTILLINGSBOT_TEAMS_PRIVACY_URL")),
            teams_terms_url=get("OMSTILLINGSBOT_TEAMS_TERMS_URL") or cls.teams_terms_url,
            teams_app_version=get("OMSTILLINGSBOT_TEAMS_APP_VERSION") or cls.teams_app_version,
            teams_short_description=get("OMSTILLINGSBOT_TEAMS_SHORT_DESCRIPTION") or "",
            teams_long_description=get("OMSTILLINGSBOT_TEAMS_LONG_DESCRIPTION") or "",
            teams_openid_metadata_url=_url("ToBotFromChannelOpenIdMetadataUrl", get("ToBotFromChannelOpenIdMetadataUrl")),
            teams_login_url=_url("ToChannelFromBotLoginUrl", get("ToChannelFromBotLoginUrl")),
            teams_local_any_host=_flag(get("OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST"), False,
                                       "OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST"),
            admin_token=get("OMSTILLINGSBOT_ADMIN_TOKEN") or "",
            rate_limit=_int("OMSTILLINGSBOT_RATE_LIMIT", get("OMSTILLINGSBOT_RATE_LIMIT"), RATE_LIMIT, 0, 1_000_000),
            client_rate_limit=_int("OMSTILLINGSBOT_CLIENT_RATE_LIMIT", get("OMSTILLINGSBOT_CLIENT_RATE_LIMIT"),
                                   CLIENT_RATE_LIMIT, 0, 1_000_000),
            allowed_hosts=_hosts(get("OMSTILLINGSBOT_ALLOWED_HOSTS")),
            public_url=_url("OMSTILLINGSBOT_PUBLIC_URL", get("OMSTILLINGSBOT_PUBLIC_URL")),
            access_log_client=_flag(get("OMSTILLINGSBOT_ACCESS_LOG_CLIENT"), False, "OMSTILLINGSBOT_ACCESS_LOG_CLIENT"),
            max_queue=_int("OMSTILLINGSBOT_MAX_QUEUE", get("OMSTILLINGSBOT_MAX_QUEUE"), 100, 1, 100_000),
            conversation_ttl_hours=float(_int("OMSTILLINGSBOT_CONVERSATION_TTL_HOURS",
                                              get("OMSTILLINGSBOT_CONVERSATION_TTL_HOURS"), 24, 1, 24 * 365)),
            contact=(get("OMSTILLINGSBOT_CONTACT") or "").strip(),
        )
