"""A school's policy in the database: stored by `python app.py ingest`, read back at start-up.

Why here and not in knowledge/: knowledge parses and compares policies and knows no database;
storing one (the school row, its source text, its clauses) is persistence, like every other row.
A stored version overrides the bundled policy of the same school.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sqlalchemy import delete, select

from bot.persistence.db import open_database
from bot.persistence.models import ClauseRow, School
from knowledge.embedding import ModelMissing, load_encoder
from knowledge.ingest import IngestReport, build_policy, compare_versions
from knowledge.policy_file import Policy, bundled_policies, make_policy
from knowledge.readers import UnreadablePolicy
from knowledge.retrieval import passage

ENCODE_STEP = 64  # clauses encoded between two progress lines


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


async def run_ingest(settings, file: str, slug: str, name: str | None, ask: str | None) -> int:
    try:
        policy = build_policy(Path(file), slug, name, ask)
    except UnreadablePolicy as exc:
        print(f"error: {exc}. Nothing was changed.", file=sys.stderr)
        return 2
    try:
        encoder = load_encoder()
    except ModelMissing as exc:
        print(f"error: {exc}. Nothing was changed.", file=sys.stderr)
        return 2
    async with open_database(settings.database_url) as sessions:
        report = await store_policy(sessions, policy)
    print("\n".join(report.lines()))
    # the clause vectors, once, now: the server reads them back from the vector store at start
    texts = [passage(c) for c in policy.clauses]
    for start in range(0, len(texts), ENCODE_STEP):
        encoder.encode_many(texts[start : start + ENCODE_STEP])
        print(
            f"\rEncoding clauses for answers by meaning: {min(start + ENCODE_STEP, len(texts))}/{len(texts)}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    return 0
