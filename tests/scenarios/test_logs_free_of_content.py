"""With every logger at DEBUG (what an operator turns on to chase a problem), a whole day of the
bot's life over HTTP leaves no child's name, none of the child's words and no free text typed
inside a report in the log file: reports (normal and urgent), a disclosure typed straight into
the chat, a re-prompted answer, a policy question mid-report, a DSL opening the report, and a
database failure with its traceback. The file is grepped as written, formatted with every
attribute of every record (extras included)."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web

from adapters.web import create_app
from benchmarks.loopback import DISCLOSURE_ANSWERS, HttpChat, LoopbackConnector
from bot.persistence.models import RoleAssignment
from tests.support.chat_harness import reports, settings_for
from tests.support.outage import DatabaseOutage

CHILD_NAMES = ("Jayden", "Maya", "Priya Shah", "Oliwia")
TYPED_STRAIGHT_IN = "Priya Shah in 4B told me her stepdad locks her in the shed at night"
# Other report text typed by the member of staff (incident / re-prompts / notes).
MORE_TYPED = (
    "Oliwia said the older boys sent her a horrible video on snapchat",
    "referred to early help after speaking to mum",
)


class EverythingFormatter(logging.Formatter):
    """The message, any traceback, and every attribute of the record (extras such as flow/step)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{super().format(record)} {record.__dict__!r}"


@pytest.fixture
def debug_log(tmp_path):
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(EverythingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    saved = (
        root.level,
        {
            name: logger.level
            for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        },
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in list(saved[1]) + [
        "aiohttp.access",
        "aiohttp.server",
        "aiohttp.web",
        "botbuilder",
        "msrest",
        "bot",
        "dialogs",
        "adapters",
        "knowledge",
    ]:
        logging.getLogger(name).setLevel(logging.DEBUG)  # the runtime then pins only the DB drivers
    yield path
    root.removeHandler(handler)
    handler.close()
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


async def test_a_full_day_over_http_at_debug_logs_no_content(db_url, debug_log):
    settings = settings_for(db_url)
    connector = await LoopbackConnector().start()
    app = create_app(settings, dispatcher=True)  # the real runtime, dispatcher included
    runner = web.AppRunner(app)  # with the access log
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    from adapters.web import RUNTIME

    runtime = app[RUNTIME]
    async with runtime.sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="test", user_id="29:dsl-okafor", name="Ms Amara Okafor"
            )
        )
    try:
        async with aiohttp.ClientSession() as http:
            staff = HttpChat(http, base, connector, conversation_id="conv-staff", channel_id="test")
            assert await staff.say("can I accept a friend request from a parent?")
            # 1. A disclosure, with a nonsense answer re-prompted and a policy question mid-report.
            await staff.say("report a concern")
            await staff.press("disclosure")
            await staff.press("no")
            await staff.say(DISCLOSURE_ANSWERS[0])
            assert "doesn't look like an answer" in await staff.say("asdfgh")
            for answer in DISCLOSURE_ANSWERS[1:]:
                await staff.say(answer)
            await staff.say("Can I accept a friend request from a pupil on Facebook?")
            receipt = await staff.press("submit")
            assert "What happens next" in receipt

            # 2. A disclosure typed straight into the chat, urgent, triaged into the flow.
            other = HttpChat(
                http, base, connector, conversation_id="conv-other", user_id="29:staff-2", channel_id="test"
            )
            assert "won't treat it as a policy question" in await other.say(TYPED_STRAIGHT_IN)
            await other.press("yes")  # immediate danger: the urgent alert is filed at once
            for answer in (MORE_TYPED[0], *DISCLOSURE_ANSWERS[1:]):
                await other.say(answer)

            # 3. The database goes down mid-report: a traceback is logged.
            outage = DatabaseOutage(runtime.engine)
            outage.everything()
            assert "try again in a minute" in (await other.press("submit")).lower()
            outage.over()
            outage.remove()
            assert "What happens next" in await other.press("submit")

            # 4. The DSL opens and closes the report.
            [first, *_] = await reports(runtime)
            dsl = HttpChat(
                http,
                base,
                connector,
                conversation_id="conv-dsl",
                user_id="29:dsl-okafor",
                user_name="Ms Amara Okafor",
                channel_id="test",
            )
            opened = await dsl.say(f"open {first.reference}")
            assert "Jayden" in opened  # she sees the content...
            await dsl.say(f"close {first.reference} with note: {MORE_TYPED[1]}")
    finally:
        await runner.cleanup()
        await connector.stop()

    logged = debug_log.read_text(encoding="utf-8")
    assert "report submitted" in logged and "turn failed: StorageUnavailable" in logged  # it did log, at length
    assert "GET" in logged or "POST /api/messages" in logged  # the access log was on
    for name in CHILD_NAMES:
        assert name not in logged, f"a child's name is in the log: {name}"
    for typed in (*DISCLOSURE_ANSWERS, TYPED_STRAIGHT_IN, *MORE_TYPED):
        if len(typed) < 10:  # "no", "no one": too common to grep for
            continue
        for fragment in (typed, typed[:25]):
            assert fragment not in logged, f"typed report text is in the log: {fragment!r}"
    for word in ("belt", "forearm", "stepdad", "snapchat", "tearful", "early help"):
        assert word not in logged, f"a word from a report is in the log: {word}"


async def test_database_errors_never_quote_the_values_of_a_statement(engine):
    """A failing INSERT's exception (what a traceback in the log shows) names no values: the engine
    is built with hide_parameters, so a staff name or a ciphertext never lands in a log that way."""
    from sqlalchemy.exc import IntegrityError

    from bot.persistence.db import sessionmaker
    from bot.persistence.models import Report

    def row():
        return Report(
            reference="OAK-2026-0001",
            school_slug="oakfield",
            kind="disclosure",
            reporter_channel="test",
            reporter_id="staff-secret-id",
            reporter_name="Ms Unusual Staffname",
            content=b"gAAAA-secret",
        )

    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(row())
    with pytest.raises(IntegrityError) as failure:
        async with sessions() as session, session.begin():
            session.add(row())
    message = str(failure.value)
    assert "parameters hidden" in message
    for value in ("Ms Unusual Staffname", "staff-secret-id", "gAAAA-secret"):
        assert value not in message


async def test_a_crashing_turn_logs_where_it_failed_but_not_the_message_that_quotes_the_user(db_url, debug_log):
    """An exception's message can quote the user's words ("invalid literal for int(): '...'"):
    the web app logs the exception type and the frames, never the message."""
    from tests.support.chat_harness import build

    runtime = await build(db_url)
    typed = "the sports day photo of Kacper Nowak in 3B"

    def explode(question, school_slug, verdict=None):
        raise ValueError(f"could not parse {question!r}")

    runtime.bot.assistant = type("Exploding", (), {"answer": staticmethod(explode)})()
    connector = await LoopbackConnector().start()
    app = create_app(runtime.settings, runtime, dispatcher=False)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        async with aiohttp.ClientSession() as http:
            chat = HttpChat(
                http,
                f"http://127.0.0.1:{runner.addresses[0][1]}",
                connector,
                conversation_id="conv-crash",
                channel_id="test",
            )
            reply = await chat.say(f"can I post {typed} on the school facebook page?")
        assert "something went wrong" in reply
    finally:
        await runner.cleanup()
        await connector.stop()
        await runtime.close()
    logged = debug_log.read_text(encoding="utf-8")
    assert "turn failed: ValueError" in logged and "explode" in logged  # where, for the developer
    assert "Kacper" not in logged and "Nowak" not in logged and "sports day photo" not in logged
