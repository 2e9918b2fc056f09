"""The report repository: storing a safeguarding report so that it is never lost, doubled or readable at rest.

`submit_report` does everything a submission means in ONE transaction: a human reference
(OAK-2026-0042), the report row with its content encrypted (bot.persistence.crypto), the first alert
rows (bot.alerts.planning.plan_alerts), a 'submit' audit entry, and the end of the conversation's
draft marker. Either all of it is committed or none of it, and the dialog only ever says
"submitted" after the commit; any failure is `ReportNotSaved`, never a false receipt.

References come from `reference_counters`, bumped by one atomic upsert that is the first
statement of the transaction: on PostgreSQL the counter row stays locked until commit, on
SQLite the write lock is taken before anything is read, so concurrent submissions queue
rather than collide, and a rolled-back submission gives its number back (no gaps).

It is also the one place that reads a stored report (`find_report` for metadata,
`read_report` decrypted, `list_reports`) and changes its status (`acknowledge_report`,
`close_report`), each writing its audit entry in the caller's transaction. Callers bring
that transaction and decide who may ask: the chat's role checks (bot.records.dsl_commands), the
operator's export (bot.records.export). Nothing here knows about channels.

Nothing logged here contains report content: references, kinds and exception type names only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import kinds
from bot.alerts.planning import Actor, on_acknowledged, plan_alerts
from bot.persistence.crypto import ContentCipher
from bot.persistence.models import ReferenceCounter, Report, ReportDraft
from bot.records import audit
from bot.utc import as_utc, now_or
from dialogs.desk import Reporter  # who raised a report, as the channel identifies them

log = logging.getLogger(__name__)

URGENCIES = ("urgent", "high", "normal")
ROUTES = ("dsl", "head", "chair")
STATUSES = ("new", "acknowledged", "closed")
OPEN_STATUSES = ("new", "acknowledged")
MAX_CLOSE_NOTE = 2000  # what was done, in short: the full record belongs in the school's safeguarding system
_SUBMISSION_ID_MAX = 128  # reports.submission_id column width


class ReportNotSaved(Exception):
    """The report could not be stored (database unavailable or failing): nothing was saved.

    The dialog keeps the answers and tells the user to try again in a minute; it must never
    say "submitted" after this.
    """

    user_message = "I couldn't save your report just now. Your answers are kept: please try again in a minute."


class UnknownReport(LookupError):
    """No report has that reference (or it is not this reporter's to complete)."""


class CloseNoteRefused(ValueError):
    """A close without a note saying what was done, or with one over MAX_CLOSE_NOTE characters."""

    def __init__(self, length: int):
        super().__init__(f"a close note must be 1 to {MAX_CLOSE_NOTE} characters, not {length}")
        self.length = length


@dataclass(frozen=True)
class SubmittedReport:
    id: int
    reference: str
    created_at: datetime
    already_filed: bool = False  # True when a retried submit returned the report stored earlier


@dataclass(frozen=True)
class ReportSummary:
    """A report's metadata: what lists, alerts and dashboards may show. No content."""

    id: int
    reference: str
    school_slug: str
    kind: str
    category: str
    urgency: str
    status: str
    route_to: str
    reporter: Reporter
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    legal_hold: bool


@dataclass(frozen=True)
class ReportView(ReportSummary):
    """A report opened by someone entitled to read it: decrypted content and close note."""

    content: dict = field(default_factory=dict)
    close_note: str | None = None


@dataclass(frozen=True)
class StatusChange:
    report: ReportSummary
    changed: bool  # False when the report already had that status (someone got there first)


# --- helpers ------------------------------------------------------------------------------------


def reference_prefix(school_slug: str) -> str:
    """OAK for oakfield, STO for stocks-green: the slug's first three letters, upper-cased."""
    letters = re.sub(r"[^A-Za-z]", "", school_slug)[:3].upper()
    return letters or "SCH"


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"


def _submission_key(submission_id: str | None) -> str | None:
    """The stored form of a caller's submission id (hashed when longer than the column)."""
    if not submission_id:
        return None
    if len(submission_id) <= _SUBMISSION_ID_MAX:
        return submission_id
    return "sha256:" + hashlib.sha256(submission_id.encode("utf-8")).hexdigest()


def _insert_for(session: AsyncSession):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _summary_fields(report: Report) -> dict:
    return dict(
        id=report.id,
        reference=report.reference,
        school_slug=report.school_slug,
        kind=report.kind,
        category=report.category,
        urgency=report.urgency,
        status=report.status,
        route_to=report.route_to,
        reporter=Reporter(report.reporter_channel, report.reporter_id, report.reporter_name),
        created_at=as_utc(report.created_at),
        acknowledged_at=as_utc(report.acknowledged_at),
        acknowledged_by=report.acknowledged_by,
        closed_at=as_utc(report.closed_at),
        closed_by=report.closed_by,
        legal_hold=report.legal_hold,
    )


def _summary(report: Report) -> ReportSummary:
    return ReportSummary(**_summary_fields(report))


def _not_saved(what: str, exc: BaseException) -> ReportNotSaved:
    # Exception text can quote SQL parameters (names, ciphertext): log the type only.
    log.error("%s failed, nothing saved: %s", what, type(exc).__name__)
    return ReportNotSaved(f"{what} failed: the database is unavailable or refused the change")


def _audit(
    session: AsyncSession,
    actor: Reporter | Actor,
    school_slug: str,
    action: str,
    reference: str | None,
    detail: str,
    at: datetime,
) -> None:
    audit.record(
        session,
        actor_channel=actor.channel,
        actor_id=actor.user_id,
        school_slug=school_slug,
        action=action,
        reference=reference,
        detail=detail,
        at=at,
    )


async def _next_number(session: AsyncSession, prefix: str, year: int) -> int:
    """Atomically take the next number for prefix/year (the row stays locked until commit)."""
    insert = _insert_for(session)
    statement = insert(ReferenceCounter).values(school_slug=prefix, year=year, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[ReferenceCounter.school_slug, ReferenceCounter.year],
        set_={"last": ReferenceCounter.last + 1},
    ).returning(ReferenceCounter.last)
    return (await session.execute(statement)).scalar_one()


class _AlreadyFiled(Exception):
    """Raised inside the transaction to roll back the counter bump of a duplicate submit."""

    def __init__(self, report: SubmittedReport):
        super().__init__(report.reference)
        self.report = report


async def _lock_report(session: AsyncSession, reference: str) -> bool:
    """Take the report's write lock as the transaction's FIRST statement (False if it does not exist).

    A no-op UPDATE: on PostgreSQL it locks the row like SELECT ... FOR UPDATE; on SQLite it
    takes the database write lock before anything is read, so a racing writer waits instead
    of failing with "database is locked" when its read snapshot turns stale.
    """
    result = await session.execute(
        update(Report)
        .where(Report.reference == reference)
        .values(reference=Report.reference)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def _find_submission(session: AsyncSession, key: str) -> SubmittedReport | None:
    row = (
        await session.execute(select(Report.id, Report.reference, Report.created_at).where(Report.submission_id == key))
    ).one_or_none()
    return None if row is None else SubmittedReport(row.id, row.reference, as_utc(row.created_at), already_filed=True)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


# --- submitting ---------------------------------------------------------------------------------


async def submit_report(
    sessions: async_sessionmaker,
    cipher: ContentCipher,
    *,
    school_slug: str,
    kind: str,
    category: str,
    urgency: str,
    route_to: str,
    reporter: Reporter,
    content: dict,
    now: datetime | None = None,
    submission_id: str | None = None,
    conversation_key: str | None = None,
) -> SubmittedReport:
    """Store a report with its reference, alerts and audit entry, all or nothing.

    `submission_id` (stable for one report in one conversation) makes a retried submit
    return the report already stored. `conversation_key` ends that conversation's draft.
    Raises ReportNotSaved when the database fails; ValueError for a caller's bad arguments.
    """
    _check_choice("kind", kind, kinds.ids())
    route_to = route_to or kinds.get(kind).route
    _check_choice("urgency", urgency, URGENCIES)
    _check_choice("route_to", route_to, ROUTES)
    if not school_slug or not reporter.channel or not reporter.user_id:
        raise ValueError("a report needs a school slug and a reporter with a channel and user id")
    if not isinstance(content, dict):
        raise ValueError("report content must be a dict")
    now = now_or(now)
    prefix = reference_prefix(school_slug)
    sealed = cipher.encrypt_json(content)  # before the transaction: keep the lock short
    key = _submission_key(submission_id)
    try:
        async with sessions() as session:
            async with session.begin():
                number = await _next_number(session, prefix, now.year)  # first statement: takes the write lock
                if key is not None:
                    earlier = await _find_submission(session, key)
                    if earlier is not None:
                        raise _AlreadyFiled(earlier)  # rolls the counter back
                report = Report(
                    reference=format_reference(prefix, now.year, number),
                    school_slug=school_slug,
                    kind=kind,
                    category=category or "",
                    urgency=urgency,
                    status="new",
                    reporter_channel=reporter.channel[:32],
                    reporter_id=reporter.user_id[:256],
                    reporter_name=reporter.name[:200],
                    route_to=route_to,
                    content=sealed,
                    created_at=now,
                    legal_hold=False,
                    submission_id=key,
                )
                session.add(report)
                await session.flush()
                await plan_alerts(session, report, now)
                _audit(session, reporter, school_slug, "submit", report.reference, f"{kind}, {urgency}", now)
                if conversation_key:
                    await session.execute(delete(ReportDraft).where(ReportDraft.conversation_key == conversation_key))
                filed = SubmittedReport(report.id, report.reference, now)
    except _AlreadyFiled as duplicate:
        log.info("retried submit returned report %s", duplicate.report.reference)
        return duplicate.report
    except IntegrityError as exc:
        # Two submits with one submission id raced past the check: the other one won.
        if key is not None:
            try:
                async with sessions() as session:
                    earlier = await _find_submission(session, key)
            except Exception as lookup_error:  # noqa: BLE001 - any failure means "not saved"
                raise _not_saved("report submit", lookup_error) from lookup_error
            if earlier is not None:
                return earlier
        raise _not_saved("report submit", exc) from exc
    except Exception as exc:  # noqa: BLE001 - the user must never see "submitted" for an unsaved report
        raise _not_saved("report submit", exc) from exc
    log.info("report %s stored (%s, %s)", filed.reference, kind, urgency)
    return filed


async def complete_report(
    sessions: async_sessionmaker,
    cipher: ContentCipher,
    reference: str,
    *,
    reporter: Reporter,
    content: dict,
    category: str | None = None,
    urgency: str | None = None,
    conversation_key: str | None = None,
    now: datetime | None = None,
) -> SubmittedReport:
    """Replace the content of a report filed early (the urgent alert went before the questions).

    Only the reporter who filed it can complete it. Urgency can rise but never fall: an
    urgent alert already sent stays urgent. Idempotent: completing twice stores the last answers.
    """
    if urgency is not None:
        _check_choice("urgency", urgency, URGENCIES)
    now = now_or(now)
    sealed = cipher.encrypt_json(content)
    try:
        async with sessions() as session:
            async with session.begin():
                await _lock_report(session, reference)
                report = (
                    await session.execute(
                        select(Report).where(
                            Report.reference == reference,
                            Report.reporter_channel == reporter.channel,
                            Report.reporter_id == reporter.user_id,
                        )
                    )
                ).scalar_one_or_none()
                if report is None:
                    raise UnknownReport(f"no report {reference!r} filed by this reporter")
                report.content = sealed
                if category is not None:
                    report.category = category
                if urgency is not None and URGENCIES.index(urgency) < URGENCIES.index(report.urgency):
                    report.urgency = urgency
                _audit(session, reporter, report.school_slug, "submit", reference, "completed", now)
                if conversation_key:
                    await session.execute(delete(ReportDraft).where(ReportDraft.conversation_key == conversation_key))
                filed = SubmittedReport(report.id, report.reference, as_utc(report.created_at), already_filed=True)
    except UnknownReport:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _not_saved("report completion", exc) from exc
    log.info("report %s completed", reference)
    return filed


# --- reading ---------------------------------------------------------------------------------------


async def find_report(session: AsyncSession, reference: str) -> ReportSummary | None:
    """The report's metadata, or None: what an access check needs, decrypting nothing."""
    report = (await session.execute(select(Report).where(Report.reference == reference))).scalar_one_or_none()
    return None if report is None else _summary(report)


async def read_report(
    session: AsyncSession,
    cipher: ContentCipher,
    reference: str,
    *,
    reader: Actor | None = None,
    action: str = "view",
    detail: str = "",
    now: datetime | None = None,
) -> ReportView | None:
    """The report with its content and close note decrypted, or None.

    With `reader`, the read is written to the audit log (`action`: a lead's 'view', an
    operator's 'export') before anything is decrypted, in the caller's transaction, so it
    commits before the caller can show anything. Whether the reader may read it is the
    caller's check (bot.records.dsl_commands by role, bot.records.export by holding the database).
    """
    report = (await session.execute(select(Report).where(Report.reference == reference))).scalar_one_or_none()
    if report is None:
        return None
    if reader is not None:
        _audit(session, reader, report.school_slug, action, reference, detail, now_or(now))
    return ReportView(
        **_summary_fields(report),
        content=cipher.decrypt_json(report.content),
        close_note=cipher.decrypt_text(report.close_note) if report.close_note else None,
    )


async def list_reports(
    session: AsyncSession, school_slug: str, statuses: tuple[str, ...] = STATUSES
) -> list[ReportSummary]:
    """A school's reports with one of `statuses`, without content, oldest first: the report
    waiting longest heads a lead's list of open ones (OPEN_STATUSES)."""
    for status in statuses:
        _check_choice("status", status, STATUSES)
    rows = (
        (
            await session.execute(
                select(Report)
                .where(Report.school_slug == school_slug, Report.status.in_(statuses))
                .order_by(Report.created_at, Report.id)
            )
        )
        .scalars()
        .all()
    )
    return [_summary(row) for row in rows]


# --- status changes -------------------------------------------------------------------------------
# Both run in the caller's transaction (bot.records.dsl_commands checks the lead's role in the same one)
# and write their own audit entries there, so a change never commits without its record.


async def _locked_report(session: AsyncSession, reference: str) -> Report:
    """The report, read after taking its write lock, so the status seen is the status changed."""
    if not await _lock_report(session, reference):
        raise UnknownReport(f"no report {reference!r}")
    # populate_existing: the caller may have loaded this row before the lock; read it afresh.
    return (
        await session.execute(
            select(Report).where(Report.reference == reference).execution_options(populate_existing=True)
        )
    ).scalar_one()


async def _acknowledge(session: AsyncSession, report: Report, actor: Actor, role: str, now: datetime) -> bool:
    """Record who saw the report first and when; False when someone already had.

    Only the first acknowledgement stops the escalation and sends the reporter a receipt
    (bot.alerts.planning.on_acknowledged): a second lead acknowledging changes nothing.
    """
    claimed = await session.execute(
        update(Report)
        .where(Report.id == report.id, Report.acknowledged_at.is_(None))
        .values(status="acknowledged", acknowledged_at=now, acknowledged_by=actor.label[:256])
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        return False
    await on_acknowledged(session, report, actor, role, now)
    return True


async def acknowledge_report(
    session: AsyncSession, reference: str, actor: Actor, *, role: str, now: datetime | None = None
) -> StatusChange:
    """A lead, acting as `role`, has seen the report. Idempotent: the first lead stays on record.

    Every attempt is audited, a repeated one as "nothing changed", so the log shows each lead
    who answered the page. Raises UnknownReport for an unknown reference.
    """
    now = now_or(now)
    report = await _locked_report(session, reference)
    changed = await _acknowledge(session, report, actor, role, now)
    _audit(
        session,
        actor,
        report.school_slug,
        "acknowledge",
        reference,
        f"as {role}" if changed else "already acknowledged: nothing changed",
        now,
    )
    await session.refresh(report)
    log.info("report %s acknowledged (changed=%s)", reference, changed)
    return StatusChange(_summary(report), changed)


async def close_report(
    session: AsyncSession,
    cipher: ContentCipher,
    reference: str,
    actor: Actor,
    note: str,
    *,
    role: str,
    now: datetime | None = None,
) -> StatusChange:
    """Close the report with a note saying what was done (encrypted like the content).

    A closed report is never reopened or re-noted: closing it again changes nothing and
    returns who closed it. The note is required and at most MAX_CLOSE_NOTE characters
    (CloseNoteRefused), since the full record belongs in the school's safeguarding system.
    Closing an unacknowledged report acknowledges it first: closing means it was read, so
    its escalation stops and the reporter hears so.
    """
    now = now_or(now)
    report = await _locked_report(session, reference)
    if report.status == "closed":
        return StatusChange(_summary(report), False)
    note = (note or "").strip()
    if not note or len(note) > MAX_CLOSE_NOTE:
        raise CloseNoteRefused(len(note))
    if await _acknowledge(session, report, actor, role, now):
        _audit(session, actor, report.school_slug, "acknowledge", reference, f"as {role}, on closing", now)
    report.status, report.closed_at, report.closed_by = "closed", now, actor.label[:256]
    report.close_note = cipher.encrypt_text(note)
    _audit(session, actor, report.school_slug, "close", reference, f"as {role}", now)
    await session.flush()
    await session.refresh(report)
    log.info("report %s closed", reference)
    return StatusChange(_summary(report), True)


async def reencrypt_reports(sessions: async_sessionmaker, cipher: ContentCipher, batch_size: int = 200) -> int:
    """Key rotation: re-encrypt every report's content and close note under the newest key."""
    rotated, last_id = 0, 0
    while True:
        async with sessions() as session:
            async with session.begin():
                rows = (
                    (
                        await session.execute(
                            select(Report).where(Report.id > last_id).order_by(Report.id).limit(batch_size)
                        )
                    )
                    .scalars()
                    .all()
                )
                for report in rows:
                    report.content = cipher.rotate(report.content)
                    if report.close_note:
                        report.close_note = cipher.rotate(report.close_note)
        if not rows:
            return rotated
        rotated += len(rows)
        last_id = rows[-1].id


# --- drafts --------------------------------------------------------------------------------------


async def touch_draft(
    sessions: async_sessionmaker,
    conversation_key: str,
    school_slug: str,
    kind: str,
    reporter: Reporter,
    now: datetime | None = None,
) -> None:
    """Record that a report is under way in this conversation (created, or its activity time moved on).

    Activity after a reminder re-arms the reminder; a DSL already told is not told twice.
    """
    now = now_or(now)
    try:
        async with sessions() as session:
            async with session.begin():
                insert = _insert_for(session)
                statement = insert(ReportDraft).values(
                    conversation_key=conversation_key,
                    school_slug=school_slug,
                    kind=kind,
                    reporter_channel=reporter.channel[:32],
                    reporter_id=reporter.user_id[:256],
                    reporter_name=reporter.name[:200],
                    started_at=now,
                    last_activity_at=now,
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[ReportDraft.conversation_key],
                        set_={"last_activity_at": now, "school_slug": school_slug, "kind": kind, "reminded_at": None},
                    )
                )
    except Exception as exc:  # noqa: BLE001
        raise _not_saved("draft marker", exc) from exc


async def clear_draft(sessions: async_sessionmaker, conversation_key: str) -> bool:
    """Forget the draft marker (submitted or cancelled). True if there was one."""
    try:
        async with sessions() as session:
            async with session.begin():
                result = await session.execute(
                    delete(ReportDraft).where(ReportDraft.conversation_key == conversation_key)
                )
    except Exception as exc:  # noqa: BLE001
        raise _not_saved("draft clearing", exc) from exc
    return bool(result.rowcount)
