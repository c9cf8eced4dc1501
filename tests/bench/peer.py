"""The platform's side of a chat benchmark in a process of its own, the bot's app in this one.

Slack's and Microsoft's clouds run on their own machines; in one process the fake cloud and the load
generator would share the bot's interpreter lock, and their work would be counted as the bot's. The
peer process starts its fake, sends its URL, waits for the bot's URL, runs its load and sends back
its figures (both timestamps of each figure are taken there, around the bot).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from aiohttp import web

from bot.server import start_on_loopback

if TYPE_CHECKING:
    from bot.serving.service import ChatService


def receive(conn: Connection, timeout: float):
    if not conn.poll(timeout):
        raise TimeoutError("the other side of the benchmark did not answer")
    return conn.recv()


async def against_peer(peer: Callable[..., None], args: tuple, path: str, timeout: float,
                       make_service: Callable[[], ChatService],
                       mount: Callable[[web.Application, str, Callable[[], Awaitable[ChatService]]], None],
                       after: Callable[[ChatService], Awaitable[dict]] | None = None) -> dict:
    """Run `peer(conn, *args)` in a spawned process; mount the bot with `mount(app, peer_url, get_service)`;
    return the peer's figures, plus `after(service)`'s, measured before the service closes."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=peer, args=(theirs, *args), name="fake-platform", daemon=True)
    child.start()
    service = None
    runner = None
    try:
        peer_url = await asyncio.to_thread(receive, ours, timeout)
        service = await asyncio.get_running_loop().run_in_executor(None, make_service)
        ready = service

        async def get_service() -> ChatService:
            return ready

        app = web.Application()
        mount(app, peer_url, get_service)
        runner, base = await start_on_loopback(app)
        ours.send(f"{base}{path}")
        figures = await asyncio.to_thread(receive, ours, 4 * timeout)
        if after is not None:
            figures.update(await after(service))
        return figures
    finally:
        if runner is not None:
            await runner.cleanup()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()
        if service is not None:
            service.close()
