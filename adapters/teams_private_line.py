"""Teams' PrivateLine (bot.conversation.private_line): a one-to-one chat opened with Bot Framework `create_conversation`.

Why: a report started in a Teams channel or group chat must continue where only its reporter
and the bot can read it. Bot Framework lets a bot open (or find again: Teams returns the same
chat) a personal conversation with a member of the tenant, by their Teams user id, when the
app is installed for them or for a team they are in. Otherwise Teams refuses (403), and the
turn loop tells them how to open one themselves.

`create_conversation` hands its callback an event activity with no sender; we turn it into a
message from the person, in a personal conversation, before the turn loop's work runs, so
state, rendering and the stored conversation reference are exactly those of the person's own
1:1 chat with the bot.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationParameters

from adapters.schools import tenant_of
from bot.conversation.private_line import PrivateWork

log = logging.getLogger(__name__)

DIRECTIONS = (
    "To open a private chat with me in Teams: select Apps, find the Safeguarding assistant and choose "
    "Open (or Add), then say 'report a concern' in that chat."
)


class TeamsPrivateLine:
    def __init__(self, bot_app_id: str):
        self.bot_app_id = bot_app_id or ""  # "" in anonymous local testing (the Agents Playground)

    def place(self, context: TurnContext) -> str:
        activity = context.activity
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        channel = (data.get("channel") or {}).get("name")
        team = (data.get("team") or {}).get("name")
        of_team = f" of {team}" if team else ""
        if channel:
            return f"the {channel} channel{of_team}"
        conversation = activity.conversation
        if (conversation.conversation_type or "").lower() == "channel":
            return f"a channel{of_team}"
        return f"the group chat {conversation.name}" if conversation.name else "a group chat"

    def directions(self, context: TurnContext) -> str:
        return DIRECTIONS

    async def open(self, context: TurnContext, work: PrivateWork) -> bool:
        activity = context.activity
        sender = activity.from_property
        tenant = tenant_of(activity) or None
        parameters = ConversationParameters(
            is_group=False,
            bot=activity.recipient,
            members=[ChannelAccount(id=sender.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        finished = False

        async def in_private(private: TurnContext) -> None:
            nonlocal finished
            _as_message_from(private.activity, sender, tenant)
            await work(private)
            finished = True  # the adapter reports a failure inside here to on_turn_error, not to us

        try:
            await context.adapter.create_conversation(
                self.bot_app_id, in_private, parameters, activity.channel_id, activity.service_url, None
            )
        except Exception as error:  # noqa: BLE001 - not installed for them, refused, unreachable: all say "can't"
            log.warning("private conversation not opened: %s", type(error).__name__)
            return False
        return finished

    async def tell_sender(self, context: TurnContext, activity: Activity) -> None:
        await context.send_activity(activity)  # Teams has no message only one member of a channel sees


def _as_message_from(created: Activity, sender: ChannelAccount, tenant: str | None) -> None:
    """The 'conversation created' event, made the person's own message in their 1:1 chat (no text)."""
    created.type, created.name, created.value, created.text = ActivityTypes.message, None, None, None
    created.id = None  # replies go to the conversation, not to an activity that isn't there
    created.from_property = ChannelAccount(id=sender.id, name=sender.name, aad_object_id=sender.aad_object_id)
    created.conversation.conversation_type = "personal"
    created.conversation.tenant_id = tenant
