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
DEFAULT_EMBEDDER = "e5"  # chosen by measured quality on the dev set: see README, "Embeddere"
MAX_QUESTION_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "ja", "on")


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
    # Conversations (issue 9)
    conversation_ttl_hours: float = 24.0  # conversation state older than this is deleted
    contact: str = ""  # an address or URL offered on refusals, after a thumbs-down and beyond the summary

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
            conversation_ttl_hours=float(get("OMSTILLINGSBOT_CONVERSATION_TTL_HOURS") or 24.0),
            contact=(get("OMSTILLINGSBOT_CONTACT") or "").strip(),
        )
