"""Slack role holders get alerts through botbuilder's SlackAdapter, posted to a loopback
stand-in for Slack's Web API (chat.postMessage)."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import select

from adapters.senders import SlackSender
from adapters.slack import build_slack_adapter
from bot.alerts import conversation_refs
from bot.alerts.dispatcher import Dispatcher, ManualClock
from bot.persistence.models import Alert, RoleAssignment
from tests.support.alert_fixtures import START, submit


@pytest.fixture
async def slack_api():
    posted = []

    async def post_message(request: web.Request) -> web.Response:
        form = dict(await request.post())
        posted.append(form)
        return web.json_response({"ok": True, "channel": form["channel"], "ts": f"1772442000.{len(posted):06d}"})

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", post_message)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/", posted
    await runner.cleanup()


async def test_slack_dsl_gets_alert_in_their_direct_messages(sessions, slack_api):
    base_url, posted = slack_api
    clock = ManualClock(START)
    async with sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="slack", user_id="U0AMARA", name="Ms Amara Okafor"
            )
        )
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="slack", user_id="U0NEWDSL", name="Mr Kofi Mensah"
            )
        )
    # Amara has messaged the bot, so her DM channel is known; Kofi never has.
    await conversation_refs.remember(
        sessions,
        Activity(
            type="message",
            channel_id="slack",
            text="hi",
            from_property=ChannelAccount(id="U0AMARA"),
            recipient=ChannelAccount(id="B0BOT"),
            conversation=ConversationAccount(id="D0AMARA", conversation_type="personal", tenant_id="T0OAK"),
        ),
    )
    report = await submit(sessions, clock.now())

    sender = SlackSender(build_slack_adapter("signing-secret", "xoxb-test-token", base_url))
    result = await Dispatcher(sessions, {"slack": sender}, clock).run_once()

    assert result.delivered == 2
    by_channel = {form["channel"]: form for form in posted}
    assert set(by_channel) == {"D0AMARA", "U0NEWDSL"}  # known DM, and a DM opened by user id
    assert all(report.reference in form["text"] and "Jayden" not in form["text"] for form in posted)
    async with sessions() as session:
        ids = (await session.execute(select(Alert.channel_message_id).order_by(Alert.id))).scalars().all()
        assert all(ids)


async def test_slack_alert_uses_block_kit_buttons(sessions, slack_api):
    from adapters.rendering import renderer_for

    base_url, posted = slack_api
    clock = ManualClock(START)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="slack", user_id="U0AMARA"))
    report = await submit(sessions, clock.now(), urgency="urgent")
    sender = SlackSender(build_slack_adapter("signing-secret", "xoxb-test-token", base_url))
    assert (await Dispatcher(sessions, {"slack": sender}, clock, renderer_for=renderer_for).run_once()).delivered == 1
    [form] = posted
    assert form["channel"] == "U0AMARA"
    buttons = [
        json.loads(element["value"])
        for block in json.loads(form["blocks"])
        for element in block.get("elements", ())
        if element.get("type") == "button"
    ]
    assert {"action": "acknowledge", "reference": report.reference} in buttons
    assert {"action": "open_report", "reference": report.reference} in buttons
    assert "Jayden" not in str(form)
