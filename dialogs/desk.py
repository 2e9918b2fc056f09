"""What a report flow needs from wherever reports are kept: the record desk, as the flows see it.

Why a protocol the dialogs own: the flows only need "file this", "remember a draft exists" and
"forget the draft". Declaring that here, with the few types it speaks in, lets the flows be read
and tested without the report store; bot.records.report_desk implements it over bot.records.reports, and a test
can hand in a desk whose database is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from botbuilder.core import TurnContext


@dataclass(frozen=True)
class Reporter:
    """Who raised a report, as the channel identifies them (never asked in the dialog)."""

    channel: str
    user_id: str
    name: str = ""


@dataclass(frozen=True)
class Filed:
    reference: str
    created_at: datetime | None = None


class ReportNotFiled(Exception):
    """The report (or draft marker) could not be saved: the database is unavailable."""


class RecordDesk(Protocol):
    async def file(
        self,
        *,
        reporter: Reporter,
        school_slug: str,
        kind: str,
        category: str,
        urgency: str,
        route_to: str,
        content: dict,
        reference: str | None = None,
        submission_id: str | None = None,
        conversation_key: str | None = None,
    ) -> Filed:
        """Store a report, or complete the one filed early under `reference` (an urgent alert).
        Raises ReportNotFiled when nothing could be saved."""

    async def touch_draft(self, conversation_key: str, school_slug: str, kind: str, reporter: Reporter) -> None:
        """Note that a report is under way here (for reminders); raises ReportNotFiled."""

    async def clear_draft(self, conversation_key: str) -> None:
        """The report here was submitted or cancelled; raises ReportNotFiled."""


def reporter_of(context: TurnContext) -> Reporter:
    """Who is reporting: taken from the channel, never asked."""
    sender = context.activity.from_property
    return Reporter(
        channel=context.activity.channel_id or "unknown",
        user_id=(getattr(sender, "id", None) or "unknown"),
        name=(getattr(sender, "name", None) or ""),
    )


def conversation_key(context: TurnContext) -> str:
    """Where the report is being made: one draft and one submission per conversation."""
    conversation = context.activity.conversation
    return f"{context.activity.channel_id}/{getattr(conversation, 'id', '') or ''}"
