"""The bot as channels see it: Teams hooks and the school gate around the turn loop.

`ChannelBot` is a TeamsActivityHandler wrapping the channel-neutral `AssistantBot`:

- in Teams channels and group chats the @mention of the bot is stripped before the
  turn loop reads the text ("@Safeguarding can I ..." becomes "can I ...");
- when the bot is installed (personal chat or a team) it sends a welcome card;
- every message first passes the `SchoolGate` (which school's policy answers);
- every turn is given its channel's `PrivateLine` (bot.conversation.private_line), so a report started
  in a channel, group chat or Slack channel can move to a one-to-one conversation;
- then every activity, installs included, goes to the wrapped bot, which also
  records conversation references for proactive alerts.

Slack activities pass through the same wrapper; the Teams-only hooks do nothing there.
"""

from __future__ import annotations

from botbuilder.core import Bot, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ActivityTypes, ChannelAccount

from adapters.cards.adaptive import welcome_card
from adapters.rendering.teams import card_activity
from adapters.schools import SchoolGate
from bot.conversation.private_line import PRIVATE_LINE_KEY, PrivateLine


def strip_mention(context: TurnContext) -> None:
    """In a channel or group chat Teams puts '<at>Bot</at>' into the text; the turn loop must not see it."""
    activity = context.activity
    if activity.type != ActivityTypes.message or not activity.text:
        return
    conversation_type = getattr(activity.conversation, "conversation_type", None)
    if conversation_type in (None, "personal"):
        return
    if activity.recipient and activity.recipient.id:
        TurnContext.remove_recipient_mention(activity)
    activity.text = (activity.text or "").strip()


class ChannelBot(TeamsActivityHandler):
    def __init__(self, inner: Bot, gate: SchoolGate | None = None, private_lines: dict[str, PrivateLine] | None = None):
        self.inner = inner
        self.gate = gate
        self.private_lines = private_lines or {}  # channel id -> how to reach one person privately

    async def on_turn(self, turn_context: TurnContext):
        strip_mention(turn_context)
        activity = turn_context.activity
        line = self.private_lines.get(activity.channel_id or "")
        if line is not None:
            turn_context.turn_state[PRIVATE_LINE_KEY] = line
        if activity.type == ActivityTypes.message and self.gate is not None:
            if await self.gate.handle(turn_context):
                return
        if activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await super().on_turn(turn_context)  # welcome hooks below
        await self.inner.on_turn(turn_context)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext):
        """Teams adds the bot itself as a member when it is installed, in personal scope and in a team."""
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            await turn_context.send_activity(
                card_activity(welcome_card(), "Welcome to the safeguarding policy assistant")
            )
