"""Fuzzing the two public endpoints with hypothesis: whatever a client sends, never a 500, and the
server keeps answering /healthz within 100 ms while it deals with it.

Activities vary in nesting (up to thousands deep), types (any JSON value in any field) and
text (control characters, right-to-left marks, lone surrogates, NUL); Slack bodies are
correctly signed, so they get past the signature check to the parsing behind it. The run is
kept to a few seconds so `make test` stays quick; hypothesis remembers failures it finds.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.web import SLACK_ENDPOINT, create_app
from bot.persistence.db import create_engine, migrate
from bot.settings import Settings
from tests.support.adapter_fakes import Recorder, fake_connector, fake_slack_api, runtime_for

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed(body: str) -> dict:
    """Slack's v0 signature over `body`, as Slack sends it."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
HEALTHZ_BUDGET_S = 0.1

texts = st.one_of(st.text(max_size=40), st.sampled_from(["\ud800", "x\udfff", "\x00", "\u202eevil", "👩🏽‍🏫", ""]))
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=10
)


@st.composite
def nested(draw):
    """A list or object nested anywhere from 1 to 5,000 levels deep."""
    depth = draw(st.integers(min_value=1, max_value=5000))
    opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    return json.loads(opening * depth + "1" + closing * depth) if depth < 500 else (opening, closing, depth)


def dumps_with(body: dict, field: str, value) -> str:
    """`body` as JSON with `field` set to `value` (a deep value is spliced in as text: json.dumps would recurse)."""
    if isinstance(value, tuple):
        opening, closing, depth = value
        text = json.dumps({k: v for k, v in body.items() if k != field})
        return text[:-1] + f", {json.dumps(field)}: " + opening * depth + "1" + closing * depth + "}"
    return json.dumps({**body, field: value})


FIELDS = [
    "type",
    "text",
    "value",
    "from",
    "conversation",
    "recipient",
    "channelId",
    "serviceUrl",
    "attachments",
    "entities",
    "channelData",
    "id",
    "locale",
    "membersAdded",
]


@pytest.fixture
async def server(tmp_path):
    """The whole app (anonymous Teams and signed Slack) on SQLite, with loopback Teams and Slack fakes."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'fuzz.sqlite3'}"
    engine = create_engine(url)
    await migrate(engine)
    connector, slack_api = Recorder(), Recorder()
    async with (
        TestServer(fake_connector(connector), host="127.0.0.1") as teams_server,
        TestServer(fake_slack_api(slack_api), host="127.0.0.1") as slack_server,
    ):
        connector.url = str(teams_server.make_url("/"))
        settings_ = Settings(
            DATABASE_URL=url, MicrosoftAppId="", SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-test-token"
        )
        app = create_app(
            settings_, runtime_for(engine), slack_api_url=str(slack_server.make_url("/api/")), dispatcher=False
        )
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            client.connector_url = connector.url
            yield client
            await app[SLACK_ENDPOINT].drain()
    await engine.dispose()


async def healthz_while(client, request) -> tuple[int, float]:
    """Send `request` and, while it is being handled, time a /healthz."""

    async def probe() -> float:
        await asyncio.sleep(0)  # let the hostile request start first
        started = time.perf_counter()
        assert (await client.get("/healthz")).status == 200
        return time.perf_counter() - started

    response, latency = await asyncio.gather(request, probe())
    return response.status, latency


@FUZZ
@given(field=st.sampled_from(FIELDS), value=st.one_of(json_values, nested()), text=texts)
async def test_any_activity_is_never_a_500_and_healthz_keeps_answering(server, field, value, text):
    body = {
        "type": "message",
        "id": "a-1",
        "channelId": "msteams",
        "serviceUrl": server.connector_url,
        "text": text,
        "from": {"id": "29:staff", "name": text},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": "conv-1", "conversationType": "personal"},
    }
    if field == "serviceUrl" and isinstance(value, str):
        value = "http://127.0.0.1:9/"  # never reach out beyond this machine
    raw = dumps_with(body, field, value)
    status, latency = await healthz_while(
        server, server.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
    )
    assert status < 500, (field, str(value)[:200], status)
    assert latency < HEALTHZ_BUDGET_S


def slack_block_actions(value) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U0STAFF"},
        "channel": {"id": "D0CHAT"},
        "message": {"bot_id": "BBOT", "type": "message", "text": "", "ts": "1.1"},
        "actions": [
            {"type": "button", "value": json.dumps(value) if not isinstance(value, str) else value, "action_ts": "1.2"}
        ],
    }


@FUZZ
@given(
    kind=st.sampled_from(["event", "press", "press-field", "form"]),
    field=texts,
    value=st.one_of(json_values, nested()),
    text=texts,
)
async def test_any_signed_slack_body_is_never_a_500_and_healthz_keeps_answering(server, kind, field, value, text):
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event": {"type": "message", "channel_type": "im", "channel": "D0", "user": "U0", "text": text, "ts": "1.1"},
    }
    if kind == "event":
        body, content_type = dumps_with(event, field or "event", value), "application/json"
    elif kind == "press":
        payload = slack_block_actions(value if not isinstance(value, tuple) else {"action": "choice"})
        body, content_type = (
            urlencode({"payload": json.dumps(payload)}, errors="surrogatepass"),
            "application/x-www-form-urlencoded",
        )
    elif kind == "press-field":
        body = urlencode(
            {"payload": dumps_with(slack_block_actions({"action": "report_concern"}), field or "x", value)},
            errors="surrogatepass",
        )
        content_type = "application/x-www-form-urlencoded"
    else:
        body, content_type = (
            urlencode({field or "payload": text}, errors="surrogatepass"),
            "application/x-www-form-urlencoded",
        )
    status, latency = await healthz_while(
        server, server.post("/api/slack", data=body, headers={"Content-Type": content_type, **signed(body)})
    )
    assert status < 500, (kind, field, str(value)[:200], status)
    assert latency < HEALTHZ_BUDGET_S
