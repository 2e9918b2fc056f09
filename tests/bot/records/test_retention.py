"""Retention and legal hold, on SQLite and PostgreSQL: reports past RETENTION_YEARS are listed,
deleted with their alerts only on --apply, each deletion audited; a report on legal hold is never
deleted; the hold itself is audited."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.persistence.crypto import ContentCipher
from bot.persistence.db import sessionmaker
from bot.persistence.models import Alert, AuditEntry, DeliveryAttempt, Report, RoleAssignment
from bot.records.reports import submit_report
from bot.records.retention import cutoff, delete_expired, expired_reports, set_legal_hold
from bot.settings import PROJECT_ROOT, Settings
from commands.hold import run_hold
from commands.retention import run_retention
from dialogs.desk import Reporter

KEY = Fernet.generate_key().decode()
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
REPORTER = Reporter("msteams", "aad-staff-1", "Mr Tom Baker")
CONTENT = {"kind": "incident", "answers": {"what": {"question": "What happened", "answer": "invented example"}}}


async def file(sessions, made: datetime) -> str:
    report = await submit_report(
        sessions,
        ContentCipher([KEY]),
        school_slug="oakfield",
        kind="incident",
        category="cyberbullying",
        urgency="normal",
        route_to="dsl",
        reporter=REPORTER,
        content=CONTENT,
        now=made,
    )
    return report.reference


@pytest.fixture
async def sessions(engine):
    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl-1"))
    return sessions


async def count(sessions, model, *where) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_only_reports_past_the_period_and_not_on_hold_are_deleted_with_their_alerts(sessions):
    ancient = await file(sessions, datetime(1999, 3, 1, tzinfo=UTC))  # 27 years old
    held = await file(sessions, datetime(1998, 6, 1, tzinfo=UTC))  # old, but on hold
    just_inside = await file(sessions, datetime(2001, 11, 22, tzinfo=UTC))  # 24 years 364 days
    recent = await file(sessions, datetime(2026, 1, 5, tzinfo=UTC))
    assert await set_legal_hold(sessions, held, True, by="dpo-jane", now=NOW)
    async with sessions() as session, session.begin():  # a delivery attempt, so the cascade is real
        alert = (await session.execute(select(Alert).limit(1))).scalar_one()
        session.add(DeliveryAttempt(alert_id=alert.id, ok=False, error="timeout"))

    assert [e.reference for e in await expired_reports(sessions, 25, NOW)] == [ancient]
    assert await delete_expired(sessions, 25, by="dpo-jane", now=NOW) == [ancient]

    async with sessions() as session:
        left = set((await session.execute(select(Report.reference))).scalars())
    assert left == {held, just_inside, recent}
    assert await count(sessions, Alert) == 3  # the deleted report's alert went with it
    deletions = await count(
        sessions,
        AuditEntry,
        AuditEntry.action == "delete",
        AuditEntry.report_reference == ancient,
        AuditEntry.actor_id == "dpo-jane",
    )
    assert deletions == 1
    assert await count(sessions, AuditEntry, AuditEntry.report_reference == ancient, AuditEntry.action == "submit") == 1
    assert await delete_expired(sessions, 25, now=NOW) == []  # nothing more to do


async def test_a_hold_placed_after_listing_still_wins(sessions):
    old = await file(sessions, datetime(1990, 1, 1, tzinfo=UTC))
    assert [e.reference for e in await expired_reports(sessions, 25, NOW)] == [old]
    await set_legal_hold(sessions, old, True, now=NOW)  # an inquiry starts between list and apply
    assert await delete_expired(sessions, 25, now=NOW) == []
    assert await count(sessions, Report) == 1


async def test_holds_are_audited_and_lifting_one_makes_the_report_deletable(sessions):
    old = await file(sessions, datetime(1990, 1, 1, tzinfo=UTC))
    assert await set_legal_hold(sessions, old, True, by="dpo-jane", now=NOW) is True
    assert await set_legal_hold(sessions, old, True, by="dpo-jane", now=NOW) is False  # already on
    assert await delete_expired(sessions, 25, now=NOW) == []
    assert await set_legal_hold(sessions, old, False, by="head-hughes", now=NOW) is True
    assert await delete_expired(sessions, 25, now=NOW) == [old]
    async with sessions() as session:
        actions = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.actor_id)
                .where(AuditEntry.report_reference == old)
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [tuple(a) for a in actions] == [
        ("submit", "aad-staff-1"),
        ("hold", "dpo-jane"),
        ("hold", "dpo-jane"),
        ("release", "head-hughes"),
        ("delete", "cli-operator"),
    ]


def test_cutoff_handles_leap_days():
    assert cutoff(datetime(2028, 2, 29, tzinfo=UTC), 25) == datetime(2003, 2, 28, tzinfo=UTC)


async def test_cli_dry_run_lists_and_apply_deletes(sessions, db_url, capsys):
    old = await file(sessions, datetime(1990, 1, 1, tzinfo=UTC))
    held = await file(sessions, datetime(1991, 1, 1, tzinfo=UTC))
    settings = Settings(DATABASE_URL=db_url, ENCRYPTION_KEYS=KEY, RETENTION_YEARS=25)
    assert await run_hold(settings, held.lower(), True, by="dpo-jane") == 0
    assert await run_hold(settings, "OAK-1990-9999", True) == 2
    assert "no report with reference" in capsys.readouterr().err

    assert await run_retention(settings, apply=False) == 0
    listed = capsys.readouterr().out
    assert old in listed and held not in listed and "Dry run: nothing deleted" in listed
    assert await count(sessions, Report) == 2

    assert await run_retention(settings, apply=True, by="dpo-jane") == 0
    assert "Deleted 1 report" in capsys.readouterr().out
    async with sessions() as session:
        assert list((await session.execute(select(Report.reference))).scalars()) == [held]


def test_the_command_line_parses_hold_and_retention(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "ENCRYPTION_KEYS": KEY}
    run = subprocess.run(
        [sys.executable, "app.py", "retention"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and "No reports are past the retention period (25 years)" in run.stdout
    both = subprocess.run(
        [sys.executable, "app.py", "hold", "--report", "OAK-2026-0001", "--on", "--off"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    missing = subprocess.run(
        [sys.executable, "app.py", "hold", "--report", "OAK-2026-0001", "--on"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no report with reference" in missing.stderr
