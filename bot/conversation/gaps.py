"""Knowledge gaps: questions a school's policy did not answer, for the policy owner.

Only the question is kept, never who asked it, and never who it was about: names, initials
and contact details are replaced by placeholders first (bot.conversation.redaction), and the key that
groups repeats is made from the redacted words. Repeats of the same question (after
normalisation) are counted on one row, so `python app.py gaps --school SLUG` shows
what staff most need the policy to say.

A running bot counts gaps in memory (`GapCounter`) and writes them within FLUSH_S seconds
in one transaction, and when it stops (bot.persistence.write_behind says why and what that costs): two
in five questions at a school whose policy is short are gaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.conversation.redaction import redact
from bot.persistence.models import KnowledgeGap, utcnow
from bot.persistence.write_behind import WriteBehind

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
    rows = [
        dict(
            school_slug=school_slug,
            question_key=key,
            example=t.example,
            count=t.count,
            first_seen=t.first_seen,
            last_seen=t.last_seen,
        )
        for (school_slug, key), t in tallies.items()
    ]
    table = KnowledgeGap.__table__
    async with sessions() as session, session.begin():
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(table)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["school_slug", "question_key"],
                set_={"count": table.c.count + stmt.excluded.count, "last_seen": stmt.excluded.last_seen},
            ),
            rows,
        )


def _one(school_slug: str, question: str) -> tuple[tuple[str, str], _Tally] | None:
    """One asking of `question`, redacted, under its row's key; None for a question with no words."""
    question = redact(question)
    key = gap_key(question)
    if not key:
        return None
    now = utcnow()
    return (school_slug, key), _Tally(question.strip()[:MAX_EXAMPLE], 1, now, now)


def _combine(older: _Tally, newer: _Tally) -> _Tally:
    return _Tally(older.example, older.count + newer.count, older.first_seen, newer.last_seen)


async def record_gap(sessions, school_slug: str, question: str) -> None:
    """Count one unanswered question now (the command line; a running bot uses GapCounter)."""
    if gap := _one(school_slug, question):
        await _write(sessions, dict([gap]))


class GapCounter:
    """Counts gaps in memory; they are written within FLUSH_S seconds and at close() (bot.persistence.write_behind)."""

    def __init__(self, sessions, flush_s: float = FLUSH_S):
        self._batch = WriteBehind("knowledge gaps", lambda tallies: _write(sessions, tallies), flush_s, _combine)

    def count(self, school_slug: str, question: str) -> None:
        if gap := _one(school_slug, question):
            self._batch.add(*gap)

    async def flush(self) -> None:
        await self._batch.flush()

    async def close(self) -> None:
        await self._batch.close()


async def list_gaps(sessions, school_slug: str) -> list[KnowledgeGap]:
    async with sessions() as session:
        rows = await session.execute(
            select(KnowledgeGap)
            .where(KnowledgeGap.school_slug == school_slug)
            .order_by(KnowledgeGap.count.desc(), KnowledgeGap.last_seen.desc())
        )
        return list(rows.scalars())
