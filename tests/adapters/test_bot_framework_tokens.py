"""Bot Framework tokens over HTTP, against a loopback stand-in for Microsoft's OpenID metadata.

What an attacker notices: a forged token is a 401 (never a 500), whatever is wrong with it;
a slow or dead metadata endpoint never stalls the server; and the log says why in one line
without the token. What Teams notices: a genuine token still gets its message answered.
"""

from __future__ import annotations

import asyncio
import logging
import time

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.web import create_app
from bot.settings import Settings
from tests.support.adapter_fakes import OpenIdProvider, activity, runtime_for

APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@pytest.fixture
async def openid():
    provider = OpenIdProvider()
    async with TestServer(provider.app(), host="127.0.0.1") as server:
        provider.url = str(server.make_url("/metadata"))
        yield provider


@pytest.fixture
async def teams(engine, db_url, openid):
    """The app with an app id, its token keys published by the loopback `openid` provider."""
    runtime = runtime_for(engine)
    settings = Settings(
        DATABASE_URL=db_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="not-a-real-secret",
        BOT_OPENID_METADATA_URL=openid.url,
        EMULATOR_OPENID_METADATA_URL=openid.url,
    )
    async with TestClient(TestServer(create_app(settings, runtime, dispatcher=False), host="127.0.0.1")) as client:
        client.bot = runtime.bot
        yield client


async def post(client, body: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await client.post("/api/messages", json=body, headers=headers)


def forged(openid: OpenIdProvider, service_url: str) -> dict[str, str]:
    """Tokens an attacker could make, each wrong in one way."""
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url, "exp": now + 600}
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "alg-none": jwt.encode(claims, None, algorithm="none", headers={"kid": openid.kid}),
        "hs256": jwt.encode(
            claims, "a-guessed-secret-long-enough-for-hs256-keys", algorithm="HS256", headers={"kid": openid.kid}
        ),
        "unknown-kid": openid.token(app_id=APP_ID, service_url=service_url, kid="made-up"),
        "bad-signature": openid.token(app_id=APP_ID, service_url=service_url, private_key=stranger),
        "expired": openid.token(app_id=APP_ID, service_url=service_url, exp=now - 3600),
        "other-bot": openid.token(app_id="another-bots-app-id", service_url=service_url),
        "other-service-url": openid.token(app_id=APP_ID, service_url="https://evil.example/"),
        "other-issuer": openid.token(app_id=APP_ID, service_url=service_url, iss="https://evil.example"),
        "garbage": "not.a.jwt",
    }


async def test_a_genuine_channel_token_is_answered(teams, connector, openid, monkeypatch):
    from botframework.connector.auth import MicrosoftAppCredentials

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: "bot-token")
    body = activity(connector, "can I friend a parent?")
    response = await post(teams, body, openid.token(app_id=APP_ID, service_url=connector.url))
    assert response.status in (200, 201)
    await connector.wait_for("activity")
    assert [t.text for t in teams.bot.messages] == ["can I friend a parent?"]


@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "hs256",
        "unknown-kid",
        "bad-signature",
        "expired",
        "other-bot",
        "other-service-url",
        "other-issuer",
        "garbage",
    ],
)
async def test_every_forged_token_is_401_logged_in_one_line_without_the_token(teams, connector, openid, kind, caplog):
    token = forged(openid, connector.url)[kind]
    caplog.set_level(logging.INFO)
    response = await post(teams, activity(connector, "hello"), token)
    assert response.status == 401, await response.text()
    assert teams.bot.turns == [] and connector.calls == []
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and "\n" not in refusals[0].getMessage()
    assert not any(token in r.getMessage() or r.exc_info for r in caplog.records)


async def test_a_key_not_endorsed_for_the_channel_is_401(teams, connector, openid):
    openid.endorsements = ("webchat",)
    response = await post(teams, activity(connector, "hello"), openid.token(app_id=APP_ID, service_url=connector.url))
    assert response.status == 401 and teams.bot.turns == []


async def test_before_the_keys_were_ever_fetched_an_unreachable_endpoint_is_503_and_not_hammered(
    teams, connector, openid
):
    openid.down = True
    token = openid.token(app_id=APP_ID, service_url=connector.url)
    first = await post(teams, activity(connector, "hello"), token)
    assert first.status == 503 and first.headers.get("Retry-After")
    again = await post(teams, activity(connector, "hello"), token)  # backing off: no second fetch at once
    assert again.status == 503 and openid.hits == 1
    assert teams.bot.turns == []


async def test_keys_once_fetched_keep_working_while_the_endpoint_is_down(teams, connector, openid):
    token = openid.token(app_id=APP_ID, service_url=connector.url)
    assert (await post(teams, activity(connector, "first"), token)).status in (200, 201)
    openid.down = True
    forged_kid = openid.token(app_id=APP_ID, service_url=connector.url, kid="rolled-over")
    assert (await post(teams, activity(connector, "second"), forged_kid)).status == 401  # not 503: keys are held
    assert (await post(teams, activity(connector, "third"), token)).status in (200, 201)


async def test_concurrent_requests_share_one_fetch_and_a_slow_endpoint_never_stalls_healthz(teams, connector, openid):
    openid.delay_s = 1.0
    tokens = forged(openid, connector.url)
    requests = [asyncio.ensure_future(post(teams, activity(connector, "hi"), tokens["unknown-kid"])) for _ in range(20)]
    await asyncio.sleep(0.2)  # all twenty are now waiting for the metadata
    started = time.perf_counter()
    health = await teams.get("/healthz")
    assert health.status == 200 and time.perf_counter() - started < 0.1
    statuses = [r.status for r in await asyncio.gather(*requests)]
    assert statuses == [401] * 20
    assert openid.hits == 1
