"""Policy health: each school's review date is known (from the policy, or set by hand), `school
show` flags one that has passed, and answers from an overdue policy say so."""

from __future__ import annotations

from datetime import date

import pytest

from app import build_parser
from bot.oversight.review_dates import ReviewNotes, parse_review_date, review_date
from bot.settings import Settings
from commands.school import run_school_command
from tests.support.chat_harness import Chat, build

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    "written,due",
    [
        ("March 2019", date(2019, 3, 31)),
        ("15th March 2019", date(2019, 3, 15)),
        ("Sept 2025", date(2025, 9, 30)),
        ("12/03/2019", date(2019, 3, 12)),
        ("summer term 2019", date(2019, 8, 31)),
        ("not stated", None),
        ("Octember 2019", None),
        ("31/02/2020", None),
    ],
)
def test_a_review_date_is_due_by_the_end_of_the_period_it_names(written, due):
    assert parse_review_date(written) == due


async def school(db_url, capsys, *argv) -> tuple[int, str, str]:
    args = build_parser().parse_args(["school", *argv])
    code = await run_school_command(Settings(DATABASE_URL=db_url), args)
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_school_show_flags_an_overdue_review_until_a_new_date_is_set(db_url, sessions, capsys):
    code, out, _ = await school(db_url, capsys, "show", "--school", "ringway")
    assert code == 0
    assert "policy review: due in March 2019 (as the policy states)  [OVERDUE]" in out
    assert "WARNING: the policy was due for review in March 2019" in out

    code, out, _ = await school(db_url, capsys, "set-review-date", "--school", "ringway", "--date", "2099-03-31")
    assert code == 0 and "31 March 2099" in out
    code, out, _ = await school(db_url, capsys, "show", "--school", "ringway")
    assert "policy review: due on 31 March 2099 (set by hand)" in out and "OVERDUE" not in out

    async with sessions() as session:
        assert (await review_date(session, "oakfield")).due_on is None  # its policy states none
        assert (await review_date(session, "stocks-green")).overdue(TODAY)  # October 2025


async def test_a_review_date_that_is_not_a_date_is_refused_clearly(db_url, sessions, capsys):
    code, _, err = await school(db_url, capsys, "set-review-date", "--school", "ringway", "--date", "31/3/2027")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = await school(db_url, capsys, "set-review-date", "--school", "nowhere", "--date", "2027-03-31")
    assert code == 2 and "unknown school 'nowhere'" in err


async def test_answers_from_an_overdue_policy_carry_a_note_and_others_do_not(db_url):
    runtime = await build(db_url)
    try:
        runtime.bot.review_notes = ReviewNotes(runtime.sessions)
        runtime.bot.default_school = "ringway"
        reply = await Chat(runtime).say("can I accept a friend request from a parent?")
        assert reply.startswith("No.")
        assert reply.endswith(
            "This policy was due for review in March 2019: check with your DSL that it is still current."
        )

        runtime.bot.default_school = "oakfield"  # states no review date
        reply = await Chat(runtime, user_id="staff-2").say("can I post photos of pupils on my own facebook?")
        assert reply.startswith("No.") and "due for review" not in reply
    finally:
        await runtime.close()
