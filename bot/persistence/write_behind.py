"""Write-behind batches: bookkeeping rows a turn produces, written a moment later, many at once.

Why: a Q&A turn's answer does not depend on its bookkeeping (a knowledge-gap count, the
sender's conversation reference), yet writing it inside the turn made the turn wait for a
commit, and on SQLite every commit takes the one write lock all server processes share.
The load benchmark's worst turns were such writes queueing behind each other. A
`WriteBehind` keeps the latest item per key in memory and writes them all in one
transaction `delay_s` after the first unwritten one, and at `close()`.

What it costs: a crash loses at most `delay_s` of bookkeeping (the answers were given; a
reference is stored again on the person's next message). Reports, alerts and conversation
state never go through here: they are written inside the turn, before the user is told anything.

When a write fails, it matters why:
- the database is unreachable or busy (`is_outage`): every item is kept and tried again
  `delay_s` later, as one batch;
- anything else may be one bad item (a "poison" row: once, a lone surrogate in a display
  name, which UTF-8 cannot encode) failing the whole transaction. Then each item is written
  on its own: the good ones are stored, a row that fails alone is dropped and counted in
  `dropped` (logged by type, never content). Before this, one such row failed every later
  batch for good, so a DSL who first messaged afterwards was never reachable for an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

T = TypeVar("T")


def is_outage(error: BaseException) -> bool:
    """The database could not be reached or was busy: worth retrying everything later, nothing to drop."""
    return isinstance(error, (OSError, asyncio.TimeoutError, OperationalError, InterfaceError, DisconnectionError))


class WriteBehind(Generic[T]):
    def __init__(
        self,
        name: str,
        write: Callable[[dict[Hashable, T]], Awaitable[None]],
        delay_s: float,
        merge: Callable[[T, T], T] = lambda _older, newer: newer,
    ):
        self.name, self._write, self.delay_s, self._merge = name, write, delay_s, merge
        self._pending: dict[Hashable, T] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task] = set()
        self.dropped = 0  # poison items given up on since start-up

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
        """Write everything queued now: in one batch, else item by item (see the module docstring)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            await self._write(batch)
            return
        except Exception as exc:  # noqa: BLE001 - bookkeeping: keep it and try again, never break a turn
            if is_outage(exc):
                return self._keep(batch, exc)
        await self._one_by_one(batch)

    async def _one_by_one(self, batch: dict[Hashable, T]) -> None:
        items = list(batch.items())
        for position, (key, item) in enumerate(items):
            try:
                await self._write({key: item})
            except Exception as exc:  # noqa: BLE001
                if is_outage(exc):  # the database went away meanwhile: keep this one and the rest
                    return self._keep(dict(items[position:]), exc)
                self.dropped += 1
                log.warning(
                    "%s: dropped one item that cannot be written (%s); %d dropped since start-up",
                    self.name,
                    type(exc).__name__,
                    self.dropped,
                )

    def _keep(self, batch: dict[Hashable, T], error: BaseException) -> None:
        log.warning("%s not written yet (%d kept for the next try): %s", self.name, len(batch), type(error).__name__)
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
