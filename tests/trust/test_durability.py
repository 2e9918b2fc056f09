"""A report confirmed to the user is durable: the real server (`python app.py serve`, a subprocess)
is killed with SIGKILL the instant its confirmation reaches the (loopback) Bot Framework connector,
before it even hears back; after a restart the report is there with every answer, and its DSL alert
is still waiting to be delivered. SQLite file and PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp
from cryptography.fernet import Fernet
from sqlalchemy import select

from benchmarks.loopback import CONFIRMATION, DISCLOSURE_ANSWERS, HttpChat, LoopbackConnector
from bot.crypto import ContentCipher
from bot.db import create_engine, sessionmaker
from bot.models import Alert, Report, RoleAssignment
from bot.settings import PROJECT_ROOT

KEY = Fernet.generate_key().decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(db_url: str, port: int, log_path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft"))}
    env.update(DATABASE_URL=db_url, ENCRYPTION_KEYS=KEY, ENVIRONMENT="test", MicrosoftAppId="")
    process = subprocess.Popen([sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=PROJECT_ROOT, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"server exited early: {log_path.read_text()[-2000:]}"
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start")


async def test_a_confirmed_report_survives_kill_9_right_after_the_confirmation(db_url, tmp_path):
    engine = create_engine(db_url)
    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():  # a DSL to alert (reachable later)
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="msteams",
                                   user_id="aad-dsl-okafor", name="Ms Amara Okafor"))
    connector = await LoopbackConnector().start()
    port = free_port()
    server = await start_server(db_url, port, tmp_path / "server.log")
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

        server = await start_server(db_url, port, tmp_path / "server.log")  # restart on the same database
        async with sessions() as session:
            [report] = (await session.execute(select(Report))).scalars().all()
            alerts = (await session.execute(select(Alert).where(Alert.report_id == report.id))).scalars().all()
        assert report.reference in confirmation
        content = ContentCipher([KEY]).decrypt_json(report.content)
        stored = {key: item["answer"] for key, item in content["answers"].items()}
        assert stored["words"] == DISCLOSURE_ANSWERS[1] and stored["child"] == DISCLOSURE_ANSWERS[0]
        assert [a.recipient_role for a in alerts] == ["dsl"]  # the outbox row survived with it
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        await connector.stop()
        await engine.dispose()
