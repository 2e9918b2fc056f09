"""Knowledge gaps: questions a school's policy did not answer, for the policy owner.

Only the question is kept, never who asked it. Repeats of the same question (after
normalisation) are counted on one row, so `python app.py gaps --school SLUG` shows
what staff most need the policy to say.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import open_database
from bot.models import KnowledgeGap, utcnow

MAX_EXAMPLE = 500


def gap_key(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    return " ".join(words)[:300]


async def record_gap(sessions, school_slug: str, question: str) -> None:
    """Count one unanswered question (upsert, safe under concurrent turns)."""
    key = gap_key(question)
    if not key:
        return
    now = utcnow()
    async with sessions() as session, session.begin():
        dialect = session.bind.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(KnowledgeGap).values(
            school_slug=school_slug, question_key=key, example=question.strip()[:MAX_EXAMPLE],
            count=1, first_seen=now, last_seen=now,
        ).on_conflict_do_update(
            index_elements=["school_slug", "question_key"],
            set_={"count": KnowledgeGap.count + 1, "last_seen": now},
        )
        await session.execute(stmt)


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
