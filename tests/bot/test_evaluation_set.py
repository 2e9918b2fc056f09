"""Checks on the labelled evaluation sets (evaluation/questions.yaml and evaluation/heldout.yaml).

WHY: `python app.py eval` and the benchmarks report accuracy against these files. A typo in an
intent label, an unknown safeguarding kind, a duplicated sentence or a shrunken section would
silently make those figures wrong (a mislabelled question counts as a matcher miss; a duplicate
counts twice). These tests catch that before anyone reads the numbers.

Intent labels are checked against the live catalog (knowledge.catalog.load_catalog), the single
source of truth for intent ids, so a renamed intent breaks here, not quietly in the eval report.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot import kinds
from knowledge.catalog import load_catalog
from knowledge.policy_file import bundled_policies

EVAL_DIR = Path(__file__).resolve().parents[2] / "evaluation"
MAIN = EVAL_DIR / "questions.yaml"
HELDOUT = EVAL_DIR / "heldout.yaml"

SECTIONS = ("questions", "out_of_scope", "safeguarding", "near_misses")
KINDS = set(kinds.triage_kinds())

# The intent ids the team brief fixes (the catalog may add more, never rename or drop these).
# The main set must exercise every one of them, so per-intent figures mean something.
FIXED_INTENTS = (
    "friend_current_pupil friend_ex_pupil_under_18 friend_ex_pupil_over_18 friend_parents "
    "family_links contact_pupils_personal contact_parents_personal pupil_contacts_you "
    "parent_contacts_you contact_after_leaving personal_details_to_pupils photos_personal_device "
    "posting_pupil_photos school_account_photos parent_photos_events visitor_photos "
    "staff_phone_in_school social_media_work_time school_devices_social_media pupil_phones "
    "pupils_social_media_school identify_school posting_about_school criticising_school "
    "school_name_logo confidential_information personal_views privacy_settings passwords_logins "
    "new_staff_online_check school_sanctioned_accounts social_media_in_teaching "
    "messaging_pupils_school_account cyberbullying_pupils staff_abused_online "
    "inappropriate_communication pupils_under_13 misconduct_consequences indecent_images_rules "
    "recording_lessons policy_scope online_gaming"
).split()

# Minimum sizes promised by the evaluation brief: (questions, out_of_scope, safeguarding, near_misses)
MINIMUMS = {
    MAIN: {"questions": 220, "out_of_scope": 40, "safeguarding": 80, "near_misses": 40},
    HELDOUT: {"questions": 55, "out_of_scope": 15, "safeguarding": 25, "near_misses": 0},
}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def normalised(text: str) -> str:
    """Case, punctuation and spacing folded, so near-identical sentences count as duplicates."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def all_texts(data: dict) -> list[str]:
    texts = [q["text"] for q in data.get("questions") or []]
    texts += list(data.get("out_of_scope") or [])
    texts += [m["text"] for m in data.get("safeguarding") or []]
    texts += [q["text"] for q in data.get("near_misses") or []]
    return texts


@pytest.fixture(scope="module")
def catalog_intents() -> set[str]:
    return set(load_catalog().intents)


@pytest.fixture(scope="module")
def school_slugs() -> set[str]:
    return set(bundled_policies())


@pytest.mark.parametrize("path", [MAIN, HELDOUT], ids=lambda p: p.name)
def test_sections_are_present_and_well_formed(path):
    data = load(path)
    assert set(data) == set(SECTIONS), f"{path.name}: sections must be exactly {SECTIONS}"
    for section in ("questions", "near_misses"):
        for item in data[section] or []:
            assert set(item) <= {"text", "intent", "schools"}, item
            assert isinstance(item.get("text"), str) and item["text"].strip(), item
            assert isinstance(item.get("intent"), str), item
    for text in data["out_of_scope"]:
        assert isinstance(text, str) and text.strip(), text
    for item in data["safeguarding"]:
        assert set(item) == {"text", "kind", "urgent"}, item
        assert isinstance(item["text"], str) and item["text"].strip(), item


@pytest.mark.parametrize("path", [MAIN, HELDOUT], ids=lambda p: p.name)
def test_every_intent_label_is_a_catalog_intent(path, catalog_intents):
    data = load(path)
    labelled = [q["intent"] for q in (data["questions"] or []) + (data["near_misses"] or [])]
    unknown = sorted({i for i in labelled if i not in catalog_intents})
    assert not unknown, f"{path.name}: labels that are not catalog intent ids: {unknown}"


@pytest.mark.parametrize("path", [MAIN, HELDOUT], ids=lambda p: p.name)
def test_schools_are_all_or_known_slugs(path, school_slugs):
    data = load(path)
    for item in (data["questions"] or []) + (data["near_misses"] or []):
        schools = item.get("schools", "all")
        if schools == "all":
            continue
        assert isinstance(schools, list) and schools, item
        assert set(schools) <= school_slugs, f"unknown school in {item}"


@pytest.mark.parametrize("path", [MAIN, HELDOUT], ids=lambda p: p.name)
def test_safeguarding_kinds_and_urgency_are_valid(path):
    items = load(path)["safeguarding"]
    for item in items:
        assert item["kind"] in KINDS, item
        assert isinstance(item["urgent"], bool), item
    kinds = Counter(item["kind"] for item in items)
    assert all(kinds[k] >= 5 for k in KINDS), f"{path.name}: too few of some kind: {kinds}"
    assert sum(item["urgent"] for item in items) >= 5, "urgent cases (999 first) must be tested"


@pytest.mark.parametrize("path", [MAIN, HELDOUT], ids=lambda p: p.name)
def test_minimum_counts(path):
    data = load(path)
    for section, minimum in MINIMUMS[path].items():
        assert len(data[section] or []) >= minimum, f"{path.name}: {section} has fewer than {minimum}"


def test_main_set_covers_every_fixed_intent_at_least_three_times():
    counts = Counter(q["intent"] for q in load(MAIN)["questions"])
    thin = {i: counts[i] for i in FIXED_INTENTS if counts[i] < 3}
    assert not thin, f"intents with fewer than 3 evaluation questions: {thin}"


def test_main_set_has_at_least_40_questions_per_school(school_slugs):
    questions = load(MAIN)["questions"]
    for slug in school_slugs:
        applicable = [q for q in questions if q.get("schools", "all") == "all" or slug in q["schools"]]
        assert len(applicable) >= 40, f"{slug}: only {len(applicable)} questions"


def test_no_duplicates_within_or_across_the_two_sets():
    texts = all_texts(load(MAIN)) + all_texts(load(HELDOUT))
    dupes = [t for t, n in Counter(normalised(t) for t in texts).items() if n > 1]
    assert not dupes, f"duplicated sentences: {dupes}"
