"""Policy health: when each school's policy is due for review, and whether that has passed.

Why: the bundled policies carry review dates years in the past and nothing said so; staff
quoting a policy that nobody has looked at since 2019 should know. A school's review date is,
in order: the date set by hand (`app.py school set-review-date`, table `policy_reviews`), or
the date the policy states about itself (front matter, or read from an ingested document's
text by `knowledge.facts.next_review_date`), kept as written ("March 2019").

A date written as a month is due by the end of that month; a term ("summer 2019") by the end
of that term (`terms`); so "overdue" means the whole stated period has passed.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.persistence.models import PolicyReview, School

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
TERM_ENDS = {"autumn": (12, 31), "winter": (12, 31), "spring": (3, 31), "summer": (8, 31)}
NOTE_TTL_S = 60.0  # a date set from the command line reaches a running bot's answers within a minute


def parse_review_date(text: str | None) -> date | None:
    """The last day covered by a review date as a policy writes it, or None when there is none.

    "March 2019" -> 31 March 2019; "15th March 2019" -> that day; "12/03/2019" (day first, as
    in the UK) -> 12 March 2019; "summer term 2019" -> 31 August 2019; "not stated" -> None."""
    if not text:
        return None
    said = " ".join(text.lower().replace(",", " ").split())
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})", said):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
        return _valid(year, month, day)
    if m := re.fullmatch(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?\s+(\d{4})", said):
        named = MONTHS.get(m.group(2))
        year = int(m.group(3))
        if named is None:
            return None
        day = int(m.group(1)) if m.group(1) else calendar.monthrange(year, named)[1]
        return _valid(year, named, day)
    if m := re.fullmatch(r"(autumn|winter|spring|summer)\s+(?:term\s+)?(\d{4})", said):
        month, day = TERM_ENDS[m.group(1)]
        return date(int(m.group(2)), month, day)
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class ReviewDate:
    school_slug: str
    as_written: str  # "March 2019", "1 September 2027", or "not stated"
    due_on: date | None
    source: str  # "set" (by hand) | "policy" (what the policy says) | "none"

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and today > self.due_on

    @property
    def when(self) -> str:
        """ "in March 2019" for a month or term, "on 1 September 2027" for a day."""
        return f"on {self.as_written}" if re.match(r"\d", self.as_written) else f"in {self.as_written}"

    def note(self, today: date) -> str:
        """The line an answer carries when the review has passed; '' otherwise."""
        if not self.overdue(today):
            return ""
        return f"This policy was due for review {self.when}: check with your DSL that it is still current."


def format_day(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


async def review_date(session: AsyncSession, school_slug: str) -> ReviewDate:
    """The school's review date: set by hand, else as its policy states it."""
    stored = await session.get(PolicyReview, school_slug)
    if stored is not None:
        return ReviewDate(school_slug, format_day(stored.due_on), stored.due_on, "set")
    row = await session.get(School, school_slug)
    if row is not None:
        written = row.review_date
    else:
        from knowledge.policy_file import bundled_policies

        policy = bundled_policies().get(school_slug)
        written = policy.review_date if policy is not None else "not stated"
    due = parse_review_date(written)
    return ReviewDate(school_slug, written if due else "not stated", due, "policy" if due else "none")


async def set_review_date(
    session: AsyncSession, school_slug: str, due_on: date, by: str, now: datetime | None = None
) -> None:
    """Record the school's next review date (replacing any set before), in the caller's transaction."""
    await session.merge(
        PolicyReview(school_slug=school_slug, due_on=due_on, set_by=by[:256], set_at=now or datetime.now(UTC))
    )


def parse_day(text: str) -> date:
    """A date typed on the command line (YYYY-MM-DD); ValueError saying so otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-03-31") from None


class ReviewNotes:
    """What a running bot's answers need: the overdue note per school, read at most once a minute."""

    def __init__(self, sessions: async_sessionmaker, ttl_s: float = NOTE_TTL_S):
        self.sessions = sessions
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[float, ReviewDate]] = {}

    async def note_for(self, school_slug: str, today: date | None = None) -> str:
        today = today or datetime.now(UTC).date()
        held = self._known.get(school_slug)
        if held is None or time.monotonic() - held[0] > self.ttl_s:
            async with self.sessions() as session:
                held = (time.monotonic(), await review_date(session, school_slug))
            self._known[school_slug] = held
        return held[1].note(today)


# --- the command line (`app.py school set-review-date`, `school show`) -----------------------


async def run_set_review_date(session: AsyncSession, args, school_name: str) -> int:
    import sys

    try:
        due_on = parse_day(args.date)
    except ValueError as exc:
        print(f"error: --date {exc}", file=sys.stderr)
        return 2
    await set_review_date(session, args.school, due_on, args.by)
    today = datetime.now(UTC).date()
    late = " (already passed: answers will say the policy is overdue for review)" if due_on < today else ""
    print(f"{school_name}: policy next due for review on {format_day(due_on)}{late}")
    return 0


async def review_line(session: AsyncSession, school_slug: str, today: date | None = None) -> tuple[str, str]:
    """`school show`'s line about the review date, and a warning when it has passed ('' if not)."""
    today = today or datetime.now(UTC).date()
    review = await review_date(session, school_slug)
    if review.due_on is None:
        return "no review date stated (set one with `school set-review-date`)", ""
    source = "set by hand" if review.source == "set" else "as the policy states"
    line = f"due {review.when} ({source})"
    if review.overdue(today):
        return line + "  [OVERDUE]", (
            f"the policy was due for review {review.when}: review it, then record the "
            "next date with `python app.py school set-review-date`"
        )
    return line, ""
