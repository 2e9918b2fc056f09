"""Zero-curation ingestion: a school brings its policy file and gets answers at once.

`build_policy` reads the file and parses it into a `Policy` of clauses; an unreadable or empty
file raises. Nothing here touches a database: `python app.py ingest FILE --school SLUG --name
"School name"` stores the policy through bot.persistence.policy_store, in one transaction. The matcher
answers an ingested school by direct clause retrieval, so no hand-written mapping is needed.

Re-ingesting a new version of a curated school's policy keeps the ids of unchanged
clauses (ids hash the clause text) and reports every curated intent whose clause
changed or vanished, with the most similar new clause as a likely successor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from knowledge.catalog import load_catalog
from knowledge.clauses import Clause
from knowledge.policy_file import Policy, make_policy, split_front_matter
from knowledge.readers import UnreadablePolicy, read_policy_text

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
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


def _orphaned_questions(policy: Policy) -> int:
    known = set(_texts_by_id(policy.clauses))
    return sum(cid not in known for cid, _ in load_catalog().questions_for_clauses(policy.slug))


def compare_versions(previous: Policy | None, policy: Policy) -> IngestReport:
    """What replacing `previous` (None: a new school) with `policy` changes: clause counts, curated
    answers whose clause changed or vanished, clause questions left without their clause."""
    old_ids = {c.id for c in previous.clauses} if previous else set()
    new_ids = {c.id for c in policy.clauses}
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
