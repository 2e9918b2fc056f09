"""The terminal channel: the same bot, the same storage, plain text in and out.

`python app.py chat --school oakfield` talks to exactly the bot Teams and Slack get
(channel id "console"), so a whole report can be made, resumed after a restart, and
tested from piped stdin. Buttons appear as numbered options; type the number or the words.
Ends on end of input or "quit".
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)

from bot.settings import Settings
from dialogs.rendering import PlainRenderer

CHANNEL = "console"
QUIT = ("quit", "exit", ":q")


class ConsoleAdapter(BotAdapter):
    """A minimal in-process adapter: activities in from the keyboard, replies printed."""

    def __init__(self, out: TextIO):
        super().__init__()
        self.out = out

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type == ActivityTypes.message and activity.text:
                print(f"\nbot> {activity.text.replace(chr(10), chr(10) + '     ')}", file=self.out, flush=True)
            responses.append(ResourceResponse(id=uuid.uuid4().hex))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity):
        return None

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        return None

    async def receive(self, activity: Activity, logic) -> None:
        await self.run_pipeline(TurnContext(self, activity), logic)


def _renderer_for(_channel: str) -> PlainRenderer:
    return PlainRenderer()


async def run_chat(
    settings: Settings,
    school: str | None = None,
    user_id: str = "console-user",
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    from bot.runtime import build_runtime

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if school:
        settings = settings.model_copy(update={"default_school": school})
    runtime = await build_runtime(settings, _renderer_for)
    try:
        known = getattr(runtime.assistant, "schools", None)
        if known is not None and settings.default_school not in known:
            print(f"Unknown school {settings.default_school!r}; choose one of: {', '.join(known)}", file=sys.stderr)
            return 2
        adapter = ConsoleAdapter(out)
        user = ChannelAccount(id=user_id, name=user_id)
        conversation = ConversationAccount(id=f"console-{user_id}", conversation_type="personal")
        bot_account = ChannelAccount(id="assistant", name="Safeguarding assistant")
        print(
            f"Safeguarding policy assistant ({settings.default_school}). Ask a policy question, or type "
            "'report a concern'. 'quit' to leave.",
            file=out,
            flush=True,
        )
        while True:
            print("\nyou> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if text.strip().lower() in QUIT:
                break
            activity = Activity(
                type=ActivityTypes.message,
                text=text,
                channel_id=CHANNEL,
                from_property=user,
                recipient=bot_account,
                conversation=conversation,
                id=uuid.uuid4().hex,
                service_url="console://local",
            )
            await adapter.receive(activity, runtime.bot.on_turn)
        print("", file=out, flush=True)
        return 0
    finally:
        await runtime.close()
