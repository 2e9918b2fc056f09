"""Talking to the real web app over HTTP, as the Bot Framework does, with replies caught on loopback.

`LoopbackConnector` is an aiohttp server standing in for the Bot Framework connector
(`POST /v3/conversations/{id}/activities[/{replyTo}]`): the bot's CloudAdapter posts its
replies there because each activity's `serviceUrl` points at it. `HttpChat` is one member of
staff in one conversation: `await chat.say("...")` POSTs an activity to /api/messages and
returns the text of every reply the connector received for that conversation during the turn.

Why replies are complete when the POST returns: in the default delivery mode CloudAdapter
sends each reply (awaiting the connector) inside the turn, and answers the POST only after
the turn ends, so no waiting or polling is needed. Used by the load benchmark and the
trust tests (durability, logs, bad input).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import aiohttp
from aiohttp import web

CONFIRMATION = "What happens next"  # in every report receipt (dialogs' receipt text)


def texts_in(activity: dict) -> list[str]:
    """Every human-readable string in a reply: its text, and card text blocks/titles for card channels."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "fallbackText") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(activity)
    return found


class LoopbackConnector:
    """Records replies per conversation id. Start with `await connector.start()`; `url` is the serviceUrl."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.replies: dict[str, list[dict]] = defaultdict(list)
        self.on_reply = None  # optional callable(conversation_id, activity), run before answering the bot
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._reply)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        return app

    async def _reply(self, request: web.Request) -> web.Response:
        activity = await request.json()
        self.replies[request.match_info["conversation"]].append(activity)
        if self.on_reply is not None:
            self.on_reply(request.match_info["conversation"], activity)
        return web.json_response({"id": f"reply-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        return web.json_response({"id": request.match_info["member"], "name": "A member of staff"})

    async def start(self) -> LoopbackConnector:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{self.host}:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def take(self, conversation_id: str) -> list[dict]:
        """The replies received for a conversation since the last take."""
        return self.replies.pop(conversation_id, [])


class HttpChat:
    """One member of staff in one conversation with the app at `base_url`, over /api/messages."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        connector: LoopbackConnector,
        *,
        conversation_id: str,
        user_id: str = "29:staff-1",
        user_name: str = "Mr Tom Baker",
        channel_id: str = "msteams",
        tenant: str = "tenant-1",
    ):
        self.http, self.base_url, self.connector = http, base_url.rstrip("/"), connector
        self.conversation_id, self.user_id, self.user_name = conversation_id, user_id, user_name
        self.channel_id, self.tenant = channel_id, tenant
        self._ids = itertools.count(1)
        self.last_status = 0

    def activity(self, text: str | None = None, *, value: dict | None = None, type: str = "message") -> dict:
        body = {
            "type": type,
            "id": f"{self.conversation_id}-{next(self._ids)}",
            "channelId": self.channel_id,
            "serviceUrl": self.connector.url,
            "from": {"id": self.user_id, "name": self.user_name, "aadObjectId": self.user_id.replace("29:", "aad-")},
            "recipient": {"id": "28:bot", "name": "Safeguarding"},
            "conversation": {"id": self.conversation_id, "conversationType": "personal", "tenantId": self.tenant},
            "channelData": {"tenant": {"id": self.tenant}},
        }
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        return body

    async def post(self, body: dict) -> list[dict]:
        async with self.http.post(f"{self.base_url}/api/messages", json=body) as response:
            self.last_status = response.status
            await response.read()
        return self.connector.take(self.conversation_id)

    async def say(self, text: str | None = None, *, value: dict | None = None) -> str:
        replies = await self.post(self.activity(text, value=value))
        return "\n".join(t for reply in replies for t in texts_in(reply))

    async def press(self, choice: str) -> str:
        return await self.say(None, value={"action": "choice", "choice": choice})


# A whole disclosure, typed by a member of staff (invented child and people).
DISCLOSURE_ANSWERS = (
    "Jayden, Year 5",
    "he said me uncle hits me wiv a belt when mum's at work innit",
    "Tuesday 2.30pm, in the library at the end of a reading group",
    "no one",
    "bruise on his left forearm, about 3cm, purple",
    "quiet and tearful",
    "I listened, said he'd done the right thing telling me, and that I'd have to tell Ms Okafor",
    "his sister Maya in Year 2",
    "his uncle, who lives with them",
    "no",
)


async def file_disclosure(chat: HttpChat, answers: tuple[str, ...] = DISCLOSURE_ANSWERS) -> str:
    """Report a disclosure start to finish; returns the reply to Submit (the receipt, or why not)."""
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")  # not in immediate danger
    for answer in answers:
        await chat.say(answer)
    return await chat.press("submit")
