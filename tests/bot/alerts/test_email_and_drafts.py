"""Role holders reachable only by email get the alert over real SMTP (aiosmtpd on loopback);
unfinished reports are never silently dropped."""

from __future__ import annotations

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from adapters.email import EmailSender
from adapters.senders import BotFrameworkSender, EmailAlertSender, build_cloud_adapter
from bot.alerts.dispatcher import ManualClock
from bot.persistence.models import Alert, ReportDraft, RoleAssignment
from bot.runtime import build_dispatcher
from tests.support.alert_fixtures import (
    REPORTER,
    STAFF,
    START,
    anonymous_settings,
    conversation_of,
    seed_school,
    submit,
)


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:  # a free loopback port (aiosmtpd checks the port it is given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    mailbox.port = port
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox
    controller.stop()


def dispatcher_with_email(sessions, clock, smtp_port, settings=None):
    settings = settings or anonymous_settings()
    return build_dispatcher(
        sessions,
        {
            "msteams": BotFrameworkSender(build_cloud_adapter(settings), ""),
            "email": EmailAlertSender(EmailSender("127.0.0.1", smtp_port, "safeguarding@oakfield.example")),
        },
        settings=settings,
        clock=clock,
    )


async def test_email_role_holder_gets_a_minimal_alert_over_smtp(sessions, connector, smtp_server):
    clock = ManualClock(START)
    async with sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield",
                role="dsl",
                channel="email",
                user_id="dsl@oakfield.example",
                name="Ms Amara Okafor",
            )
        )
    report = await submit(sessions, clock.now(), urgency="urgent")

    result = await dispatcher_with_email(sessions, clock, smtp_server.port).run_once()

    assert result.delivered == 1
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["dsl@oakfield.example"]
    assert message["Subject"].startswith("[URGENT] Safeguarding alert " + report.reference)
    body = message.get_payload()
    assert report.reference in body and "Mr Tom Reyes" in body
    assert "Jayden" not in message.as_string() and "hurts" not in message.as_string()
    async with sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert alert.status == "delivered" and alert.channel_message_id == message["Message-ID"]


async def test_smtp_server_down_is_retried_not_lost(sessions, smtp_server):
    clock = ManualClock(START)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="email", user_id="dsl@oakfield.example"))
    await submit(sessions, clock.now())
    closed_port = 9  # discard port: nothing listens on loopback
    down = dispatcher_with_email(sessions, clock, closed_port)
    assert (await down.run_once()).failed == 1
    clock.advance(minutes=1)
    assert (await dispatcher_with_email(sessions, clock, smtp_server.port).run_once()).delivered == 1
    assert len(smtp_server.messages) == 1


async def test_unfinished_report_reminds_reporter_then_tells_dsl(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():
        session.add(
            ReportDraft(
                conversation_key="msteams/a:conv-29:teacher-reyes",
                school_slug="oakfield",
                kind="disclosure",
                reporter_channel="msteams",
                reporter_id=REPORTER[0],
                reporter_name=REPORTER[1],
                started_at=clock.now(),
                last_activity_at=clock.now(),
            )
        )
    settings = anonymous_settings(INCOMPLETE_REPORT_REMINDER_MINUTES=15, INCOMPLETE_DISCLOSURE_DSL_MINUTES=60)
    dispatcher = dispatcher_with_email(sessions, clock, 9, settings)

    clock.advance(minutes=14)
    await dispatcher.run_once()
    assert connector.posted == []

    clock.advance(minutes=1)
    await dispatcher.run_once()
    [reminder] = connector.in_conversation(conversation_of(REPORTER[0]))
    assert "not been submitted" in reminder["text"]

    clock.advance(minutes=45)
    await dispatcher.run_once()
    [notice] = connector.in_conversation(conversation_of(STAFF["dsl"][0]))
    assert "incomplete disclosure" in notice["text"] and REPORTER[1] in notice["text"]

    clock.advance(hours=3)
    await dispatcher.run_once()
    assert len(connector.posted) == 2  # once each, never repeated


async def test_unfinished_concern_about_staff_is_not_announced_to_the_dsl(sessions, connector):
    clock = ManualClock(START)
    await seed_school(sessions, connector.url)
    async with sessions() as session, session.begin():
        session.add(
            ReportDraft(
                conversation_key="k",
                school_slug="oakfield",
                kind="adult_concern",
                reporter_channel="msteams",
                reporter_id=REPORTER[0],
                started_at=clock.now(),
                last_activity_at=clock.now(),
            )
        )
    dispatcher = dispatcher_with_email(sessions, clock, 9)
    clock.advance(hours=3)
    await dispatcher.run_once()
    assert connector.in_conversation(conversation_of(STAFF["dsl"][0])) == []
    assert len(connector.in_conversation(conversation_of(REPORTER[0]))) == 1
