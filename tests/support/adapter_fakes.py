"""Test doubles for the adapter tests: a recording bot behind the Runtime contract, and
loopback fakes of the services the adapters call (Bot Framework connector, Slack Web API)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext

from adapters.rendering import renderer_for
from adapters.schools import SCHOOL_KEY
from bot.conversation.answers import Answer, QuotedClause
from bot.persistence.db import sessionmaker

CLAUSE = QuotedClause(
    id="oakfield-7",
    section="Contact with parents",
    text="Staff must not accept friend requests from parents of pupils.",
    score=0.9,
)


def sample_answer(question: str) -> Answer:
    return Answer(
        question=question,
        kind="answer",
        school_slug="oakfield",
        school_name="Oakfield Primary School",
        policy_title="Social Networking Policy",
        reply="No.",
        intent="friend_parent",
        verdict="no",
        summary="Don't accept friend requests from parents.",
        clauses=(CLAUSE,),
        ask="the Headteacher",
    )


@dataclass
class Turn:
    type: str
    text: str | None
    value: object
    school: str | None
    user: str | None


class RecordingBot(ActivityHandler):
    """Stands in for the AssistantBot: remembers every turn, answers questions with a card."""

    def __init__(self):
        self.turns: list[Turn] = []

    async def on_turn(self, turn_context: TurnContext):
        a = turn_context.activity
        self.turns.append(
            Turn(
                a.type,
                a.text,
                a.value,
                turn_context.turn_state.get(SCHOOL_KEY),
                a.from_property.id if a.from_property else None,
            )
        )
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext):
        a = turn_context.activity
        if isinstance(a.value, dict):
            await turn_context.send_activity(f"pressed {a.value['action']}")
        else:
            await turn_context.send_activity(renderer_for(a.channel_id).answer(sample_answer(a.text)))

    @property
    def messages(self) -> list[Turn]:
        return [t for t in self.turns if t.type == "message"]


def runtime_for(engine) -> SimpleNamespace:
    """The Runtime contract of bot.runtime: .bot, .sessions, .engine, .storage, close()."""

    async def close():
        return None

    return SimpleNamespace(bot=RecordingBot(), sessions=sessionmaker(engine), engine=engine, storage=None, close=close)


@dataclass
class Recorder:
    """An aiohttp app on loopback that records what it is sent."""

    calls: list[tuple[str, dict]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    private_chats: bool = True  # False: the service refuses to open one-to-one conversations

    def record(self, name: str, body: dict) -> None:
        self.calls.append((name, body))
        self.arrived.set()

    def named(self, name: str) -> list[dict]:
        return [body for n, body in self.calls if n == name]

    async def wait_for(self, name: str, count: int = 1, timeout: float = 10) -> list[dict]:
        async def until():
            while len(self.named(name)) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(until(), timeout)
        return self.named(name)


PRIVATE_CONVERSATION = "a:private-{member}"  # the one-to-one conversation the fake connector opens


def fake_connector(recorder: Recorder) -> web.Application:
    """The Bot Framework connector's `v3/conversations/.../activities` endpoints, and `POST v3/conversations`,
    which opens a one-to-one conversation as Teams does, or refuses as Teams does when the app is not
    installed for the person (403), when `recorder.private_chats` is False."""

    async def reply(request: web.Request):
        body = await request.json()
        body["posted_to"] = request.match_info["conversation"]
        recorder.record("activity", body)
        return web.json_response({"id": f"reply-{len(recorder.calls)}"})

    async def create_conversation(request: web.Request):
        body = await request.json()
        recorder.record("create_conversation", body)
        if not recorder.private_chats:
            return web.json_response(
                {"error": {"code": "Forbidden", "message": "The bot is not part of the conversation roster."}},
                status=403,
            )
        return web.json_response({"id": PRIVATE_CONVERSATION.format(member=body["members"][0]["id"])}, status=201)

    async def member(request: web.Request):  # TeamsActivityHandler looks up added members
        return web.json_response({"id": request.match_info["member"], "name": "Ms Amara Okafor"})

    app = web.Application()
    app.router.add_get("/v3/conversations/{conversation}/members/{member}", member)
    app.router.add_post("/v3/conversations", create_conversation)
    app.router.add_post("/v3/conversations/{conversation}/activities", reply)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", reply)
    return app


SLACK_DM = "D0PRIVATE{user}"  # the direct message the fake Slack opens with a user


def fake_slack_api(recorder: Recorder) -> web.Application:
    """Slack's Web API: auth.test, chat.postMessage and chat.postEphemeral (form posts with a bearer
    token), and conversations.open (JSON), which opens a DM, or fails as Slack does when the
    workspace does not allow it, when `recorder.private_chats` is False."""

    async def auth_test(request: web.Request):
        return web.json_response({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"})

    def poster(method: str):
        async def post(request: web.Request):
            form = dict(await request.post())
            form["authorization"] = request.headers.get("Authorization")
            recorder.record(method, form)
            return web.json_response(
                {
                    "ok": True,
                    "channel": form.get("channel"),
                    "ts": "1700000000.000100",
                    "message_ts": "1700000000.000100",
                }
            )

        return post

    async def conversations_open(request: web.Request):
        body = await request.json()
        body["authorization"] = request.headers.get("Authorization")
        recorder.record("conversations.open", body)
        if not recorder.private_chats:
            return web.json_response({"ok": False, "error": "cannot_dm_bot"})
        return web.json_response({"ok": True, "channel": {"id": SLACK_DM.format(user=body["users"])}})

    app = web.Application()
    app.router.add_route("*", "/api/auth.test", auth_test)
    app.router.add_post("/api/chat.postMessage", poster("chat.postMessage"))
    app.router.add_post("/api/chat.postEphemeral", poster("chat.postEphemeral"))
    app.router.add_post("/api/conversations.open", conversations_open)
    return app


@dataclass
class OpenIdProvider:
    """A stand-in for Microsoft's OpenID metadata and key set, with keys we can sign tokens with.

    `delay_s` makes both documents slow to answer; `down` makes them fail (503)."""

    kid: str = "key-1"
    endorsements: tuple = ("msteams",)
    delay_s: float = 0.0
    down: bool = False
    hits: int = 0
    url: str = ""

    def __post_init__(self):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict:
        import json as _json

        from jwt.algorithms import RSAAlgorithm

        key = _json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**key, "kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)}

    def app(self) -> web.Application:
        async def slow(request: web.Request) -> None:
            self.hits += 1
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if self.down:
                raise web.HTTPServiceUnavailable()

        async def metadata(request: web.Request):
            await slow(request)
            return web.json_response(
                {"issuer": "https://api.botframework.com", "jwks_uri": str(request.url.with_path("/keys"))}
            )

        async def keys(request: web.Request):
            return web.json_response({"keys": [self.jwk()]})

        app = web.Application()
        app.router.add_get("/metadata", metadata)
        app.router.add_get("/keys", keys)
        return app

    def token(
        self, *, app_id: str, service_url: str, private_key=None, kid: str | None = None, alg: str = "RS256", **claims
    ) -> str:
        import time as _time

        import jwt

        payload = {
            "iss": "https://api.botframework.com",
            "aud": app_id,
            "serviceurl": service_url,
            "exp": int(_time.time()) + 3600,
            "nbf": int(_time.time()) - 60,
            **claims,
        }
        return jwt.encode(payload, private_key or self.private_key, algorithm=alg, headers={"kid": kid or self.kid})


def activity(
    connector,
    text=None,
    *,
    value=None,
    conversation_type="personal",
    tenant="tenant-1",
    user="29:staff-1",
    entities=None,
    type="message",
    **extra,
):
    """A Bot Framework activity as Teams posts it to /api/messages, for the bot's fake connector."""
    body = {
        "type": type,
        "id": "act-1",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": user, "name": "Ms Amara Okafor", "aadObjectId": user.replace("29:", "aad-")},
        "recipient": {"id": "28:bot", "name": "Safeguarding"},
        "conversation": {"id": "conv-1", "conversationType": conversation_type, "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        **extra,
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if entities:
        body["entities"] = entities
    return body
