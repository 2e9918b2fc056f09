"""A school's policy in the database: stored by `python app.py ingest`, read back at start-up.

Why here and not in knowledge/: knowledge parses and compares policies and knows no database;
storing one (the school row, its source text, its clauses) is persistence, like every other row.
A stored version overrides the bundled policy of the same school.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select

from bot.persistence.db import open_database
from bot.persistence.models import ClauseRow, School
from knowledge.ingest import IngestReport, compare_versions
from knowledge.policy_file import Policy, bundled_policies, make_policy


async def _previous_version(sessions, slug: str) -> Policy | None:
    async with sessions() as session:
        row = await session.get(School, slug)
    if row is not None:
        return _policy_from_row(row)
    return bundled_policies().get(slug)


def _policy_from_row(row: School) -> Policy:
    return make_policy(
        row.slug, row.name, row.source_text, policy_title=row.policy_title, review_date=row.review_date, ask=row.ask
    )


async def store_policy(sessions, policy: Policy) -> IngestReport:
    """Replace the school's stored policy and clauses in one transaction."""
    previous = await _previous_version(sessions, policy.slug)
    async with sessions() as session, session.begin():
        await session.execute(delete(ClauseRow).where(ClauseRow.school_slug == policy.slug))
        await session.merge(
            School(
                slug=policy.slug,
                name=policy.name,
                policy_title=policy.policy_title,
                review_date=policy.review_date,
                ask=policy.ask,
                source_sha256=hashlib.sha256(policy.text.encode()).hexdigest(),
                source_text=policy.text,
            )
        )
        await session.flush()
        session.add_all(
            ClauseRow(
                id=c.id, school_slug=c.school, position=c.position, section=c.section, lead_in=c.lead_in, text=c.text
            )
            for c in policy.clauses
        )
    return compare_versions(previous, policy)


async def load_stored_policies(sessions) -> dict[str, Policy]:
    async with sessions() as session:
        rows = (await session.execute(select(School))).scalars().all()
    return {row.slug: _policy_from_row(row) for row in rows}


async def load_ingested_policies(settings) -> dict[str, Policy]:
    """Schools ingested into the database; a stored version overrides a bundled one."""
    async with open_database(settings.database_url) as sessions:
        return await load_stored_policies(sessions)
