"""The intent catalog: complete, consistent with the parsed policies, and right on the answers a
safeguarding lead would check first."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalog import VERDICTS, CatalogError, load_catalog, read_catalog, validate_catalog
from knowledge.clauses import citable_ids
from knowledge.policy_file import bundled_policies, make_policy

# The fixed intent ids other parts of the assistant (matcher, evaluation set) rely on.
REQUIRED_INTENTS = """
friend_current_pupil friend_ex_pupil_under_18 friend_ex_pupil_over_18 friend_parents family_links
contact_pupils_personal contact_parents_personal pupil_contacts_you parent_contacts_you
contact_after_leaving personal_details_to_pupils photos_personal_device posting_pupil_photos
school_account_photos parent_photos_events visitor_photos staff_phone_in_school
social_media_work_time school_devices_social_media pupil_phones pupils_social_media_school
identify_school posting_about_school criticising_school school_name_logo confidential_information
personal_views privacy_settings passwords_logins new_staff_online_check school_sanctioned_accounts
social_media_in_teaching messaging_pupils_school_account cyberbullying_pupils staff_abused_online
inappropriate_communication pupils_under_13 misconduct_consequences indecent_images_rules
recording_lessons policy_scope online_gaming
""".split()
SCHOOLS = ("oakfield", "stocks-green", "model-policy", "ringway", "buckminster")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def policies():
    return bundled_policies()


def cited(catalog, policies, school, intent_id):
    """The clauses an answer would quote, best first."""
    mapping = catalog.mapping(school, intent_id)
    assert mapping is not None, f"{school} has no mapping for {intent_id}"
    by_id = {c.id: c for c in policies[school].clauses}
    return mapping, [by_id[cid] for cid in mapping.clause_ids]


# --- completeness ---------------------------------------------------------------------------


@pytest.mark.parametrize("intent_id", REQUIRED_INTENTS)
def test_every_listed_intent_has_a_question_and_enough_examples(catalog, intent_id):
    intent = catalog.intents[intent_id]
    assert len(intent.examples) >= 8
    assert len(set(e.lower() for e in intent.examples)) == len(intent.examples)
    assert intent.question.endswith("?")
    assert intent.ask_role in {"dsl", "head"}


def test_all_five_schools_are_curated(catalog):
    assert set(SCHOOLS) <= set(catalog.curated_schools())


@pytest.mark.parametrize("school", SCHOOLS)
def test_each_school_decides_on_every_intent(catalog, school):
    mapped = set(catalog.mappings[school])
    assert mapped | catalog.silent_intents(school) == set(catalog.intents)
    assert not mapped & catalog.silent_intents(school)
    assert len(mapped) >= 20  # every bundled policy covers the core topics


def test_every_cited_clause_exists_in_that_schools_policy(catalog, policies):
    validate_catalog(policies, catalog)  # raises CatalogError naming the first bad id otherwise
    for school in catalog.curated_schools():
        ids = citable_ids(policies[school].clauses)  # a split paragraph's old id still counts
        for mapping in catalog.mappings[school].values():
            assert set(mapping.clause_ids) <= ids


def test_verdicts_are_valid_and_summaries_are_one_line(catalog):
    for school in catalog.curated_schools():
        for intent_id, mapping in catalog.mappings[school].items():
            assert mapping.verdict in VERDICTS, (school, intent_id)
            assert mapping.summary and "\n" not in mapping.summary
            if mapping.verdict == "no":
                assert not mapping.summary.lower().startswith("yes"), (school, intent_id)


def test_silent_intents_map_to_none(catalog):
    assert catalog.mapping("ringway", "pupil_phones") is None
    assert catalog.mapping("buckminster", "friend_ex_pupil_over_18") is None
    assert catalog.mapping("a-school-nobody-curated", "pupil_phones") is None


def test_unknown_intent_id_is_an_error_not_silence(catalog):
    with pytest.raises(KeyError):
        catalog.mapping("ringway", "friend_pupil_typo")


# --- hand-checked answers ---------------------------------------------------------------------


@pytest.mark.parametrize("school", SCHOOLS)
def test_no_school_lets_staff_friend_current_pupils(catalog, school):
    assert catalog.mapping(school, "friend_current_pupil").verdict == "no"


def test_ringway_current_pupils(catalog, policies):
    mapping, clauses = cited(catalog, policies, "ringway", "friend_current_pupil")
    assert mapping.verdict == "no"
    assert "current pupil of any age" in clauses[0].text


def test_ringway_adult_ex_pupils_are_not_forbidden_by_the_under_18_clause(catalog, policies):
    mapping, clauses = cited(catalog, policies, "ringway", "friend_ex_pupil_over_18")
    assert mapping.verdict != "no"
    assert "under the age of 18" in clauses[0].text


def test_oakfield_adult_ex_pupils_need_thought_and_smt_advice(catalog, policies):
    mapping, clauses = cited(catalog, policies, "oakfield", "friend_ex_pupil_over_18")
    assert mapping.verdict == "conditional"
    assert "above the age of 18" in clauses[0].text and "SMT" in mapping.summary


def test_stocks_green_past_pupils_are_covered_whatever_their_age(catalog, policies):
    for intent_id in ("friend_ex_pupil_under_18", "friend_ex_pupil_over_18"):
        mapping, clauses = cited(catalog, policies, "stocks-green", intent_id)
        assert mapping.verdict == "no"
        assert "current or past pupils" in clauses[0].text


def test_buckminster_pupils_may_not_bring_phones(catalog, policies):
    mapping, clauses = cited(catalog, policies, "buckminster", "pupil_phones")
    assert mapping.verdict == "no"
    assert "children are not allowed to bring phones" in clauses[0].text


def test_oakfield_only_year_6_bring_phones(catalog, policies):
    mapping, clauses = cited(catalog, policies, "oakfield", "pupil_phones")
    assert mapping.verdict == "conditional"
    assert "year 6" in clauses[0].text.lower()


def test_pupil_contact_is_reported_to_the_right_person(catalog, policies):
    _, ringway = cited(catalog, policies, "ringway", "pupil_contacts_you")
    assert "designated person for Child Protection" in ringway[0].text
    _, stocks = cited(catalog, policies, "stocks-green", "pupil_contacts_you")
    assert "reported to the DSL" in stocks[0].text
    _, oakfield = cited(catalog, policies, "oakfield", "pupil_contacts_you")
    assert "inform the Head teacher" in oakfield[0].text


def test_parents_photos_at_events_stay_off_social_media_at_stocks_green(catalog, policies):
    mapping, clauses = cited(catalog, policies, "stocks-green", "parent_photos_events")
    assert mapping.verdict == "conditional"
    assert "not be shared on social media" in clauses[0].text


def test_posting_pupil_photos_is_not_the_school_account_question(catalog, policies):
    personal, personal_clauses = cited(catalog, policies, "buckminster", "posting_pupil_photos")
    official, official_clauses = cited(catalog, policies, "buckminster", "school_account_photos")
    assert personal.verdict == "no" and official.verdict == "conditional"
    assert "school’s social media accounts" in official_clauses[0].text
    assert personal_clauses[0].id != official_clauses[0].id


def test_new_staff_should_review_their_profiles(catalog, policies):
    mapping, clauses = cited(catalog, policies, "model-policy", "new_staff_online_check")
    assert mapping.verdict == "yes"
    assert "Before joining the school" in clauses[0].text


def test_intents_citing_lists_curated_answers_that_quote_a_clause(catalog):
    clause_id = catalog.mapping("ringway", "friend_current_pupil").clause_ids[0]
    citing = catalog.intents_citing("ringway", clause_id)
    assert {"friend_current_pupil", "friend_ex_pupil_under_18"} <= set(citing)
    assert catalog.intents_citing("ringway", "ringway-00000000") == ()
    assert catalog.intents_citing("oakfield", clause_id) == ()


# --- validation of edits ------------------------------------------------------------------------

INTENTS_YAML = """
intents:
  - id: pupil_phones
    title: Pupils' phones
    question: Can pupils bring phones?
    ask_role: head
    examples: [r phones allowed in class, can kids bring mobiles]
  - id: friend_parents
    title: Parents as friends
    question: Can I friend parents?
    ask_role: dsl
    examples: [can i add a parent on fb]
"""


def write_catalog(tmp_path: Path, intents: str, school: str | None = None, slug: str = "testschool") -> Path:
    (tmp_path / "schools").mkdir(parents=True)
    (tmp_path / "intents.yaml").write_text(intents)
    if school is not None:
        (tmp_path / "schools" / f"{slug}.yaml").write_text(school)
    return tmp_path


def test_a_well_formed_catalog_loads_and_bare_yaml_no_means_no(tmp_path):
    school = """
school: testschool
mappings:
  pupil_phones:
    verdict: no
    summary: No phones.
    clauses: [testschool-1]
silent: [friend_parents]
"""
    catalog = read_catalog(write_catalog(tmp_path, INTENTS_YAML, school))
    assert catalog.mapping("testschool", "pupil_phones").verdict == "no"
    assert catalog.mapping("testschool", "friend_parents") is None


@pytest.mark.parametrize(
    "school, complaint",
    [
        (
            "school: testschool\nmappings:\n  pupil_phones: {verdict: maybe, summary: x, clauses: [a]}\n"
            "silent: [friend_parents]\n",
            "unknown verdict 'maybe'",
        ),
        (
            "school: testschool\nmappings:\n  pupil_phone: {verdict: info, summary: x, clauses: [a]}\n"
            "silent: [pupil_phones, friend_parents]\n",
            "pupil_phone: unknown intent id",
        ),
        (
            "school: testschool\nmappings:\n  pupil_phones: {verdict: info, summary: x, clauses: [a]}\n",
            "does not say whether the policy covers friend_parents",
        ),
        (
            "school: testschool\nmappings:\n  pupil_phones: {verdict: info, summary: x, clauses: []}\n"
            "silent: [friend_parents]\n",
            "clauses must be a non-empty list",
        ),
        ("school: other\nsilent: [pupil_phones, friend_parents]\n", "does not match the file name"),
        (
            "school: testschool\nmappings:\n  pupil_phones: {verdict: info, summary: x, clauses: [a]}\n"
            "silent: [pupil_phones, friend_parents]\n",
            "both mapped and listed as silent",
        ),
    ],
)
def test_bad_school_files_fail_with_a_clear_message(tmp_path, school, complaint):
    with pytest.raises(CatalogError) as err:
        read_catalog(write_catalog(tmp_path, INTENTS_YAML, school))
    assert complaint in str(err.value)
    assert "testschool.yaml" in str(err.value)


def test_duplicate_intent_ids_and_shared_examples_are_rejected(tmp_path):
    duplicated = (
        INTENTS_YAML
        + """
  - id: pupil_phones
    title: Again
    question: Again?
    ask_role: head
    examples: [x]
  - id: friend_ex_pupil_over_18
    title: Adult ex-pupils
    question: Can I friend adult ex-pupils?
    ask_role: teacher
    examples: [Can I add a parent on FB]
"""
    )
    with pytest.raises(CatalogError) as err:
        read_catalog(write_catalog(tmp_path, duplicated))
    message = str(err.value)
    assert "'pupil_phones': duplicate id" in message
    assert "ask_role 'teacher'" in message
    assert "also an example of 'friend_parents'" in message


def test_invalid_yaml_names_the_file(tmp_path):
    with pytest.raises(CatalogError, match="intents.yaml: not valid YAML"):
        read_catalog(write_catalog(tmp_path, "intents: [unclosed"))


def test_a_clause_id_missing_from_the_policy_is_reported(tmp_path):
    school = """
school: testschool
mappings:
  pupil_phones: {verdict: "no", summary: No phones., clauses: [testschool-deadbeef]}
silent: [friend_parents]
"""
    catalog = read_catalog(write_catalog(tmp_path, INTENTS_YAML, school))
    policy = make_policy("testschool", "Test School", "Pupils must not bring phones to school.\n")
    with pytest.raises(CatalogError, match="cites clause 'testschool-deadbeef'"):
        validate_catalog({"testschool": policy}, catalog)
    with pytest.raises(CatalogError, match="no policy for school 'testschool'"):
        validate_catalog({}, catalog)
    real_id = policy.clauses[0].id
    fixed = read_catalog(
        write_catalog(tmp_path / "fixed", INTENTS_YAML, school.replace("testschool-deadbeef", real_id))
    )
    validate_catalog({"testschool": policy}, fixed)


def test_a_reworded_clause_flags_every_curated_answer_that_quoted_it(catalog, policies):
    ringway = policies["ringway"]
    reworded = ringway.text.replace("current pupil of any age", "current pupil of whatever age")
    new_ids = citable_ids(make_policy("ringway", "Ringway", reworded).clauses)
    stale = catalog.citations_missing("ringway", new_ids)
    old_id = catalog.mapping("ringway", "friend_current_pupil").clause_ids[0]
    assert stale["friend_current_pupil"] == (old_id,)
    assert "friend_ex_pupil_under_18" in stale
    assert "privacy_settings" not in stale  # its clause did not change, so it keeps its id
    assert catalog.citations_missing("ringway", citable_ids(ringway.clauses)) == {}


def test_clause_questions_load_by_school_and_every_bundled_one_names_a_real_clause(catalog, policies):
    for school in policies:
        pairs = catalog.questions_for_clauses(school)
        assert len(pairs) >= 3 * len(policies[school].clauses) // 2, school  # most clauses have several
        assert all(cid.startswith(f"{school}-") and question.strip() for cid, question in pairs)
    validate_catalog(policies, catalog)  # raises on any id that is not a clause of its school


def test_a_clause_question_for_a_clause_that_does_not_exist_is_named(tmp_path, policies):
    directory = write_catalog(tmp_path, INTENTS_YAML)
    (directory / "clause_questions").mkdir()
    (directory / "clause_questions" / "oakfield.yaml").write_text(
        'items:\n  - clause: oakfield-00000000\n    questions: ["can I friend a pupil"]\n  - clause: oakfield-broken\n'
    )
    with pytest.raises(CatalogError) as err:
        read_catalog(directory)
    assert "clause_questions/oakfield.yaml: item 2 needs 'clause'" in str(err.value)
    (directory / "clause_questions" / "oakfield.yaml").write_text(
        'items:\n  - clause: oakfield-00000000\n    questions: ["can I friend a pupil"]\n'
    )
    catalog = read_catalog(directory)
    with pytest.raises(CatalogError) as err:
        validate_catalog({"oakfield": policies["oakfield"]}, catalog)
    assert "'oakfield-00000000' is not a clause of oakfield's policy" in str(err.value)
