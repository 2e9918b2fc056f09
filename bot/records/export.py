"""`python app.py export --report REF`: one report's full record, for a subject access request
or for handing the case to the school's safeguarding system (CPOMS, MyConcern, ...).

Two files, written side by side:
  <REF>.json  every field, the decrypted account with its questions, the status history,
              the acknowledgement, the alerts sent (who, when; never content) and the audit
              trail: what another system imports.
  <REF>.html  the same record as one self-contained page (no scripts, no external files,
              print-friendly CSS) for a person to read or print. Every piece of user text is
              HTML-escaped, so a child's words can never turn into markup.

Why the export is audited BEFORE anything is written: an export is the largest disclosure
of a record there is, so the audit entry must exist even if writing the files then fails.
The entry is part of the trail the export contains. The files hold decrypted content:
they are written owner-only (0600) and the command says so.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot import kinds
from bot.alerts.planning import Actor
from bot.persistence.crypto import ContentCipher
from bot.persistence.models import Alert, AuditEntry, School
from bot.records.report_layout import account_of, lay_out, other_details_of
from bot.records.reports import UnknownReport, read_report
from bot.utc import iso

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Exported:
    reference: str
    json_path: Path
    html_path: Path


async def build_record(
    sessions: async_sessionmaker,
    cipher: ContentCipher,
    reference: str,
    *,
    actor_channel: str = "cli",
    actor_id: str = "cli-operator",
    now: datetime | None = None,
) -> dict:
    """The report's complete record as plain JSON-ready data; UnknownReport if there is none.

    bot.records.reports reads and decrypts the report and records the 'export' audit entry; the
    transaction commits before this returns, so before any file is written.
    """
    now = now or datetime.now(UTC)
    async with sessions() as session:
        async with session.begin():
            report = await read_report(
                session,
                cipher,
                reference,
                reader=Actor(actor_channel, actor_id),
                action="export",
                detail="full record (json, html)",
                now=now,
            )
            if report is None:
                raise UnknownReport(reference)
            school = await session.get(School, report.school_slug)
            alerts = (
                (
                    await session.execute(
                        select(Alert).where(Alert.report_id == report.id).order_by(Alert.created_at, Alert.id)
                    )
                )
                .scalars()
                .all()
            )
            trail = (
                (
                    await session.execute(  # includes the export entry: the query flushes it first
                        select(AuditEntry)
                        .where(AuditEntry.report_reference == reference)
                        .order_by(AuditEntry.at, AuditEntry.id)
                    )
                )
                .scalars()
                .all()
            )

    layout = lay_out(report)
    return {
        "format": "safeguarding-assistant/report-export",
        "format_version": FORMAT_VERSION,
        "exported_at": iso(now),
        "exported_by": f"{actor_channel}:{actor_id}",
        "report": {
            "reference": report.reference,
            "school_slug": report.school_slug,
            "school_name": school.name if school else report.school_slug,
            "kind": report.kind,
            "category": report.category,
            "urgency": report.urgency,
            "status": report.status,
            "route_to": report.route_to,
            "legal_hold": bool(report.legal_hold),
            "created_at": iso(report.created_at),
            "reporter": {
                "channel": report.reporter.channel,
                "user_id": report.reporter.user_id,
                "name": report.reporter.name,
            },
        },
        "content": report.content,
        "acknowledgement": (
            {"at": iso(report.acknowledged_at), "by": report.acknowledged_by} if report.acknowledged_at else None
        ),
        "closure": (
            {"at": iso(report.closed_at), "by": report.closed_by, "note": report.close_note}
            if report.closed_at
            else None
        ),
        "status_history": [{"status": step.status, "at": iso(step.at), "by": step.by} for step in layout.history],
        "alerts": [
            {
                "purpose": a.purpose,
                "stage": a.stage,
                "recipient_role": a.recipient_role,
                "recipient_channel": a.recipient_channel,
                "recipient_id": a.recipient_id,
                "status": a.status,
                "attempts": a.attempts,
                "created_at": iso(a.created_at),
                "delivered_at": iso(a.delivered_at),
            }
            for a in alerts
        ],
        "audit_trail": [
            {"at": iso(e.at), "actor": f"{e.actor_channel}:{e.actor_id}", "action": e.action, "detail": e.detail}
            for e in trail
        ],
    }


# --- HTML ----------------------------------------------------------------------------------------

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;border-bottom:1px solid #999;margin-top:2rem}
.banner{border:2px solid #900;padding:.5rem .8rem;color:#900;font-weight:bold}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f1f1;width:30%}.answer{white-space:pre-wrap;font-family:inherit}
@media print{body{margin:0;max-width:none}.banner{border-width:1px}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(rows: list[tuple[str, object]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"


def _grid(headers: list[str], rows: list[list[object]], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(record: dict) -> str:
    """A printable page of the record. Nothing here is trusted: every value goes through `_e`."""
    report = record["report"]
    title = f"{report['reference']}: {kinds.title_of(report['kind'])}"
    account = "".join(
        f'<tr><th>{_e(question)}</th><td class="answer">{_e(answer)}</td></tr>'
        for question, answer in account_of(record["content"])
    )
    extra = other_details_of(record["content"])
    ack, closure = record["acknowledgement"], record["closure"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No scripts, no external resources: the page is safe to open offline and to archive.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        '<p class="banner">CONFIDENTIAL: safeguarding record. Special category personal data. '
        "Store and share only under your school's child protection policy.</p>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(report['school_name'])}. Exported {_e(record['exported_at'])} by {_e(record['exported_by'])}.</p>",
        "<h2>Report</h2>",
        _table(
            [
                ("Reference", report["reference"]),
                ("School", report["school_name"]),
                ("Kind", kinds.title_of(report["kind"])),
                ("Category", report["category"]),
                ("Urgency", report["urgency"]),
                ("Status", report["status"]),
                ("Routed to", report["route_to"]),
                (
                    "Reported by",
                    f"{report['reporter']['name']} ({report['reporter']['channel']}:{report['reporter']['user_id']})",
                ),
                ("Recorded at", report["created_at"]),
                ("Legal hold", "yes" if report["legal_hold"] else "no"),
            ]
        ),
        "<h2>Account (as recorded by the member of staff)</h2>",
        f"<table>{account}</table>" if account else "<p>No answers recorded.</p>",
    ]
    if extra:
        parts += [
            "<h2>Other recorded details</h2>",
            _table([(k, json.dumps(v, ensure_ascii=False)) for k, v in extra.items()]),
        ]
    parts += [
        "<h2>Acknowledgement and closure</h2>",
        _table(
            [
                ("Acknowledged", f"{ack['at']} by {ack['by']}" if ack else "not yet"),
                ("Closed", f"{closure['at']} by {closure['by']}" if closure else "open"),
                ("Close note", closure["note"] if closure and closure["note"] else ""),
            ]
        ),
        "<h2>Status history</h2>",
        _grid(
            ["Status", "When (UTC)", "By"],
            [[h["status"], h["at"], h["by"]] for h in record["status_history"]],
            "No history.",
        ),
        "<h2>Alerts</h2>",
        _grid(
            ["Purpose", "Stage", "To (role)", "Channel", "Status", "Delivered"],
            [
                [
                    a["purpose"],
                    a["stage"],
                    a["recipient_role"],
                    a["recipient_channel"],
                    a["status"],
                    a["delivered_at"] or "",
                ]
                for a in record["alerts"]
            ],
            "No alerts.",
        ),
        "<h2>Audit trail</h2>",
        _grid(
            ["When (UTC)", "Who", "Action", "Detail"],
            [[e["at"], e["actor"], e["action"], e["detail"]] for e in record["audit_trail"]],
            "No entries.",
        ),
        "</body></html>",
    ]
    return "\n".join(parts)


def _write_private(path: Path, text: str) -> None:
    """Owner-only file (0600): the export holds the decrypted account."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_TRUNC


def _safe_name(reference: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in reference)


async def export_report(
    sessions: async_sessionmaker,
    cipher: ContentCipher,
    reference: str,
    out: Path | str,
    *,
    by: str = "cli-operator",
    channel: str = "cli",
) -> Exported:
    record = await build_record(sessions, cipher, reference, actor_channel=channel, actor_id=by)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(record["report"]["reference"])
    json_path, html_path = folder / f"{name}.json", folder / f"{name}.html"
    _write_private(json_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    _write_private(html_path, render_html(record))
    return Exported(record["report"]["reference"], json_path, html_path)
