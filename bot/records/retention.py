"""Retention and legal hold: how long a safeguarding record is kept, and what stops its deletion.

Child protection files are kept for a long time (commonly the child's date of birth + 25
years, subject to review), and nothing may be destroyed while an inquiry hold applies. The
bot does not ask for a date of birth (it collects only what the record needs), so the clock
starts when the report was made: `RETENTION_YEARS` (default 25) after `created_at`. Schools
that hand records over to CPOMS/MyConcern export them first (`app.py export`) and may set a
shorter period here.

    python app.py retention            lists what is past the period (a dry run: deletes nothing)
    python app.py retention --apply    deletes those reports with their alerts, each one audited
    python app.py hold --report REF --on|--off    sets or lifts a legal hold, audited

Why deletion is one transaction per report that re-checks the hold under the row lock: a
hold placed while a sweep runs must win. The audit log entries about a deleted report are
kept (they hold no content), plus one 'delete' entry saying when and by whom it went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.persistence.models import Alert, DeliveryAttempt, Report
from bot.records import audit
from bot.utc import as_utc


@dataclass(frozen=True)
class Expired:
    """A report past its retention period (metadata only)."""

    reference: str
    school_slug: str
    kind: str
    created_at: datetime


def cutoff(now: datetime, years: int) -> datetime:
    """The moment `years` before `now` (29 February falls back to the 28th)."""
    now = as_utc(now)
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


async def expired_reports(sessions: async_sessionmaker, years: int, now: datetime | None = None) -> list[Expired]:
    """Reports made more than `years` ago and not on legal hold, oldest first."""
    if years < 1:
        raise ValueError("the retention period must be at least one year")
    before = cutoff(now or datetime.now(UTC), years)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Report.reference, Report.school_slug, Report.kind, Report.created_at)
                .where(Report.created_at < before, Report.legal_hold.is_(False))
                .order_by(Report.created_at, Report.id)
            )
        ).all()
    return [Expired(r.reference, r.school_slug, r.kind, as_utc(r.created_at)) for r in rows]


async def delete_expired(
    sessions: async_sessionmaker, years: int, *, by: str = "cli-operator", now: datetime | None = None
) -> list[str]:
    """Delete every expired report not on hold (content, alerts, delivery attempts); returns references."""
    now = now or datetime.now(UTC)
    before = cutoff(now, years)
    deleted = []
    for item in await expired_reports(sessions, years, now):
        async with sessions() as session:
            async with session.begin():
                # Lock the row first (as bot.records.reports does), then re-check: a hold set meanwhile wins.
                locked = await session.execute(
                    update(Report)
                    .where(Report.reference == item.reference, Report.legal_hold.is_(False), Report.created_at < before)
                    .values(reference=Report.reference)
                    .execution_options(synchronize_session=False)
                )
                if not locked.rowcount:
                    continue
                report_id = (
                    await session.execute(select(Report.id).where(Report.reference == item.reference))
                ).scalar_one()
                alert_ids = select(Alert.id).where(Alert.report_id == report_id).scalar_subquery()
                await session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.alert_id.in_(alert_ids)))
                await session.execute(delete(Alert).where(Alert.report_id == report_id))
                await session.execute(delete(Report).where(Report.id == report_id))
                audit.record(
                    session,
                    actor_channel="cli",
                    actor_id=by,
                    school_slug=item.school_slug,
                    action="delete",
                    reference=item.reference,
                    detail=f"retention: older than {years} years",
                    at=now,
                )
        deleted.append(item.reference)
    return deleted


class UnknownReference(LookupError):
    pass


async def set_legal_hold(
    sessions: async_sessionmaker, reference: str, on: bool, *, by: str = "cli-operator", now: datetime | None = None
) -> bool:
    """Place (on=True) or lift a legal hold; audited. Returns whether anything changed."""
    now = now or datetime.now(UTC)
    async with sessions() as session:
        async with session.begin():
            report = (
                await session.execute(select(Report).where(Report.reference == reference).with_for_update())
            ).scalar_one_or_none()
            if report is None:
                raise UnknownReference(reference)
            changed = bool(report.legal_hold) != on
            report.legal_hold = on
            audit.record(
                session,
                actor_channel="cli",
                actor_id=by,
                school_slug=report.school_slug,
                action="hold" if on else "release",
                reference=reference,
                detail="legal hold placed" if on else "legal hold lifted",
                at=now,
            )
    return changed


# --- the command line ----------------------------------------------------------------------------
