"""The signing keys behind one OpenID metadata document, fetched without ever blocking the server.

Why: botbuilder's JwtTokenExtractor fetches Microsoft's OpenID metadata and key set with a
synchronous `requests.get`, with no timeout, inside the event loop, and forgets a failed
fetch. With the metadata endpoint answering in 3 s, three unauthenticated requests held
`/healthz` for 8.7 s: anyone could stall the bot by sending forged tokens.

Here the metadata and its JWKS are fetched with aiohttp under a timeout, and kept:

- refreshed once a day (Microsoft rotates keys on a schedule of weeks), and early when a
  token names a key id we do not hold, at most once per UNKNOWN_KEY_REFRESH_S, so made-up
  key ids cannot make us fetch on every request;
- concurrent requests that need a fetch all wait for the same one (one task, shielded so a
  client hanging up does not cancel it for the others);
- a failed fetch is remembered: the next try waits 1 s, then 2, 4 ... up to BACKOFF_MAX_S,
  and meanwhile the keys we already hold keep being used. Only while no key set has *ever*
  been fetched is there nothing to check a token against: `KeysUnavailable` (the web app
  answers 503, "try again", rather than 401, "you are wrong").

Keys are parsed by PyJWT (`PyJWK`); a key PyJWT cannot use is skipped, not fatal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import jwt

log = logging.getLogger(__name__)

FETCH_TIMEOUT_S = 10.0
MAX_AGE_S = 24 * 3600.0
UNKNOWN_KEY_REFRESH_S = 300.0
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 300.0


class KeysUnavailable(Exception):
    """No key set has been fetched yet from this metadata URL (and the last attempt failed or is waiting)."""


@dataclass(frozen=True)
class SigningKey:
    key: object  # the public key object PyJWT verifies with
    endorsements: tuple[str, ...]  # channels this key may sign for (Bot Framework's extension to JWKS)


class OpenIdKeys:
    def __init__(
        self,
        metadata_url: str,
        *,
        timeout_s: float = FETCH_TIMEOUT_S,
        max_age_s: float = MAX_AGE_S,
        unknown_key_refresh_s: float = UNKNOWN_KEY_REFRESH_S,
        backoff_first_s: float = BACKOFF_FIRST_S,
        backoff_max_s: float = BACKOFF_MAX_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.metadata_url = metadata_url
        self.timeout_s, self.max_age_s, self.unknown_key_refresh_s = timeout_s, max_age_s, unknown_key_refresh_s
        self.backoff_first_s, self.backoff_max_s = backoff_first_s, backoff_max_s
        self._clock = clock
        self._keys: dict[str, SigningKey] | None = None  # None: never fetched
        self._fetched_at = float("-inf")
        self._next_try_at = float("-inf")
        self._backoff_s = backoff_first_s
        self._fetching: asyncio.Future | None = None
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0  # attempts made, for tests and the benchmark

    async def key(self, key_id: str) -> SigningKey | None:
        """The key named `key_id`; None if the metadata does not list it. KeysUnavailable if we hold no keys at all."""
        now = self._clock()
        if now - self._fetched_at > self.max_age_s:
            await self._refresh()
        elif key_id not in (self._keys or {}) and now - self._fetched_at > self.unknown_key_refresh_s:
            await self._refresh()  # perhaps a key Microsoft has just rolled out
        if self._keys is None:
            raise KeysUnavailable(self.metadata_url)
        return self._keys.get(key_id)

    async def _refresh(self) -> None:
        if self._fetching is None:
            if self._clock() < self._next_try_at:
                return  # backing off after a failure: use what we have
            self._fetching = asyncio.ensure_future(self._fetch())
            self._fetching.add_done_callback(self._fetched)
        await asyncio.shield(self._fetching)

    def _fetched(self, _future: asyncio.Future) -> None:
        self._fetching = None

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            session = self._session_now()
            async with session.get(self.metadata_url) as response:
                response.raise_for_status()
                jwks_uri = (await response.json(content_type=None))["jwks_uri"]
            async with session.get(jwks_uri) as response:
                response.raise_for_status()
                keys = _parse_keys(await response.json(content_type=None))
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, TypeError) as exc:
            self._next_try_at = self._clock() + self._backoff_s
            log.warning(
                "OpenID metadata %s not fetched (%s); next try in %.0f s%s",
                self.metadata_url,
                type(exc).__name__,
                self._backoff_s,
                "" if self._keys is None else ", keeping the keys held",
            )
            self._backoff_s = min(self._backoff_s * 2, self.backoff_max_s)
            return
        self._keys, self._fetched_at = keys, self._clock()
        self._backoff_s, self._next_try_at = self.backoff_first_s, float("-inf")

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self._session

    async def close(self) -> None:
        if self._fetching is not None:
            self._fetching.cancel()
            await asyncio.gather(self._fetching, return_exceptions=True)
        if self._session is not None:
            await self._session.close()


def _parse_keys(jwks: dict) -> dict[str, SigningKey]:
    keys = {}
    for entry in jwks["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        try:
            parsed = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue  # a key type or algorithm PyJWT does not support: not one we can check with
        endorsements = entry.get("endorsements") or ()
        keys[entry["kid"]] = SigningKey(parsed.key, tuple(e for e in endorsements if isinstance(e, str)))
    return keys
