"""Pure translations of Slack payload pieces into the bot's plain data (tested directly).

Slack sends message text with its own markup: `<@U123>` mentions, `<#C123|name>` channels,
`<!here>` broadcasts, `<https://…|label>` links, and `&amp; &lt; &gt;` escapes. The engine
wants the words the user typed, so mentions and broadcasts are dropped, links keep their label,
and the escapes are undone.
"""

from __future__ import annotations

import re
from typing import get_args

from bot.slack import constants as c
from bot.types import Lang, VoteRequest, VoteValue

_MARKUP = re.compile(r"<([^<>]*)>")
_SPACE = re.compile(r"\s+")
_ANSWER_ID = re.compile(r"^[0-9a-f]{8,64}$")
_SKIN_TONE = re.compile(r"::skin-tone-\d+$")


def _replace(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@") or target.startswith("!"):
        # Mentions (the bot's own included) and broadcasts carry no question content.
        return " "
    if target.startswith("#"):
        return f"#{label}" if label else " "
    return label or target  # a link: its label, or the URL itself


def question_text(raw: str) -> str:
    """The question as the user meant it: Slack markup removed, escapes undone, spaces collapsed."""
    text = _MARKUP.sub(_replace, raw or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _SPACE.sub(" ", text).strip()


def is_user_message(event: dict) -> bool:
    """A message a person wrote now: not an edit, deletion, join, bot post or file-only share."""
    return (
        event.get("subtype") is None  # edits, joins, bot posts all carry a subtype
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and bool(event.get("user"))
        and isinstance(event.get("text"), str)
    )


def parse_vote_value(value: object) -> VoteRequest | None:
    """"up:<answer_id>:<lang>" from a vote button (or feedback_buttons element); None if malformed."""
    if not isinstance(value, str):
        return None
    parts = value.split(c.VALUE_SEPARATOR)
    if len(parts) != 3:
        return None
    vote, answer_id, lang = parts
    if vote not in ("up", "down") or not _ANSWER_ID.match(answer_id) or lang not in get_args(Lang):
        return None
    return VoteRequest(answer_id, vote, lang)  # type: ignore[arg-type]


def _ids(*values: object) -> set[str]:
    return {value for value in values if isinstance(value, str) and value}


def from_elsewhere(body: dict, team_id: str, enterprise_id: str, app_id: str) -> bool:
    """True for a (correctly signed) request that is not for this bot's own workspace or app.

    `team_id` / `enterprise_id`: the workspace (or, for an org-wide install, the organisation) the bot
    token belongs to; `app_id`: the bot's app. Empty values are not compared. The request's workspace is
    read where each payload kind carries it: `team_id` (events, slash commands), `team.id` and
    `user.team_id` (interactivity), and an event's `authorizations` (in a channel shared with another
    workspace the event is delivered to this installation, which is listed there)."""
    if app_id and body.get("api_app_id") != app_id:
        return True
    team, user = body.get("team"), body.get("user")
    authorizations = [a for a in body.get("authorizations") or [] if isinstance(a, dict)]
    if team_id:
        teams = _ids(body.get("team_id"), team.get("id") if isinstance(team, dict) else None,
                     user.get("team_id") if isinstance(user, dict) else None,
                     *(a.get("team_id") for a in authorizations))
        return team_id not in teams
    if enterprise_id:
        enterprise = body.get("enterprise")
        enterprises = _ids(body.get("enterprise_id"), enterprise.get("id") if isinstance(enterprise, dict) else None,
                           *(a.get("enterprise_id") for a in authorizations))
        return enterprise_id not in enterprises
    return False


def reaction_vote(name: object) -> VoteValue | None:
    """:+1: / :thumbsup: (any skin tone) is up, :-1: / :thumbsdown: is down; other reactions are not votes."""
    if not isinstance(name, str):
        return None
    return c.REACTION_VOTES.get(_SKIN_TONE.sub("", name))
