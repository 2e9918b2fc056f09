"""`python app.py dispatch` as a real process: SIGKILLed while its send hangs, the alert is
still delivered exactly once by the dispatcher started after it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.alerts.dispatcher import ManualClock
from bot.persistence.models import Alert, DeliveryAttempt
from bot.settings import PROJECT_ROOT
from tests.support.alert_fixtures import STAFF, conversation_of, dispatcher_for, seed_school, submit


def dispatch_command(db_url: str, *extra: str):
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "SMTP_HOST": "",
        "SLACK_BOT_TOKEN": "",
    }
    return asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT_ROOT / "app.py"),
        "dispatch",
        *extra,
        cwd=str(PROJECT_ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_killed_dispatcher_process_then_restart_delivers_exactly_once(db_url, sessions, connector):
    await seed_school(sessions, connector.url)
    report = await submit(sessions, datetime.now(UTC))
    connector.script = ["hang"]  # the first send never gets an answer

    process = await dispatch_command(db_url)
    try:
        for _ in range(600):  # until the process's send reaches the connector
            if connector.requests:
                break
            await asyncio.sleep(0.05)
        assert connector.requests == 1
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert connector.posted == []

    # Started again (after the dead process's lease ran out): delivered once, and only once.
    clock = ManualClock(datetime.now(UTC) + timedelta(minutes=3))
    restarted = dispatcher_for(sessions, clock)
    assert (await restarted.run_once()).delivered == 1
    clock.advance(minutes=5)
    assert (await restarted.run_once()).delivered == 0

    [activity] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert report.reference in activity["text"]
    async with sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert alert.status == "delivered" and alert.attempts == 2  # the killed try, then the real one
        attempts = (await session.execute(select(DeliveryAttempt))).scalars().all()
        assert [a.ok for a in attempts] == [True]  # the killed process never got to record its try


async def test_dispatch_once_command_delivers_what_is_waiting(db_url, sessions, connector):
    await seed_school(sessions, connector.url)
    report = await submit(sessions, datetime.now(UTC))  # stored while no dispatcher ran

    process = await dispatch_command(db_url, "--once")
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert "delivered 1" in out.decode()
    [activity] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert activity["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"  # Teams card
    assert report.reference in str(activity) and "Jayden" not in str(activity)
    assert "Jayden" not in err.decode() + out.decode()  # logs carry no report content
