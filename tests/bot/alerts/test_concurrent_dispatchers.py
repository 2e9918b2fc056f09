"""Two dispatchers share one outbox: every alert delivered exactly once, none missing.
PostgreSQL claims with FOR UPDATE SKIP LOCKED (1,000 alerts); SQLite with a conditional
UPDATE lease (fewer alerts: one writer at a time makes it slower, not different)."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, insert, select

from adapters.senders import BotFrameworkSender, build_cloud_adapter
from bot.alerts.dispatcher import Dispatcher
from bot.persistence.db import create_engine, sessionmaker
from bot.persistence.models import Alert, DeliveryAttempt, Report
from tests.support.alert_fixtures import STAFF, anonymous_settings, seed_school


async def test_two_dispatchers_deliver_every_alert_exactly_once(db_url, sessions, connector):
    count = 1000 if db_url.startswith("postgresql") else 200
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Report),
            [
                dict(
                    reference=f"OAK-2026-{n:04d}",
                    school_slug="oakfield",
                    kind="incident",
                    reporter_channel="msteams",
                    reporter_id="29:teacher-reyes",
                    content=b"x",
                )
                for n in range(1, count + 1)
            ],
        )
        ids = (await session.execute(select(Report.id, Report.reference))).all()
        await session.execute(
            insert(Alert),
            [
                dict(
                    report_id=report_id,
                    purpose="new_report",
                    stage=0,
                    recipient_role="dsl",
                    recipient_channel="msteams",
                    recipient_id=STAFF["dsl"][0],
                    payload={"reference": reference, "school": "Oakfield", "kind": "incident", "urgency": "normal"},
                )
                for report_id, reference in ids
            ],
        )

    settings = anonymous_settings()

    async def run_dispatcher() -> int:
        engine = create_engine(db_url)  # its own connection pool, as a second process would have
        try:
            dispatcher = Dispatcher(
                sessionmaker(engine), {"msteams": BotFrameworkSender(build_cloud_adapter(settings), "")}, batch_size=20
            )
            delivered = 0
            while True:
                result = await dispatcher.run_once()
                delivered += result.delivered
                async with sessionmaker(engine)() as session:
                    pending = (
                        await session.execute(select(func.count()).select_from(Alert).where(Alert.status == "pending"))
                    ).scalar_one()
                if pending == 0:
                    return delivered
                await asyncio.sleep(0.05)
        finally:
            await engine.dispose()

    first, second = await asyncio.wait_for(asyncio.gather(run_dispatcher(), run_dispatcher()), 300)

    sent_ids = Counter(body["channelData"]["safeguardingAlertId"] for _, body in connector.posted)
    assert len(sent_ids) == count  # none missing
    assert max(sent_ids.values()) == 1  # no duplicate
    assert first + second == count and first > 0 and second > 0  # both did real work
    async with sessions() as session:
        statuses = (await session.execute(select(Alert.status, func.count()).group_by(Alert.status))).all()
        assert statuses == [("delivered", count)]
        attempts = (await session.execute(select(func.count()).select_from(DeliveryAttempt))).scalar_one()
        assert attempts == count
