"""Group commit: many writers' items in few transactions, written by one thread.

A burst of 50 answers used to cost 50 commits (50 fsyncs with SQLite's synchronous=FULL) one after
another, and every reply waited for its own. Here items queue, and one writer thread at a time takes
everything pending and writes it in one call; items arriving meanwhile are written together in the
next. Each caller learns when its own item is stored, or gets the error its batch met, so an
acknowledged item is still a stored item.

Why a writer thread of its own instead of writing from the callers' threads: callers that waited
for another caller's batch each held a thread of the event loop's small default pool (6 threads on
two cores), so in a Slack or Teams burst the conversation loads and event dedupes queued behind
answers that were only waiting for a commit, and replies went out in one clump at the end.
`wait(item)` awaits without holding any thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[Sequence[T]], Sequence[Any] | None], name: str = "group-commit") -> None:
        """`write(items)` stores a batch in one transaction; it may return one result per item
        (`link_messages`' found/unknown, `claim_events`' first/seen), handed to that item's caller."""
        self._write = write
        self._name = name
        self._pending: list[tuple[T, Future]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, item: T) -> Future:
        """Queue `item`; the future completes once it is stored, with its result (or its batch's error)."""
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError(f"{self._name} is closed")
            self._pending.append((item, future))
            if self._thread is None:
                # One long-lived writer, started on first use: starting a thread per busy spell made
                # the caller (the event loop) wait for the new thread to get the interpreter lock,
                # up to a switch interval each time while the engine was computing.
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()
        return future

    def __call__(self, item: T) -> Any:
        """Store `item`, blocking until it is stored. Raises what the batch's write raised."""
        return self.submit(item).result()

    async def wait(self, item: T) -> Any:
        """Store `item` from a coroutine, holding no thread while it waits."""
        return await asyncio.wrap_future(self.submit(item))

    def close(self) -> None:
        """Write what is pending, then stop the writer."""
        with self._cond:
            self._closed = True
            thread = self._thread
            self._cond.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return  # closed and drained
                batch, self._pending = self._pending, []
            try:
                results = self._write([item for item, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - handed to every writer of the batch
                for _, future in batch:
                    if future.set_running_or_notify_cancel():
                        future.set_exception(exc)
            else:
                for n, (_, future) in enumerate(batch):
                    # A caller that stopped waiting (its request task was cancelled as its client hung up)
                    # has a cancelled future: its item is written all the same, and nobody is told. Setting
                    # a result on it raised, and this thread died: every later write then waited forever.
                    if future.set_running_or_notify_cancel():
                        future.set_result(None if results is None else results[n])
