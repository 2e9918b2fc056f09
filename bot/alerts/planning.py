"""Who is told about a report, when, and what happens when nobody answers.

`plan_alerts` runs inside the transaction that stores a report (see `bot.records.reports`), so a
report and its outbox rows are committed together: a report can never exist without its
alerts. The dispatcher (`bot.alerts.dispatcher`) delivers the rows and calls the sweeps here.

Escalation chains, stage by stage, each stage waiting the school's timeout for an
acknowledgement before the next is told:
    a concern about a child     DSL -> deputies -> headteacher
    a concern about a member    headteacher -> chair of governors
      of staff (route_to head)
    about the headteacher       chair of governors only (the head is never told)
A stage with no role holders is skipped at once rather than waited on.

Alert payloads are minimal by design (school, kind, urgency, reference, reporter, time):
the report itself is seen only by opening it with the right role (`bot.records.dsl_commands`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import kinds
from bot.alerts.roles import ROLE_TITLES, holders, known_schools
from bot.persistence.models import Alert, Report, ReportDraft, RoleAssignment, SchoolEscalation
from bot.utc import as_utc, shown

log = logging.getLogger(__name__)

ESCALATION_CHAINS: dict[str, tuple[str, ...]] = {
    "dsl": ("dsl", "deputy", "head"),
    "head": ("head", "chair"),
    "chair": ("chair",),
}
ALERTING_PURPOSES = ("new_report", "escalation")


def chain_for(route_to: str) -> tuple[str, ...]:
    try:
        return ESCALATION_CHAINS[route_to]
    except KeyError:
        raise ValueError(f"unknown route_to {route_to!r}; expected one of {', '.join(ESCALATION_CHAINS)}") from None


def roles_allowed(route_to: str) -> set[str]:
    """Roles that may open and act on a report routed so: exactly those its alerts can reach."""
    return set(chain_for(route_to))


@dataclass(frozen=True)
class Actor:
    """Someone acting on a report, as the channel identifies them."""

    channel: str
    user_id: str
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.channel}:{self.user_id})" if self.name else f"{self.channel}:{self.user_id}"


async def _school_name(session: AsyncSession, slug: str) -> str:
    return (await known_schools(session)).get(slug, slug)


def _alert_payload(report: Report, school_name: str, *, escalated: bool) -> dict:
    created = as_utc(report.created_at) if report.created_at else None
    return {
        "school": school_name,
        "school_slug": report.school_slug,
        "kind": kinds.label_of(report.kind),
        "urgency": report.urgency,
        "reference": report.reference,
        "reporter": report.reporter_name or "a member of staff",
        "created_at": created.strftime("%Y-%m-%d %H:%M UTC") if created else "",
        "escalated": escalated,
    }


async def _recipients(session: AsyncSession, report: Report, role: str) -> list[RoleAssignment]:
    """Holders of `role`, never including anyone the concern may be about."""
    people = await holders(session, report.school_slug, role)
    if report.route_to == "chair":  # about the headteacher: no head identity may receive it
        heads = {(h.channel, h.user_id) for h in await holders(session, report.school_slug, "head")}
        people = [p for p in people if (p.channel, p.user_id) not in heads]
    return people


async def _add_stage(
    session: AsyncSession, report: Report, start_stage: int, now: datetime, purpose: str
) -> list[Alert]:
    """Alert the first stage from `start_stage` on that has anyone in it."""
    chain = chain_for(report.route_to)
    school_name = await _school_name(session, report.school_slug)
    for stage in range(start_stage, len(chain)):
        people = await _recipients(session, report, chain[stage])
        if not people:
            continue
        alerts = [
            Alert(
                report_id=report.id,
                purpose=purpose,
                stage=stage,
                recipient_role=chain[stage],
                recipient_channel=person.channel,
                recipient_id=person.user_id,
                payload=_alert_payload(report, school_name, escalated=stage > 0),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for person in people
        ]
        session.add_all(alerts)
        return alerts
    return []


async def plan_alerts(session: AsyncSession, report: Report, now: datetime) -> list[Alert]:
    """Queue the first alerts for a just-stored report, in the caller's transaction."""
    if report.id is None:
        await session.flush()
    alerts = await _add_stage(session, report, 0, as_utc(now), "new_report")
    if not alerts:  # the report is safe in the database, but nobody is being paged about it
        log.error(
            "report %s at %s has nobody to alert: set role holders with "
            "'python app.py school set-role --school %s ...'",
            report.reference,
            report.school_slug,
            report.school_slug,
        )
    return alerts


def escalation_timeout(settings, report: Report, school: SchoolEscalation | None = None) -> timedelta:
    """How long a stage waits for an acknowledgement: the school's own setting, else the default."""
    urgent = report.urgency == "urgent"
    if school is not None:
        return timedelta(minutes=school.urgent_minutes if urgent else school.minutes)
    return timedelta(minutes=settings.urgent_escalation_minutes if urgent else settings.escalation_minutes)


async def escalate_due(sessions: async_sessionmaker, settings, now: datetime) -> int:
    """Move every unacknowledged report whose current stage has waited too long up its chain.

    Each report escalates in its own transaction; two dispatchers racing on one report
    collide on the alerts' unique key and the loser simply rolls back.
    """
    now = as_utc(now)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Alert.report_id, func.max(Alert.stage))
                .join(Report, Report.id == Alert.report_id)
                .where(Report.status == "new", Alert.purpose.in_(ALERTING_PURPOSES))
                .group_by(Alert.report_id)
            )
        ).all()
    escalated = 0
    for report_id, stage in rows:
        async with sessions() as session:
            try:
                async with session.begin():
                    report = await session.get(Report, report_id)
                    if report is None or report.status != "new":
                        continue
                    stage_started = (
                        await session.execute(
                            select(func.min(Alert.created_at)).where(
                                Alert.report_id == report_id, Alert.stage == stage, Alert.purpose.in_(ALERTING_PURPOSES)
                            )
                        )
                    ).scalar_one()
                    school = await session.get(SchoolEscalation, report.school_slug)
                    if as_utc(stage_started) + escalation_timeout(settings, report, school) > now:
                        continue
                    if stage + 1 >= len(chain_for(report.route_to)):
                        continue
                    if await _add_stage(session, report, stage + 1, now, "escalation"):
                        escalated += 1
            except IntegrityError:
                continue  # another dispatcher escalated it first
    return escalated


async def on_acknowledged(session: AsyncSession, report: Report, by: Actor, role: str, now: datetime) -> None:
    """What a first acknowledgement means for alerts, in the caller's transaction: nobody else
    need be paged, the leads already paged see it is in hand, and the reporter hears it was seen.

    The acknowledgement itself (who, when, the status) is recorded by `bot.records.reports`, the one
    place a report's status changes; it calls this only when its acknowledgement was the first.
    """
    now = as_utc(now)
    await session.execute(
        update(Alert)
        .where(Alert.report_id == report.id, Alert.status == "pending", Alert.purpose.in_(ALERTING_PURPOSES))
        .values(status="cancelled", last_error="acknowledged before delivery")
        .execution_options(synchronize_session=False)
    )
    title = ROLE_TITLES.get(role, "safeguarding lead")
    await _queue_card_updates(
        session,
        report,
        f"{report.reference}: acknowledged by {by.name or 'the ' + title} "
        f"at {now.strftime('%Y-%m-%d %H:%M UTC')}. No action needed from you.",
        now,
    )
    session.add(
        Alert(
            report_id=report.id,
            purpose="receipt",
            stage=0,
            recipient_role="reporter",
            recipient_channel=report.reporter_channel,
            recipient_id=report.reporter_id,
            payload={
                "reference": report.reference,
                "school": await _school_name(session, report.school_slug),
                "text": f"The {title} has seen your report {report.reference}. Thank you for reporting it.",
            },
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


async def _queue_card_updates(session: AsyncSession, report: Report, text: str, now: datetime) -> None:
    """Turn the alerts already showing in Teams into "acknowledged by ..." notes, so the other
    leads paged about this report see it is in hand (edits the message by its stored id)."""
    shown = (
        (
            await session.execute(
                select(Alert).where(
                    Alert.report_id == report.id,
                    Alert.purpose.in_(ALERTING_PURPOSES),
                    Alert.status == "delivered",
                    Alert.recipient_channel == "msteams",
                    Alert.channel_message_id.is_not(None),
                )
            )
        )
        .scalars()
        .all()
    )
    for alert in shown:
        session.add(
            Alert(
                report_id=report.id,
                purpose="ack_update",
                stage=alert.stage,
                recipient_role=alert.recipient_role,
                recipient_channel=alert.recipient_channel,
                recipient_id=alert.recipient_id,
                payload={"reference": report.reference, "text": text, "message_id": alert.channel_message_id},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


# --- reports begun but never finished ----------------------------------------------------

UNREACHED_PREFIX = "unreached:"  # a report begun where others can read, its reporter not reachable privately


def unreached_draft_key(channel: str, user_id: str) -> str:
    """The draft marker of a report that could not start: one per person, as no conversation holds it."""
    return f"{UNREACHED_PREFIX}{channel}/{user_id}"


def is_unreached(conversation_key: str) -> bool:
    return conversation_key.startswith(UNREACHED_PREFIX)


async def sweep_drafts(sessions: async_sessionmaker, settings, now: datetime) -> int:
    """Remind reporters of unfinished reports; tell the DSL an incomplete disclosure exists.

    Claims each draft with a conditional update so two dispatchers never send both.
    The notices carry no content (drafts hold none).
    """
    now = as_utc(now)
    queued = 0
    remind_before = now - timedelta(minutes=settings.incomplete_report_reminder_minutes)
    notify_before = now - timedelta(minutes=settings.incomplete_disclosure_dsl_minutes)
    told_if_unfinished = [kind.id for kind in kinds.all_kinds() if kind.dsl_told_if_unfinished]
    async with sessions() as session:
        drafts = (
            (
                await session.execute(
                    select(ReportDraft).where(
                        (ReportDraft.reminded_at.is_(None) & (ReportDraft.last_activity_at <= remind_before))
                        | (
                            ReportDraft.dsl_notified_at.is_(None)
                            & ReportDraft.kind.in_(told_if_unfinished)
                            & (ReportDraft.last_activity_at <= notify_before)
                        )
                    )
                )
            )
            .scalars()
            .all()
        )
    for draft in drafts:
        async with sessions() as session, session.begin():
            if draft.reminded_at is None and as_utc(draft.last_activity_at) <= remind_before:
                won = await session.execute(
                    update(ReportDraft)
                    .where(ReportDraft.conversation_key == draft.conversation_key, ReportDraft.reminded_at.is_(None))
                    .values(reminded_at=now)
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount:
                    session.add(
                        Alert(
                            purpose="incomplete",
                            stage=0,
                            recipient_role="reporter",
                            recipient_channel=draft.reporter_channel,
                            recipient_id=draft.reporter_id,
                            payload={"school_slug": draft.school_slug, "text": _reminder_text(draft)},
                            status="pending",
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                    queued += 1
            if (
                draft.kind in told_if_unfinished
                and draft.dsl_notified_at is None
                and as_utc(draft.last_activity_at) <= notify_before
            ):
                won = await session.execute(
                    update(ReportDraft)
                    .where(
                        ReportDraft.conversation_key == draft.conversation_key, ReportDraft.dsl_notified_at.is_(None)
                    )
                    .values(dsl_notified_at=now)
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount:
                    school_name = await _school_name(session, draft.school_slug)
                    started = shown(draft.started_at)
                    for person in await holders(session, draft.school_slug, "dsl"):
                        session.add(
                            Alert(
                                purpose="incomplete",
                                stage=0,
                                recipient_role="dsl",
                                recipient_channel=person.channel,
                                recipient_id=person.user_id,
                                payload={
                                    "school_slug": draft.school_slug,
                                    "school": school_name,
                                    "text": _dsl_notice_text(draft, school_name, started),
                                },
                                status="pending",
                                attempts=0,
                                next_attempt_at=now,
                                created_at=now,
                            )
                        )
                        queued += 1
    return queued


def _reminder_text(draft: ReportDraft) -> str:
    if is_unreached(draft.conversation_key):
        return (
            "Earlier you started a safeguarding report in a conversation others can read, and I couldn't "
            "message you privately then, so nothing has been recorded. Say 'report a concern' here to make "
            "it now. If a child is in immediate danger, call 999 now."
        )
    return (
        "You started a safeguarding report and it has not been submitted yet. "
        "Nothing is lost: say 'continue' to finish it, or 'cancel' if it was a mistake. "
        "If a child is in immediate danger, call 999 now."
    )


def _dsl_notice_text(draft: ReportDraft, school_name: str, started: str) -> str:
    """No content either way: who, when, and that nothing was submitted."""
    who = draft.reporter_name or "a member of staff"
    if is_unreached(draft.conversation_key):
        return (
            f"At {school_name}, {who} started a disclosure report at {started} in a conversation others "
            "can read. I couldn't reach them privately, so nothing has been recorded. "
            "You may want to check in with them."
        )
    return (
        f"An incomplete disclosure report exists at {school_name}: started by {who} at {started} "
        "and not submitted. You may want to check in with them."
    )
