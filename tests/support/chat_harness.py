"""A member of staff chatting with the real bot, for transcript-style tests.

`Chat.say("...")` sends one message through botbuilder's TestAdapter into the same
`AssistantBot` the channels use (built by `bot.runtime.build_runtime` on the test's
database) and returns what the bot replied, as one string, so tests read like a chat:

    reply = await chat.say("report a concern")
    assert "What do you want to report?" in reply

A chat in a group conversation (`conversation_type="groupChat"`) gets a `PrivateLine` as
Teams and Slack give one: `private=` the person's one-to-one `Chat`, where a report moves,
or None when no private conversation can be opened.
"""

from __future__ import annotations

from functools import lru_cache

from botbuilder.core import AnonymousReceiveMiddleware, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, ConversationAccount
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.conversation.private_line import PRIVATE_LINE_KEY
from bot.persistence.models import Alert, Report, ReportDraft, RoleAssignment
from bot.settings import Settings
from dialogs.rendering import PlainRenderer

TEST_KEY = Fernet.generate_key().decode()
CHANNEL = "test"

# A DSL, a deputy, a headteacher and a chair of governors at Oakfield (invented people).
ROLE_HOLDERS = (
    ("dsl", "dsl-okafor", "Ms Amara Okafor"),
    ("deputy", "deputy-patel", "Mr Dev Patel"),
    ("head", "head-hughes", "Mrs Grace Hughes"),
    ("chair", "chair-mensah", "Dr Kofi Mensah"),
)


@lru_cache(maxsize=1)
def shared_assistant():
    """The real Assistant over the bundled policies (built once: it is pure and read-only)."""
    from bot.conversation.assistant import Assistant

    return Assistant.default()


def settings_for(db_url: str) -> Settings:
    return Settings(DATABASE_URL=db_url, ENCRYPTION_KEYS=TEST_KEY, DEFAULT_SCHOOL="oakfield", ENVIRONMENT="test")


async def build(db_url: str, renderer_for=None, **kwargs):
    """The real runtime on the test's database; plain text unless a channel's `renderer_for` is given."""
    from bot.runtime import build_runtime

    kwargs.setdefault("assistant", shared_assistant())
    return await build_runtime(settings_for(db_url), renderer_for or (lambda _channel: PlainRenderer()), **kwargs)


def in_confirm_band(monkeypatch, likely: dict[str, str]) -> None:
    """Make triage unsure about these messages (text -> the report it would start); others as usual.

    Which real messages land in the confirm band is the triage model's business, so tests of
    what the turn loop does with the band pick their own messages."""
    from bot.conversation import turns
    from bot.triage import Triage

    real = turns.classify
    monkeypatch.setattr(
        turns,
        "classify",
        lambda text: Triage("confirm", False, ("test",), likely[text]) if text in likely else real(text),
    )


async def add_role_holders(runtime, school: str = "oakfield") -> None:
    async with runtime.sessions() as session, session.begin():
        for role, user_id, name in ROLE_HOLDERS:
            session.add(RoleAssignment(school_slug=school, role=role, channel=CHANNEL, user_id=user_id, name=name))


class Chat:
    """One member of staff in one conversation with the bot."""

    def __init__(
        self,
        runtime,
        user_id: str = "staff-1",
        name: str = "Mr Tom Baker",
        conversation_id: str | None = None,
        conversation_type: str = "personal",
        private: Chat | None = None,
    ):
        self.runtime = runtime
        self.user = ChannelAccount(id=user_id, name=name)
        self.template = Activity(
            channel_id=CHANNEL,
            from_property=self.user,
            recipient=ChannelAccount(id="assistant", name="Assistant"),
            conversation=ConversationAccount(
                id=conversation_id or f"conv-{user_id}", conversation_type=conversation_type
            ),
            service_url="https://test.invalid/",
        )
        self.adapter = TestAdapter(runtime.bot.on_turn, self.template)
        if conversation_type != "personal":
            line = PrivateLineDouble(private)

            async def offer_line(context, logic):
                context.turn_state[PRIVATE_LINE_KEY] = line
                await logic()

            self.adapter.use(AnonymousReceiveMiddleware(offer_line))
        self.transcript: list[tuple[str, str]] = []
        self.replies: list[Activity] = []  # the last turn's activities, for tests that read more than text

    def use(self, runtime) -> None:
        """Continue the same conversation on another runtime (a restarted process)."""
        self.runtime = runtime
        self.adapter.logic = runtime.bot.on_turn

    async def say(
        self, text: str | None = None, *, value: dict | None = None, attachments: list[Attachment] | None = None
    ) -> str:
        activity = Activity(type=ActivityTypes.message, text=text, value=value, attachments=attachments)
        self.transcript.append(("you", text if text is not None else f"[button {value}]"))
        await self.adapter.receive_activity(activity)
        return self.heard()

    def heard(self) -> str:
        """What the bot has sent here since last read (e.g. a report moved here from a group chat)."""
        self.replies = []
        while (reply := self.adapter.get_next_activity()) is not None:
            self.replies.append(reply)
        said = "\n".join(reply.text or "" for reply in self.replies)
        self.transcript.append(("bot", said))
        return said

    async def press(self, choice: str) -> str:
        """Press a prompt button: no text, only the card's `value`."""
        return await self.say(None, value={"action": "choice", "choice": choice})

    async def answer_all(self, *answers: str) -> str:
        reply = ""
        for answer in answers:
            reply = await self.say(answer)
        return reply


class PrivateLineDouble:
    """What Teams and Slack give a group conversation (bot.conversation.private_line.PrivateLine), for transcripts:
    `open` starts a turn in the person's one-to-one `Chat`, or fails when there is none."""

    def __init__(self, private: Chat | None):
        self.private = private

    def place(self, context: TurnContext) -> str:
        return "the staffroom group chat"

    def directions(self, context: TurnContext) -> str:
        return "Open a private chat with me and say 'report a concern'."

    async def open(self, context: TurnContext, work) -> bool:
        if self.private is None:
            return False
        template = self.private.template
        activity = Activity(
            type=ActivityTypes.message,
            channel_id=template.channel_id,
            from_property=template.from_property,
            recipient=template.recipient,
            conversation=template.conversation,
            service_url=template.service_url,
        )
        await work(TurnContext(self.private.adapter, activity))
        return True

    async def tell_sender(self, context: TurnContext, activity: Activity) -> None:
        await context.send_activity(activity)


# Typical answers for a whole disclosure after "Is a child in immediate danger?".
DISCLOSURE_ANSWERS = (
    "Jayden, Year 5",
    "he said  me uncle hits me wiv a belt when mum's at work   innit",  # verbatim: odd spacing kept
    "Tuesday 2.30pm, in the library at the end of a reading group",
    "no one",
    "bruise on his left forearm, about 3cm, purple",
    "quiet and tearful",
    "I listened, said he'd done the right thing telling me, and that I'd have to tell Ms Okafor",
    "his sister Maya in Year 2",
    "his uncle, who lives with them",
    "no",
)


async def reports(runtime) -> list[Report]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(Report).order_by(Report.id))).all())


async def alerts(runtime) -> list[Alert]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(Alert).order_by(Alert.id))).all())


async def drafts(runtime) -> list[ReportDraft]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(ReportDraft))).all())


def answers_of(runtime, report: Report) -> dict:
    """The stored (decrypted) answers: key -> answer as shown."""
    content = runtime.cipher.decrypt_json(report.content)
    return {key: item["answer"] for key, item in content["answers"].items()}
