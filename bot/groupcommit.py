"""Group commit: many threads' writes in few transactions.

A burst of 50 answers used to cost 50 commits (50 fsyncs with SQLite's synchronous=FULL) one after
another, and every reply waited for its own. Here a writer that finds no batch being written takes
everything pending and writes it in one call; writers arriving meanwhile are written together in
the next. Each caller returns once its own item is stored, or raises the error its batch met, so an
acknowledged item is still a stored item.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Pending(Generic[T]):
    item: T
    done: bool = False
    error: BaseException | None = None


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[Sequence[T]], None]) -> None:
        self._write = write
        self._pending: list[_Pending[T]] = []
        self._pending_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def __call__(self, item: T) -> None:
        """Store `item` (blocking; call it from a worker thread). Raises what the batch's write raised."""
        mine = _Pending(item)
        with self._pending_lock:
            self._pending.append(mine)
        with self._write_lock:
            if not mine.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                error: BaseException | None = None
                try:
                    self._write([p.item for p in batch])
                except BaseException as exc:  # noqa: BLE001 - handed to every writer of the batch
                    error = exc
                for pending in batch:
                    pending.error, pending.done = error, True
        if mine.error is not None:
            raise mine.error
