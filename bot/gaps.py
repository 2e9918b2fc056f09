"""Knowledge gaps: questions a school's policy did not answer, for the policy owner.

Only the question is kept, never who asked it. Repeats of the same question (after
normalisation) are counted on one row, so `python app.py gaps --school SLUG` shows
what staff most need the policy to say.

A running bot counts gaps in memory (`GapCounter`) and writes them at most every FLUSH_S
seconds in one transaction, and when it stops. Why: two in five questions at a school whose
policy is short are gaps, and writing each one at once made every such turn wait for a
database commit (an fsync on SQLite, and a lock the other server processes queue behind).
A crash loses at most FLUSH_S seconds of counts; the answers themselves were already given.
"""
from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import open_database
from bot.models import KnowledgeGap, utcnow

log = logging.getLogger(__name__)

MAX_EXAMPLE = 500
FLUSH_S = 5.0


def gap_key(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    return " ".join(words)[:300]


@dataclass
class _Tally:
    example: str
    count: int
    first_seen: datetime
    last_seen: datetime


async def _write(sessions, tallies: dict[tuple[str, str], _Tally]) -> None:
    """Add the tallies to their rows in one executemany (a Core statement: the ORM would go row by
    row), so the write lock is held for one round trip. Upserts: safe with several processes."""
    rows = [dict(school_slug=school_slug, question_key=key, example=t.example, count=t.count,
                 first_seen=t.first_seen, last_seen=t.last_seen) for (school_slug, key), t in tallies.items()]
    table = KnowledgeGap.__table__
    async with sessions() as session, session.begin():
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(table)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["school_slug", "question_key"],
            set_={"count": table.c.count + stmt.excluded.count, "last_seen": stmt.excluded.last_seen},
        ), rows)


def _tally(tallies: dict, school_slug: str, question: str) -> bool:
    key = gap_key(question)
    if not key:
        return False
    now = utcnow()
    tally = tallies.get((school_slug, key))
    if tally is None:
        tallies[(school_slug, key)] = _Tally(question.strip()[:MAX_EXAMPLE], 1, now, now)
    else:
        tally.count, tally.last_seen = tally.count + 1, now
    return True


async def record_gap(sessions, school_slug: str, question: str) -> None:
    """Count one unanswered question now (the command line; a running bot uses GapCounter)."""
    tallies: dict = {}
    if _tally(tallies, school_slug, question):
        await _write(sessions, tallies)


class GapCounter:
    """Counts gaps in memory; writes them FLUSH_S seconds after the first unwritten one, and on close()."""

    def __init__(self, sessions, flush_s: float = FLUSH_S):
        self.sessions, self.flush_s = sessions, flush_s
        self._pending: dict[tuple[str, str], _Tally] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task] = set()

    def count(self, school_slug: str, question: str) -> None:
        if _tally(self._pending, school_slug, question) and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_s, self._flush_soon)

    def _flush_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Write what has been counted. On failure the counts stay, to be written next time."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            await _write(self.sessions, batch)
        except Exception as exc:  # noqa: BLE001 - gaps are a courtesy to the policy owner; keep them for later
            log.warning("knowledge gaps not written yet: %s", type(exc).__name__)
            for key, tally in batch.items():
                kept = self._pending.get(key)
                if kept is None:
                    self._pending[key] = tally
                else:
                    kept.count, kept.first_seen = kept.count + tally.count, tally.first_seen
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self.flush_s, self._flush_soon)

    async def close(self) -> None:
        await asyncio.gather(*self._flushing, return_exceptions=True)
        await self.flush()
        if self._timer is not None:  # the last write failed: nothing more can be done
            self._timer.cancel()
            self._timer = None


async def list_gaps(sessions, school_slug: str) -> list[KnowledgeGap]:
    async with sessions() as session:
        rows = await session.execute(
            select(KnowledgeGap).where(KnowledgeGap.school_slug == school_slug)
            .order_by(KnowledgeGap.count.desc(), KnowledgeGap.last_seen.desc())
        )
        return list(rows.scalars())


async def run_gaps(settings, school_slug: str) -> int:
    async with open_database(settings.database_url) as sessions:
        gaps = await list_gaps(sessions, school_slug)
    if not gaps:
        print(f"No unanswered questions recorded for {school_slug}.")
        return 0
    print(f"Questions the {school_slug} policy did not answer (most asked first):")
    for gap in gaps:
        print(f"{gap.count:5d}  {gap.example}   (last asked {gap.last_seen:%Y-%m-%d})")
    return 0
