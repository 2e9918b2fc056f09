"""One opened report as people read it: who raised it, its kind's name, its history, its answers.

Why: the DSL's report card in chat, the JSON export and the printable HTML export each used to
work these out for themselves (who "raised by" is, the kind's label or title, which status
changes happened and who made them, which stored content is the account). `lay_out` works them
out once from the report `bot.records.reports.read_report` opened; each of the three only formats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import kinds
from bot.records.reports import ReportView

CONTENT_BESIDE_THE_ACCOUNT = ("answers", "kind")  # stored content that is not an "other detail"


@dataclass(frozen=True)
class StatusStep:
    status: str  # new | acknowledged | closed
    at: datetime
    by: str | None


@dataclass(frozen=True)
class ReportLayout:
    report: ReportView
    kind_label: str  # "concern about an adult": in chat
    kind_title: str  # "Concern about an adult": as a record's heading
    raised_by: str  # the reporter's name, or their channel id when the channel gave no name
    history: tuple[StatusStep, ...]  # raised, then acknowledged and closed when they happened
    account: tuple[tuple[str, Any], ...]  # (question, answer) as the member of staff gave them
    other_details: dict  # what else the content holds (an early urgent alert's details, older shapes)


def lay_out(report: ReportView) -> ReportLayout:
    raised_by = report.reporter.name or report.reporter.user_id
    history = [StatusStep("new", report.created_at, raised_by)]
    if report.acknowledged_at:
        history.append(StatusStep("acknowledged", report.acknowledged_at, report.acknowledged_by))
    if report.closed_at:
        history.append(StatusStep("closed", report.closed_at, report.closed_by))
    return ReportLayout(
        report=report,
        kind_label=kinds.label_of(report.kind),
        kind_title=kinds.title_of(report.kind),
        raised_by=raised_by,
        history=tuple(history),
        account=account_of(report.content),
        other_details=other_details_of(report.content),
    )


def account_of(content: Any) -> tuple[tuple[str, Any], ...]:
    """The answers of stored content as (question, answer), in the order they were asked."""
    answers = content.get("answers", {}) if isinstance(content, dict) else {}
    return tuple(
        (item.get("question", key), item.get("answer")) if isinstance(item, dict) else (key, item)
        for key, item in answers.items()
    )


def other_details_of(content: Any) -> dict:
    if not isinstance(content, dict):
        return {}
    return {key: value for key, value in content.items() if key not in CONTENT_BESIDE_THE_ACCOUNT}
