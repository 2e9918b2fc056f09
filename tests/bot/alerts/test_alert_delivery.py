"""A report reaches the DSL's own Teams chat through the real botbuilder CloudAdapter,
posted to a loopback stand-in for the Bot Framework connector, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from adapters.senders import BotFrameworkSender, build_cloud_adapter
from bot.alerts.dispatcher import Dispatcher, ManualClock
from bot.persistence.models import Alert, DeliveryAttempt
from tests.support.alert_fixtures import (
    STAFF,
    START,
    anonymous_settings,
    conversation_of,
    dispatcher_for,
    seed_school,
    submit,
)


async def test_report_reaches_dsl_conversation_through_cloud_adapter(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())

    result = await dispatcher_for(sessions, clock).run_once()

    assert result.delivered == 1
    [activity] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert report.reference in activity["text"]
    assert "Oakfield" in activity["text"] and "Mr Tom Reyes" in activity["text"]
    assert "Jayden" not in str(activity) and "hurts" not in str(activity)  # no child details in an alert
    assert activity["channelData"]["notification"] == {"alert": True}
    assert len(connector.posted) == 1  # nobody but the DSL at stage 0
    async with sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert (alert.status, alert.attempts, alert.channel_message_id) == ("delivered", 1, "activity-1")
        attempts = (await session.execute(select(DeliveryAttempt))).scalars().all()
        assert [a.ok for a in attempts] == [True]


async def test_nothing_more_is_sent_once_delivered(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    clock.advance(seconds=30)
    again = await dispatcher.run_once()
    assert again.delivered == 0 and len(connector.posted) == 1


async def test_dispatcher_killed_before_delivery_delivers_exactly_once_after_restart(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())

    # The first dispatcher claims the alert and dies before its message leaves.
    claimed = asyncio.Event()

    class DiesMidSend:
        async def send(self, delivery):
            claimed.set()
            await asyncio.sleep(3600)

    doomed = Dispatcher(sessions, {"msteams": DiesMidSend()}, clock)
    task = asyncio.create_task(doomed.run_once())
    await asyncio.wait_for(claimed.wait(), 10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert connector.posted == []

    restarted = dispatcher_for(sessions, clock)
    assert (await restarted.run_once()).delivered == 0  # still leased to the dead one
    clock.advance(minutes=3)  # the lease runs out
    assert (await restarted.run_once()).delivered == 1
    clock.advance(minutes=5)
    await restarted.run_once()
    await dispatcher_for(sessions, clock).run_once()

    delivered = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert len(delivered) == 1 and report.reference in delivered[0]["text"]


async def test_connector_failing_for_a_while_delays_but_loses_nothing(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())
    connector.script = ["500", "500", "hang", "500"]
    dispatcher = dispatcher_for(sessions, clock, send_timeout=0.5)

    outcomes = []
    for _ in range(10):
        result = await dispatcher.run_once()
        outcomes.append((result.delivered, result.failed))
        if result.delivered:
            break
        clock.advance(minutes=1)  # past the backoff, well before escalation

    assert outcomes[:4] == [(0, 1)] * 4 and outcomes[4] == (1, 0)
    [activity] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert report.reference in activity["text"]
    async with sessions() as session:
        attempts = (await session.execute(select(DeliveryAttempt).order_by(DeliveryAttempt.id))).scalars().all()
        assert [a.ok for a in attempts] == [False, False, False, False, True]
        assert "timed out" in attempts[2].error
        alert = (await session.execute(select(Alert))).scalar_one()
        assert alert.status == "delivered" and alert.attempts == 5


async def test_retry_waits_for_backoff(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    await submit(sessions, clock.now())
    connector.script = ["500"]
    dispatcher = dispatcher_for(sessions, clock)
    assert (await dispatcher.run_once()).failed == 1
    clock.advance(seconds=1)
    assert (await dispatcher.run_once()).delivered == 0  # backing off
    clock.advance(seconds=10)
    assert (await dispatcher.run_once()).delivered == 1


async def test_unreachable_holder_is_retried_until_they_install_the_app(sessions, connector):
    from bot.alerts import conversation_refs
    from tests.support.alert_fixtures import teams_activity

    clock = ManualClock(START)
    await seed_school(sessions, connector.url, reachable=())
    await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock)
    assert (await dispatcher.run_once()).failed == 1
    async with sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert alert.status == "pending" and "installed" in alert.last_error

    await conversation_refs.remember(sessions, teams_activity(connector.url, *STAFF["dsl"], kind="installationUpdate"))
    clock.advance(minutes=1)
    assert (await dispatcher.run_once()).delivered == 1
    assert len(connector.in_conversation(conversation_of(STAFF["dsl"][0]))) == 1


async def test_send_that_could_not_be_recorded_is_not_sent_again(sessions, connector):
    """The connector took the alert but the database failed before it was marked delivered:
    the retry records the earlier send instead of posting the alert a second time."""
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    await submit(sessions, clock.now())

    class FlakyRecording(Dispatcher):
        failures = 1

        async def _settle(self, claim, error, message_id, purpose):
            if error is None and self.failures:
                self.failures -= 1
                raise ConnectionError("database went away")
            await super()._settle(claim, error, message_id, purpose)

    settings = anonymous_settings()
    dispatcher = FlakyRecording(
        sessions, {"msteams": BotFrameworkSender(build_cloud_adapter(settings), "")}, clock, settings=settings
    )
    try:
        await dispatcher.run_once()
    except ConnectionError:
        pass
    assert len(connector.posted) == 1
    clock.advance(minutes=3)  # past the lease
    assert (await dispatcher.run_once()).delivered == 1
    assert len(connector.posted) == 1
    async with sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert alert.status == "delivered" and alert.channel_message_id == "activity-1"


async def test_teams_alert_is_an_adaptive_card_with_open_and_acknowledge(sessions, connector):
    from adapters.rendering import renderer_for

    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now(), urgency="urgent")
    await dispatcher_for(sessions, clock, renderer_for=renderer_for).run_once()

    [activity] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = str(attachment["content"])
    assert report.reference in card and "Jayden" not in card and "hurts" not in card
    assert f"{{'action': 'acknowledge', 'reference': '{report.reference}'}}" in card
    assert f"{{'action': 'open_report', 'reference': '{report.reference}'}}" in card
