"""Socket Mode: for networks with no public URL the bot connects out to Slack instead of being called.

slack_sdk's client asks apps.connections.open (with the app-level token) for a WebSocket URL,
connects, and hands every envelope to bolt, which acknowledges it on the socket; the answers go
out through the Web API exactly as in HTTP mode.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

SOCKET_RETRY_MAX_S = 60


class SocketModeRunner:
    """Connects out to Slack (apps.connections.open, then a WebSocket) when the server starts.

    A failed connection never stops the server: it is retried with backoff, and slack_sdk's
    client reconnects on its own once connected."""

    def __init__(self, bolt: AsyncApp, app_token: str) -> None:
        self.handler = AsyncSocketModeHandler(bolt, app_token, web_client=bolt.client,
                                              logger=logging.getLogger("bot.slack.socket"))
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        delay = 1.0
        while True:
            try:
                await self.handler.connect_async()
                log.info("Slack Socket Mode tilkoblet")
                return
            except Exception as exc:  # noqa: BLE001 - network, auth or Slack errors: log and retry
                log.warning("Slack Socket Mode connection failed (%s); retrying in %.0f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, SOCKET_RETRY_MAX_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.handler.close_async()
