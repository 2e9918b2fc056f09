"""Unacknowledged alerts climb the chain on time (controllable clock) and stop on acknowledgement;
concerns about staff go to the head or the chair and never to the person concerned."""

from __future__ import annotations

from sqlalchemy import select

from bot.alerts.dispatcher import ManualClock
from bot.alerts.planning import Actor
from bot.persistence.models import Alert, Report
from tests.support.alert_fixtures import (
    REPORTER,
    STAFF,
    START,
    acknowledge,
    anonymous_settings,
    conversation_of,
    dispatcher_for,
    seed_school,
    submit,
)


def received(connector, role: str) -> list[dict]:
    return connector.in_conversation(conversation_of(STAFF[role][0]))


async def test_unacknowledged_alert_escalates_dsl_then_deputy_then_head(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock, anonymous_settings(ESCALATION_MINUTES=10))

    await dispatcher.run_once()
    assert [len(received(connector, r)) for r in ("dsl", "deputy", "head")] == [1, 0, 0]

    clock.advance(minutes=9, seconds=59)
    assert (await dispatcher.run_once()).escalated == 0
    assert len(received(connector, "deputy")) == 0

    clock.advance(seconds=1)  # ten minutes without an acknowledgement
    assert (await dispatcher.run_once()).escalated == 1
    [to_deputy] = received(connector, "deputy")
    assert report.reference in to_deputy["text"] and to_deputy["text"].startswith("ESCALATED")
    assert len(received(connector, "head")) == 0

    clock.advance(minutes=10)
    await dispatcher.run_once()
    assert len(received(connector, "head")) == 1
    assert len(received(connector, "chair")) == 0  # the chair is not in a child's chain

    clock.advance(minutes=60)  # the chain is exhausted: nothing more, nothing repeated
    await dispatcher.run_once()
    assert len(connector.posted) == 3


async def test_urgent_report_escalates_after_two_minutes(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    await submit(sessions, clock.now(), urgency="urgent")
    dispatcher = dispatcher_for(sessions, clock, anonymous_settings(URGENT_ESCALATION_MINUTES=2))
    await dispatcher.run_once()
    clock.advance(minutes=1)
    await dispatcher.run_once()
    assert len(received(connector, "deputy")) == 0
    clock.advance(minutes=1)
    await dispatcher.run_once()
    assert len(received(connector, "deputy")) == 1
    assert "URGENT" in received(connector, "deputy")[0]["text"]


async def test_acknowledgement_stops_escalation_and_tells_the_reporter(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()

    clock.advance(minutes=4)
    dsl_id, dsl_name = STAFF["dsl"]
    ack = await acknowledge(sessions, report.reference, Actor("msteams", dsl_id, dsl_name), clock.now())
    assert ack.changed
    again = await acknowledge(
        sessions, report.reference, Actor("msteams", STAFF["deputy"][0]), clock.now(), role="deputy"
    )
    assert not again.changed and dsl_name in again.report.acknowledged_by

    await dispatcher.run_once()
    [receipt] = connector.in_conversation(conversation_of(REPORTER[0]))
    assert "Designated Safeguarding Lead has seen your report" in receipt["text"]
    assert report.reference in receipt["text"]

    clock.advance(hours=2)
    await dispatcher.run_once()
    assert received(connector, "deputy") == [] and received(connector, "head") == []
    assert len(connector.in_conversation(conversation_of(REPORTER[0]))) == 1  # one receipt only
    async with sessions() as session:
        stored = await session.get(Report, report.id)
        assert stored.status == "acknowledged" and dsl_name in stored.acknowledged_by
        assert stored.acknowledged_at is not None


async def test_pending_escalation_is_cancelled_by_acknowledgement(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url, reachable=("dsl", "head"))  # the deputy can't be reached
    report = await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    clock.advance(minutes=10)
    await dispatcher.run_once()  # escalates to the deputy, who is unreachable: pending retry
    await acknowledge(sessions, report.reference, Actor("msteams", STAFF["dsl"][0]), clock.now())
    async with sessions() as session:
        deputy_alert = (await session.execute(select(Alert).where(Alert.recipient_role == "deputy"))).scalar_one()
        assert deputy_alert.status == "cancelled"


async def test_allegation_about_staff_goes_to_head_then_chair_never_the_dsl(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now(), kind="adult_concern", route_to="head")
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    assert len(received(connector, "head")) == 1
    assert received(connector, "dsl") == [] and received(connector, "deputy") == []
    assert "concern about an adult" in received(connector, "head")[0]["text"]
    clock.advance(minutes=10)
    await dispatcher.run_once()
    assert report.reference in received(connector, "chair")[0]["text"]
    clock.advance(hours=5)
    await dispatcher.run_once()
    assert received(connector, "dsl") == [] and received(connector, "deputy") == []


async def test_allegation_about_the_head_never_reaches_the_head(sessions, connector):
    from bot.persistence.models import RoleAssignment

    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():  # the head also sits on the governing body
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="chair", channel="msteams", user_id=STAFF["head"][0], name=STAFF["head"][1]
            )
        )
    await submit(sessions, clock.now(), kind="adult_concern", route_to="chair")
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    clock.advance(hours=5)
    await dispatcher.run_once()
    assert len(received(connector, "chair")) == 1
    assert received(connector, "head") == [] and received(connector, "dsl") == []


async def test_school_without_dsl_alerts_the_next_stage_at_once(sessions, connector):
    from sqlalchemy import delete

    from bot.persistence.models import RoleAssignment

    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():
        await session.execute(delete(RoleAssignment).where(RoleAssignment.role == "dsl"))
    await submit(sessions, clock.now())
    await dispatcher_for(sessions, clock).run_once()
    assert len(received(connector, "deputy")) == 1


async def test_acknowledgement_edits_the_alerts_other_leads_already_see(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    report = await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    clock.advance(minutes=10)
    await dispatcher.run_once()  # the deputy is paged too
    deputy_id, deputy_name = STAFF["deputy"]
    await acknowledge(sessions, report.reference, Actor("msteams", deputy_id, deputy_name), clock.now(), role="deputy")
    await dispatcher.run_once()

    edited = {conversation: (activity_id, body["text"]) for conversation, activity_id, body in connector.updated}
    assert set(edited) == {conversation_of(STAFF["dsl"][0]), conversation_of(deputy_id)}
    assert edited[conversation_of(STAFF["dsl"][0])][0] == "activity-1"  # the DSL's original alert, edited
    assert all(f"acknowledged by {deputy_name}" in text for _, text in edited.values())
    receipt = connector.in_conversation(conversation_of(REPORTER[0]))
    assert len(receipt) == 1 and "Deputy DSL has seen your report" in receipt[0]["text"]
    assert len(connector.posted) == 3  # DSL, deputy, receipt: the edits posted nothing new


async def test_receipt_reaches_reporters_on_other_bot_framework_channels(sessions, connector):
    """A reporter in the Emulator or Web Chat gets the receipt there; one in the terminal
    (no conversation to post to later) is recorded as undeliverable, not retried forever."""
    from bot.alerts import conversation_refs
    from bot.records.reports import submit_report
    from dialogs.desk import Reporter
    from tests.support.alert_fixtures import CIPHER, teams_activity

    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    emulator_user = teams_activity(connector.url, "emulator-user-1", "Ms Jo Park")
    emulator_user.channel_id = "emulator"
    await conversation_refs.remember(sessions, emulator_user)
    refs = []
    for channel, user in (("emulator", "emulator-user-1"), ("console", "console-user")):
        submitted = await submit_report(
            sessions,
            CIPHER,
            school_slug="oakfield",
            kind="incident",
            category="",
            urgency="normal",
            route_to="dsl",
            reporter=Reporter(channel, user),
            content={"what_happened": "unkind comments"},
            now=clock.now(),
        )
        refs.append(submitted.reference)
        await acknowledge(sessions, submitted.reference, Actor("msteams", STAFF["dsl"][0]), clock.now())

    dispatcher = dispatcher_for(sessions, clock)
    await dispatcher.run_once()
    [receipt] = connector.in_conversation(conversation_of("emulator-user-1"))
    assert refs[0] in receipt["text"]
    async with sessions() as session:
        console_receipt = (
            await session.execute(select(Alert).where(Alert.purpose == "receipt", Alert.recipient_channel == "console"))
        ).scalar_one()
        assert console_receipt.status == "failed" and "undeliverable" in console_receipt.last_error


async def test_school_with_no_role_holders_keeps_the_report_and_says_so_loudly(sessions, caplog):
    report = await submit(sessions, START)
    async with sessions() as session:
        assert await session.get(Report, report.id) is not None
        assert (await session.execute(select(Alert))).first() is None
    assert any("nobody to alert" in r.getMessage() and report.reference in r.getMessage() for r in caplog.records)
    assert not any("Jayden" in r.getMessage() for r in caplog.records)


async def test_a_school_can_set_its_own_escalation_timeouts(sessions, connector):
    from bot.persistence.models import SchoolEscalation

    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():
        session.add(SchoolEscalation(school_slug="oakfield", minutes=5, urgent_minutes=1))
    await submit(sessions, clock.now())
    dispatcher = dispatcher_for(sessions, clock, anonymous_settings(ESCALATION_MINUTES=10))
    await dispatcher.run_once()
    clock.advance(minutes=4, seconds=59)
    await dispatcher.run_once()
    assert len(received(connector, "deputy")) == 0
    clock.advance(seconds=1)  # the school's five minutes, not the default ten
    await dispatcher.run_once()
    assert len(received(connector, "deputy")) == 1
