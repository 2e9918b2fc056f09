"""The web app over HTTP: Bot Framework auth, bad input, health, Teams hooks and whose school.

Replies travel through botbuilder's real CloudAdapter to a loopback fake of the Bot
Framework connector, exactly as they would to Teams or the Agents Playground.
"""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import BOT, create_app
from bot.persistence.models import TenantSchool
from bot.settings import Settings
from tests.support.adapter_fakes import activity, runtime_for


@pytest.fixture
async def web(engine, db_url):
    """The app with no app id (anonymous, as for the Playground) and a recording bot."""
    runtime = runtime_for(engine)
    app = create_app(Settings(DATABASE_URL=db_url, MicrosoftAppId=""), runtime, dispatcher=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        client.bot = runtime.bot
        client.runtime = runtime
        yield client


async def test_health_and_readiness(web):
    assert (await web.get("/healthz")).status == 200
    ready = await web.get("/readyz")
    assert ready.status == 200 and (await ready.json())["database"] == "ok"


async def test_readyz_says_unavailable_when_the_database_is_down(db_url):
    from bot.persistence.db import create_engine

    dead = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    app = create_app(Settings(DATABASE_URL=db_url), runtime_for(dead), dispatcher=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/readyz")
        assert response.status == 503 and (await response.json())["database"] == "unreachable"
    await dead.dispose()


async def test_with_an_app_id_a_request_without_a_token_is_401_and_reaches_no_bot_code(engine, db_url, connector):
    runtime = runtime_for(engine)
    settings = Settings(
        DATABASE_URL=db_url,
        MicrosoftAppId="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId="tenant-1",
    )
    async with TestClient(TestServer(create_app(settings, runtime, dispatcher=False), host="127.0.0.1")) as client:
        missing = await client.post("/api/messages", json=activity(connector, "hello"))
        forged = await client.post(
            "/api/messages", json=activity(connector, "hello"), headers={"Authorization": "Bearer not.a.jwt"}
        )
    assert missing.status == 401 and forged.status == 401
    assert runtime.bot.turns == [] and connector.calls == []


async def test_anonymous_mode_answers_with_a_card_through_the_connector(web, connector):
    response = await web.post("/api/messages", json=activity(connector, "can I friend a parent?"))
    assert response.status in (200, 201)
    (reply,) = await connector.wait_for("activity")
    card = reply["attachments"][0]["content"]
    assert card["version"] == "1.5" and card["body"][0]["text"] == "No"
    assert web.bot.messages[0].text == "can I friend a parent?"
    assert web.bot.messages[0].school == "oakfield"  # unmapped tenant: the default school


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{not json", 400),
        (b"[1, 2, 3]", 400),
        (b'{"text": "no type"}', 400),
    ],
)
async def test_malformed_requests_get_400_without_a_stack_trace(web, body, status):
    response = await web.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == status
    payload = await response.text()
    assert "Traceback" not in payload and "error" in payload
    assert web.bot.turns == []


async def test_an_oversized_body_gets_413(web, connector):
    huge = activity(connector, "x" * (2 * 1024 * 1024))
    response = await web.post("/api/messages", json=huge)
    assert response.status == 413
    assert web.bot.turns == []


async def test_an_unknown_activity_type_is_ignored_quietly(web, connector):
    response = await web.post("/api/messages", json=activity(connector, type="somethingNew"))
    assert response.status in (200, 201)
    assert connector.calls == []


async def test_teams_welcome_card_when_the_bot_is_installed(web, connector):
    update = activity(connector, type="conversationUpdate", membersAdded=[{"id": "28:bot"}, {"id": "29:staff-1"}])
    assert (await web.post("/api/messages", json=update)).status in (200, 201)
    (welcome,) = await connector.wait_for("activity")
    card = welcome["attachments"][0]["content"]
    assert card["body"][0]["id"] == "title"
    assert card["actions"][0]["data"] == {"action": "report_concern"}
    assert web.bot.turns[0].type == "conversationUpdate"  # the turn loop still sees it (conversation refs)


async def test_mentions_are_stripped_in_channels(web, connector):
    mention = {
        "type": "mention",
        "text": "<at>Safeguarding</at>",
        "mentioned": {"id": "28:bot", "name": "Safeguarding"},
    }
    body = activity(
        connector, "<at>Safeguarding</at> can I post class photos?", conversation_type="channel", entities=[mention]
    )
    assert (await web.post("/api/messages", json=body)).status in (200, 201)
    await connector.wait_for("activity")
    assert web.bot.messages[0].text == "can I post class photos?"


async def test_a_trust_tenant_asks_once_remembers_and_can_switch(web, connector):
    async with web.runtime.sessions() as session, session.begin():
        session.add_all(
            [
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="oakfield"),
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="ringway"),
            ]
        )

    await web.post("/api/messages", json=activity(connector, "can I friend a parent?", tenant="trust"))
    (question,) = await connector.wait_for("activity")
    choices = {a["title"]: a["data"] for a in question["attachments"][0]["content"]["actions"]}
    assert set(choices) == {"Oakfield Primary School", "Ringway Primary School"}
    assert web.bot.messages == []  # nothing answered from the wrong school's policy

    ringway = next(d for d in choices.values() if d["school"] == "ringway")
    assert ringway["pending"] == "can I friend a parent?"
    await web.post("/api/messages", json=activity(connector, value=ringway, tenant="trust"))
    await connector.wait_for("activity", count=3)  # "Thanks" and the replayed answer
    assert [(t.text, t.school) for t in web.bot.messages] == [("can I friend a parent?", "ringway")]

    await web.post("/api/messages", json=activity(connector, "and photos?", tenant="trust"))
    await connector.wait_for("activity", count=4)
    assert web.bot.messages[-1].school == "ringway"  # remembered: not asked again

    await web.post("/api/messages", json=activity(connector, "switch school", tenant="trust"))
    (*_, again) = await connector.wait_for("activity", count=5)
    assert {a["data"]["school"] for a in again["attachments"][0]["content"]["actions"]} == {"oakfield", "ringway"}
    assert len(web.bot.messages) == 2


async def test_the_adapters_are_exposed_for_proactive_alerts(web):
    from adapters.web import ADAPTERS, BOT_FRAMEWORK_ADAPTER

    app = web.server.app
    assert app[ADAPTERS]["msteams"] is app[BOT_FRAMEWORK_ADAPTER]
    assert app[BOT].inner is web.bot


async def test_the_real_runtime_answers_a_teams_question_with_a_quoted_clause(db_url, connector):
    """create_app builds the real bot (bot.runtime) when none is passed, and closes it at shutdown."""
    app = create_app(Settings(DATABASE_URL=db_url, MicrosoftAppId=""), dispatcher=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.post(
            "/api/messages", json=activity(connector, "Can I be friends with pupils on social media?")
        )
        assert response.status in (200, 201)
        replies = await connector.wait_for("activity")
        assert (await client.get("/readyz")).status == 200
    card = replies[-1]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "No"
    quotes = [e for e in card["body"] if e["type"] == "Container"]
    assert quotes and all(q["items"][0]["text"].startswith("\u201c") for q in quotes)
    assert {"action": "report_concern"} in [a["data"] for a in card["actions"]]


async def test_anonymous_mode_is_announced_loudly_and_an_app_id_silences_it(engine, db_url, caplog):
    for app_id, expected in (("", True), ("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", False)):
        caplog.clear()
        app = create_app(Settings(DATABASE_URL=db_url, MicrosoftAppId=app_id), runtime_for(engine), dispatcher=False)
        async with TestClient(TestServer(app, host="127.0.0.1")):
            pass
        warned = any("UNAUTHENTICATED" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
        assert warned is expected


async def test_report_a_concern_pressed_before_the_school_is_known_is_replayed_after_the_choice(web, connector):
    async with web.runtime.sessions() as session, session.begin():
        session.add_all(
            [
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="oakfield"),
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="ringway"),
            ]
        )
    await web.post("/api/messages", json=activity(connector, value={"action": "report_concern"}, tenant="trust"))
    (question,) = await connector.wait_for("activity")
    oakfield = next(
        a["data"] for a in question["attachments"][0]["content"]["actions"] if a["data"]["school"] == "oakfield"
    )
    await web.post("/api/messages", json=activity(connector, value=oakfield, tenant="trust"))
    await connector.wait_for("activity", count=3)
    assert [(t.text, t.value, t.school) for t in web.bot.messages] == [(None, {"action": "report_concern"}, "oakfield")]


CONFIRM_QUESTION = "Can I accept a friend request from a pupil on Facebook?"
CONFIRM_UNCOVERED = "What's the weather tomorrow?"


@pytest.fixture
async def real_web(db_url, monkeypatch):
    """The real bot with Teams rendering, triage unsure about two messages (see chat_harness.in_confirm_band)."""
    from adapters.rendering import renderer_for
    from tests.support.chat_harness import build, in_confirm_band

    in_confirm_band(monkeypatch, {CONFIRM_QUESTION: "incident", CONFIRM_UNCOVERED: "disclosure"})
    runtime = await build(db_url, renderer_for=renderer_for)
    app = create_app(Settings(DATABASE_URL=db_url, MicrosoftAppId=""), runtime, dispatcher=False)
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            client.runtime = runtime
            yield client
    finally:
        await runtime.close()


def card_actions(reply: dict) -> dict:
    """An Adaptive Card's Action.Submit buttons: title -> the data Teams sends back."""
    card = reply["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and all(a["type"] == "Action.Submit" for a in card["actions"])
    return {a["title"]: a["data"] for a in card["actions"]}


def card_question(reply: dict) -> str:
    return next(e["text"] for e in reply["attachments"][0]["content"]["body"] if e.get("id") == "question")


async def test_teams_confirm_band_is_a_card_whose_buttons_carry_the_actions(real_web, connector):
    await real_web.post("/api/messages", json=activity(connector, CONFIRM_QUESTION))
    (prompt,) = await connector.wait_for("activity")
    assert "report a concern to the Designated Safeguarding Lead, or is it a policy question?" in card_question(prompt)
    actions = card_actions(prompt)
    assert actions == {
        "Report a concern": {"action": "report_concern", "kind": "incident"},
        "It's a policy question": {"action": "policy_question"},
    }

    await real_web.post("/api/messages", json=activity(connector, value=actions["It's a policy question"]))
    answer = (await connector.wait_for("activity", count=2))[-1]["attachments"][0]["content"]
    assert answer["body"][0]["text"] == "No" and any(e["type"] == "Container" for e in answer["body"])

    await real_web.post("/api/messages", json=activity(connector, value=actions["Report a concern"]))
    started = (await connector.wait_for("activity", count=3))[-1]
    assert "What kind of online-safety incident" in card_question(started)


async def test_teams_uncovered_policy_question_offers_the_report_on_a_card(real_web, connector):
    await real_web.post("/api/messages", json=activity(connector, CONFIRM_UNCOVERED))
    (prompt,) = await connector.wait_for("activity")
    await real_web.post("/api/messages", json=activity(connector, value=card_actions(prompt)["It's a policy question"]))
    offer = (await connector.wait_for("activity", count=2))[-1]
    assert "doesn't cover this" in card_question(offer)
    assert "press Report a concern or speak to the Designated Safeguarding Lead today" in card_question(offer)
    report = card_actions(offer)
    assert report == {"Report a concern": {"action": "report_concern", "kind": "disclosure"}}

    await real_web.post("/api/messages", json=activity(connector, value=report["Report a concern"]))
    started = (await connector.wait_for("activity", count=3))[-1]
    assert "immediate danger" in card_question(started)


# --- issue 15: a report never continues in a team channel or group chat ---------------------------------

DISCLOSURE = "Jayden in year 4 just told me his uncle touches him when he stays over"
MENTION = {"type": "mention", "text": "<at>Safeguarding</at>", "mentioned": {"id": "28:bot", "name": "Safeguarding"}}
PRIVATE = "a:private-29:staff-1"  # what the fake connector opens for 29:staff-1


def in_shared(connector, text=None, *, conversation_type="channel", **extra):
    """A message @mentioning the bot in the General channel of Year 4 Team, or in a group chat."""
    body = activity(
        connector,
        f"<at>Safeguarding</at> {text}" if text else None,
        conversation_type=conversation_type,
        entities=[MENTION] if text else None,
        **extra,
    )
    if conversation_type == "channel":
        body["channelData"].update(
            channel={"id": "19:general@thread.tacv2", "name": "General"},
            team={"id": "19:team@thread.tacv2", "name": "Year 4 Team"},
        )
        body["conversation"]["id"] = "19:general@thread.tacv2;messageid=1700000000000"
    else:
        body["conversation"]["id"] = "19:staffroom@thread.v2"
    return body


def in_private(connector, text=None, **extra):
    body = activity(connector, text, **extra)
    body["conversation"]["id"] = PRIVATE
    return body


def said_in(connector, conversation: str) -> str:
    """Everything the bot posted to one conversation: text and card text, as one string."""
    import json

    return "\n".join(
        json.dumps(body, ensure_ascii=False)
        for body in connector.named("activity")
        if body["posted_to"] == conversation
    )


@pytest.mark.parametrize("conversation_type", ["channel", "groupChat"])
async def test_a_disclosure_in_a_teams_channel_or_group_chat_continues_only_in_a_private_chat(
    real_web, connector, conversation_type
):
    shared_body = in_shared(connector, DISCLOSURE, conversation_type=conversation_type)
    shared_id = shared_body["conversation"]["id"]
    assert (await real_web.post("/api/messages", json=shared_body)).status in (200, 201)

    (create,) = connector.named("create_conversation")  # Bot Framework create_conversation for this person
    assert create["members"] == [{"id": "29:staff-1"}] and create["isGroup"] is False
    assert create["tenantID"] == "tenant-1" and create["channelData"] == {"tenant": {"id": "tenant-1"}}
    assert create["bot"]["id"] == "28:bot"

    in_channel = said_in(connector, shared_id)
    assert "sent you a private message" in in_channel and "please delete it" in in_channel
    for word in ("Jayden", "uncle", "immediate danger", "safeguarding concern"):
        assert word not in in_channel
    (notice,) = [b for b in connector.named("activity") if b["posted_to"] == shared_id]  # one message, no card
    assert not notice.get("attachments")

    privately = said_in(connector, PRIVATE)
    place = "the General channel of Year 4 Team" if conversation_type == "channel" else "a group chat"
    assert f"You started a report in {place}; let's continue here" in privately
    assert "immediate danger" in privately and "Jayden" not in privately
    assert all(b["recipient"]["id"] == "29:staff-1" for b in connector.named("activity") if b["posted_to"] == PRIVATE)

    # The person answers in the private chat; every question stays there.
    before = len(connector.named("activity"))
    await real_web.post("/api/messages", json=in_private(connector, value={"action": "choice", "choice": "no"}))
    await real_web.post("/api/messages", json=in_private(connector, "Jayden, Year 4"))
    later = connector.named("activity")[before:]
    assert later and all(b["posted_to"] == PRIVATE for b in later)
    assert "Which child" in said_in(connector, PRIVATE) and "What did the child say?" in said_in(connector, PRIVATE)
    assert "Jayden" not in said_in(connector, shared_id)


async def test_report_a_concern_pressed_in_a_channel_opens_the_menu_privately(real_web, connector):
    await real_web.post("/api/messages", json=in_shared(connector, value={"action": "report_concern"}))
    assert "What do you want to report?" in said_in(connector, PRIVATE)
    shared_id = in_shared(connector)["conversation"]["id"]
    assert "What do you want to report?" not in said_in(connector, shared_id)
    assert "sent you a private message" in said_in(connector, shared_id)


async def test_when_teams_refuses_a_private_chat_the_channel_hears_how_to_open_one_and_nothing_starts(
    real_web, connector
):
    from sqlalchemy import select

    from bot.persistence.models import ReportDraft, RoleAssignment

    async with real_web.runtime.sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield", role="dsl", channel="msteams", user_id="aad-dsl", name="Ms Priya Shah"
            )
        )
    connector.private_chats = False  # the app is not installed for this person
    body = in_shared(connector, DISCLOSURE)
    assert (await real_web.post("/api/messages", json=body)).status in (200, 201)

    assert len(connector.named("create_conversation")) == 1  # tried, refused (403), not retried
    (reply,) = connector.named("activity")
    assert reply["posted_to"] == body["conversation"]["id"]
    text = reply["text"]
    assert "couldn't open a private chat with you" in text and "select Apps" in text
    assert "the Designated Safeguarding Lead, Ms Priya Shah," in text and "999" in text
    assert "Jayden" not in text and "uncle" not in text and "immediate danger?" not in text
    async with real_web.runtime.sessions() as session:
        (marker,) = (await session.scalars(select(ReportDraft))).all()
    assert (marker.conversation_key, marker.kind) == ("unreached:msteams/29:staff-1", "disclosure")

    # A report button on an old card pressed in the channel starts nothing either.
    await real_web.post("/api/messages", json=in_shared(connector, value={"action": "choice", "choice": "no"}))
    assert "nothing was changed" in connector.named("activity")[-1]["text"]
    assert "Which child" not in said_in(connector, body["conversation"]["id"])


async def test_a_dsl_command_in_a_teams_channel_is_answered_ask_me_privately(real_web, connector):
    for command in ("open reports", "show OAK-2026-0001"):
        await real_web.post("/api/messages", json=in_shared(connector, command))
    pressed = in_shared(connector, value={"action": "acknowledge", "reference": "OAK-2026-0001"})
    await real_web.post("/api/messages", json=pressed)
    replies = [b["text"] for b in connector.named("activity")]
    assert len(replies) == 3 and all("ask me that in a private chat" in r for r in replies)
    assert connector.named("create_conversation") == []


async def test_in_a_trust_channel_the_which_school_card_carries_none_of_their_words(web, connector):
    async with web.runtime.sessions() as session, session.begin():
        session.add_all(
            [
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="oakfield"),
                TenantSchool(channel="msteams", tenant_id="trust", school_slug="ringway"),
            ]
        )
    body = in_shared(connector, DISCLOSURE, tenant="trust")
    await web.post("/api/messages", json=body)
    (question,) = await connector.wait_for("activity")
    assert "Jayden" not in str(question) and "send your message again" in str(question)
    choices = card_actions(question)
    assert {data["pending"] for data in choices.values()} == {""}


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
async def test_deeply_nested_json_is_400_before_anything_else(web, connector, depth):
    body = activity(connector, "hello")
    raw = json.dumps(body)[:-1] + ', "value": ' + "[" * depth + "]" * depth + "}"
    response = await web.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400 and "nested" in (await response.json())["error"]
    assert web.bot.turns == []


@pytest.mark.parametrize("missing", ["serviceUrl", "conversation", "channelId"])
async def test_an_activity_missing_what_a_reply_needs_is_400_naming_it_before_any_turn(web, connector, missing):
    body = activity(connector, "hello")
    del body[missing]
    response = await web.post("/api/messages", json=body)
    assert response.status == 400
    assert missing in (await response.json())["error"]
    assert web.bot.turns == [] and connector.calls == []


async def test_a_lone_surrogate_reaches_the_bot_as_a_replacement_character(web, connector):
    raw = json.dumps(activity(connector, "can I friend a parent? \ud800"))  # travels as the escape \\ud800
    response = await web.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
    assert response.status in (200, 201)
    assert web.bot.messages[0].text == "can I friend a parent? \ufffd"
