"""Reuse Bot Framework connector and token clients across turns instead of building two per turn.

Why: botbuilder's CloudAdapter asks its authentication object for a NEW ConnectorClient and a
NEW UserTokenClient on every incoming activity. Each builds an msrest configuration whose
retry policy computes `[i for i in range(999) if i not in <500-item list>]` (about 10 ms of
CPU) and a fresh HTTP session, so every reply also opens a new TCP connection. Profiling the
load benchmark showed this was over a quarter of the server's CPU time. The older
BotFrameworkAdapter caches connector clients per (service URL, app id, scope) for exactly
this reason ("a significant boost in throughput"); this wrapper gives CloudAdapter the same.

What is cached is keyed by the authenticated app id, the service URL and the audience, so a
client is only reused for the identity and endpoint it was made for. The caches are bounded
(least recently used first out), so a stream of made-up service URLs cannot grow memory.
"""

from __future__ import annotations

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
    UserTokenClient,
)
from cachetools import LRUCache

from adapters.reply_transport import AiohttpTransport

MAX_CACHED_CLIENTS = 256


def _app_id(claims_identity: ClaimsIdentity | None) -> str:
    if claims_identity is None or not claims_identity.claims:
        return ""
    return JwtTokenValidation.get_app_id_from_claims(claims_identity.claims) or ""


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, cache: LRUCache, app_id: str, transport: AiohttpTransport | None):
        self._inner, self._cache, self._app_id, self._transport = inner, cache, app_id, transport

    async def create(self, service_url: str, audience: str = None):
        key = (self._app_id, service_url, audience)
        client = self._cache.get(key)
        if client is None:  # an evicted client is dropped, not closed: a turn may still be using it
            client = await self._inner.create(service_url, audience)
            if self._transport is not None:
                self._transport.adopt(client)
            self._cache[key] = client
        return client


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates everything to `inner`; caches the clients it hands out (sending through `transport`)."""

    def __init__(
        self,
        inner: BotFrameworkAuthentication,
        limit: int = MAX_CACHED_CLIENTS,
        transport: AiohttpTransport | None = None,
    ):
        self._inner = inner
        self._transport = transport
        self._connectors: LRUCache = LRUCache(limit)
        self._token_clients: LRUCache = LRUCache(limit)

    def _wrap(self, result: AuthenticateRequestResult) -> AuthenticateRequestResult:
        if result is not None and result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                result.connector_factory, self._connectors, _app_id(result.claims_identity), self._transport
            )
        return result

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        return self._wrap(await self._inner.authenticate_request(activity, auth_header))

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return self._wrap(await self._inner.authenticate_streaming_request(auth_header, channel_id_header))

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            self._connectors,
            _app_id(claims_identity),
            self._transport,
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _app_id(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = self._token_clients[key] = await self._inner.create_user_token_client(claims_identity)
        return client

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
