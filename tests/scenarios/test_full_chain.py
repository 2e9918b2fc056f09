"""The whole chain in one story: a member of staff files a disclosure through the real dialogs,
the DSL is paged in their own conversation through the real CloudAdapter, acknowledges from
the alert's button, and the reporter is told: nothing in between is a stand-in except the
channel's service (the loopback connector)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.alerts.dispatcher import ManualClock
from bot.persistence.models import ConversationRef
from tests.support.alert_fixtures import dispatcher_for
from tests.support.chat_harness import DISCLOSURE_ANSWERS, Chat, add_role_holders, build


async def point_conversations_at(runtime, service_url: str) -> None:
    """The chats ran through TestAdapter; their channel's service is the loopback connector."""
    async with runtime.sessions() as session, session.begin():
        for row in (await session.execute(select(ConversationRef))).scalars():
            row.reference = {**row.reference, "serviceUrl": service_url}


async def test_disclosure_to_dsl_alert_to_acknowledgement_to_receipt(db_url, connector):
    runtime = await build(db_url)
    try:
        await add_role_holders(runtime)
        dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
        await dsl.say("hello")  # the DSL has talked to the bot: it can reach her later
        staff = Chat(runtime, user_id="staff-1", name="Mr Tom Baker")
        await staff.say("report a concern")
        await staff.press("disclosure")
        await staff.press("no")
        await staff.answer_all(*DISCLOSURE_ANSWERS)
        receipt = await staff.press("submit")
        reference = next(word.strip(".,:()") for word in receipt.split() if word.startswith("OAK-"))
        await runtime.bot.references.flush()  # a running server writes them within a second
        await point_conversations_at(runtime, connector.url)

        clock = ManualClock(datetime.now(UTC))  # the report was filed just now
        dispatcher = dispatcher_for(runtime.sessions, clock)
        assert (await dispatcher.run_once()).delivered == 1
        [alert] = connector.in_conversation("conv-dsl-okafor")
        assert reference in alert["text"] and "Mr Tom Baker" in alert["text"]
        assert "Jayden" not in str(alert) and "belt" not in str(alert)

        # She presses the alert's Acknowledge button in her chat.
        reply = await dsl.say(None, value={"action": "acknowledge", "reference": reference})
        assert f"Acknowledged {reference}" in reply
        clock.advance(minutes=1)
        await dispatcher.run_once()
        [told] = connector.in_conversation("conv-staff-1")
        assert "Designated Safeguarding Lead has seen your report" in told["text"] and reference in told["text"]

        clock.advance(hours=1)  # acknowledged: nobody else is paged
        await dispatcher.run_once()
        assert {conversation for conversation, _ in connector.posted} == {"conv-dsl-okafor", "conv-staff-1"}
    finally:
        await runtime.close()
