"""A school's policy as a file: optional YAML front matter (name, title, review date,
role names) followed by the policy's own text, which is kept exactly as published.

The five bundled schools live in `knowledge/policies/`; any other school brings a plain
policy (see `knowledge/ingest.py`) and gets the same treatment without a header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.clauses import Clause, parse_clauses
from knowledge.facts import next_review_date

POLICY_DIR = Path(__file__).resolve().parent / "policies"
DEFAULT_ROLES = {
    "dsl": "Designated Safeguarding Lead",
    "deputy": "Deputy Designated Safeguarding Lead",
    "head": "Headteacher",
    "chair": "Chair of Governors",
}


@dataclass(frozen=True)
class Policy:
    slug: str
    name: str
    text: str  # the policy body, without front matter
    policy_title: str = "Policy"
    review_date: str = "not stated"
    ask: str = "the Designated Safeguarding Lead"  # who staff should ask when the policy is silent
    roles: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    clauses: tuple[Clause, ...] = ()


def split_front_matter(raw: str) -> tuple[dict, str]:
    if raw.startswith("---\n"):
        end = raw.find("\n---\n", 4)
        if end != -1:
            meta = yaml.safe_load(raw[4:end]) or {}
            return meta, raw[end + 5 :]
    return {}, raw


def make_policy(slug: str, name: str, text: str, **meta) -> Policy:
    """A policy from its text; a review date the front matter does not give is read from the text."""
    known = {k: v for k, v in meta.items() if k in {"policy_title", "review_date", "ask", "roles"}}
    clauses = tuple(parse_clauses(text, slug))
    if known.get("review_date") in (None, "", "not stated"):
        known["review_date"] = next_review_date(clauses) or "not stated"
    return Policy(slug=slug, name=name, text=text, clauses=clauses, **known)


def read_policy_file(path: Path) -> Policy:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    slug = meta.pop("slug", path.stem)
    name = meta.pop("name", slug.replace("-", " ").title())
    return make_policy(slug, name, body, **meta)


@lru_cache(maxsize=1)
def bundled_policies() -> dict[str, Policy]:
    """The schools shipped with the assistant, by slug (parsed once per process)."""
    return {p.slug: p for p in map(read_policy_file, sorted(POLICY_DIR.glob("*.txt")))}
