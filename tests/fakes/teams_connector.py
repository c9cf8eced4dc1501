"""A local stand-in for the Bot Connector service, for tests and `make bench`.

It speaks the Bot Connector REST API the bot calls back on (activity.serviceUrl):
POST /v3/conversations/{conversationId}/activities/{activityId} (reply), POST
/v3/conversations/{conversationId}/activities (send), PUT …/activities/{activityId} (update),
and answers each with a ResourceResponse {"id": …}, recording every call. The activities the
Bot Connector POSTs *to* the bot are built by tests.fakes.teams_activities.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

from aiohttp import web

from bot.server import start_on_loopback


@dataclass(frozen=True)
class ConnectorCall:
    method: str
    conversation_id: str
    reply_to_id: str | None  # the activity id in the URL of a reply / update
    body: dict
    authorization: str | None
    at: float = field(default_factory=time.perf_counter)  # perf_counter when the call arrived
    resource_id: str = ""  # the id this fake gave the posted activity

    @property
    def type(self) -> str:
        return str(self.body.get("type", ""))

    @property
    def card(self) -> dict | None:
        """The first Adaptive Card attachment's content, if any."""
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None


class FakeConnector:
    def __init__(self, fail_with: int | None = None) -> None:
        self.calls: list[ConnectorCall] = []
        self.fail_with = fail_with  # answer every call with this HTTP status (a connector outage)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self._reply)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._reply)
        self._runner, base = await start_on_loopback(app)
        self.url = f"{base}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, None)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, request.match_info["activity_id"])

    async def _record(self, request: web.Request, activity_id: str | None) -> web.Response:
        arrived = time.perf_counter()
        if self.fail_with is not None:
            return web.json_response({"error": {"code": "ServiceError", "message": "fake outage"}}, status=self.fail_with)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.json_response({"error": {"code": "BadArgument", "message": "invalid JSON"}}, status=400)
        resource_id = f"1{next(self._ids):012d}"
        call = ConnectorCall(request.method, request.match_info["conversation_id"], activity_id, body,
                             request.headers.get("Authorization"), arrived, resource_id)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.json_response({"id": resource_id})

    def messages(self) -> list[ConnectorCall]:
        """The message activities the bot sent (typing indicators left out)."""
        return [call for call in self.calls if call.type == "message"]

    async def wait_for_messages(self, count: int, timeout: float = 30.0) -> list[ConnectorCall]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.messages()) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.messages()

    async def wait_until(self, predicate, timeout: float = 15.0) -> None:  # noqa: ANN001 - calls -> bool
        """Wait until `predicate(self.calls)` holds (TimeoutError after `timeout` seconds)."""
        async def holds() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self.calls))

        await asyncio.wait_for(holds(), timeout)

    async def settle(self, quiet_s: float = 0.3) -> None:
        """Wait until no call has arrived for `quiet_s`. For the benchmark's summary only: a test that checks
        that nothing happened waits for a later event instead (tests.teams_fakes.TeamsServer.after_a_later_event)."""
        while True:
            seen = len(self.calls)
            await asyncio.sleep(quiet_s)
            if len(self.calls) == seen:
                return

    def drop(self, conversation_id: str) -> None:
        """Forget the calls into one conversation (a test's own probe traffic)."""
        self.calls = [call for call in self.calls if call.conversation_id != conversation_id]
