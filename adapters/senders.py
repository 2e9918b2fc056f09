"""The channels' alert senders: how a `Delivery` of the dispatcher (bot.alerts.dispatcher) reaches a person.

Why here: each one speaks a channel's SDK (botbuilder's aiohttp CloudAdapter for Teams and any
Bot Framework channel, botbuilder-adapters-slack for Slack, SMTP for email), and channel code
lives at the edge. The dispatcher in bot/ only knows the `Sender` protocol; the server
(adapters.web) and `python app.py dispatch` build these and hand them in.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ConversationReference

from adapters.email import EmailSender
from bot.alerts.dispatcher import Delivery, Sender, Unreachable
from bot.alerts.planning import ALERTING_PURPOSES


async def _send_via_adapter(
    adapter,
    reference: ConversationReference,
    activity: Activity,
    previous_message_id: str | None,
    bot_app_id: str | None,
) -> str | None:
    """Post (or, for a message already posted, update) `activity` in the referenced conversation.

    Adapters with an `on_turn_error` handler swallow exceptions raised in the callback, so
    success is only believed when the callback itself got to the end.
    """
    outcome: dict = {}

    async def callback(turn_context: TurnContext):
        if previous_message_id:
            activity.id = previous_message_id
            await turn_context.update_activity(activity)
            outcome["id"] = previous_message_id
        else:
            response = await turn_context.send_activity(activity)
            outcome["id"] = getattr(response, "id", None) or ""

    await adapter.continue_conversation(reference, callback, bot_app_id)
    if "id" not in outcome:
        raise RuntimeError("the channel did not accept the message (error handled inside the adapter)")
    return outcome["id"] or None


class BotFrameworkSender:
    """Teams (and any Bot Framework channel) through a botbuilder CloudAdapter."""

    def __init__(self, adapter, bot_app_id: str):
        self.adapter, self.bot_app_id = adapter, bot_app_id

    async def send(self, delivery: Delivery) -> str | None:
        if delivery.reference is None:
            raise Unreachable("no conversation reference")
        return await _send_via_adapter(
            self.adapter, delivery.reference, delivery.activity, delivery.previous_message_id, self.bot_app_id
        )


class SlackSender:
    """Slack through botbuilder-adapters-slack's SlackAdapter (Web API chat.postMessage)."""

    def __init__(self, adapter):
        self.adapter = adapter

    async def send(self, delivery: Delivery) -> str | None:
        if delivery.reference is None:
            raise Unreachable("no conversation reference")
        return await _send_via_adapter(
            self.adapter, delivery.reference, delivery.activity, delivery.previous_message_id, None
        )


class EmailAlertSender:
    """Role holders configured by email address (channel 'email')."""

    def __init__(self, email_sender):
        self.email = email_sender

    async def send(self, delivery: Delivery) -> str | None:
        payload = delivery.payload
        urgent = "[URGENT] " if payload.get("urgency") == "urgent" else ""
        if delivery.purpose in ALERTING_PURPOSES:
            subject = f"{urgent}Safeguarding alert {payload.get('reference', '')} - {payload.get('school', '')}"
        else:
            subject = f"Safeguarding assistant - {payload.get('school', '') or payload.get('school_slug', '')}"
        body = (delivery.activity.text or "") + (
            "\n\nOpen the safeguarding assistant in Teams or Slack to see the report. "
            "This email deliberately contains no details of the child or the concern."
        )
        return await self.email.send_email(delivery.alert_id, delivery.recipient_id, subject.strip(), body)


# --- wiring ----------------------------------------------------------------------------


class _BotFrameworkConfig:
    def __init__(self, settings):
        self.APP_ID = settings.microsoft_app_id
        self.APP_PASSWORD = settings.microsoft_app_password
        self.APP_TYPE = settings.microsoft_app_type
        self.APP_TENANTID = settings.microsoft_app_tenant_id


def build_cloud_adapter(settings):
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(_BotFrameworkConfig(settings)))


def build_senders(settings, cloud_adapter=None, slack_adapter=None) -> dict[str, Sender]:
    """Senders for every channel the settings configure (the server passes its own adapters)."""
    senders: dict[str, Sender] = {
        "msteams": BotFrameworkSender(cloud_adapter or build_cloud_adapter(settings), settings.microsoft_app_id)
    }
    if slack_adapter is None and settings.slack_bot_token:
        from botbuilder.adapters.slack import SlackAdapter, SlackClient, SlackClientOptions

        slack_adapter = SlackAdapter(
            SlackClient(
                SlackClientOptions(
                    slack_bot_token=settings.slack_bot_token,
                    slack_client_signing_secret=settings.slack_signing_secret or "unused-for-sending",
                )
            )
        )
    if slack_adapter is not None:
        senders["slack"] = SlackSender(slack_adapter)
    if settings.smtp_host:
        senders["email"] = EmailAlertSender(EmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from))
    return senders
