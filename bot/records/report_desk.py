"""Where a finished (or urgent, unfinished) report goes: the flows' record desk over `bot.records.reports`.

Why a seam: the flows declare what they need (dialogs.desk.RecordDesk: "file this", "remember a
draft exists", "forget the draft"); keeping the exact `bot.records.reports` calls in this one place means
the flows read as the conversation they are, and tests can swap in a desk whose database is down.
"""

from __future__ import annotations

import logging

from bot.records import reports
from dialogs.desk import Filed, Reporter, ReportNotFiled

log = logging.getLogger(__name__)


class ReportDesk:
    """Files reports through `bot.records.reports` into the database, encrypted by `cipher` (a RecordDesk)."""

    def __init__(self, sessions, cipher):
        self.sessions = sessions
        self.cipher = cipher

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
        """Store a report, or, given the `reference` of one filed early (an urgent alert raised
        before the questions), complete that same report with the full answers."""
        try:
            submitted = None
            if reference:
                try:
                    submitted = await reports.complete_report(
                        self.sessions,
                        self.cipher,
                        reference,
                        reporter=reporter,
                        content=content,
                        category=category,
                        urgency=urgency,
                        conversation_key=conversation_key,
                    )
                except reports.UnknownReport:
                    # The early urgent report is not this reporter's (state from elsewhere): never
                    # drop the answers, file them as a report of their own.
                    log.error("early report reference not found for this reporter; filing a new report")
            if submitted is None:
                submitted = await reports.submit_report(
                    self.sessions,
                    self.cipher,
                    school_slug=school_slug,
                    kind=kind,
                    category=category,
                    urgency=urgency,
                    route_to=route_to,
                    reporter=reporter,
                    content=content,
                    submission_id=submission_id,
                    conversation_key=conversation_key,
                )
        except reports.ReportNotSaved as exc:
            raise ReportNotFiled(type(exc).__name__) from exc
        return Filed(reference=submitted.reference, created_at=submitted.created_at)

    async def touch_draft(self, conversation_key: str, school_slug: str, kind: str, reporter: Reporter) -> None:
        try:
            await reports.touch_draft(self.sessions, conversation_key, school_slug, kind, reporter)
        except reports.ReportNotSaved as exc:
            raise ReportNotFiled(type(exc).__name__) from exc

    async def clear_draft(self, conversation_key: str) -> None:
        try:
            await reports.clear_draft(self.sessions, conversation_key)
        except reports.ReportNotSaved as exc:
            raise ReportNotFiled(type(exc).__name__) from exc
