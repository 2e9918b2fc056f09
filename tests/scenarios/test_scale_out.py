"""Scale-out: two server processes sharing nothing but the database serve the same conversations.
A conversation may hop between them on every message, mid-report, and even press Submit on both at
the same instant; there is never a lost or a duplicated report or alert. PostgreSQL (what a
multi-process deployment uses) and SQLite (one machine, several workers)."""

from __future__ import annotations

import asyncio
import random
import re

import aiohttp
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from benchmarks.loopback import CONFIRMATION, DISCLOSURE_ANSWERS, HttpChat, LoopbackConnector
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine, sessionmaker
from bot.persistence.models import Alert, Report, RoleAssignment
from tests.support.servers import free_port, start_server, stop_server

KEY = Fernet.generate_key().decode()
REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}-\d{4}\b")


class HoppingChat(HttpChat):
    """Sends each message to the next server in `route` (a load balancer with no affinity)."""

    def __init__(self, *args, servers: list[str], route, **kwargs):
        super().__init__(*args, **kwargs)
        self.servers, self.route = servers, route

    async def say(self, text=None, *, value=None) -> str:
        self.base_url = self.servers[next(self.route)]
        return await super().say(text, value=value)


async def walk_to_submit(chat: HttpChat) -> str:
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    summary = ""
    for answer in DISCLOSURE_ANSWERS:
        summary = await chat.say(answer)
    return summary


async def test_conversations_hopping_between_two_processes_lose_and_double_nothing(db_url, tmp_path):
    engine = create_engine(db_url)
    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl-okafor"))
    connector = await LoopbackConnector().start()
    ports = [free_port(), free_port()]
    servers = []
    try:
        for n, port in enumerate(ports):
            servers.append(await start_server(db_url, KEY, port, tmp_path / f"server-{n}.log"))
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        async with aiohttp.ClientSession() as http:
            # 1. One conversation alternating A, B, A, B ... through a whole report.
            import itertools

            alternating = HoppingChat(
                http,
                urls[0],
                connector,
                conversation_id="conv-hop",
                user_id="29:staff-hop",
                servers=urls,
                route=itertools.cycle([0, 1]),
            )
            assert "Nothing is sent until you press Submit" in await walk_to_submit(alternating)
            receipt = await alternating.press("submit")
            assert CONFIRMATION in receipt

            # 2. Twelve conversations at once, each message to a random process; then every one
            #    presses Submit on BOTH processes at the same instant (a double click across servers).
            rng = random.Random(6)
            chats = [
                HoppingChat(
                    http,
                    urls[0],
                    connector,
                    conversation_id=f"conv-many-{n}",
                    user_id=f"29:staff-{n}",
                    servers=urls,
                    route=iter(lambda: rng.randrange(2), None),
                )
                for n in range(12)
            ]
            summaries = await asyncio.gather(*(walk_to_submit(chat) for chat in chats))
            assert all("Nothing is sent until you press Submit" in s for s in summaries)

            async def double_submit(chat: HttpChat) -> list[str]:
                first = HttpChat(http, urls[0], connector, conversation_id=chat.conversation_id, user_id=chat.user_id)
                second = HttpChat(http, urls[1], connector, conversation_id=chat.conversation_id, user_id=chat.user_id)
                return list(
                    await asyncio.gather(
                        first.post(first.activity(value={"action": "choice", "choice": "submit"})),
                        second.post(second.activity(value={"action": "choice", "choice": "submit"})),
                    )
                )

            outcomes = await asyncio.gather(*(double_submit(chat) for chat in chats))
        said = [str(outcome) for outcome in outcomes]
        async with sessions() as session:
            reports = (await session.execute(select(Report).order_by(Report.id))).scalars().all()
            alert_counts = dict(
                (
                    await session.execute(
                        select(Alert.report_id, func.count())
                        .where(Alert.purpose == "new_report")
                        .group_by(Alert.report_id)
                    )
                ).all()
            )
        assert len(reports) == 13, f"expected 13 reports (1 + 12), found {len(reports)}"
        assert len({r.submission_id for r in reports}) == 13
        assert all(alert_counts.get(r.id) == 1 for r in reports), alert_counts  # one DSL alert each, no doubles
        by_reporter = {r.reporter_id: r for r in reports}
        assert set(by_reporter) == {"29:staff-hop", *(f"29:staff-{n}" for n in range(12))}
        cipher = ContentCipher([KEY])
        for report in reports:  # every answer, whichever process took it, is in the record
            answers = {k: v["answer"] for k, v in cipher.decrypt_json(report.content)["answers"].items()}
            assert answers["words"] == DISCLOSURE_ANSWERS[1] and answers["child"] == DISCLOSURE_ANSWERS[0]
        for n, text in enumerate(said):  # whoever was confirmed got the reference that was stored
            shown = set(REFERENCE.findall(text))
            assert shown <= {by_reporter[f"29:staff-{n}"].reference}, (n, shown)
            assert CONFIRMATION in text or "couldn't save" in text.lower() or "try again" in text.lower()
    finally:
        for process in servers:
            stop_server(process)
        await connector.stop()
        await engine.dispose()
