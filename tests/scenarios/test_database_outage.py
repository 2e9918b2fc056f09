"""The database failing at the moment a report is submitted: the member of staff is told plainly
that it wasn't saved and to try again in a minute, never given a false receipt; nothing half-saved
is left behind; and once the database is back the same answers go through. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import aiohttp
from aiohttp import web

from adapters.web import create_app
from benchmarks.loopback import DISCLOSURE_ANSWERS as HTTP_ANSWERS
from benchmarks.loopback import HttpChat, LoopbackConnector
from tests.support.chat_harness import DISCLOSURE_ANSWERS, Chat, alerts, reports
from tests.support.outage import DatabaseOutage

REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}-\d{4}\b")


async def ready_to_submit(chat) -> str:
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    return await chat.answer_all(*DISCLOSURE_ANSWERS)


def assert_no_false_receipt(reply: str) -> None:
    assert "couldn't save" in reply.lower() and "in a minute" in reply
    assert not REFERENCE.search(reply), "a reference was shown for a report that was not saved"
    assert "report is saved" not in reply and "What happens next" not in reply


async def test_the_database_refusing_the_report_at_submit_is_never_a_false_receipt(runtime):
    chat = Chat(runtime)
    assert "Nothing is sent until you press Submit" in await ready_to_submit(chat)
    outage = DatabaseOutage(runtime.engine)
    outage.only("reference_counters", "insert into reports")
    try:
        reply = await chat.press("submit")
    finally:
        outage.over()
    assert outage.failures >= 1  # the real submit path met the failure
    assert_no_false_receipt(reply)
    assert "- The child: Jayden, Year 5" in reply  # the summary again: answers kept
    assert await reports(runtime) == [] and await alerts(runtime) == []

    receipt = await chat.press("submit")  # a minute later
    [report] = await reports(runtime)
    assert report.reference in receipt and "What happens next" in receipt
    assert len(await alerts(runtime)) == 1
    outage.remove()


async def test_a_failure_at_the_very_last_moment_commit_leaves_nothing_half_saved(runtime):
    chat = Chat(runtime)
    await ready_to_submit(chat)
    outage = DatabaseOutage(runtime.engine)
    outage.at_commit_of("insert into reports")
    try:
        reply = await chat.press("submit")
    finally:
        outage.over()
    assert outage.failures == 1
    assert_no_false_receipt(reply)
    assert await reports(runtime) == [] and await alerts(runtime) == []  # no report without its alert, or v.v.

    receipt = await chat.press("submit")
    [report] = await reports(runtime)
    assert report.reference in receipt
    outage.remove()


async def test_the_whole_database_down_during_the_submit_turn_over_http(runtime, db_url):
    """Nothing answers at all (state, school lookup, submit): the web app still tells the member
    of staff to try again in a minute, with no receipt; their answers survive for the retry."""
    connector = await LoopbackConnector().start()
    app = create_app(runtime.settings, runtime, dispatcher=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    outage = DatabaseOutage(runtime.engine)
    try:
        async with aiohttp.ClientSession() as http:
            chat = HttpChat(http, base, connector, conversation_id="conv-outage", channel_id="test")
            await chat.say("report a concern")
            await chat.press("disclosure")
            await chat.press("no")
            for answer in HTTP_ANSWERS:
                summary = await chat.say(answer)
            assert "Nothing is sent until you press Submit" in summary

            outage.everything()
            reply = await chat.press("submit")
            assert outage.failures > 0 and "Traceback" not in reply
            assert "couldn't save" in reply.lower() and "try again in a minute" in reply.lower()
            assert not REFERENCE.search(reply) and "What happens next" not in reply
            outage.over()
            assert await reports(runtime) == []

            receipt = await chat.press("submit")
            [report] = await reports(runtime)
            assert report.reference in receipt and "What happens next" in receipt
    finally:
        outage.over()
        outage.remove()
        await runner.cleanup()
        await connector.stop()
