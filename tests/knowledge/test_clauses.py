"""The clause parser: one rule per clause, exact words, stable ids."""

from knowledge.clauses import clause_id, parse_clauses
from knowledge.policy_file import bundled_policies


def texts(text, school="demo"):
    return [c.text for c in parse_clauses(text, school)]


def test_each_bullet_style_is_its_own_clause():
    policy = "Rules\n\n· Never friend a pupil.\n- Keep phones away.\no Report concerns to the DSL.\n• Use strong passwords.\n"
    assert texts(policy) == [
        "Never friend a pupil.",
        "Keep phones away.",
        "Report concerns to the DSL.",
        "Use strong passwords.",
    ]


def test_hard_wrapped_bullet_is_joined_with_single_spaces():
    policy = (
        "1. Staff conduct\n\n- It takes into account the statutory guidance 'Keeping\n"
        " Children Safe in Education' and local procedures.\n- Staff must not share passwords.\n"
    )
    clauses = parse_clauses(policy, "demo")
    assert [c.text for c in clauses] == [
        "It takes into account the statutory guidance 'Keeping Children Safe in Education' and local procedures.",
        "Staff must not share passwords.",
    ]
    assert clauses[0].section == "1. Staff conduct"


def test_numbered_subsections_build_a_section_path():
    policy = "4. Staff use\n\nStaff may use phones at break.\n\n4.2 Communicating\n\nStaff will not message pupils.\n\n5. Pupils\n\nPupils may not use phones.\n"
    sections = {c.text: c.section for c in parse_clauses(policy, "demo")}
    assert sections["Staff may use phones at break."] == "4. Staff use"
    assert sections["Staff will not message pupils."] == "4. Staff use › 4.2 Communicating"
    assert sections["Pupils may not use phones."] == "5. Pupils"


def test_paragraph_wrapped_mid_sentence_is_one_clause():
    policy = (
        "Use of social media outside of school\n"
        "Staff should avoid mentioning the school by name, or any member of staff by name or\n"
        "position in any post.\n"
    )
    assert texts(policy) == [
        "Staff should avoid mentioning the school by name, or any member of staff by name or position in any post."
    ]


def test_bullets_keep_their_lead_in_for_quoting():
    policy = "When using social media staff should:\n\n· Never share passwords.\n· Keep phone numbers private.\n"
    clauses = parse_clauses(policy, "demo")
    assert clauses[1].lead_in == "When using social media staff should:"
    assert clauses[1].quote == "When using social media staff should: … Never share passwords."


def test_lead_in_stops_at_the_next_top_level_bullet():
    policy = (
        "- Staff should protect their privacy, including:\n - Setting privacy levels.\n"
        "- Staff must not identify the school.\n"
    )
    clauses = parse_clauses(policy, "demo")
    assert clauses[1].lead_in.startswith("Staff should protect")
    assert clauses[2].text == "Staff must not identify the school." and clauses[2].lead_in == ""


def test_ids_are_stable_and_survive_edits_elsewhere():
    v1 = "Rules\n\n· Never friend a pupil.\n· Keep phones away.\n"
    v2 = "Rules\n\n· Never friend a pupil.\n· Keep personal phones out of classrooms.\n· New rule.\n"
    ids1 = {c.text: c.id for c in parse_clauses(v1, "demo")}
    ids2 = {c.text: c.id for c in parse_clauses(v2, "demo")}
    assert ids1 == {c.text: c.id for c in parse_clauses(v1, "demo")}
    assert ids1["Never friend a pupil."] == ids2["Never friend a pupil."]
    assert ids1["Keep phones away."] not in ids2.values()
    assert ids1["Never friend a pupil."] == clause_id("demo", "never friend a PUPIL")  # case/punctuation-insensitive


def test_duplicate_text_gets_distinct_ids():
    ids = [c.id for c in parse_clauses("· Ask the Head.\n\nOther\n\n· Ask the Head.\n", "demo")]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_bundled_policies_quote_rules_exactly():
    policies = bundled_policies()
    assert set(policies) == {"oakfield", "stocks-green", "model-policy", "ringway", "buckminster"}
    ringway = {c.text for c in policies["ringway"].clauses}
    assert (
        "Staff should not accept any current pupil of any age or any ex - pupil of the school under the age "
        "of 18 as a friend, follower, subscriber or similar on any personal social media account."
    ) in ringway
    for policy in policies.values():
        assert len(policy.clauses) >= 25
        assert all(len(c.text) < 1500 for c in policy.clauses), "a clause swallowed a whole section"
        assert len({c.id for c in policy.clauses}) == len(policy.clauses)


def test_empty_and_junk_text_give_no_clauses():
    assert parse_clauses("", "demo") == []
    assert parse_clauses("\n\n  \n· \n--\n", "demo") == []
