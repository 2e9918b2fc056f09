"""Loopback stand-ins for the services alerts travel through, and helpers to build the
situation every alert test starts from: a school with role holders who have talked to the bot."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiohttp import web
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from cryptography.fernet import Fernet

from adapters.senders import BotFrameworkSender, build_cloud_adapter
from bot.alerts import conversation_refs
from bot.alerts.dispatcher import Dispatcher
from bot.alerts.planning import Actor
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine, sessionmaker
from bot.persistence.models import RoleAssignment
from bot.records.reports import acknowledge_report, submit_report
from bot.runtime import build_dispatcher
from bot.settings import Settings
from dialogs.desk import Reporter

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CIPHER = ContentCipher([Fernet.generate_key().decode()])


@dataclass
class FakeConnector:
    """The Bot Framework connector's REST API (v3/conversations/.../activities) on loopback.

    `script` holds what the next requests get: "500" (server error), "hang" (never answers,
    so the client times out) or nothing (accepted)."""

    url: str = ""
    script: list = field(default_factory=list)
    posted: list = field(default_factory=list)  # (conversation id, activity json) accepted
    updated: list = field(default_factory=list)
    requests: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def post_activity(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.json()
        if self.script:
            step = self.script.pop(0)
            if step == "500":
                return web.json_response({"error": {"code": "ServiceError"}}, status=500)
            if step == "hang":
                await asyncio.sleep(3600)
        self.posted.append((request.match_info["conversation_id"], body))
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def put_activity(self, request: web.Request) -> web.Response:
        self.updated.append(
            (request.match_info["conversation_id"], request.match_info["activity_id"], await request.json())
        )
        return web.json_response({"id": request.match_info["activity_id"]})

    def in_conversation(self, conversation_id: str) -> list[dict]:
        return [body for conv, body in self.posted if conv == conversation_id]


@pytest.fixture
async def connector():
    fake = FakeConnector()
    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation_id}/activities", fake.post_activity)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", fake.post_activity)
    app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", fake.put_activity)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    fake.url = f"http://127.0.0.1:{port}/"
    yield fake
    await runner.cleanup()


@pytest.fixture
async def sessions(db_url):
    engine = create_engine(db_url)
    yield sessionmaker(engine)
    await engine.dispose()


def teams_activity(
    service_url: str,
    user_id: str,
    name: str,
    *,
    aad: str | None = None,
    conversation_type: str = "personal",
    kind: str = ActivityTypes.message,
) -> Activity:
    """What Teams posts when this person messages (or installs) the bot in a 1:1 chat."""
    return Activity(
        type=kind,
        id="incoming-1",
        channel_id="msteams",
        service_url=service_url,
        text="hi",
        from_property=ChannelAccount(id=user_id, name=name, aad_object_id=aad),
        recipient=ChannelAccount(id="28:safeguarding-bot", name="Safeguarding assistant"),
        conversation=ConversationAccount(
            id=f"a:conv-{user_id}",
            conversation_type=conversation_type,
            tenant_id="tenant-oak",
            is_group=conversation_type != "personal",
        ),
    )


def conversation_of(user_id: str) -> str:
    return f"a:conv-{user_id}"


# The cast of Oakfield's safeguarding team (invented people).
STAFF = {
    "dsl": ("29:dsl-amara", "Ms Amara Okafor"),
    "deputy": ("29:deputy-li", "Mr Wei Li"),
    "head": ("29:head-rowe", "Mrs Helen Rowe"),
    "chair": ("29:chair-byrne", "Dr Sean Byrne"),
}
REPORTER = ("29:teacher-reyes", "Mr Tom Reyes")


async def seed_school(
    sessions, service_url: str, *, school: str = "oakfield", reachable=("dsl", "deputy", "head", "chair")
):
    """Give `school` one holder of each role on Teams; those in `reachable` (and the
    reporter) have messaged the bot, so it holds their conversation reference."""
    async with sessions() as session, session.begin():
        for role, (user_id, name) in STAFF.items():
            session.add(RoleAssignment(school_slug=school, role=role, channel="msteams", user_id=user_id, name=name))
    for role in reachable:
        user_id, name = STAFF[role]
        await conversation_refs.remember(sessions, teams_activity(service_url, user_id, name))
    await conversation_refs.remember(sessions, teams_activity(service_url, *REPORTER))


async def submit(
    sessions,
    now: datetime,
    *,
    school: str = "oakfield",
    kind: str = "disclosure",
    urgency: str = "normal",
    route_to: str = "dsl",
    reporter=REPORTER,
):
    """A report submitted as the reporting dialogs do: stored with its alerts in one transaction."""
    return await submit_report(
        sessions,
        CIPHER,
        school_slug=school,
        kind=kind,
        category="allegation" if kind == "adult_concern" else "",
        urgency=urgency,
        route_to=route_to,
        reporter=Reporter("msteams", reporter[0], reporter[1]),
        content={"child": "Jayden in Year 5", "childs_words": "he said it hurts at home"},
        now=now,
    )


async def acknowledge(sessions, reference: str, actor: Actor, now: datetime, *, role: str = "dsl"):
    """A lead acknowledging a report in a transaction of its own (bot.records.reports.acknowledge_report)."""
    async with sessions() as session, session.begin():
        return await acknowledge_report(session, reference, actor, role=role, now=now)


def anonymous_settings(**overrides) -> Settings:
    """Bot Framework without credentials (the loopback connector asks for none), on an in-memory database."""
    return Settings(MicrosoftAppId="", MicrosoftAppPassword="", DATABASE_URL="sqlite+aiosqlite://", **overrides)


def dispatcher_for(sessions, clock, settings=None, **kwargs) -> Dispatcher:
    """The dispatcher as the server builds it, sending to Teams through the real CloudAdapter."""
    settings = settings or anonymous_settings()
    sender = BotFrameworkSender(build_cloud_adapter(settings), settings.microsoft_app_id)
    return build_dispatcher(sessions, {"msteams": sender}, settings=settings, clock=clock, **kwargs)
