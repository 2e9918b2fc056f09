"""Bot Framework bearer tokens checked the way botbuilder checks them, but never stalling or crashing.

Why: botbuilder's own validation (JwtTokenValidation and friends) blocks the event loop on
`requests.get` (see adapters.openid_keys) and lets forged tokens escape as bare Exceptions
and IndexErrors: `alg: none`, an HS256 token or an unknown key id each gave a 500 with a
full traceback in the log. This module keeps exactly the rules botbuilder 4.17 applies for
the public cloud and reports every failure as `Unauthorized` with a short reason that
never quotes the token:

Teams and other channels (issuer https://api.botframework.com, keys from the Bot Framework
OpenID metadata): signed with RS256/384/512 by a key the metadata lists and that is
endorsed for the activity's channel; not expired (5 minutes' clock leeway); audience =
our app id; the `serviceurl` claim equal to the activity's serviceUrl.

The Bot Framework Emulator (the Azure AD issuers botbuilder lists, keys from the Azure AD
common metadata): signed and not expired as above; the app id in `appid` (token version
1.0) or `azp` (2.0) equal to ours.

Skill (bot-to-bot) tokens are refused, as botbuilder refuses them without a claims
validator, which this bot has never had.
"""

from __future__ import annotations

import jwt
from botframework.connector.auth import AuthenticationConstants, EmulatorValidation

from adapters.openid_keys import OpenIdKeys

CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER  # https://api.botframework.com
CHANNEL_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
EMULATOR_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
EMULATOR_ISSUERS = frozenset(EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS.issuer)
ALLOWED_ALGORITHMS = tuple(AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS)  # RS256, RS384, RS512
CLOCK_LEEWAY_S = 5 * 60


class Unauthorized(PermissionError):
    """The request's token does not prove it comes from the Bot Framework for this bot. `str()` is the reason."""


class TokenValidator:
    def __init__(self, app_id: str, channel_keys: OpenIdKeys, emulator_keys: OpenIdKeys):
        self.app_id = app_id
        self.channel_keys = channel_keys
        self.emulator_keys = emulator_keys

    async def claims(self, auth_header: str | None, channel_id: str | None, service_url: str | None) -> dict:
        """The token's verified claims. Raises Unauthorized, or KeysUnavailable before any key set was fetched."""
        token = _bearer(auth_header)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthorized("not a JWT") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise Unauthorized("signing algorithm not allowed")
        key_id = header.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise Unauthorized("no key id")
        issuer = unverified.get("iss")
        if issuer == CHANNEL_ISSUER:
            keys, from_emulator = self.channel_keys, False
        elif issuer in EMULATOR_ISSUERS:
            keys, from_emulator = self.emulator_keys, True
        else:
            raise Unauthorized("issuer not accepted")

        signing_key = await keys.key(key_id)
        if signing_key is None:
            raise Unauthorized("unknown signing key")
        if signing_key.endorsements and channel_id and channel_id not in signing_key.endorsements:
            raise Unauthorized("signing key not endorsed for this channel")
        try:
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=list(ALLOWED_ALGORITHMS),
                issuer=issuer,
                leeway=CLOCK_LEEWAY_S,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.InvalidSignatureError:
            raise Unauthorized("bad signature") from None
        except jwt.ExpiredSignatureError:
            raise Unauthorized("expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token ({type(exc).__name__})") from None
        return self._emulator_claims(claims) if from_emulator else self._channel_claims(claims, service_url)

    def _channel_claims(self, claims: dict, service_url: str | None) -> dict:
        if not self.app_id or claims.get("aud") != self.app_id:
            raise Unauthorized("audience is not this bot")
        if service_url is not None and claims.get("serviceurl") != service_url:
            raise Unauthorized("serviceurl claim does not match the activity")
        return claims

    def _emulator_claims(self, claims: dict) -> dict:
        version = claims.get("ver")
        if version in (None, "1.0"):
            app_id = claims.get("appid")
        elif version == "2.0":
            app_id = claims.get("azp")
        else:
            raise Unauthorized("unknown emulator token version")
        if not self.app_id or app_id != self.app_id:
            raise Unauthorized("app id is not this bot")
        return claims


def _bearer(auth_header: str | None) -> str:
    parts = (auth_header or "").split(" ")
    if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
        raise Unauthorized("no bearer token")
    return parts[1]
