"""Facts a policy states about itself (review date, named governor, DSL) are clauses staff can
ask about, and the review date is read from a file that has no front matter."""

import pytest

from bot.conversation.assistant import Assistant
from knowledge.catalog import load_catalog
from knowledge.facts import next_review_date
from knowledge.policy_file import bundled_policies, make_policy

WILLOWBANK = """Willowbank Primary School
Online Safety and Social Media Policy

Key Details

Designated Safeguarding Lead: Tomasz Wieczorek, Deputy Headteacher

Named Governor with lead responsibility: Amara Okafor-Lindqvist

Date agreed: September 2026
Date of next review: September 2027

1. Purpose

This policy sets out how staff use social media safely and protect pupils online.

2. Personal accounts

Staff must not accept friend requests from current pupils on personal social media accounts.
Staff should keep their personal accounts private and never post images of pupils.
"""


def test_fact_lines_are_clauses_of_their_own_and_never_a_section_name():
    policy = make_policy("willowbank", "Willowbank Primary School", WILLOWBANK)
    texts = [c.text for c in policy.clauses]
    assert "Named Governor with lead responsibility: Amara Okafor-Lindqvist" in texts
    assert "Designated Safeguarding Lead: Tomasz Wieczorek, Deputy Headteacher" in texts
    assert "Date of next review: September 2027" in texts  # not run together with "Date agreed"
    purpose = next(c for c in policy.clauses if c.text.startswith("This policy sets out"))
    assert "Governor" not in purpose.section and "Purpose" in purpose.section


@pytest.mark.parametrize(
    "text, date",
    [
        ("To be next reviewed: March 2019", "March 2019"),
        ("| Date of next full review | October 2025 |", "October 2025"),
        ("Next school review due: July 2019", "July 2019"),
        ("This policy will be reviewed annually by the governing body.", None),
        ("Review date: 14th June 2027", "14th June 2027"),
    ],
)
def test_the_review_date_is_read_as_the_policy_words_it(text, date):
    policy = make_policy("x-school", "X School", f"Purpose\n\n{text}\n\nStaff must keep accounts private.\n")
    assert next_review_date(policy.clauses) == date


def test_a_file_without_front_matter_takes_its_review_date_from_the_text_and_front_matter_wins():
    assert make_policy("willowbank", "Willowbank", WILLOWBANK).review_date == "September 2027"
    assert make_policy("willowbank", "Willowbank", WILLOWBANK, review_date="May 2030").review_date == "May 2030"
    assert make_policy("plain", "Plain", "Staff must keep accounts private.\n").review_date == "not stated"


def test_every_bundled_policy_that_states_a_review_date_agrees_with_its_header():
    for slug, policy in bundled_policies().items():
        found = next_review_date(policy.clauses)
        if found:
            assert found == policy.review_date, slug


@pytest.fixture(scope="module")
def assistant():
    assistant = Assistant(load_catalog(), bundled_policies())
    assistant.add_policy(make_policy("willowbank", "Willowbank Primary School", WILLOWBANK))
    return assistant


@pytest.mark.parametrize(
    "question, quote",
    [
        ("which governor is responsible for this policy?", "Named Governor with lead responsibility"),
        ("when is this policy next reviewed", "Date of next review: September 2027"),
    ],
)
def test_staff_asking_about_the_policy_itself_get_the_line_that_says_it(assistant, question, quote):
    answer = assistant.answer(question, "willowbank")
    assert answer.kind == "answer"
    assert quote in answer.clauses[0].text
