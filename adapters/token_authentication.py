"""botbuilder's authentication object with incoming tokens checked by `adapters.bot_tokens`.

CloudAdapter asks its BotFrameworkAuthentication to `authenticate_request` every incoming
activity; botbuilder's answer validates the token on the event loop with blocking HTTP
(see adapters.openid_keys). This wrapper answers that one call itself, with the same
result botbuilder builds (claims, the channel's audience for replies, the public-cloud
caller id, a connector factory for the token's app id), and delegates everything else,
including how replies are signed, to botbuilder unchanged.

With no app id configured (local testing with the Agents Playground) nothing is checked,
as before: the request runs anonymously, whatever Authorization header it carries.
"""

from __future__ import annotations

from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication, ClaimsIdentity

from adapters.bot_tokens import TokenValidator


class TokenAuthentication(BotFrameworkAuthentication):
    def __init__(self, inner: BotFrameworkAuthentication, validator: TokenValidator | None):
        self._inner = inner
        self._validator = validator  # None: anonymous mode (no MicrosoftAppId)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        if self._validator is None:
            return await self._inner.authenticate_request(activity, None)
        claims = await self._validator.claims(auth_header, activity.channel_id, activity.service_url)
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self._inner.get_originating_audience()
        result.caller_id = CallerIdConstants.public_azure_channel
        result.connector_factory = self._inner.create_connector_factory(identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        raise PermissionError("streaming connections are not served")  # this bot has no websocket route

    def create_connector_factory(self, claims_identity: ClaimsIdentity):
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity):
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        if self._validator is None:
            return await self._inner.authenticate_channel_request(auth_header)
        return ClaimsIdentity(await self._validator.claims(auth_header, None, None), True)
