"""/api/slack with correctly (and incorrectly) signed requests; the bot's Web API calls are
captured by a loopback fake of Slack, where SlackAdapter's client is pointed."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import SLACK_ENDPOINT, create_app
from bot.settings import Settings
from tests.support.adapter_fakes import Recorder, fake_slack_api, runtime_for

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def dm_event(text: str, event_id: str = "Ev0001", user: str = "U0STAFF") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0CHAT",
                "user": user,
                "text": text,
                "ts": "1700000000.000001",
                "event_ts": "1700000000.000001",
            },
        }
    )


@pytest.fixture
async def slack_api():
    recorder = Recorder()
    async with TestServer(fake_slack_api(recorder), host="127.0.0.1") as server:
        recorder.url = str(server.make_url("/api/"))
        yield recorder


@pytest.fixture
async def slack(engine, db_url, slack_api):
    runtime = runtime_for(engine)
    settings = Settings(DATABASE_URL=db_url, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-test-token")
    app = create_app(settings, runtime, slack_api_url=slack_api.url, dispatcher=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        client.bot = runtime.bot
        client.api = slack_api
        yield client


async def post_json(client, body: str, headers: dict):
    return await client.post("/api/slack", data=body, headers={"Content-Type": "application/json", **headers})


async def settle(client):
    await client.server.app[SLACK_ENDPOINT].drain()


async def test_a_signed_dm_is_acknowledged_then_answered_with_blocks(slack):
    body = dm_event("can I friend a parent on facebook?")
    response = await post_json(slack, body, signed(body))
    assert response.status == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert posted["channel"] == "D0CHAT" and posted["authorization"] == "Bearer xoxb-test-token"
    blocks = json.loads(posted["blocks"])
    assert blocks[0] == {"type": "header", "block_id": "verdict", "text": {"type": "plain_text", "text": "No"}}
    buttons = [json.loads(e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {"action": "report_concern"} in buttons
    (turn,) = slack.bot.messages
    assert (turn.text, turn.user, turn.school) == ("can I friend a parent on facebook?", "U0STAFF", "oakfield")


async def test_a_retried_event_is_dropped(slack):
    body = dm_event("a child told me something", event_id="Ev0002")
    assert (await post_json(slack, body, signed(body))).status == 200
    retry = await post_json(
        slack, body, {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    await settle(slack)
    assert len(slack.bot.messages) == 1
    assert len(slack.api.named("chat.postMessage")) == 1


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: signed(body, secret="wrong-secret"), id="bad-signature"),
        pytest.param(lambda body: signed(body, timestamp=int(time.time()) - 600), id="stale-timestamp"),
        pytest.param(lambda body: {}, id="unsigned"),
    ],
)
async def test_bad_or_stale_signatures_are_rejected_before_the_bot(slack, headers):
    body = dm_event("hello", event_id="Ev0003")
    response = await post_json(slack, body, headers(body))
    assert response.status == 401
    await settle(slack)
    assert slack.bot.turns == [] and slack.api.calls == []
    # the rejected delivery did not burn its event id: the genuine one still goes through
    assert (await post_json(slack, body, signed(body))).status == 200
    await settle(slack)
    assert len(slack.bot.messages) == 1


async def test_url_verification_echoes_the_challenge(slack):
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = await post_json(slack, body, signed(body))
    assert response.status == 200
    assert (await response.json()) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_a_button_press_arrives_as_the_same_value_teams_sends(slack):
    value = {"action": "feedback", "helpful": True, "intent": "friend_parent", "clause_id": "oakfield-7"}
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0STAFF"},
        "channel": {"id": "D0CHAT"},
        "trigger_id": "t1",
        "message": {"bot_id": "BBOT", "type": "message", "text": "No.", "ts": "1700000000.000100"},
        "actions": [
            {
                "type": "button",
                "action_id": "feedback-0",
                "block_id": "actions",
                "value": json.dumps(value),
                "action_ts": "1700000001.000200",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    response = await slack.post(
        "/api/slack", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    )
    assert response.status == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert posted["text"] == "pressed feedback"
    (turn,) = slack.bot.messages
    assert (turn.text, turn.value, turn.user) == (None, value, "U0STAFF")


async def test_an_app_mention_in_a_channel_is_answered_without_the_mention(slack):
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "Ev0004",
            "event": {
                "type": "app_mention",
                "channel": "C0STAFFROOM",
                "user": "U0STAFF",
                "text": "<@UBOT> can I post photos of the class trip?",
                "ts": "1.2",
                "event_ts": "1.2",
            },
        }
    )
    assert (await post_json(slack, body, signed(body))).status == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert posted["channel"] == "C0STAFFROOM"
    assert slack.bot.messages[0].text == "can I post photos of the class trip?"


async def test_channel_chatter_and_the_bots_own_posts_are_ignored(slack):
    chatter = json.loads(dm_event("lunch?", event_id="Ev0005"))
    chatter["event"]["channel_type"] = "channel"
    own = json.loads(dm_event("No.", event_id="Ev0006"))
    own["event"]["bot_id"] = "BBOT"
    for event in (chatter, own):
        body = json.dumps(event)
        assert (await post_json(slack, body, signed(body))).status == 200
    await settle(slack)
    assert slack.bot.turns == [] and slack.api.named("chat.postMessage") == []


async def test_malformed_signed_json_is_400(slack):
    body = "{not json"
    response = await post_json(slack, body, signed(body))
    assert response.status == 400
    assert "Traceback" not in await response.text()


async def test_an_oversized_slack_body_gets_413_before_any_work(slack):
    body = dm_event("x" * (2 * 1024 * 1024), event_id="Ev0007")
    response = await post_json(slack, body, signed(body))
    assert response.status == 413
    await settle(slack)
    assert slack.bot.turns == []


async def test_old_event_ids_are_forgotten_but_recent_ones_kept(engine):
    from datetime import datetime, timedelta

    from adapters.slack import claim_event, forget_old_events
    from bot.persistence.db import sessionmaker
    from bot.persistence.models import ProcessedEvent

    sessions = sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(ProcessedEvent(event_id="slack:EvOld", at=datetime.now(UTC) - timedelta(days=2)))
        session.add(ProcessedEvent(event_id="report:other-owner", at=datetime.now(UTC) - timedelta(days=2)))
    assert await claim_event(sessions, "slack:EvNew")
    assert await forget_old_events(sessions) == 1
    assert await claim_event(sessions, "slack:EvOld")  # forgotten: would be accepted again
    assert not await claim_event(sessions, "slack:EvNew")  # recent: still a duplicate
    assert not await claim_event(sessions, "report:other-owner")  # other owners' ids are left alone


CONFIRM_QUESTION = "Can I accept a friend request from a pupil on Facebook?"
CONFIRM_UNCOVERED = "What's the weather tomorrow?"


@pytest.fixture
async def real_slack(db_url, slack_api, monkeypatch):
    """The real bot with Block Kit rendering, triage unsure about two messages (chat_harness.in_confirm_band)."""
    from adapters.rendering import renderer_for
    from tests.support.chat_harness import build, in_confirm_band

    in_confirm_band(monkeypatch, {CONFIRM_QUESTION: "allegation", CONFIRM_UNCOVERED: "incident"})
    runtime = await build(db_url, renderer_for=renderer_for)
    settings = Settings(DATABASE_URL=db_url, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-test-token")
    app = create_app(settings, runtime, slack_api_url=slack_api.url, dispatcher=False)
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            client.api = slack_api
            yield client
    finally:
        await runtime.close()


def slack_buttons(posted: dict) -> dict:
    """Block Kit buttons of a posted message: label -> the value string Slack sends back when pressed."""
    blocks = json.loads(posted["blocks"])
    return {e["text"]["text"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def slack_question(posted: dict) -> str:
    return next(b["text"]["text"] for b in json.loads(posted["blocks"]) if b.get("block_id") == "question")


async def press_slack_button(client, value: str, action_ts: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0STAFF"},
        "channel": {"id": "D0CHAT"},
        "trigger_id": "t1",
        "message": {"bot_id": "BBOT", "type": "message", "text": "", "ts": "1700000000.000100"},
        "actions": [
            {"type": "button", "action_id": "x-0", "block_id": "actions", "value": value, "action_ts": action_ts}
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    response = await client.post(
        "/api/slack", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    )
    assert response.status == 200


async def test_slack_confirm_band_is_block_kit_buttons_carrying_the_actions(real_slack):
    body = dm_event(CONFIRM_QUESTION, event_id="EvConfirm1")
    assert (await post_json(real_slack, body, signed(body))).status == 200
    (prompt,) = await real_slack.api.wait_for("chat.postMessage")
    assert "report a concern to the Designated Safeguarding Lead, or is it a policy question?" in slack_question(prompt)
    buttons = slack_buttons(prompt)
    assert {label: json.loads(value) for label, value in buttons.items()} == {
        "Report a concern": {"action": "report_concern", "kind": "adult_concern"},
        "It's a policy question": {"action": "policy_question"},
    }

    await press_slack_button(real_slack, buttons["It's a policy question"], "1700000001.000001")
    answer = (await real_slack.api.wait_for("chat.postMessage", count=2))[-1]
    assert json.loads(answer["blocks"])[0]["text"]["text"] == "No" and "Section:" in answer["blocks"]

    await press_slack_button(real_slack, buttons["Report a concern"], "1700000002.000001")
    started = (await real_slack.api.wait_for("chat.postMessage", count=4))[2:]  # who sees it, then the question
    assert "Is your concern about the headteacher?" in slack_question(started[-1])


async def test_slack_uncovered_policy_question_offers_the_report_as_a_button(real_slack):
    body = dm_event(CONFIRM_UNCOVERED, event_id="EvConfirm2")
    assert (await post_json(real_slack, body, signed(body))).status == 200
    (prompt,) = await real_slack.api.wait_for("chat.postMessage")
    await press_slack_button(real_slack, slack_buttons(prompt)["It's a policy question"], "1700000003.000001")
    offer = (await real_slack.api.wait_for("chat.postMessage", count=2))[-1]
    assert "doesn't cover this" in slack_question(offer)
    assert "press Report a concern or speak to the Designated Safeguarding Lead today" in slack_question(offer)
    report = slack_buttons(offer)
    assert {label: json.loads(value) for label, value in report.items()} == {
        "Report a concern": {"action": "report_concern", "kind": "incident"}
    }

    await press_slack_button(real_slack, report["Report a concern"], "1700000004.000001")
    started = (await real_slack.api.wait_for("chat.postMessage", count=3))[-1]
    assert "What kind of online-safety incident" in slack_question(started)


# --- issue 15: a report never continues in a Slack channel ----------------------------------------------

DISCLOSURE = "Jayden in year 4 just told me his uncle touches him when he stays over"
DM = "D0PRIVATEU0STAFF"  # the direct message the fake Slack opens with U0STAFF


def mention(text: str, event_id: str) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": event_id,
            "event": {
                "type": "app_mention",
                "channel": "C0STAFFROOM",
                "user": "U0STAFF",
                "text": f"<@UBOT> {text}",
                "ts": "1.2",
                "event_ts": "1.2",
            },
        }
    )


def dm_in(channel: str, text: str, event_id: str) -> str:
    event = json.loads(dm_event(text, event_id=event_id))
    event["event"]["channel"] = channel
    return json.dumps(event)


async def test_a_disclosure_mentioned_in_a_slack_channel_continues_only_in_a_dm(real_slack):
    body = mention(DISCLOSURE, "EvPrivate1")
    assert (await post_json(real_slack, body, signed(body))).status == 200
    await settle(real_slack)
    api = real_slack.api

    (opened,) = api.named("conversations.open")
    assert opened["users"] == "U0STAFF" and opened["authorization"] == "Bearer xoxb-test-token"
    (notice,) = api.named("chat.postEphemeral")  # seen by the reporter alone
    assert (notice["channel"], notice["user"]) == ("C0STAFFROOM", "U0STAFF")
    assert "sent you a private message" in notice["text"] and "please delete it" in notice["text"]
    assert "Jayden" not in notice["text"] and "uncle" not in notice["text"]

    posted = api.named("chat.postMessage")
    assert posted and {p["channel"] for p in posted} == {DM}  # nothing posted to the channel for all to see
    privately = "\n".join(p["text"] + p.get("blocks", "") for p in posted)
    assert "You started a report in <#C0STAFFROOM>; let's continue here" in privately
    assert "immediate danger" in privately and "Jayden" not in privately

    answer = dm_in(DM, "no", "EvPrivate2")
    await post_json(real_slack, answer, signed(answer))
    await settle(real_slack)
    assert {p["channel"] for p in api.named("chat.postMessage")} == {DM}
    assert "Which child" in slack_question(api.named("chat.postMessage")[-1])


async def test_when_slack_will_not_open_a_dm_the_ephemeral_notice_says_how_and_nothing_starts(real_slack):
    real_slack.api.private_chats = False
    body = mention(DISCLOSURE, "EvPrivate3")
    assert (await post_json(real_slack, body, signed(body))).status == 200
    await settle(real_slack)
    (notice,) = real_slack.api.named("chat.postEphemeral")
    assert (notice["channel"], notice["user"]) == ("C0STAFFROOM", "U0STAFF")
    text = notice["text"]
    assert "couldn't open a private chat with you" in text and "under Apps in the sidebar" in text
    assert "Designated Safeguarding Lead" in text and "Jayden" not in text
    assert real_slack.api.named("chat.postMessage") == []


async def test_an_old_report_button_pressed_in_a_slack_channel_changes_nothing(real_slack):
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0STAFF"},
        "channel": {"id": "C0STAFFROOM"},
        "trigger_id": "t1",
        "message": {"bot_id": "BBOT", "type": "message", "text": "", "ts": "1700000000.000100"},
        "actions": [
            {
                "type": "button",
                "action_id": "x-0",
                "block_id": "actions",
                "value": json.dumps({"action": "open_report", "reference": "OAK-2026-0001"}),
                "action_ts": "1700000009.000001",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    await real_slack.post(
        "/api/slack", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    )
    await settle(real_slack)
    (reply,) = real_slack.api.named("chat.postEphemeral")  # only the one who pressed it sees the answer
    assert (reply["channel"], reply["user"]) == ("C0STAFFROOM", "U0STAFF")
    assert "ask me that in a private chat" in reply["text"] and real_slack.api.named("chat.postMessage") == []


async def post_form(client, payload) -> object:
    body = urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)})
    return await client.post(
        "/api/slack", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    )


@pytest.mark.parametrize("depth", [40, 5000])
async def test_deeply_nested_signed_bodies_are_400(slack, depth):
    event = dm_event("hello", event_id="EvDeep")
    body = event[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    assert (await post_json(slack, body, signed(body))).status == 400
    assert (await post_form(slack, '{"type": "block_actions", "x": ' + "[" * depth + "]" * depth + "}")).status == 400
    await settle(slack)
    assert slack.bot.turns == []


@pytest.mark.parametrize(
    "field, value", [("actions", "press"), ("actions", ["press"]), ("user", "U0STAFF"), ("channel", ["D0CHAT"])]
)
async def test_a_signed_button_press_of_the_wrong_shape_is_400_not_500(slack, field, value):
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0STAFF"},
        "channel": {"id": "D0CHAT"},
        "message": {"bot_id": "BBOT", "type": "message", "text": "", "ts": "1.1"},
        "actions": [{"type": "button", "value": '{"action": "report_concern"}', "action_ts": "1.2"}],
        field: value,
    }
    response = await post_form(slack, payload)
    assert response.status == 400 and field in await response.text()
    await settle(slack)
    assert slack.bot.turns == []


async def test_a_lone_surrogate_from_slack_reaches_the_bot_as_a_replacement_character(slack):
    body = dm_event("can I friend a parent? \ud800", event_id="EvSurrogate")  # json.dumps escapes it
    assert (await post_json(slack, body, signed(body))).status == 200
    await settle(slack)
    assert slack.bot.messages[0].text == "can I friend a parent? \ufffd"
