"""Pure parsing of what Teams sends: mention removal, card vote data, the native feedback invoke, reactions.

Everything here takes plain values (strings, dicts, lists) so it is tested without botbuilder, and
never raises on malformed input: anything unexpected parses to None / "not a vote".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.answering.compose import is_answer_id
from bot.teams import constants as c
from bot.types import Lang, VoteRequest, VoteValue

# A mention holds no other "<at": each "<at" is scanned only up to the next one, not to the end of
# the message (a message of "<at <at <at …" was quadratic).
_AT_TAG = re.compile(r"<at\b[^<>]*>((?:(?!</?at\b).)*)</at>", re.IGNORECASE | re.DOTALL)
_LANGS: tuple[Lang, ...] = ("nb", "nn", "en")


@dataclass(frozen=True)
class Mention:
    user_id: str
    text: str  # the markup as it appears in the message, e.g. "<at>Omstillingsbot</at>"


@dataclass(frozen=True)
class Incoming:
    text: str
    mentions_bot: bool


@dataclass(frozen=True)
class NativeFeedback:
    value: VoteValue
    text: str  # the optional comment from Teams' feedback form ("" when none)


def mentions_from_entities(entities: Iterable[tuple[str | None, dict]]) -> list[Mention]:
    """(entity type, entity properties) pairs -> the mention entities that name someone."""
    found = []
    for kind, props in entities:
        mentioned = props.get("mentioned") if isinstance(props, dict) else None
        if (kind or "").lower() == "mention" and isinstance(mentioned, dict) and isinstance(mentioned.get("id"), str):
            text = props.get("text")
            found.append(Mention(mentioned["id"], text if isinstance(text, str) else ""))
    return found


def incoming_text(text: str | None, mentions: Iterable[Mention], bot_id: str) -> Incoming:
    """The question as the user meant it: the bot's own @mention removed, other mentions reduced to
    the name (no markup reaches the engine), non-breaking spaces and runs of whitespace collapsed."""
    text = text or ""
    mentioned = False
    for mention in mentions:
        if mention.user_id == bot_id:
            mentioned = True
            if mention.text:
                text = text.replace(mention.text, " ")
    text = _AT_TAG.sub(lambda m: m.group(1), text)
    return Incoming(" ".join(text.replace("\xa0", " ").split()), mentioned)


def conversation_key(conversation_id: str) -> str:
    """A channel thread's id carries ";messageid=…"; reactions and feedback may arrive with or without it."""
    return conversation_id.split(";", 1)[0]


def card_vote(value: object) -> VoteRequest | None:
    """The data of one of our card vote buttons (Action.Submit), or None for anything else."""
    if not isinstance(value, dict) or value.get(c.VOTE_KEY) != c.VOTE_VERB:
        return None
    vote, answer_id, lang = value.get("value"), value.get("answer_id"), value.get("lang")
    if vote not in ("up", "down") or not is_answer_id(answer_id):
        return None
    return VoteRequest(answer_id, vote, lang if lang in _LANGS else "nb")


MAX_ASK_CHARS = 500  # a suggestion is a short question or command; anything longer is not ours


def card_ask(value: object) -> str | None:
    """The question of one of our card suggestion buttons (Action.Submit), or None for anything else."""
    if not isinstance(value, dict) or value.get(c.VOTE_KEY) != c.ASK_VERB:
        return None
    ask = value.get("ask")
    if not isinstance(ask, str) or not ask.strip() or len(ask) > MAX_ASK_CHARS:
        return None
    return " ".join(ask.split())


def native_feedback(value: object) -> NativeFeedback | None:
    """message/submitAction value {"actionName": "feedback", "actionValue": {"reaction": "like"|"dislike",
    "feedback": "{\\"feedbackText\\": \\"…\\"}"}} -> the vote and the optional comment."""
    if not isinstance(value, dict) or value.get("actionName") != c.FEEDBACK_ACTION_NAME:
        return None
    action = value.get("actionValue")
    if not isinstance(action, dict):
        return None
    reaction = action.get("reaction")
    vote = c.FEEDBACK_REACTIONS.get(reaction) if isinstance(reaction, str) else None  # a list is unhashable
    if vote is None:
        return None
    return NativeFeedback(vote, _feedback_text(action.get("feedback")))


def _feedback_text(raw: object) -> str:
    """Teams sends the form as a JSON string; be lenient about an object or plain text."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return raw.strip()
    if isinstance(raw, dict):
        text = raw.get("feedbackText")
        return text.strip() if isinstance(text, str) else ""
    return raw.strip() if isinstance(raw, str) else ""


def reaction_votes(added: Iterable[str | None], removed: Iterable[str | None]) -> list[VoteValue]:
    """messageReaction -> votes, in order: a 👍 added is "up", a 👍 removed retracts ("none")."""
    votes: list[VoteValue] = []
    votes += ["up" for kind in added if kind == c.REACTION_UP]
    votes += ["none" for kind in removed if kind == c.REACTION_UP]
    return votes
