"""The overview a safeguarding lead asks for in chat ("overview", or the button on an alert).

Why a card of counts: a lead sees one report at a time; this is the whole picture on one
screen: what is open (by kind and urgency), what has waited longest for anyone to look, how
fast reports were picked up this term, what escalated, what staff started and did not finish,
whether the policy is overdue for review, and what staff asked that the policy does not say.
References and times only: no child's name and no word of any report.

It is a `dialogs.rendering.Summary`, so Teams shows it as an Adaptive Card, Slack as Block Kit
and the terminal as text; the buttons open the reports waiting longest. Who may ask is
decided in `bot.oversight.overview_command`, as for every other lead command.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import kinds
from bot.alerts.roles import ROLE_TITLES
from bot.oversight.figures import Figures
from bot.oversight.terms import term_of
from dialogs.rendering import Button, Summary

WAITING_SHOWN = 5
GAPS_SHOWN = 3
ESCALATED_TO = {
    "deputy": "the deputies",
    "head": "the headteacher",
    "chair": "the chair of governors",
    "dsl": "the DSL",
}


def duration(minutes: float | timedelta) -> str:
    """12 min, 2 h 05 min, 3 days 4 h: how people say waits."""
    if isinstance(minutes, timedelta):
        minutes = minutes.total_seconds() / 60
    whole = int(round(minutes))
    if whole < 60:
        return f"{whole} min"
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h {mins:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


def _open_line(figures: Figures) -> str:
    if not figures.open_reports:
        return "none"
    parts = []
    for kind, urgencies in figures.open_by_kind.items():
        total = sum(urgencies.values())
        if total:
            split = ", ".join(f"{count} {urgency}" for urgency, count in urgencies.items() if count)
            parts.append(f"{kinds.label_of(kind)} {total} ({split})")
    return f"{figures.open_reports}: " + "; ".join(parts)


def _waiting_line(figures: Figures) -> str:
    if not figures.waiting:
        return "none: every open report has been acknowledged" if figures.open_reports else "none"
    shown = [
        f"{w.reference} ({kinds.label_of(w.kind)}, {w.urgency}) waiting {duration(w.waited)}"
        for w in figures.waiting[:WAITING_SHOWN]
    ]
    more = len(figures.waiting) - WAITING_SHOWN
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _ack_line(figures: Figures) -> str:
    if not figures.ack_minutes:
        return "no report made this term has been acknowledged yet"
    n = len(figures.ack_minutes)
    return (
        f"median {duration(figures.median_ack or 0.0)}, 90th percentile {duration(figures.p90_ack or 0.0)} "
        f"({n} report{'s' if n != 1 else ''})"
    )


def _escalation_line(figures: Figures) -> str:
    if not figures.escalated:
        return f"none of {figures.reports} report{'s' if figures.reports != 1 else ''}"
    to = ", ".join(
        f"{count} to {ESCALATED_TO.get(role, ROLE_TITLES.get(role, role))}"
        for role, count in sorted(figures.escalated_to.items())
    )
    return f"{figures.escalated} of {figures.reports} reports ({to})"


def _review_line(figures: Figures) -> str:
    review = figures.review
    if review.due_on is None:
        return "no review date stated: set one with `python app.py school set-review-date`"
    if review.overdue(figures.now.date()):
        return f"OVERDUE: was due {review.when}"
    return f"next due {review.when}"


def _gaps_line(figures: Figures) -> str:
    if not figures.gaps:
        return "none this term"
    return "; ".join(group.describe() for group in figures.gaps[:GAPS_SHOWN])


def overview_summary(figures: Figures) -> Summary:
    """The overview card: counts, references and times; never a name or a word of a report."""
    term = term_of(figures.now).label
    fields = (
        ("Open reports", _open_line(figures)),
        ("Not yet acknowledged (oldest first)", _waiting_line(figures)),
        (f"Time to acknowledge, {term}", _ack_line(figures)),
        (f"Escalated, {term}", _escalation_line(figures)),
        ("Reports started but not submitted", str(figures.unfinished_drafts)),
        ("Policy review", _review_line(figures)),
        ("Questions the policy did not answer", _gaps_line(figures)),
    )
    buttons = tuple(
        Button(f"Open {w.reference}", {"action": "open_report", "reference": w.reference}) for w in figures.waiting[:3]
    )
    return Summary(
        title=f"Safeguarding overview: {figures.school_name}",
        fields=fields,
        buttons=buttons,
        note=f"As at {figures.now:%Y-%m-%d %H:%M} UTC. Counts and references only. "
        "Say 'open reports' for the list, or 'show REFERENCE' to open one.",
    )


def this_term(now: datetime):
    """The overview's period: from the start of the current term to today."""
    return term_of(now).first_day, now.date()
