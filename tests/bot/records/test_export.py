"""`python app.py export --report REF`: the full record for a subject access request or a handover,
as JSON another system can import and an HTML page a person can print; audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.alerts.planning import Actor
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import sessionmaker
from bot.persistence.models import AuditEntry, RoleAssignment
from bot.records.reports import close_report, submit_report
from bot.settings import PROJECT_ROOT, Settings
from commands.export import run_export
from dialogs.desk import Reporter

KEY = Fernet.generate_key().decode()
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
REPORTER = Reporter("msteams", "aad-staff-1", "Mr Tom Baker")
LEAD = Actor("msteams", "aad-dsl-1", "Ms Amara Okafor")
# The child's words include markup, quotes and an emoji: they must come out exactly, and inert.
WORDS = 'he said <script>alert("x")</script> me uncle "hits" me & it hurts 🙁'
CONTENT = {
    "kind": "disclosure",
    "answers": {
        "child": {"question": "The child", "answer": "Jayden Whitlock-Amadi, Year 5"},
        "words": {"question": "The child's words (verbatim)", "answer": WORDS},
        "injuries": {"question": "Injuries <observed>", "answer": "bruise on left forearm, 3cm"},
    },
}


@pytest.fixture
async def filed(engine, db_url):
    """A disclosure filed, alerted to the DSL, acknowledged and closed with a note."""
    cipher = ContentCipher([KEY])
    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl-1", name="Ms Amara Okafor"
            )
        )
    report = await submit_report(
        sessions,
        cipher,
        school_slug="oakfield",
        kind="disclosure",
        category="",
        urgency="high",
        route_to="dsl",
        reporter=REPORTER,
        content=CONTENT,
        now=NOW,
    )
    async with sessions() as session, session.begin():
        await close_report(
            session, cipher, report.reference, LEAD, "Referred to MASH <ok>", role="dsl", now=NOW.replace(hour=11)
        )
    return report.reference, sessions


def settings_for(db_url: str) -> Settings:
    return Settings(DATABASE_URL=db_url, ENCRYPTION_KEYS=KEY, ENVIRONMENT="test")


async def test_export_writes_the_whole_record_as_json_and_audits_it(filed, db_url, tmp_path, capsys):
    reference, sessions = filed
    assert await run_export(settings_for(db_url), reference, str(tmp_path / "out"), "dpo-jane") == 0
    record = json.loads((tmp_path / "out" / f"{reference}.json").read_text(encoding="utf-8"))

    assert record["report"]["reference"] == reference
    assert (record["report"]["kind"], record["report"]["urgency"], record["report"]["status"]) == (
        "disclosure",
        "high",
        "closed",
    )
    assert record["report"]["reporter"] == {"channel": "msteams", "user_id": "aad-staff-1", "name": "Mr Tom Baker"}
    assert record["content"] == CONTENT  # decrypted, every answer exactly as typed
    assert record["acknowledgement"]["by"].startswith("Ms Amara Okafor")
    assert record["closure"]["note"] == "Referred to MASH <ok>"
    assert [h["status"] for h in record["status_history"]] == ["new", "acknowledged", "closed"]
    assert [a["recipient_role"] for a in record["alerts"] if a["purpose"] == "new_report"] == ["dsl"]
    actions = [entry["action"] for entry in record["audit_trail"]]
    assert actions[0] == "submit" and "close" in actions and actions[-1] == "export"

    async with sessions() as session:
        exports = (await session.execute(select(AuditEntry).where(AuditEntry.action == "export"))).scalars().all()
    assert [(e.actor_id, e.report_reference) for e in exports] == [("dpo-jane", reference)]
    assert "decrypted record" in capsys.readouterr().out  # the operator is told what they now hold


async def test_export_html_is_readable_self_contained_and_escapes_every_user_text(filed, db_url, tmp_path):
    reference, _ = filed
    assert await run_export(settings_for(db_url), reference, str(tmp_path), "dpo-jane") == 0
    page = (tmp_path / f"{reference}.html").read_text(encoding="utf-8")

    assert "<script>" not in page and "&lt;script&gt;" in page  # the child's words stay words
    assert "&quot;hits&quot;" in page and "&amp; it hurts 🙁" in page
    assert "Injuries &lt;observed&gt;" in page and "Referred to MASH &lt;ok&gt;" in page
    assert "Jayden Whitlock-Amadi, Year 5" in page and reference in page
    assert "CONFIDENTIAL" in page and "@media print" in page
    assert "src=" not in page and "href=" not in page  # nothing fetched from anywhere


async def test_export_files_are_owner_only(filed, db_url, tmp_path):
    reference, _ = filed
    assert await run_export(settings_for(db_url), reference, str(tmp_path), "dpo-jane") == 0
    for suffix in ("json", "html"):
        mode = stat.S_IMODE(os.stat(tmp_path / f"{reference}.{suffix}").st_mode)
        assert mode == 0o600, f"{suffix} export is readable by others: {oct(mode)}"


async def test_an_unknown_reference_is_a_clear_error_exit_2_and_writes_nothing(filed, db_url, tmp_path, capsys):
    assert await run_export(settings_for(db_url), "OAK-2026-9999", str(tmp_path / "out"), "dpo-jane") == 2
    assert "no report with reference 'OAK-2026-9999'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_the_export_command_line(tmp_path):
    """`python app.py export` end to end on a SQLite file, as an operator runs it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "ENCRYPTION_KEYS": KEY, "ENVIRONMENT": "test"}

    async def seed():
        from bot.persistence.db import create_engine, migrate

        engine = create_engine(url)
        await migrate(engine)
        report = await submit_report(
            sessionmaker(engine),
            ContentCipher([KEY]),
            school_slug="oakfield",
            kind="incident",
            category="cyberbullying",
            urgency="normal",
            route_to="dsl",
            reporter=REPORTER,
            content=CONTENT,
            now=NOW,
        )
        await engine.dispose()
        return report.reference

    import asyncio

    reference = asyncio.run(seed())
    run = subprocess.run(
        [
            sys.executable,
            "app.py",
            "export",
            "--report",
            reference.lower(),
            "--out",
            str(tmp_path / "x"),
            "--by",
            "dpo-jane",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(Path(tmp_path / "x" / f"{reference}.json").read_text())["content"] == CONTENT
    missing = subprocess.run(
        [sys.executable, "app.py", "export", "--report", "NOPE-2026-0001", "--out", str(tmp_path / "y")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no report with reference" in missing.stderr
    assert "Traceback" not in missing.stderr
