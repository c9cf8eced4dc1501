"""Shared harnesses for the Teams tests.

`handler_adapter` runs TeamsBot under botbuilder's own TestAdapter (no HTTP at all).
`TeamsServer` runs the real aiohttp route with the Teams adapter mounted, next to the fake Bot
Connector from tests.fakes.teams_connector, and POSTs activities the way the Bot Connector does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector import models as connector_models

from bot.server import start_on_loopback
from bot.serving.service import ChatService
from bot.settings import Settings
from bot.teams import adapter as teams_adapter
from tests.fakes import teams_activities as fa
from tests.fakes.teams_connector import FakeConnector

SERVICE_URL = "https://smba.trafficmanager.net/emea/"  # only used as data under TestAdapter
PROBE_CONVERSATION = "a:1Xb8-probe-fake-conversation-0001"  # where after_a_later_event asks its question


def handler_adapter(service: ChatService, channel_id: str = "msteams") -> tuple[TestAdapter, teams_adapter.TeamsBot]:
    async def get_service() -> ChatService:
        return service

    bot = teams_adapter.TeamsBot(get_service, typing_after_s=60.0)
    template = Activity(channel_id=channel_id, service_url=SERVICE_URL,
                        from_property=ChannelAccount(id=fa.USER_ID, name=fa.USER_NAME, aad_object_id=fa.USER_AAD),
                        recipient=ChannelAccount(id=fa.BOT_ID, name=fa.BOT_NAME),
                        conversation=ConversationAccount(id=fa.PERSONAL_CONVERSATION, conversation_type="personal"))
    test_adapter = TestAdapter(bot.on_turn, template)
    test_adapter.on_turn_error = bot.on_error
    return test_adapter, bot


def as_activity(data: dict) -> Activity:
    """A Bot Connector payload (from tests.fakes.teams_activities) as botbuilder parses it."""
    return Activity().deserialize(data)


def as_sent(activity: Activity) -> Activity:
    """What the Bot Connector receives for an activity the bot sent, as botbuilder would parse it: TestAdapter
    keeps the objects, and a `Rendered` one carries its JSON beside the address botbuilder set."""
    if not isinstance(activity, teams_adapter.Rendered):
        return activity  # typing indicators, invoke responses: botbuilder's own activities
    return Activity().deserialize(rendered_serializer().body(activity, "Activity"))


def rendered_serializer() -> teams_adapter._RenderedSerializer:
    """The serializer the bot installs on its connector client, with botbuilder's schema models."""
    return teams_adapter._RenderedSerializer({k: v for k, v in vars(connector_models).items() if isinstance(v, type)})


def card_of(activity: Activity) -> dict | None:
    for attachment in activity.attachments or []:
        if attachment.content_type == "application/vnd.microsoft.card.adaptive":
            return attachment.content
    return None


def card_text(card: dict) -> str:
    """Every visible string of a card, for assertions on what a user reads."""
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in card.items() if k != "actions"})
    walk([{"title": a.get("title")} for a in card.get("actions", [])])
    return "\n".join(parts)


@dataclass
class Posted:
    status: int
    body: str

    def json(self) -> object:
        return json.loads(self.body) if self.body else None


class TeamsServer:
    """The bot's aiohttp app with only the Teams route, on a real loopback port, and a fake Bot Connector."""

    def __init__(self, service: ChatService, settings: Settings | None = None, typing_after_s: float = 60.0) -> None:
        self.service = service
        self.settings = settings or Settings()
        self.typing_after_s = typing_after_s
        self.connector = FakeConnector()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "TeamsServer":
        await self.connector.start()
        service = self.service

        async def get_service() -> ChatService:
            return service

        app = web.Application(client_max_size=self.settings.max_body_bytes)
        teams_adapter.mount(app, self.settings, get_service, typing_after_s=self.typing_after_s)
        self._runner, base = await start_on_loopback(app)
        self.url = f"{base}/api/messages"
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.connector.stop()

    @property
    def service_url(self) -> str:
        return self.connector.url

    async def after_a_later_event(self, headers: dict | None = None) -> None:
        """The explicit signal for a check that something did *not* happen: post one more message ("hjelp",
        in PROBE_CONVERSATION) and wait for its reply. Activities are handled in arrival order (the turn runs
        before the HTTP response), so once the probe's reply is in the connector's log, whatever earlier
        activities were going to send is there too. The probe's own calls are then dropped from the log."""
        probe = fa.message("hjelp", self.service_url, conversation_id=PROBE_CONVERSATION)
        assert (await self.post(probe, headers)).status == 200

        await self.connector.wait_until(
            lambda calls: any(c.conversation_id == PROBE_CONVERSATION and c.type == "message" for c in calls))
        self.connector.drop(PROBE_CONVERSATION)

    async def post(self, activity: dict | bytes | str, headers: dict | None = None) -> Posted:
        """POST as the Bot Connector does: JSON, UTF-8, and (in the cloud) a Bearer token."""
        assert self._http is not None
        data = activity if isinstance(activity, (bytes, str)) else json.dumps(activity)
        sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        async with self._http.post(self.url, data=data, headers=sent) as response:
            return Posted(response.status, await response.text())
