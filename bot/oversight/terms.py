"""School terms: which term a day falls in, where it starts and ends, and its name.

Why fixed dates: half-terms and Easter move from school to school and year to year, and the
bot knows no school's calendar. The overview's "this term" and the head's once-a-term review
reminder only need a stable, explainable split of the school year (September to August):
autumn 1 September - 31 December, spring 1 January - 31 March, summer 1 April - 31 August.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True)
class Term:
    name: str  # autumn | spring | summer
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        """Stable id, e.g. "2026-autumn" (the calendar year the term starts in)."""
        return f"{self.first_day.year}-{self.name}"

    @property
    def label(self) -> str:
        return f"{self.name} term {self.first_day.year}"

    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)


def term_of(day: date | datetime) -> Term:
    """The term `day` falls in."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date() if day.tzinfo else day.date()
    year = day.year
    if day.month >= 9:
        return Term("autumn", date(year, 9, 1), date(year, 12, 31))
    if day.month <= 3:
        return Term("spring", date(year, 1, 1), date(year, 3, 31))
    return Term("summer", date(year, 4, 1), date(year, 8, 31))
