"""Facts a policy states about itself, read from its own words.

Most policies say when they are next due for review ("To be next reviewed: March 2019",
a "Date of next full review | October 2025" table row, "Next school review due: July
2019"). A school that brings its own file has no front matter, so the review date is read
from the document: answers and `school show` can then say when a policy is out of date.
The lines themselves are clauses (see `FACT_LINE` in `knowledge/clauses.py`), so staff who
ask "when is this policy reviewed?" or "who is the governor for this?" get them quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.clauses import Clause

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH},?\s+\d{{4}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|(?:summer|spring|autumn|winter)\s+(?:term\s+)?\d{{4}}"
NEXT_REVIEW = re.compile(
    rf"(?:next\s+(?:full\s+|school\s+|policy\s+)?review(?:\s+(?:due|date))?|to\s+be\s+(?:next\s+)?reviewed|review\s+due"
    rf"|date\s+of\s+(?:the\s+)?next\s+(?:full\s+)?review|review\s+date)[\s:|,-]*(?:on|by|in)?\s*(?P<date>{_DATE})",
    re.I,
)


def next_review_date(clauses: Iterable[Clause]) -> str | None:
    """The review date the policy gives for itself, as written ("March 2019"), or None."""
    for clause in clauses:
        m = NEXT_REVIEW.search(clause.text)
        if m:
            return " ".join(m.group("date").split())
    return None
