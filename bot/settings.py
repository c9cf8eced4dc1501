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

DEFAULT_PORT = 3978
DEFAULT_EMBEDDER = "e5"  # chosen by measured quality on the dev set: see docs/ENGINEERING.md, "Embeddere"
MAX_QUESTION_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
DEFAULT_RETENTION_DAYS = 90


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "ja", "on")


def _days(value: str | None, default: int) -> int:
    """A whole number of days >= 0; anything else is a configuration error, said plainly."""
    if value is None or value.strip() == "":
        return default
    try:
        days = int(value.strip())
    except ValueError:
        days = -1
    if days < 0:
        raise ValueError("OMSTILLINGSBOT_RETENTION_DAYS must be a whole number of days, 0 or more")
    return days


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path("data")
    embedder: str = DEFAULT_EMBEDDER
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    max_question_chars: int = MAX_QUESTION_CHARS
    max_body_bytes: int = MAX_BODY_BYTES
    # Feedback (issue: anonymous feedback)
    database_url: str = ""  # empty: SQLite file in data_dir
    feedback_secret: str = ""  # empty: generated once and kept in data_dir
    store_questions: bool = True
    store_feedback_text: bool = True
    # Slack
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = ""
    # Teams / Bot Framework
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str = ""
    # Operations (issue 12): retention, Slack feedback element, Teams package details
    retention_days: int = DEFAULT_RETENTION_DAYS  # question texts and comments; 0 = never stored
    slack_feedback_buttons: bool = False  # True: Slack's feedback_buttons element instead of two buttons
    teams_developer_name: str = "Omstillingsbot"
    teams_website_url: str = "https://www.dfo.no/"
    teams_privacy_url: str = "https://www.dfo.no/"
    teams_terms_url: str = "https://www.dfo.no/"
    teams_app_version: str = "1.0.0"
    teams_short_description: str = ""  # empty: the text in bot/messages.py
    teams_long_description: str = ""  # empty: the text in bot/messages.py

    @property
    def index_dir(self) -> Path:
        """One index folder per embedder, so comparing embedders never rebuilds the default's index."""
        return self.data_dir / "index" / re.sub(r"[^A-Za-z0-9_.-]+", "_", self.embedder)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token) or bool(self.slack_app_token and self.slack_bot_token)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        e = dict(os.environ if env is None else env)
        get = e.get
        return cls(
            corpus_dir=Path(get("OMSTILLINGSBOT_CORPUS") or "corpus"),
            data_dir=Path(get("OMSTILLINGSBOT_DATA") or "data"),
            embedder=get("OMSTILLINGSBOT_EMBEDDER") or DEFAULT_EMBEDDER,
            host=get("HOST") or "127.0.0.1",
            port=int(get("PORT") or DEFAULT_PORT),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            max_question_chars=int(get("OMSTILLINGSBOT_MAX_QUESTION_CHARS") or MAX_QUESTION_CHARS),
            database_url=get("DATABASE_URL") or "",
            feedback_secret=get("OMSTILLINGSBOT_FEEDBACK_SECRET") or "",
            store_questions=_flag(get("OMSTILLINGSBOT_STORE_QUESTIONS"), True),
            store_feedback_text=_flag(get("OMSTILLINGSBOT_STORE_FEEDBACK_TEXT"), True),
            slack_bot_token=get("SLACK_BOT_TOKEN") or "",
            slack_signing_secret=get("SLACK_SIGNING_SECRET") or "",
            slack_app_token=get("SLACK_APP_TOKEN") or "",
            slack_api_url=get("SLACK_API_URL") or "",
            microsoft_app_id=get("MicrosoftAppId") or "",
            microsoft_app_password=get("MicrosoftAppPassword") or "",
            microsoft_app_type=get("MicrosoftAppType") or "MultiTenant",
            microsoft_app_tenant_id=get("MicrosoftAppTenantId") or "",
            retention_days=_days(get("OMSTILLINGSBOT_RETENTION_DAYS"), DEFAULT_RETENTION_DAYS),
            slack_feedback_buttons=_flag(get("OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS"), False),
            teams_developer_name=get("OMSTILLINGSBOT_TEAMS_DEVELOPER_NAME") or cls.teams_developer_name,
            teams_website_url=get("OMSTILLINGSBOT_TEAMS_WEBSITE_URL") or cls.teams_website_url,
            teams_privacy_url=get("OMSTILLINGSBOT_TEAMS_PRIVACY_URL") or cls.teams_privacy_url,
            teams_terms_url=get("OMSTILLINGSBOT_TEAMS_TERMS_URL") or cls.teams_terms_url,
            teams_app_version=get("OMSTILLINGSBOT_TEAMS_APP_VERSION") or cls.teams_app_version,
            teams_short_description=get("OMSTILLINGSBOT_TEAMS_SHORT_DESCRIPTION") or "",
            teams_long_description=get("OMSTILLINGSBOT_TEAMS_LONG_DESCRIPTION") or "",
        )
