"""Replies and proactive alerts go out over the server's own aiohttp session, not requests in a thread.

Why: botbuilder's ConnectorClient (msrest) sends every reply with `requests`, run in the
default thread pool and handed back to the event loop. Load profiling showed this as the
largest single cost of a Q&A turn: about a sixth of the server's CPU, plus the GIL
contention of a second busy thread. The SDK leaves the HTTP layer open for this
(`BotFrameworkConnectorConfiguration` takes a pipeline, a sender and a driver); msrest's
own aiohttp driver sends neither headers nor body, so this module is that driver.

What it keeps from the requests path, so nothing a channel relies on changes:
  - the credentials sign every request the same way (`signed_session`, the method msrest
    itself calls), so Teams gets the same `Authorization: Bearer` token; anonymous local
    testing sends none;
  - msrest's policies around the send (user agent, response deserialisation, HTTP logging);
  - retries as msrest's default policy does them (connection errors, 408 and 5xx other than
    501/505, three retries with back-off), plus 429 honouring Retry-After, which Teams
    asks of bots it throttles;
  - a total timeout per attempt (msrest's default: 100 s).
One `aiohttp.ClientSession` (keep-alive connections) serves every client; the web app
closes it at shutdown.

The JSON body of an outgoing activity is built by `activity_json`, a direct walk of the
schema's attribute maps. msrest's `Serializer.body` deserialises, validates and then
serialises every card element, the single largest cost of a Q&A turn once the send was
fixed. tests/adapters/test_reply_transport.py checks that both give the same JSON for every
kind of reply this bot sends.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from enum import Enum
from typing import Any

import aiohttp
import requests
from msrest import Serializer
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncPipeline, SansIOHTTPPolicy
from msrest.pipeline.aiohttp import AioHTTPSender as PipelineSender
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Model
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.async_abc import AsyncHTTPSender

log = logging.getLogger(__name__)

RETRIES = 3
BACKOFF_S = 0.8  # doubled each attempt: 0.8, 1.6, 3.2 s
MAX_RETRY_AFTER_S = 30.0  # a throttled reply waits at most this long for its turn
TIMEOUT_S = 100.0
NOT_RETRIED_5XX = (501, 505)


def should_retry(status: int) -> bool:
    return status in (408, 429) or (status >= 500 and status not in NOT_RETRIED_5XX)


def retry_delay(attempt: int, retry_after: str | None) -> float:
    if retry_after:
        try:
            return min(MAX_RETRY_AFTER_S, max(0.0, float(retry_after)))
        except ValueError:
            pass  # an HTTP date: fall back to the back-off
    return BACKOFF_S * (2**attempt)


def activity_json(value: Any) -> Any:
    """A schema object (Activity, its cards, mentions, ...) as the connector's JSON, like msrest's body()."""
    if isinstance(value, Model):
        out = {}
        for attribute, spec in value._attribute_map.items():
            item = getattr(value, attribute, None)
            if item is not None:
                out[spec["key"]] = activity_json(item)
        return out
    if isinstance(value, dict):
        return {key: activity_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [activity_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)
    return value


class _FastActivityBody(Serializer):
    """The operations' serializer, with Activity bodies built by `activity_json`."""

    def body(self, data, data_type, **kwargs):
        if data_type == "Activity" and isinstance(data, Model):
            return activity_json(data)
        return super().body(data, data_type, **kwargs)


class _Response(AioHttpClientResponse):
    def body(self) -> bytes:
        return self._body or b""  # msrest's version refuses an empty body (a 201 with no content)


class _SignWithCredentials(SansIOHTTPPolicy):
    """Adds the header the credentials would put on a requests session (Bearer token, or none)."""

    def __init__(self, credentials):
        self._credentials = credentials
        self._headers_holder = requests.Session()  # signed_session's contract: it sets .headers

    def on_request(self, request, **kwargs: Any) -> None:
        if self._credentials is None:
            return
        self._credentials.signed_session(self._headers_holder)
        token = self._headers_holder.headers.get("Authorization")
        if token:
            request.http_request.headers["Authorization"] = token
        else:
            request.http_request.headers.pop("Authorization", None)


class AiohttpTransport(AsyncHTTPSender):
    """The msrest driver: sends a ClientRequest with aiohttp, retrying what msrest would retry."""

    def __init__(self, timeout_s: float = TIMEOUT_S):
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_details) -> None:
        pass  # one session for all clients: closed by `close()` when the server stops

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, request: ClientRequest, **config: Any) -> _Response:
        attempt = 0
        while True:
            try:
                raw = await self.session.request(
                    request.method, request.url, headers=request.headers, data=request.data
                )
                response = _Response(request, raw)
                await response.load_body()
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt >= RETRIES:
                    raise ClientRequestError(f"could not reach the channel: {type(exc).__name__}") from exc
                delay = retry_delay(attempt, None)
            else:
                if not should_retry(response.status_code) or attempt >= RETRIES:
                    return response
                delay = retry_delay(attempt, response.headers.get("Retry-After"))
                log.warning("channel answered %s; retrying in %.1f s", response.status_code, delay)
            attempt += 1
            await asyncio.sleep(delay)

    def pipeline_for(self, config) -> AsyncPipeline:
        """An msrest pipeline for one ConnectorClient's configuration, sending through this transport."""
        policies = [
            config.user_agent_policy,
            _SignWithCredentials(config.credentials),
            RawDeserializer(),
            config.http_logger_policy,
        ]
        return AsyncPipeline(policies, PipelineSender(self))

    def adopt(self, client):
        """Point a ConnectorClient built by botbuilder at this transport; returns the client.

        The operations hold the client's serializer privately (`_serialize`); botbuilder is
        pinned (4.17.1, the last release of an archived SDK), so that attribute cannot move.
        """
        client.config.pipeline = self.pipeline_for(client.config)
        fast = _FastActivityBody(client._serialize.dependencies)
        client._serialize = client.conversations._serialize = client.attachments._serialize = fast
        return client
