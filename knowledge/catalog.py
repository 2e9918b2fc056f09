"""The intent catalog: the staff-question topics the assistant knows, and what each curated
school's policy says about them.

Humans curate it as YAML (`knowledge/catalog/intents.yaml` and one
`knowledge/catalog/schools/<slug>.yaml` per school) because safeguarding leads review it, not
programmers. Loading validates everything a careless edit could break (an unknown verdict, an
intent id typed wrongly, an intent a school file forgot to decide on) and reports every problem
at once, with the file it is in, so a bad edit fails at start-up rather than as a wrong answer.

Clause ids are checked separately by `validate_catalog(policies)`, because they belong to the
parsed policies: a policy re-ingested with changed wording gets new ids, and
`Catalog.intents_citing` tells the operator which curated answers need another look.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.clauses import citable_ids

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
VERDICTS = frozenset({"yes", "no", "conditional", "ask_first", "info"})
ASK_ROLES = frozenset({"dsl", "head"})


class CatalogError(ValueError):
    """The catalog files are inconsistent; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("intent catalog is invalid:\n  - " + "\n  - ".join(self.problems))


@dataclass(frozen=True)
class Intent:
    id: str
    title: str  # short label, e.g. "Friend requests from ex-pupils under 18"
    question: str  # how a "Did you mean ...?" choice words it
    examples: tuple[str, ...]  # staff utterances the matcher learns from
    ask_role: str  # "dsl" or "head": who to ask when a school's policy is silent


@dataclass(frozen=True)
class Mapping:
    verdict: str  # one of VERDICTS
    summary: str  # one plain-English line written from the school's clause
    clause_ids: tuple[str, ...]  # best first


@dataclass(frozen=True)
class Catalog:
    intents: dict[str, Intent]
    mappings: dict[str, dict[str, Mapping]]  # school slug -> intent id -> mapping
    silent: dict[str, frozenset[str]]  # school slug -> intents its policy does not cover
    # school slug -> (clause id, a question staff might ask that this clause answers), written
    # clause by clause; the matcher compares a question with them (knowledge/catalog/clause_questions/)
    clause_questions: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def mapping(self, school_slug: str, intent_id: str) -> Mapping | None:
        """What this school's policy says about the intent; None when it says nothing
        (or the school was never curated). An unknown intent id is a programming error."""
        if intent_id not in self.intents:
            raise KeyError(f"unknown intent id {intent_id!r}")
        return self.mappings.get(school_slug, {}).get(intent_id)

    def curated_schools(self) -> tuple[str, ...]:
        return tuple(sorted(self.mappings))

    def questions_for_clauses(self, school_slug: str) -> tuple[tuple[str, str], ...]:
        """(clause id, question) pairs written for this school's clauses; () when none."""
        return self.clause_questions.get(school_slug, ())

    def silent_intents(self, school_slug: str) -> frozenset[str]:
        return self.silent.get(school_slug, frozenset())

    def intents_citing(self, school_slug: str, clause_id: str) -> tuple[str, ...]:
        """Curated intents of this school whose answer quotes the clause: the ones to
        re-check when a new version of the policy changes or drops that clause."""
        return tuple(
            intent_id for intent_id, m in self.mappings.get(school_slug, {}).items() if clause_id in m.clause_ids
        )

    def citations_missing(self, school_slug: str, clause_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """For a new version of a curated school's policy (the ids it answers to,
        `citable_ids(policy.clauses)`), the curated intents that quote a clause the new
        version no longer has, with those clause ids."""
        present = set(clause_ids)
        missing = {
            intent_id: tuple(cid for cid in m.clause_ids if cid not in present)
            for intent_id, m in self.mappings.get(school_slug, {}).items()
        }
        return {intent_id: ids for intent_id, ids in missing.items() if ids}


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError([f"{path.name}: not valid YAML ({exc})"]) from exc


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_intents(doc: Any, source: str = "intents.yaml") -> tuple[dict[str, Intent], list[str]]:
    problems: list[str] = []
    entries = doc.get("intents") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return {}, [f"{source}: expected a top-level 'intents:' list"]
    intents: dict[str, Intent] = {}
    example_owner: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{source}: intent #{n}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with id, title, question, ask_role, examples")
            continue
        intent_id = _text(entry.get("id"))
        if intent_id is None:
            problems.append(f"{where}: missing id")
            continue
        where = f"{source}: intent {intent_id!r}"
        if intent_id in intents:
            problems.append(f"{where}: duplicate id")
            continue
        fields = {name: _text(entry.get(name)) for name in ("title", "question", "ask_role")}
        problems += [f"{where}: missing {name}" for name, value in fields.items() if value is None]
        if fields["ask_role"] is not None and fields["ask_role"] not in ASK_ROLES:
            problems.append(f"{where}: ask_role {fields['ask_role']!r} is not one of {sorted(ASK_ROLES)}")
        raw_examples = entry.get("examples")
        if not isinstance(raw_examples, list) or not all(_text(e) for e in raw_examples):
            problems.append(f"{where}: examples must be a list of non-empty strings")
            raw_examples = []
        examples = tuple(e.strip() for e in raw_examples)
        for example in examples:
            key = " ".join(example.lower().split())
            if key in example_owner:
                problems.append(f"{where}: example {example!r} is also an example of {example_owner[key]!r}")
            example_owner[key] = intent_id
        intents[intent_id] = Intent(
            intent_id, fields["title"] or "", fields["question"] or "", examples, fields["ask_role"] or ""
        )
    return intents, problems


def _verdict(value: Any) -> Any:
    # YAML 1.1 reads a bare yes/no as a boolean; an editor who typed `verdict: no` meant "no".
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def parse_school(
    doc: Any, slug: str, intents: MappingType[str, Intent], source: str
) -> tuple[dict[str, Mapping], frozenset[str], list[str]]:
    problems: list[str] = []
    if not isinstance(doc, dict):
        return {}, frozenset(), [f"{source}: expected 'school:', 'mappings:' and 'silent:'"]
    if doc.get("school") != slug:
        problems.append(f"{source}: 'school: {doc.get('school')}' does not match the file name ({slug})")
    raw_mappings = doc.get("mappings") or {}
    raw_silent = doc.get("silent") or []
    if not isinstance(raw_mappings, dict):
        return {}, frozenset(), problems + [f"{source}: 'mappings' must map intent ids to entries"]
    if not isinstance(raw_silent, list):
        return {}, frozenset(), problems + [f"{source}: 'silent' must be a list of intent ids"]

    mappings: dict[str, Mapping] = {}
    for intent_id, entry in raw_mappings.items():
        where = f"{source}: {intent_id}"
        if intent_id not in intents:
            problems.append(f"{where}: unknown intent id (not in intents.yaml)")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected verdict, summary and clauses")
            continue
        verdict = _verdict(entry.get("verdict"))
        if verdict not in VERDICTS:
            problems.append(f"{where}: unknown verdict {verdict!r} (use one of {sorted(VERDICTS)})")
        summary = _text(entry.get("summary"))
        if summary is None:
            problems.append(f"{where}: missing summary")
        elif "\n" in summary:
            problems.append(f"{where}: summary must be one line")
        clauses = entry.get("clauses")
        if not isinstance(clauses, list) or not clauses or not all(_text(c) for c in clauses):
            problems.append(f"{where}: clauses must be a non-empty list of clause ids")
            clauses = []
        if len(set(clauses)) != len(clauses):
            problems.append(f"{where}: a clause id is listed twice")
        mappings[intent_id] = Mapping(str(verdict), summary or "", tuple(c.strip() for c in clauses))

    silent = frozenset(raw_silent)
    problems += [f"{source}: silent lists unknown intent id {i!r}" for i in sorted(silent - set(intents))]
    problems += [f"{source}: {i} is both mapped and listed as silent" for i in sorted(silent & set(raw_mappings))]
    undecided = sorted(set(intents) - silent - set(raw_mappings))
    if undecided:
        problems.append(
            f"{source}: does not say whether the policy covers {', '.join(undecided)}"
            " (map each one, or list it under 'silent')"
        )
    return mappings, silent & set(intents), problems


def read_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Reads and checks the catalog files; raises CatalogError listing every problem."""
    intents_path = directory / "intents.yaml"
    if not intents_path.is_file():
        raise CatalogError([f"{intents_path} is missing"])
    intents, problems = parse_intents(_read_yaml(intents_path))
    mappings: dict[str, dict[str, Mapping]] = {}
    silent: dict[str, frozenset[str]] = {}
    for path in sorted((directory / "schools").glob("*.yaml")):
        school_mappings, school_silent, school_problems = parse_school(
            _read_yaml(path), path.stem, intents, f"schools/{path.name}"
        )
        mappings[path.stem], silent[path.stem] = school_mappings, school_silent
        problems += school_problems
    clause_questions, question_problems = read_clause_questions(directory / "clause_questions")
    problems += question_problems
    if problems:
        raise CatalogError(problems)
    return Catalog(intents=intents, mappings=mappings, silent=silent, clause_questions=clause_questions)


def read_clause_questions(directory: Path) -> tuple[dict[str, tuple[tuple[str, str], ...]], list[str]]:
    """Questions written clause by clause (`items: [{clause: <school>-<hash>, questions: [...]}]`),
    grouped by school; the school is the clause id's prefix."""
    out: dict[str, list[tuple[str, str]]] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        doc = _read_yaml(path) or {}
        for n, item in enumerate(doc.get("items") or [], 1):
            clause = item.get("clause") if isinstance(item, dict) else None
            questions = item.get("questions") if isinstance(item, dict) else None
            if not isinstance(clause, str) or "-" not in clause or not isinstance(questions, list):
                problems.append(
                    f"clause_questions/{path.name}: item {n} needs 'clause' (an id) and a list of 'questions'"
                )
                continue
            school = clause.rsplit("-", 1)[0]
            out.setdefault(school, []).extend((clause, str(q)) for q in questions if str(q).strip())
    return {school: tuple(pairs) for school, pairs in out.items()}, problems


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The bundled catalog, read once per process."""
    return read_catalog(CATALOG_DIR)


def validate_catalog(policies: MappingType[str, Any], catalog: Catalog | None = None) -> None:
    """Every curated school has a policy and every cited clause id exists in it.

    `policies` maps slug -> Policy (e.g. `bundled_policies()`). Run at start-up and in tests:
    a clause id that no longer exists would make the assistant quote nothing.
    """
    catalog = catalog or load_catalog()
    problems: list[str] = []
    for slug in catalog.curated_schools():
        policy = policies.get(slug)
        if policy is None:
            problems.append(f"schools/{slug}.yaml: no policy for school {slug!r}")
            continue
        known = citable_ids(policy.clauses)  # a split paragraph still answers to its old id
        for intent_id, m in catalog.mappings[slug].items():
            problems += [
                f"schools/{slug}.yaml: {intent_id} cites clause {cid!r}, which is not in {slug}'s policy"
                for cid in m.clause_ids
                if cid not in known
            ]
    for slug in catalog.clause_questions:
        policy = policies.get(slug)
        known = citable_ids(policy.clauses) if policy is not None else set()
        problems += sorted(
            {
                f"clause_questions: {cid!r} is not a clause of {slug}'s policy"
                for cid, _ in catalog.questions_for_clauses(slug)
                if cid not in known
            }
        )
    if problems:
        raise CatalogError(problems)
