"""The counts behind the overview and the governors' summary, computed from the database.

Why one module: the chat overview and the termly page must never disagree, so both read
`gather()`. It returns counts, references and times only; the one place content is opened
is to find a year group where the reporter recorded one (with a cipher), and only the year
group leaves this module, never a name or a word.

Who sees what: a concern about a member of staff may be about the DSL or a deputy, and one
about the headteacher may be about the head, so it is counted only for the roles its route
could never be about (COUNTED_BY): a DSL cannot learn from a count that a concern about them
exists. Every other report is counted for every role holder, the chair of governors included
(governors receive these counts anyway).

Time to acknowledge is counted for reports made in the period that have been acknowledged:
the median and the 90th percentile (linear interpolation between the two nearest, as
`statistics.quantiles(method="inclusive")` does; with one report, that report's time).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot import kinds
from bot.alerts.roles import known_schools
from bot.oversight.gap_groups import Gap, GapGroup, group_gaps
from bot.oversight.review_dates import ReviewDate, review_date
from bot.persistence.models import Alert, KnowledgeGap, Report, ReportDraft
from bot.records.reports import OPEN_STATUSES, URGENCIES
from bot.utc import as_utc

# How long reports waited for a first acknowledgement, in the summary's chart (upper bounds, minutes).
ACK_BUCKETS = (
    ("within 10 minutes", 10),
    ("10 to 60 minutes", 60),
    ("1 to 4 hours", 240),
    ("4 to 24 hours", 1440),
    ("over a day", None),
)
NOT_ACKNOWLEDGED = "not yet acknowledged"
NOT_RECORDED = "not recorded"
YEAR_GROUP = re.compile(r"\b(?:year|yr|y)\s?(\d{1,2})\b|\b(reception|nursery)\b", re.I)
YEAR_GROUP_ANSWERS = ("child", "involved", "children")  # disclosure, incident, concern about an adult


@dataclass(frozen=True)
class Waiting:
    """An open report not yet acknowledged: what the overview lists, oldest first."""

    reference: str
    kind: str
    urgency: str
    created_at: datetime
    waited: timedelta


@dataclass(frozen=True)
class Figures:
    school_slug: str
    school_name: str
    first_day: date
    last_day: date
    now: datetime
    # open now (whenever made)
    open_by_kind: dict[str, dict[str, int]]  # kind -> urgency -> count
    waiting: tuple[Waiting, ...]  # unacknowledged, oldest first
    unfinished_drafts: int
    # made in the period
    reports: int
    by_kind: dict[str, int]
    by_urgency: dict[str, int]
    by_month: dict[str, dict[str, int]]  # "2026-09" -> kind -> count
    ack_minutes: tuple[float, ...]  # each acknowledged report's wait, in minutes
    ack_buckets: dict[str, int]
    escalated: int
    escalated_to: dict[str, int]  # the highest role an escalation reached -> reports
    escalated_by_month: dict[str, int]  # "2026-09" -> reports made that month that escalated
    by_year_group: dict[str, int]  # empty unless a cipher was given
    gaps: tuple[GapGroup, ...]
    review: ReviewDate

    @property
    def open_reports(self) -> int:
        return sum(sum(urgencies.values()) for urgencies in self.open_by_kind.values())

    @property
    def median_ack(self) -> float | None:
        return statistics.median(self.ack_minutes) if self.ack_minutes else None

    @property
    def p90_ack(self) -> float | None:
        if not self.ack_minutes:
            return None
        if len(self.ack_minutes) == 1:
            return self.ack_minutes[0]
        return statistics.quantiles(self.ack_minutes, n=10, method="inclusive")[8]


def months(first_day: date, last_day: date) -> list[str]:
    """Every month the period touches, "YYYY-MM", in order."""
    out, year, month = [], first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _bucket(minutes: float) -> str:
    for label, bound in ACK_BUCKETS:
        if bound is None or minutes < bound:
            return label
    return ACK_BUCKETS[-1][0]


def year_group(content: dict) -> str:
    """The year group the reporter recorded for the child or pupils ("Year 5", "Reception"), if any."""
    answers = content.get("answers", {}) if isinstance(content, dict) else {}
    for key in YEAR_GROUP_ANSWERS:
        item = answers.get(key)
        text = item.get("answer") if isinstance(item, dict) else item
        if isinstance(text, str) and (m := YEAR_GROUP.search(text)):
            return f"Year {int(m.group(1))}" if m.group(1) else m.group(2).capitalize()
    return NOT_RECORDED


COUNTED_BY = {"dsl": {"dsl", "deputy", "head", "chair"}, "head": {"head", "chair"}, "chair": {"chair"}}


def _visible(rows: Iterable[Report], roles: set[str]) -> list[Report]:
    return [r for r in rows if roles & COUNTED_BY.get(r.route_to, set())]


async def gather(
    sessions: async_sessionmaker,
    school_slug: str,
    first_day: date,
    last_day: date,
    *,
    roles: set[str],
    now: datetime,
    cipher=None,
    encoder=None,
    gaps_since: date | None = None,
    top_gaps: int = 5,
) -> Figures:
    """Every figure for `school_slug`, reports made from `first_day` to `last_day` (inclusive),
    as seen by someone holding `roles`. `gaps_since`: only gaps last asked from then on."""
    if last_day < first_day:
        raise ValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    now = as_utc(now)
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)
    async with sessions() as session:
        school_name = (await known_schools(session)).get(school_slug, school_slug)
        open_rows = _visible(
            (
                await session.execute(
                    select(Report)
                    .where(Report.school_slug == school_slug, Report.status.in_(OPEN_STATUSES))
                    .order_by(Report.created_at, Report.id)
                )
            )
            .scalars()
            .all(),
            roles,
        )
        period = _visible(
            (
                await session.execute(
                    select(Report)
                    .where(Report.school_slug == school_slug, Report.created_at >= start, Report.created_at < end)
                    .order_by(Report.created_at, Report.id)
                )
            )
            .scalars()
            .all(),
            roles,
        )
        escalations = (
            await session.execute(
                select(Alert.report_id, Alert.stage, Alert.recipient_role).where(
                    Alert.purpose == "escalation", Alert.report_id.in_([r.id for r in period] or [-1])
                )
            )
        ).all()
        draft_kinds = (
            (await session.execute(select(ReportDraft.kind).where(ReportDraft.school_slug == school_slug)))
            .scalars()
            .all()
        )
        # a concern about an adult may be about the DSL: only the roles it could reach count its draft
        drafts = sum(kind != "adult_concern" or bool(roles & {"head", "chair"}) for kind in draft_kinds)
        gap_query = select(KnowledgeGap).where(KnowledgeGap.school_slug == school_slug)
        if gaps_since is not None:
            gap_query = gap_query.where(KnowledgeGap.last_seen >= datetime.combine(gaps_since, time.min, tzinfo=UTC))
        gap_rows = (await session.execute(gap_query)).scalars().all()
        review = await review_date(session, school_slug)
        contents = [cipher.decrypt_json(r.content) for r in period] if cipher is not None else []

    open_by_kind = {kind: {urgency: 0 for urgency in URGENCIES} for kind in kinds.ids()}
    for r in open_rows:
        open_by_kind[r.kind][r.urgency] += 1
    waiting = tuple(
        Waiting(r.reference, r.kind, r.urgency, as_utc(r.created_at), now - as_utc(r.created_at))
        for r in open_rows
        if r.status == "new"
    )

    by_kind = {kind: sum(r.kind == kind for r in period) for kind in kinds.ids()}
    by_urgency = {urgency: sum(r.urgency == urgency for r in period) for urgency in URGENCIES}
    by_month = {month: {kind: 0 for kind in kinds.ids()} for month in months(first_day, last_day)}
    for r in period:
        by_month[as_utc(r.created_at).strftime("%Y-%m")][r.kind] += 1
    ack_minutes = tuple(
        (as_utc(r.acknowledged_at) - as_utc(r.created_at)).total_seconds() / 60
        for r in period
        if r.acknowledged_at is not None
    )
    ack_buckets = {label: 0 for label, _ in ACK_BUCKETS}
    for minutes in ack_minutes:
        ack_buckets[_bucket(minutes)] += 1
    ack_buckets[NOT_ACKNOWLEDGED] = len(period) - len(ack_minutes)

    highest: dict[int, tuple[int, str]] = {}
    for report_id, stage, role in escalations:
        if report_id not in highest or stage > highest[report_id][0]:
            highest[report_id] = (stage, role)
    escalated_to: dict[str, int] = {}
    for _, role in highest.values():
        escalated_to[role] = escalated_to.get(role, 0) + 1
    escalated_by_month = {month: 0 for month in by_month}
    for r in period:
        if r.id in highest:
            escalated_by_month[as_utc(r.created_at).strftime("%Y-%m")] += 1

    by_year_group: dict[str, int] = {}
    for content in contents:
        group = year_group(content)
        by_year_group[group] = by_year_group.get(group, 0) + 1

    groups = group_gaps([Gap(g.example, g.count) for g in gap_rows], encoder=encoder)[:top_gaps]
    return Figures(
        school_slug=school_slug,
        school_name=school_name,
        first_day=first_day,
        last_day=last_day,
        now=now,
        open_by_kind=open_by_kind,
        waiting=waiting,
        unfinished_drafts=drafts,
        reports=len(period),
        by_kind=by_kind,
        by_urgency=by_urgency,
        by_month=by_month,
        ack_minutes=ack_minutes,
        ack_buckets=ack_buckets,
        escalated=len(highest),
        escalated_to=escalated_to,
        escalated_by_month=escalated_by_month,
        by_year_group=dict(sorted(by_year_group.items(), key=_year_order)),
        gaps=tuple(groups),
        review=review,
    )


def _year_order(item: tuple[str, int]) -> tuple[int, int]:
    name = item[0]
    if name == "Nursery":
        return (0, 0)
    if name == "Reception":
        return (1, 0)
    if name.startswith("Year "):
        return (2, int(name[5:]))
    return (3, 0)
