"""Every time the assistant stores, compares or shows is UTC; this module is how it stays so.

Why one helper: SQLite hands datetimes back without a zone while PostgreSQL hands them back
aware, and comparing the two raises. Reports, alerts, retention and the export each used to
carry their own copy of the same fix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """The same moment, zone-aware in UTC (a naive time is one SQLite stored as UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def now_or(moment: datetime | None) -> datetime:
    """`moment` in UTC, or the present moment when none is given (callers and tests may fix the clock)."""
    return as_utc(moment) if moment is not None else datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with a Z, as the export writes times: 2026-03-02T09:00:00Z."""
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def shown(moment: datetime | None) -> str:
    """As staff read a time in chat: 2026-03-02 09:00 UTC ("" for none)."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else ""
