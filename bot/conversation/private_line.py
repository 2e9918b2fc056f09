"""A channel's way to reach one member of staff privately: the seam between the turn loop and the channels.

Why: a report belongs to the person making it and the safeguarding leads (KCSIE; data
minimisation under UK GDPR). When a report starts in a conversation others can read (a
Teams channel or group chat, a Slack channel), the turn loop moves it to a one-to-one
conversation with that person. How a bot opens such a conversation is each channel's own
business (Bot Framework `create_conversation` in Teams, `conversations.open` in Slack), so
the core only knows this small interface; the edges put their implementation in the turn
state under PRIVATE_LINE_KEY. The terminal never needs one: it is always one-to-one.

No botbuilder channel code here, only the turn context every channel shares.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.alerts.conversation_refs import is_personal

PRIVATE_LINE_KEY = "assistant.private_line"  # turn_state slot an edge fills with its PrivateLine

PrivateWork = Callable[[TurnContext], Awaitable[None]]


class PrivateLine(Protocol):
    def place(self, context: TurnContext) -> str:
        """How the shared conversation is named to its member ("the General channel", "a group chat")."""

    def directions(self, context: TurnContext) -> str:
        """How this person can open a private chat with the bot themselves, in this channel's words."""

    async def open(self, context: TurnContext, work: PrivateWork) -> bool:
        """Open (or find) the one-to-one conversation with the sender of `context.activity` and run
        `work` with a turn context in it: its activity comes from that sender, its replies go there.

        True when `work` ran to its end there; False when the conversation could not be opened
        (app not installed for the person, permission refused, any error). Never raises."""

    async def tell_sender(self, context: TurnContext, activity: Activity) -> None:
        """Answer in the shared conversation as privately as the channel allows (Slack: ephemeral,
        seen by the sender alone; Teams has no such message, so everyone there sees it)."""


def is_shared(activity: Activity) -> bool:
    """A conversation others can read: a Teams channel or group chat, a Slack channel."""
    return not is_personal(activity)


def line_of(context: TurnContext) -> PrivateLine | None:
    return context.turn_state.get(PRIVATE_LINE_KEY)
