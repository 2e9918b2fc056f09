"""Write-behind batches: bookkeeping rows a turn produces, written a moment later, many at once.

Why: a Q&A turn's answer does not depend on its bookkeeping (a knowledge-gap count, the
sender's conversation reference), yet writing it inside the turn made the turn wait for a
commit, and on SQLite every commit takes the one write lock all server processes share.
The load benchmark's worst turns were such writes queueing behind each other. A
`WriteBehind` keeps the latest item per key in memory and writes them all in one
transaction `delay_s` after the first unwritten one, and at `close()`.

What it costs: a crash loses at most `delay_s` of bookkeeping (the answers were given; a
reference is stored again on the person's next message). A failed write keeps the items
and tries again `delay_s` later. Reports, alerts and conversation state never go through
here: they are written inside the turn, before the user is told anything.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Generic, Hashable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class WriteBehind(Generic[T]):
    def __init__(self, name: str, write: Callable[[dict[Hashable, T]], Awaitable[None]], delay_s: float,
                 merge: Callable[[T, T], T] = lambda _older, newer: newer):
        self.name, self._write, self.delay_s, self._merge = name, write, delay_s, merge
        self._pending: dict[Hashable, T] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task] = set()

    def add(self, key: Hashable, item: T) -> None:
        """Queue `item` (merged with anything unwritten under `key`); it is written within delay_s."""
        older = self._pending.get(key)
        self._pending[key] = item if older is None else self._merge(older, item)
        self._arm()

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay_s, self._write_soon)

    def _write_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def flush(self) -> None:
        """Write everything queued now. On failure the items stay queued for the next attempt."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            await self._write(batch)
        except Exception as exc:  # noqa: BLE001 - bookkeeping: keep it and try again, never break a turn
            log.warning("%s not written yet (%d kept for the next try): %s", self.name, len(batch), type(exc).__name__)
            for key, item in batch.items():
                newer = self._pending.get(key)
                self._pending[key] = item if newer is None else self._merge(item, newer)
            self._arm()

    async def close(self) -> None:
        """At shutdown: finish writes under way, then write the rest once."""
        await asyncio.gather(*self._writing, return_exceptions=True)
        await self.flush()
        if self._timer is not None:  # that write failed too: nothing more can be done here
            self._timer.cancel()
            self._timer = None
