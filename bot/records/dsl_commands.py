"""What a safeguarding lead can do from the chat: list open reports, open one, acknowledge
it, close it with a note. Typed commands and card buttons lead to the same code.

Access is by role AT THE SCHOOL the conversation belongs to, never by knowing a
reference: anyone else gets a plain refusal. A concern about a member of staff is shown
only to the roles on its own chain (head, chair), so a DSL who is the subject of it cannot
read it. Every list, view, change and refusal is written to the audit log in the same
transaction as what it records.

`try_handle` returns None for anything that is not one of these commands, so the turn
loop can call it first on every message without stealing ordinary questions. The lead's
overview card is oversight's (`bot.oversight.overview_command`), a route of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from botbuilder.schema import Activity
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import kinds
from bot.alerts.planning import Actor, roles_allowed
from bot.alerts.roles import ROLE_ORDER, ROLE_TITLES, known_schools, roles_of
from bot.records import audit, reports
from bot.records.report_layout import lay_out
from bot.utc import now_or, shown
from dialogs.rendering import Button, Renderer, Summary

REFERENCE = r"([A-Za-z]{2,8}-\d{4}-\d{3,6})"
LIST_PATTERN = re.compile(
    r"^(?:(?:show|list|view|see)\s+(?:all\s+|my\s+)?(?:open\s+|new\s+)?reports"
    r"|open\s+reports|reports)\s*[.!?]*$",
    re.I,
)
SHOW_PATTERN = re.compile(rf"^(?:show|open|view)\s+(?:report\s+)?{REFERENCE}\s*[.!?]*$", re.I)
ACK_PATTERN = re.compile(rf"^(?:ack|acknowledge|acknowledged)\s+(?:report\s+)?{REFERENCE}\s*[.!?]*$", re.I)
CLOSE_PATTERN = re.compile(
    rf"^close\s+(?:report\s+)?{REFERENCE}(?:\s+with(?:\s+(?:a|the))?(?:\s+note)?\s*:?\s*(.*))?$", re.I | re.S
)
REFUSAL = (
    "Sorry, only the school's safeguarding leads can list, open or act on reports. "
    'If you want to report a concern, say "report a concern".'
)
NO_SUCH_REPORT = "There is no report {reference} at this school that you can open."


@dataclass(frozen=True)
class Command:
    verb: str  # list | show | acknowledge | close
    reference: str | None = None
    note: str | None = None


def parse(text_or_value) -> Command | None:
    """The DSL command in a typed message or a card button's value, or None."""
    if isinstance(text_or_value, dict):
        action, reference = text_or_value.get("action"), text_or_value.get("reference")
        if action in ("acknowledge", "open_report") and isinstance(reference, str) and reference.strip():
            return Command("acknowledge" if action == "acknowledge" else "show", reference.strip().upper())
        return None
    if not isinstance(text_or_value, str):
        return None
    text = " ".join(text_or_value.split()) if "\n" not in text_or_value else text_or_value.strip()
    if LIST_PATTERN.match(text):
        return Command("list")
    if match := SHOW_PATTERN.match(text):
        return Command("show", match.group(1).upper())
    if match := ACK_PATTERN.match(text):
        return Command("acknowledge", match.group(1).upper())
    if match := CLOSE_PATTERN.match(text):
        return Command("close", match.group(1).upper(), (match.group(2) or "").strip())
    return None


def _best_role(roles: set[str]) -> str:
    return next((role for role in ROLE_ORDER if role in roles), "dsl")


async def try_handle(
    text_or_value,
    *,
    channel: str,
    user_id: str | Iterable[str],
    school_slug: str,
    sessions: async_sessionmaker,
    cipher,
    renderer: Renderer,
    user_name: str = "",
    now: datetime | None = None,
) -> Activity | None:
    """Answer a DSL command, or return None when the message is not one."""
    command = parse(text_or_value)
    if command is None:
        return None
    ids = (user_id,) if isinstance(user_id, str) else tuple(user_id)
    actor = Actor(channel, ids[0] if ids else "", user_name)
    now = now_or(now)
    async with sessions() as session, session.begin():
        roles = await roles_of(session, school_slug, channel, ids)

        def log(action: str, reference: str | None = None, detail: str = "") -> None:
            audit.record(
                session,
                actor_channel=channel,
                actor_id=actor.user_id,
                school_slug=school_slug,
                action=action,
                reference=reference,
                detail=detail,
                at=now,
            )

        if not roles:
            log("denied", command.reference, f"{command.verb}: holds no safeguarding role at this school")
            return renderer.text(REFUSAL)
        if command.verb == "list":
            return await _list(session, school_slug, roles, renderer, log)
        report = await reports.find_report(session, command.reference)
        if report is None or report.school_slug != school_slug:
            log("denied", command.reference, f"{command.verb}: no such report at this school")
            return renderer.text(NO_SUCH_REPORT.format(reference=command.reference))
        allowed = roles & roles_allowed(report.route_to)
        if not allowed:
            log(
                "denied",
                report.reference,
                f"{command.verb}: role {', '.join(sorted(roles))} not on this report's route",
            )
            return renderer.text(NO_SUCH_REPORT.format(reference=command.reference))
        role = _best_role(allowed)
        # From here bot.records.reports reads and changes the report, auditing in this same transaction.
        if command.verb == "show":
            return renderer.summary(
                _full_view(await reports.read_report(session, cipher, report.reference, reader=actor, now=now))
            )
        if command.verb == "acknowledge":
            change = await reports.acknowledge_report(session, report.reference, actor, role=role, now=now)
            if not change.changed:
                return renderer.text(
                    f"{report.reference} was already acknowledged by {change.report.acknowledged_by} "
                    f"at {shown(change.report.acknowledged_at)}."
                )
            return renderer.text(
                f"Acknowledged {report.reference}. {report.reporter.name or 'The reporter'} "
                f"will be told that the {ROLE_TITLES[role]} has seen it."
            )
        return await _close(session, cipher, report.reference, command.note or "", actor, role, now, renderer)


async def _list(session: AsyncSession, school_slug: str, roles: set[str], renderer: Renderer, log) -> Activity:
    visible = [
        r
        for r in await reports.list_reports(session, school_slug, reports.OPEN_STATUSES)
        if roles & roles_allowed(r.route_to)
    ]
    log("list", None, f"{len(visible)} open reports")
    school = (await known_schools(session)).get(school_slug, school_slug)
    if not visible:
        return renderer.text(f"There are no open reports at {school}.")
    return renderer.summary(
        Summary(
            title=f"Open reports at {school}",
            fields=tuple(
                (
                    r.reference,
                    f"{kinds.label_of(r.kind)}, {r.urgency}, {r.status}, "
                    f"raised by {r.reporter.name or 'a member of staff'} at {shown(r.created_at)}",
                )
                for r in visible
            ),
            buttons=tuple(
                Button(f"Open {r.reference}", {"action": "open_report", "reference": r.reference}) for r in visible[:5]
            ),
            note="Say 'show REFERENCE' to open one.",
        )
    )


def _label(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()


def _value(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if value is None or value == "":
        return "(not given)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _full_view(report: reports.ReportView) -> Summary:
    """The opened report as a card: its metadata, status, close note and every answer."""
    layout = lay_out(report)
    fields = [
        ("Reference", report.reference),
        ("Kind", layout.kind_label + (f" ({report.category})" if report.category else "")),
        ("Urgency", report.urgency),
        ("Status", report.status),
        ("Raised by", layout.raised_by),
        ("Raised at", shown(report.created_at)),
    ]
    for step in layout.history[1:]:
        fields.append((step.status.capitalize(), f"by {step.by} at {shown(step.at)}"))
        if step.status == "closed" and report.close_note:
            fields.append(("Closing note", report.close_note))
    fields.extend((_label(key), _value(value)) for key, value in report.content.items())
    buttons = (
        ()
        if report.acknowledged_at
        else (Button("Acknowledge", {"action": "acknowledge", "reference": report.reference}),)
    )
    return Summary(
        title=f"Safeguarding report {report.reference}",
        fields=tuple(fields),
        buttons=buttons,
        note="Confidential: do not forward. This view has been recorded in the audit log.",
    )


async def _close(
    session: AsyncSession, cipher, reference: str, note: str, actor: Actor, role: str, now: datetime, renderer: Renderer
) -> Activity:
    """bot.records.reports.close_report, its refusals put as a lead would want them explained."""
    try:
        change = await reports.close_report(session, cipher, reference, actor, note, role=role, now=now)
    except reports.CloseNoteRefused as refused:
        if not refused.length:
            return renderer.text(
                f"Please close it with a note saying what was done, e.g. "
                f'"close {reference} with referred to children\'s social care".'
            )
        return renderer.text(
            f"That note is {refused.length} characters; please keep it under "
            f"{reports.MAX_CLOSE_NOTE} (the full record belongs in the school's safeguarding "
            "system). Nothing was changed."
        )
    if not change.changed:
        return renderer.text(
            f"{reference} is already closed (by {change.report.closed_by} at {shown(change.report.closed_at)})."
        )
    return renderer.text(f"Closed {reference} with your note.")
