"""Activities shaped exactly as the Bot Connector POSTs them to a Teams bot's /api/messages.

Field names, id formats ("29:" users, "28:" bots, "a:" personal chats, "19:…@thread.tacv2"
channels) and the mention / feedback / reaction payloads follow the Bot Framework activity schema
and Microsoft's Teams documentation. Used by the tests and the benchmark together with
tests.fakes.teams_connector.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone

BOT_ID = "28:00000000-0000-0000-0000-00000000b07"
BOT_NAME = "Omstillingsbot"
USER_ID = "29:1kIHZ3jm9bdVYOtH8Rpk8RN6qdTMFm2tyy-fake-user"
USER_AAD = "6b3c2a81-0000-4000-8000-00000000a11e"
USER_NAME = "Kari Nordmann"
TENANT_ID = "72f988bf-0000-4000-8000-0000000000aa"
PERSONAL_CONVERSATION = "a:1Xb8-personal-fake-conversation-0001"
CHANNEL_CONVERSATION = "19:fake0channel0id@thread.tacv2"
GROUP_CONVERSATION = "19:fake0group0chat0id@thread.v2"

_ids = itertools.count(1)


def new_id() -> str:
    return f"17{next(_ids):011d}"


def _conversation(kind: str, conversation_id: str) -> dict:
    return {"conversationType": kind, "tenantId": TENANT_ID, "id": conversation_id,
            **({"isGroup": True} if kind != "personal" else {})}


def envelope(kind: str, service_url: str, *, conversation_type: str = "personal", conversation_id: str | None = None,
             activity_id: str | None = None, user_id: str = USER_ID, **fields: object) -> dict:
    conversation_id = conversation_id or {"personal": PERSONAL_CONVERSATION, "channel": CHANNEL_CONVERSATION,
                                          "groupChat": GROUP_CONVERSATION}[conversation_type]
    channel_data: dict = {"tenant": {"id": TENANT_ID}}
    if conversation_type == "channel":
        channel_data.update(teamsChannelId=conversation_id.split(";")[0], teamsTeamId=conversation_id.split(";")[0],
                            channel={"id": conversation_id.split(";")[0]}, team={"id": conversation_id.split(";")[0]})
    now = datetime.now(timezone.utc)
    return {
        "type": kind,
        "id": activity_id or new_id(),
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "localTimestamp": now.isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": USER_NAME, "aadObjectId": USER_AAD},
        "conversation": _conversation(conversation_type, conversation_id),
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "nb-NO",
        "channelData": channel_data,
        **fields,
    }


def message(text: str, service_url: str, *, mention: bool = False, **options: object) -> dict:
    """A user's message; with `mention` it is "@Omstillingsbot <text>" as Teams sends it from a channel."""
    entities: list[dict] = [{"type": "clientInfo", "locale": "nb-NO", "country": "NO", "platform": "Web",
                             "timezone": "Europe/Oslo"}]
    if mention:
        tag = f"<at>{BOT_NAME}</at>"
        text = f"{tag} {text}"
        entities.insert(0, {"type": "mention", "text": tag, "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    return envelope("message", service_url, text=text, textFormat="plain", entities=entities, **options)


def card_submit(value: dict, service_url: str, **options: object) -> dict:
    """What an Adaptive Card Action.Submit button sends: a message with no text and the button's data."""
    return envelope("message", service_url, value=value, textFormat="plain", **options)


def bot_added(service_url: str, **options: object) -> dict:
    """conversationUpdate when the app is installed: the bot itself is among membersAdded."""
    return envelope("conversationUpdate", service_url, membersAdded=[{"id": BOT_ID}],
                    **{"channelData": {"tenant": {"id": TENANT_ID}, "eventType": "teamMemberAdded"}}, **options)


def feedback(reply_to_id: str, reaction: str, service_url: str, text: str | None = None, **options: object) -> dict:
    """Teams' native feedback form submitted on the bot message `reply_to_id` (message/submitAction)."""
    action: dict = {"reaction": reaction}
    if text is not None:
        action["feedback"] = json.dumps({"feedbackText": text})
    return envelope("invoke", service_url, name="message/submitAction", replyToId=reply_to_id,
                    value={"actionName": "feedback", "actionValue": action}, **options)


def reaction(reply_to_id: str, service_url: str, *, added: str | None = "like", removed: str | None = None,
             **options: object) -> dict:
    fields: dict = {"replyToId": reply_to_id}
    if added:
        fields["reactionsAdded"] = [{"type": added}]
    if removed:
        fields["reactionsRemoved"] = [{"type": removed}]
    return envelope("messageReaction", service_url, **fields, **options)
