"""Reports are stored whole or not at all, encrypted, with unique sequential references, once per
submission, on SQLite and PostgreSQL; failures say "not saved" instead of a false receipt."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from bot.alerts.planning import Actor
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine, sessionmaker
from bot.persistence.models import Alert, AuditEntry, Report, ReportDraft, RoleAssignment
from bot.records.reports import (
    CloseNoteRefused,
    Reporter,
    ReportNotSaved,
    UnknownReport,
    acknowledge_report,
    clear_draft,
    close_report,
    complete_report,
    list_reports,
    read_report,
    reencrypt_reports,
    submit_report,
    touch_draft,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
REPORTER = Reporter("msteams", "aad-staff-1", "Ms Amara Okafor")
LEAD = Actor("msteams", "aad-dsl-1", "Mr Tom Reyes")
CONTENT = {
    "kind": "disclosure",
    "answers": {
        "child": {"question": "The child", "answer": "Jayden Whitlock-Amadi, Year 5"},
        "words": {"question": "Their words", "answer": "he said “my uncle hurts me” 🙁"},
    },
}
SECRETS = ("Jayden", "Whitlock", "uncle hurts")


@pytest.fixture
def cipher():
    return ContentCipher([Fernet.generate_key().decode()])


@pytest.fixture
def sessions(engine):
    return sessionmaker(engine)


async def submit(sessions, cipher, **overrides):
    arguments = dict(
        school_slug="oakfield",
        kind="disclosure",
        category="",
        urgency="normal",
        route_to="dsl",
        reporter=REPORTER,
        content=CONTENT,
        now=NOW,
    )
    arguments.update(overrides)
    return await submit_report(sessions, cipher, **arguments)


async def transact(sessions, operation, *args, **kwargs):
    """One bot.records.reports read or status change in a transaction of its own, as its callers run them."""
    async with sessions() as session, session.begin():
        return await operation(session, *args, **kwargs)


async def read(sessions, cipher, reference, **kwargs):
    return await transact(sessions, read_report, cipher, reference, **kwargs)


async def acknowledge(sessions, reference, actor=LEAD, role="dsl", **kwargs):
    return await transact(sessions, acknowledge_report, reference, actor, role=role, **kwargs)


async def close(sessions, cipher, reference, note="Referred to children's social care", actor=LEAD, **kwargs):
    return await transact(sessions, close_report, cipher, reference, actor, note, role="dsl", **kwargs)


async def count(sessions, model) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


# --- storing and reading -----------------------------------------------------------------------


async def test_submitted_report_reads_back_decrypted_with_its_reference(sessions, cipher):
    filed = await submit(sessions, cipher, urgency="urgent")
    assert filed.reference == "OAK-2026-0001" and not filed.already_filed
    view = await read(sessions, cipher, "OAK-2026-0001")
    assert view.content == CONTENT
    assert (view.kind, view.urgency, view.status, view.route_to) == ("disclosure", "urgent", "new", "dsl")
    assert view.reporter == REPORTER and view.created_at == NOW
    assert await read(sessions, cipher, "OAK-2026-9999") is None


async def test_content_is_encrypted_in_every_stored_row(sessions, cipher, engine):
    await submit(sessions, cipher)
    await close(sessions, cipher, "OAK-2026-0001", note="Jayden seen by social care")
    async with engine.connect() as conn:
        dumped = ""
        for table in ("reports", "audit_log", "alerts", "reference_counters", "report_drafts"):
            for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all():
                dumped += " ".join(
                    value.decode("latin-1") if isinstance(value, (bytes, memoryview)) else str(value)
                    for value in (bytes(v) if isinstance(v, memoryview) else v for v in row)
                )
    assert "OAK-2026-0001" in dumped  # the rows are there...
    for secret in SECRETS:
        assert secret not in dumped  # ...but never the child's details


async def test_references_are_per_school_and_per_year(sessions, cipher):
    references = [
        (await submit(sessions, cipher)).reference,
        (await submit(sessions, cipher)).reference,
        (await submit(sessions, cipher, school_slug="ringway")).reference,
        (await submit(sessions, cipher, now=NOW.replace(year=2027))).reference,
        (await submit(sessions, cipher)).reference,
    ]
    assert references == ["OAK-2026-0001", "OAK-2026-0002", "RIN-2026-0001", "OAK-2027-0001", "OAK-2026-0003"]


async def test_schools_sharing_a_prefix_never_share_a_reference(sessions, cipher):
    first = await submit(sessions, cipher, school_slug="stocks-green")
    second = await submit(sessions, cipher, school_slug="stockton")
    assert {first.reference, second.reference} == {"STO-2026-0001", "STO-2026-0002"}


async def test_list_reports_by_school_and_status_oldest_first_without_content(sessions, cipher):
    await submit(sessions, cipher)
    await submit(sessions, cipher, now=NOW + timedelta(minutes=5))
    await submit(sessions, cipher, now=NOW + timedelta(minutes=10))
    await submit(sessions, cipher, school_slug="ringway")
    await acknowledge(sessions, "OAK-2026-0001")
    await close(sessions, cipher, "OAK-2026-0003")
    listed = await transact(sessions, list_reports, "oakfield")
    assert [r.reference for r in listed] == ["OAK-2026-0001", "OAK-2026-0002", "OAK-2026-0003"]
    assert [r.reference for r in await transact(sessions, list_reports, "oakfield", ("new",))] == ["OAK-2026-0002"]
    open_ones = await transact(sessions, list_reports, "oakfield", ("new", "acknowledged"))
    assert [r.reference for r in open_ones] == ["OAK-2026-0001", "OAK-2026-0002"]  # the longest waiting first
    assert not hasattr(listed[0], "content")
    with pytest.raises(ValueError):
        await transact(sessions, list_reports, "oakfield", ("open",))


async def test_bad_arguments_are_refused_before_anything_is_stored(sessions, cipher):
    with pytest.raises(ValueError, match="kind"):
        await submit(sessions, cipher, kind="gossip")
    with pytest.raises(ValueError, match="route_to"):
        await submit(sessions, cipher, route_to="everyone")
    assert await count(sessions, Report) == 0


# --- concurrency and idempotency -------------------------------------------------------------------


async def test_200_concurrent_submissions_from_two_processes_get_unique_sequential_references(db_url, cipher):
    engines = [create_engine(db_url), create_engine(db_url)]  # two "server processes", no shared memory
    try:
        makers = [sessionmaker(engine) for engine in engines]
        filed = await asyncio.gather(
            *(submit(makers[n % 2], cipher, reporter=Reporter("slack", f"U{n:04d}", f"Staff {n}")) for n in range(200))
        )
        references = sorted(report.reference for report in filed)
        assert references == [f"OAK-2026-{n:04d}" for n in range(1, 201)]  # unique and gapless
        assert await count(makers[0], Report) == 200
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_retried_submit_returns_the_report_already_stored(sessions, cipher):
    first = await submit(sessions, cipher, submission_id="conv-1#oakfield#act-7")
    again = await submit(sessions, cipher, submission_id="conv-1#oakfield#act-7")
    assert again.reference == first.reference == "OAK-2026-0001" and again.already_filed
    assert await count(sessions, Report) == 1
    assert (await submit(sessions, cipher)).reference == "OAK-2026-0002"  # the retry used no number


async def test_a_double_click_racing_itself_files_one_report(sessions, cipher):
    long_id = "msteams/conversations/" + "19:abc" * 60 + "#oakfield#act-1"  # longer than the column
    filed = await asyncio.gather(*(submit(sessions, cipher, submission_id=long_id) for _ in range(10)))
    assert {report.reference for report in filed} == {"OAK-2026-0001"}
    assert sum(not report.already_filed for report in filed) == 1
    assert await count(sessions, Report) == 1


# --- everything in one transaction ------------------------------------------------------------------


async def test_submit_stores_alerts_audit_and_ends_the_draft_together(sessions, cipher):
    async with sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl-1", name="Mr Tom Reyes"
            )
        )
    await touch_draft(sessions, "msteams/conv-9", "oakfield", "disclosure", REPORTER, now=NOW)
    filed = await submit(sessions, cipher, conversation_key="msteams/conv-9")
    async with sessions() as session:
        alerts = (await session.execute(select(Alert))).scalars().all()
        audit = (await session.execute(select(AuditEntry))).scalars().all()
    assert [(a.recipient_id, a.purpose) for a in alerts] == [("aad-dsl-1", "new_report")]
    assert alerts[0].payload["reference"] == filed.reference
    assert [(e.action, e.report_reference, e.actor_id) for e in audit] == [
        ("submit", filed.reference, REPORTER.user_id)
    ]
    assert await count(sessions, ReportDraft) == 0


async def test_a_failure_inside_the_transaction_stores_nothing_and_says_so(sessions, cipher, monkeypatch):
    import bot.records.reports

    async def broken_plan_alerts(session, report, now):
        raise RuntimeError("alert planner exploded")

    monkeypatch.setattr(bot.records.reports, "plan_alerts", broken_plan_alerts)
    with pytest.raises(ReportNotSaved):
        await submit(sessions, cipher)
    assert await count(sessions, Report) == 0 and await count(sessions, AuditEntry) == 0
    monkeypatch.undo()
    assert (await submit(sessions, cipher)).reference == "OAK-2026-0001"  # the failed number was given back


async def test_an_unreachable_database_raises_report_not_saved(cipher):
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    sessions = sessionmaker(engine)
    try:
        with pytest.raises(ReportNotSaved) as error:
            await submit(sessions, cipher)
        assert "try again" in error.value.user_message
        with pytest.raises(ReportNotSaved):
            await touch_draft(sessions, "conv", "oakfield", "disclosure", REPORTER)
    finally:
        await engine.dispose()


# --- status changes -----------------------------------------------------------------------------------


async def test_acknowledge_once_then_close_with_an_encrypted_note(sessions, cipher, engine):
    await submit(sessions, cipher)
    first = await acknowledge(sessions, "OAK-2026-0001", now=NOW)
    second = await acknowledge(
        sessions, "OAK-2026-0001", Actor("msteams", "aad-deputy", "Ms Ana Lind"), role="deputy", now=NOW
    )
    assert first.changed and first.report.status == "acknowledged" and "Tom Reyes" in first.report.acknowledged_by
    assert not second.changed and "Tom Reyes" in second.report.acknowledged_by  # the first lead stays on record
    closed = await close(sessions, cipher, "OAK-2026-0001", now=NOW)
    assert closed.changed and closed.report.status == "closed" and "aad-dsl-1" in closed.report.closed_by
    again = await close(
        sessions,
        cipher,
        "OAK-2026-0001",
        note="something else",
        actor=Actor("msteams", "aad-deputy", "Ms Ana Lind"),
        now=NOW,
    )
    assert not again.changed and "Tom Reyes" in again.report.closed_by  # never re-closed or re-noted
    view = await read(sessions, cipher, "OAK-2026-0001", reader=LEAD)
    assert view.close_note == "Referred to children's social care"
    async with engine.connect() as conn:
        raw_note = (await conn.execute(text("SELECT close_note FROM reports"))).scalar_one()
    assert b"social care" not in bytes(raw_note)
    async with sessions() as session:
        audit = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    # Every acknowledgement is on record, the second saying it changed nothing; a repeated close is not.
    assert [(e.action, e.actor_id, e.detail) for e in audit] == [
        ("submit", REPORTER.user_id, "disclosure, normal"),
        ("acknowledge", "aad-dsl-1", "as dsl"),
        ("acknowledge", "aad-deputy", "already acknowledged: nothing changed"),
        ("close", "aad-dsl-1", "as dsl"),
        ("view", "aad-dsl-1", ""),
    ]


async def test_closing_an_unread_report_acknowledges_it_and_stops_escalation(sessions, cipher):
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="slack", user_id="UDSL"))
    await submit(sessions, cipher)
    change = await close(sessions, cipher, "OAK-2026-0001", now=NOW)
    assert change.report.status == "closed" and change.report.acknowledged_at is not None
    async with sessions() as session:
        pending = (
            (
                await session.execute(
                    select(Alert).where(Alert.status == "pending", Alert.purpose.in_(("new_report", "escalation")))
                )
            )
            .scalars()
            .all()
        )
        receipts = (await session.execute(select(Alert).where(Alert.purpose == "receipt"))).scalars().all()
        actions = (await session.execute(select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id))).all()
    assert pending == []
    assert [r.recipient_id for r in receipts] == [REPORTER.user_id]  # the reporter hears it was seen
    assert [tuple(a) for a in actions[1:]] == [("acknowledge", "as dsl, on closing"), ("close", "as dsl")]


async def test_a_close_needs_a_short_note_and_changes_nothing_without_one(sessions, cipher):
    await submit(sessions, cipher)
    for note, length in (("", 0), ("   ", 0), ("x" * 2001, 2001)):
        with pytest.raises(CloseNoteRefused) as refused:
            await close(sessions, cipher, "OAK-2026-0001", note=note)
        assert refused.value.length == length
    async with sessions() as session:
        assert (await session.execute(select(Report.status))).scalar_one() == "new"
    assert (await close(sessions, cipher, "OAK-2026-0001", note="x" * 2000)).changed


async def test_an_unknown_reference_is_a_clear_error(sessions, cipher):
    with pytest.raises(UnknownReport):
        await acknowledge(sessions, "OAK-2026-0404")
    with pytest.raises(UnknownReport):
        await close(sessions, cipher, "OAK-2026-0404")


# --- early filing, rotation, drafts --------------------------------------------------------------------


async def test_an_urgent_report_filed_early_is_completed_by_its_reporter_only(sessions, cipher):
    early = await submit(sessions, cipher, urgency="urgent", content={"kind": "disclosure", "answers": {}})
    done = await complete_report(
        sessions, cipher, early.reference, reporter=REPORTER, content=CONTENT, urgency="normal", category="physical"
    )
    assert done.reference == early.reference
    view = await read(sessions, cipher, early.reference)
    assert view.content == CONTENT and view.urgency == "urgent" and view.category == "physical"
    with pytest.raises(UnknownReport):
        await complete_report(sessions, cipher, early.reference, reporter=LEAD, content={})
    assert await count(sessions, Report) == 1


async def test_key_rotation_reencrypts_stored_reports(sessions):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    await submit(sessions, ContentCipher([old_key]))
    assert await reencrypt_reports(sessions, ContentCipher([new_key, old_key])) == 1
    view = await read(sessions, ContentCipher([new_key]), "OAK-2026-0001")
    assert view.content == CONTENT


async def test_drafts_come_due_once_and_reactivity_rearms_the_reminder(sessions, cipher):
    """The dispatcher's sweep (bot.alerts.planning.sweep_drafts) reminds once, tells the DSL once."""
    from bot.alerts.planning import sweep_drafts
    from bot.persistence.models import Alert, RoleAssignment
    from bot.settings import Settings

    settings = Settings(INCOMPLETE_REPORT_REMINDER_MINUTES=15, INCOMPLETE_DISCLOSURE_DSL_MINUTES=60)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="msteams", user_id="dsl-1"))

    async def queued() -> list[tuple[str, str]]:
        async with sessions() as session:
            rows = (
                await session.execute(select(Alert).where(Alert.purpose == "incomplete").order_by(Alert.id))
            ).scalars()
            return [(a.recipient_role, a.recipient_id) for a in rows]

    await touch_draft(sessions, "conv-a", "oakfield", "disclosure", REPORTER, now=NOW)
    await touch_draft(
        sessions,
        "conv-b",
        "oakfield",
        "incident",
        Reporter("msteams", "staff-2", "Mr Theo Brandt"),
        now=NOW + timedelta(minutes=10),
    )
    assert await sweep_drafts(sessions, settings, NOW + timedelta(minutes=20)) == 1
    assert await sweep_drafts(sessions, settings, NOW + timedelta(minutes=21)) == 0  # reminded once
    assert await queued() == [("reporter", REPORTER.user_id)]
    assert await sweep_drafts(sessions, settings, NOW + timedelta(minutes=61)) == 2
    assert sorted((await queued())[1:]) == [("dsl", "dsl-1"), ("reporter", "staff-2")]  # only disclosures reach the DSL
    await touch_draft(sessions, "conv-a", "oakfield", "disclosure", REPORTER, now=NOW + timedelta(minutes=70))
    assert await sweep_drafts(sessions, settings, NOW + timedelta(minutes=90)) == 1  # re-armed reminder only
    assert (await queued())[-1] == ("reporter", REPORTER.user_id)
    assert await clear_draft(sessions, "conv-a") and not await clear_draft(sessions, "conv-a")


async def test_a_report_that_could_not_start_privately_still_reaches_the_dsl_without_content(sessions):
    """Someone began a disclosure in a Teams channel and could not be messaged privately (issue 15):
    the reminder waits for them, the DSL hears of it, and neither says more than who and when."""
    from bot.alerts.planning import sweep_drafts, unreached_draft_key
    from bot.persistence.models import RoleAssignment
    from bot.settings import Settings

    settings = Settings(INCOMPLETE_REPORT_REMINDER_MINUTES=15, INCOMPLETE_DISCLOSURE_DSL_MINUTES=60)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="msteams", user_id="dsl-1"))
    await touch_draft(
        sessions, unreached_draft_key("msteams", REPORTER.user_id), "oakfield", "disclosure", REPORTER, now=NOW
    )
    assert await sweep_drafts(sessions, settings, NOW + timedelta(minutes=61)) == 2
    async with sessions() as session:
        rows = (await session.execute(select(Alert).order_by(Alert.id))).scalars().all()
    reminder, notice = [(a.recipient_id, a.payload["text"]) for a in rows]
    assert reminder[0] == REPORTER.user_id and "Say 'report a concern' here" in reminder[1]
    assert notice[0] == "dsl-1"
    assert "Ms Amara Okafor started a disclosure report" in notice[1] and "couldn't reach them privately" in notice[1]


# --- logs ------------------------------------------------------------------------------------------------


async def test_no_log_line_contains_report_content(sessions, cipher, caplog):
    with caplog.at_level(logging.DEBUG):
        filed = await submit(sessions, cipher, submission_id="s-1")
        await submit(sessions, cipher, submission_id="s-1")
        await read(sessions, cipher, filed.reference, reader=LEAD)
        await close(sessions, cipher, filed.reference, note="Jayden is safe now")
        await complete_report(sessions, cipher, filed.reference, reporter=REPORTER, content=CONTENT)
    assert filed.reference in caplog.text
    for secret in (*SECRETS, "safe now"):
        assert secret not in caplog.text


def test_rekey_command_moves_reports_to_the_newest_key(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.sqlite3'}"

    async def file_one():
        from bot.persistence.db import create_engine, migrate, sessionmaker

        engine = create_engine(url)
        await migrate(engine)
        await submit(sessionmaker(engine), ContentCipher([old_key]))
        await engine.dispose()

    asyncio.run(file_one())
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DATABASE_URL": url, "ENCRYPTION_KEYS": f"{new_key},{old_key}"}
    done = subprocess.run(
        [sys.executable, "app.py", "rekey"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "re-encrypted 1 report(s)" in done.stdout

    async def read_with_new_key_only():
        from bot.persistence.db import create_engine, sessionmaker

        engine = create_engine(url)
        async with sessionmaker(engine)() as session:
            view = await read_report(session, ContentCipher([new_key]), "OAK-2026-0001")
        await engine.dispose()
        return view.content

    assert asyncio.run(read_with_new_key_only()) == CONTENT
