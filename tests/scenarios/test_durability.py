"""A report confirmed to the user is durable: the real server (`python app.py serve`, a subprocess)
is killed with SIGKILL the instant its confirmation reaches the (loopback) Bot Framework connector,
before it even hears back; after a restart the report is there with every answer, and its DSL alert
is still waiting to be delivered. SQLite file and PostgreSQL."""

from __future__ import annotations

import os
import signal

import aiohttp
from cryptography.fernet import Fernet
from sqlalchemy import select

from benchmarks.loopback import CONFIRMATION, DISCLOSURE_ANSWERS, HttpChat, LoopbackConnector
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine, sessionmaker
from bot.persistence.models import Alert, Report, RoleAssignment
from tests.support.servers import free_port, start_server, stop_server

KEY = Fernet.generate_key().decode()


async def test_a_confirmed_report_survives_kill_9_right_after_the_confirmation(db_url, tmp_path):
    engine = create_engine(db_url)
    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():  # a DSL to alert (reachable later)
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl-okafor", name="Ms Amara Okafor"
            )
        )
    connector = await LoopbackConnector().start()
    port = free_port()
    server = await start_server(db_url, KEY, port, tmp_path / "server.log")
    killed_at_confirmation = []

    def kill_on_confirmation(_conversation, activity):
        if CONFIRMATION in str(activity) and not killed_at_confirmation:
            os.kill(server.pid, signal.SIGKILL)  # before the connector even answers the bot
            killed_at_confirmation.append(activity)

    try:
        async with aiohttp.ClientSession() as http:
            chat = HttpChat(http, f"http://127.0.0.1:{port}", connector, conversation_id="conv-durable")
            await chat.say("report a concern")
            await chat.press("disclosure")
            await chat.press("no")
            for answer in DISCLOSURE_ANSWERS:
                await chat.say(answer)
            connector.on_reply = kill_on_confirmation
            try:
                await chat.press("submit")
            except aiohttp.ClientError:
                pass  # the server died mid-request, as intended
        server.wait(10)
        assert server.returncode == -signal.SIGKILL
        assert killed_at_confirmation, "no confirmation arrived"
        confirmation = str(killed_at_confirmation[0])

        server = await start_server(db_url, KEY, port, tmp_path / "server.log")  # restart on the same database
        async with sessions() as session:
            [report] = (await session.execute(select(Report))).scalars().all()
            alerts = (await session.execute(select(Alert).where(Alert.report_id == report.id))).scalars().all()
        assert report.reference in confirmation
        content = ContentCipher([KEY]).decrypt_json(report.content)
        stored = {key: item["answer"] for key, item in content["answers"].items()}
        assert stored["words"] == DISCLOSURE_ANSWERS[1] and stored["child"] == DISCLOSURE_ANSWERS[0]
        assert [a.recipient_role for a in alerts] == ["dsl"]  # the outbox row survived with it
    finally:
        stop_server(server)
        await connector.stop()
        await engine.dispose()
