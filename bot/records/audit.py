"""The access log of safeguarding records: who listed, viewed, changed or was refused what.

Append-only by construction: this module only ever inserts. Entries name the actor, the
school, the action and the report reference, never any report content, so the log can be
shown to an inspector or a data-protection officer as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.persistence.models import AuditEntry, utcnow

ACTIONS = (
    "list",
    "view",
    "acknowledge",
    "close",
    "export",
    "submit",
    "denied",
    "hold",
    "release",
    "delete",  # legal hold on/off, retention deletion (bot.records.retention)
    "overview",
    "summary",  # counts in chat, the governors' termly page (bot.oversight)
)


def record(
    session: AsyncSession,
    *,
    actor_channel: str,
    actor_id: str,
    school_slug: str,
    action: str,
    reference: str | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to `session` (committed with the caller's transaction, so a change and
    its audit entry stand or fall together)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {', '.join(ACTIONS)}")
    entry = AuditEntry(
        at=at or utcnow(),
        actor_channel=actor_channel[:32],
        actor_id=actor_id[:256],
        school_slug=school_slug[:64],
        action=action,
        report_reference=reference,
        detail=detail[:300],
    )
    session.add(entry)
    return entry
