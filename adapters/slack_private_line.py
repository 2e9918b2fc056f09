"""Slack's PrivateLine (bot.conversation.private_line): a direct message opened with `conversations.open`.

Why: a report started by mentioning the bot in a Slack channel must continue where only its
reporter and the bot can read it. With the `im:write` scope an app can open (or find again)
its direct message with any member of the workspace, so this rarely fails; when it does
(the workspace restricts DMs with apps, a Slack error) the turn loop gives directions instead.

Slack, unlike Teams, can answer in a channel so that only one member sees it
(`chat.postEphemeral`), so the notice left in the channel is seen by the reporter alone.
"""

from __future__ import annotations

import logging

from botbuilder.adapters.slack.slack_message import SlackMessage
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.conversation.private_line import PrivateWork
from bot.safe_logging import describe_failure

log = logging.getLogger(__name__)

DIRECTIONS = (
    "To open a private chat with me in Slack: find the Safeguarding assistant under Apps in the sidebar "
    "(or select my name and choose Message), then say 'report a concern' there."
)


class SlackPrivateLine:
    def place(self, context: TurnContext) -> str:
        return f"<#{context.activity.conversation.id}>"  # Slack shows a channel link with its name

    def directions(self, context: TurnContext) -> str:
        return DIRECTIONS

    async def open(self, context: TurnContext, work: PrivateWork) -> bool:
        activity = context.activity
        sender = activity.from_property
        try:
            opened = await context.adapter.slack_client.conversations_open(users=sender.id)
            channel = opened["channel"]["id"]
        except Exception as error:  # noqa: BLE001 - DMs with apps restricted, a Slack error: all say "can't"
            log.warning("slack: direct message not opened: %s", type(error).__name__)
            return False
        private = Activity(
            type=ActivityTypes.message,
            channel_id=activity.channel_id,
            service_url=activity.service_url,
            from_property=ChannelAccount(id=sender.id, name=sender.name),
            recipient=activity.recipient,
            conversation=ConversationAccount(
                id=channel, conversation_type="personal", tenant_id=activity.conversation.tenant_id
            ),
        )
        try:
            await work(TurnContext(context.adapter, private))
        except Exception as error:  # noqa: BLE001 - as Teams' adapter does: the turn failed, say "can't"
            log.error("slack: private turn failed: %s", describe_failure(error))
            return False
        return True

    async def tell_sender(self, context: TurnContext, activity: Activity) -> None:
        properties = context.activity.conversation.properties or {}
        await context.adapter.slack_client.post_message(
            SlackMessage(
                channel=context.activity.conversation.id,
                text=activity.text or "",
                ephemeral=True,
                user=context.activity.from_property.id,
                thread_ts=properties.get("thread_ts"),
            )
        )
