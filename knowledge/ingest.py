"""Zero-curation ingestion: a school brings its policy file and gets answers at once.

`python app.py ingest FILE --school SLUG --name "School name"` reads the file, parses it
into clauses and stores both in the database named by DATABASE_URL, in one transaction:
an unreadable or empty file raises before anything is written. The matcher answers an
ingested school by direct clause retrieval, so no hand-written mapping is needed.

Re-ingesting a new version of a curated school's policy keeps the ids of unchanged
clauses (ids hash the clause text) and reports every curated intent whose clause
changed or vanished, with the most similar new clause as a likely successor.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from sqlalchemy import delete, select

from bot.db import open_database
from bot.models import ClauseRow, School
from knowledge.catalog import load_catalog
from knowledge.clauses import Clause
from knowledge.embedding import ModelMissing, load_encoder
from knowledge.policy_file import Policy, bundled_policies, make_policy, split_front_matter
from knowledge.readers import UnreadablePolicy, read_policy_text
from knowledge.retrieval import passage

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ENCODE_STEP = 64  # clauses encoded between two progress lines
SUCCESSOR_MIN_SIMILARITY = 70  # below this, a changed clause is reported as vanished


@dataclass(frozen=True)
class StaleMapping:
    intent: str
    clause_id: str
    old_text: str
    successor_id: str | None  # the most similar clause in the new version, if any
    similarity: float


@dataclass
class IngestReport:
    slug: str
    name: str
    clauses: int
    unchanged: int
    added: int
    removed: int
    stale: list[StaleMapping] = field(default_factory=list)
    orphaned_questions: int = 0  # clause questions whose clause this version no longer has

    def lines(self) -> list[str]:
        out = [
            f"Ingested {self.name} ({self.slug}): {self.clauses} clauses "
            f"({self.unchanged} unchanged, {self.added} new, {self.removed} removed since the previous version)."
        ]
        if self.stale:
            out.append(f"{len(self.stale)} curated answer(s) cite a clause that changed or vanished; review them:")
            for s in self.stale:
                successor = (
                    f"likely now {s.successor_id} ({s.similarity:.0f}% similar)"
                    if s.successor_id
                    else "no similar clause in the new version"
                )
                out.append(f"  - intent {s.intent}: clause {s.clause_id} changed or vanished; {successor}")
                out.append(f"      was: {s.old_text[:160]}")
        if self.orphaned_questions:
            out.append(
                f"{self.orphaned_questions} question(s) written for a clause that changed or vanished no longer "
                f"count; rewrite them for the new wording in knowledge/catalog/clause_questions/."
            )
        return out


def build_policy(path: Path, slug: str, name: str | None, ask: str | None) -> Policy:
    """Read and parse; raises UnreadablePolicy (nothing written) when there is no usable text."""
    if not SLUG.match(slug):
        raise UnreadablePolicy(f"school slug {slug!r} must be 2-63 lowercase letters, digits or hyphens")
    meta, body = split_front_matter(read_policy_text(path))
    meta.pop("slug", None)
    name = name or meta.pop("name", None) or slug.replace("-", " ").title()
    meta.pop("name", None)
    if ask:
        meta["ask"] = ask
    policy = make_policy(slug, name, body, **meta)
    if not policy.clauses:
        raise UnreadablePolicy(f"{path.name}: no policy clauses found (the text has no sentences or bullets)")
    return policy


def _stale_mappings(slug: str, previous: Policy | None, new: Policy) -> list[StaleMapping]:
    catalog = load_catalog()
    new_texts = _texts_by_id(new.clauses)  # a split paragraph still answers to its old id
    old_texts = _texts_by_id(previous.clauses) if previous else {}
    stale = []
    for intent_id in catalog.intents:
        mapping = catalog.mapping(slug, intent_id)
        if mapping is None:
            continue
        for clause_id in mapping.clause_ids:
            if clause_id in new_texts:
                continue
            old_text = old_texts.get(clause_id, "")
            successor, similarity = _most_similar(old_text, new_texts)
            stale.append(StaleMapping(intent_id, clause_id, old_text, successor, similarity))
    return stale


def _texts_by_id(clauses: tuple[Clause, ...]) -> dict[str, str]:
    """Each citable id's text: a clause's own, and for a paragraph split into parts
    (`Clause.block`), the parts joined again."""
    texts = {c.id: c.text for c in clauses}
    for c in clauses:
        if c.block:
            texts[c.block] = f"{texts[c.block]} {c.text}" if c.block in texts else c.text
    return texts


def _most_similar(text: str, texts: dict[str, str]) -> tuple[str | None, float]:
    if not text or not texts:
        return None, 0.0
    best = max(texts, key=lambda cid: fuzz.token_sort_ratio(text, texts[cid]))
    score = fuzz.token_sort_ratio(text, texts[best])
    return (best, score) if score >= SUCCESSOR_MIN_SIMILARITY else (None, score)


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
    old_ids = {c.id for c in previous.clauses} if previous else set()
    new_ids = {c.id for c in policy.clauses}
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
    return IngestReport(
        slug=policy.slug,
        name=policy.name,
        clauses=len(policy.clauses),
        unchanged=len(old_ids & new_ids),
        added=len(new_ids - old_ids),
        removed=len(old_ids - new_ids),
        stale=_stale_mappings(policy.slug, previous, policy),
        orphaned_questions=_orphaned_questions(policy),
    )


def _orphaned_questions(policy: Policy) -> int:
    known = set(_texts_by_id(policy.clauses))
    return sum(cid not in known for cid, _ in load_catalog().questions_for_clauses(policy.slug))


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
