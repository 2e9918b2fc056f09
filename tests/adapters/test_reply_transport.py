"""Replies leave over aiohttp (adapters.reply_transport): same JSON, same token, same retries as msrest's path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Mention
from botframework.connector import models
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest import Serializer
from msrest.exceptions import HttpOperationError

from adapters import reply_transport
from adapters.rendering import renderer_for
from adapters.reply_transport import AiohttpTransport, activity_json
from bot.conversation.assistant import Assistant
from dialogs.rendering import AlertCard, Button, Prompt, Summary

MSREST = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
QUESTIONS = ("can I accept a friend request from a parent?", "phones", "what is the capital of France?")


def replies_this_bot_sends() -> list[Activity]:
    assistant = Assistant.default()
    incoming = Activity(
        type="message",
        id="in-1",
        channel_id="msteams",
        service_url="https://smba.example/",
        from_property=ChannelAccount(id="29:staff", name="Mr Tom Baker", aad_object_id="aad-1"),
        recipient=ChannelAccount(id="28:bot", name="Safeguarding"),
        conversation=ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t-1"),
        locale="en-GB",
    )
    reference = TurnContext.get_conversation_reference(incoming)
    made = []
    for channel in ("msteams", "webchat"):
        render = renderer_for(channel)
        made += [render.answer(assistant.answer(q, "oakfield")) for q in QUESTIONS]
        made += [
            render.text("Thanks for the feedback."),
            render.prompt(
                Prompt(
                    "Who was involved?",
                    (Button("No one", {"action": "choice", "choice": "no"}),),
                    guidance="Write down their words; don't ask leading questions.",
                )
            ),
            render.summary(
                Summary(
                    "Check your report",
                    (("Child", "Jayden, Year 5"),),
                    (Button("Submit", {"action": "choice", "choice": "submit"}),),
                    note="n",
                )
            ),
            render.alert(
                AlertCard(
                    "Oakfield Primary School",
                    "disclosure",
                    "urgent",
                    "OAK-2026-0042",
                    "Mr Tom Baker",
                    "22 Nov 2026 09:14",
                    escalated=True,
                    buttons=(Button("Acknowledge", {"action": "acknowledge"}),),
                )
            ),
        ]
    mention = Activity(
        type="message",
        text="<at>Ms Okafor</at> please look",
        entities=[
            Mention(mentioned=ChannelAccount(id="29:dsl", name="Ms Okafor"), text="<at>Ms Okafor</at>", type="mention")
        ],
        timestamp=datetime(2026, 11, 22, 9, 14, 5, 120000, tzinfo=UTC),
    )
    made.append(mention)
    return [TurnContext.apply_conversation_reference(a, reference) for a in made]  # as CloudAdapter does


def test_every_kind_of_reply_serialises_exactly_as_msrest_would():
    for reply in replies_this_bot_sends():
        assert activity_json(reply) == MSREST.body(reply, "Activity")


class FixedToken(MicrosoftAppCredentials):
    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-for-the-test"


@pytest.fixture
async def channel():
    """A stand-in Bot Framework connector answering each reply with the next status in `statuses`."""
    runners = []

    async def start(statuses: list[int], retry_after: str | None = None):
        seen: list[web.Request] = []
        bodies: list[dict] = []

        async def reply(request: web.Request) -> web.Response:
            seen.append(request)
            bodies.append(await request.json())
            status = statuses.pop(0) if statuses else 201
            headers = {"Retry-After": retry_after} if retry_after and status == 429 else {}
            return web.json_response(
                {"id": "r-1"} if status < 400 else {"error": {"code": "x"}}, status=status, headers=headers
            )

        app = web.Application()
        app.router.add_post("/v3/conversations/{c}/activities/{a}", reply)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/", seen, bodies

    yield start
    for runner in runners:
        await runner.cleanup()


async def send(url: str, credentials) -> None:
    transport = AiohttpTransport()
    client = transport.adopt(ConnectorClient(credentials, base_url=url))
    try:
        await client.conversations.reply_to_activity("a:1", "in-1", Activity(type="message", text="hello"))
    finally:
        await transport.close()


async def test_replies_carry_the_bot_token_and_anonymous_replies_carry_none(channel):
    url, seen, bodies = await channel([])
    await send(url, FixedToken("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "secret"))
    await send(url, MicrosoftAppCredentials(None, None))  # local testing with no app id
    assert seen[0].headers["Authorization"] == "Bearer token-for-the-test"
    assert "Authorization" not in seen[1].headers
    assert bodies == [{"type": "message", "text": "hello"}] * 2


async def test_a_busy_or_throttling_channel_is_retried_and_the_reply_arrives_once(channel, monkeypatch):
    monkeypatch.setattr(reply_transport, "BACKOFF_S", 0.01)
    url, seen, _ = await channel([503, 429], retry_after="0")
    await send(url, MicrosoftAppCredentials(None, None))
    assert len(seen) == 3  # 503, 429 (Retry-After: 0), then delivered


async def test_a_refused_reply_is_not_retried_and_raises(channel, monkeypatch):
    monkeypatch.setattr(reply_transport, "BACKOFF_S", 0.01)
    url, seen, _ = await channel([403])
    with pytest.raises(HttpOperationError):
        await send(url, MicrosoftAppCredentials(None, None))
    assert len(seen) == 1


async def test_an_unreachable_channel_fails_after_the_retries(monkeypatch):
    monkeypatch.setattr(reply_transport, "BACKOFF_S", 0.01)
    with pytest.raises(Exception) as failure:
        await send("http://127.0.0.1:9/", MicrosoftAppCredentials(None, None))  # the discard port: refused
    assert "could not reach the channel" in str(failure.value)
