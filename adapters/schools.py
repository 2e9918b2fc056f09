"""Whose school? The Teams tenant or Slack workspace says, and in a trust the member of staff does.

`tenant_schools` maps a tenant (Teams) or workspace (Slack) to the school(s) it hosts.
One school: that is the answer. Several (a multi-academy trust): the bot asks once with a
card, remembers the choice in `user_schools`, and `switch school` asks again. Nothing
mapped: the configured default school. The resolved slug is put in the turn state under
SCHOOL_KEY for the turn loop to read.

The question (or button press, e.g. "Report a concern") that arrived while we had to ask
travels inside the choice buttons and is replayed after the choice, so nothing the member
of staff typed or pressed is lost. Not in a channel or group chat: a card there reaches
every member's client, buttons and all, so their words never ride on it (they are asked
to send the message again once the school is known).

The tenant mapping is read on every message but changes only when an IT lead runs
`app.py school map-tenant`, so each process keeps what it read for MAPPING_TTL_S seconds: a
changed mapping reaches every running server within that time. A member of staff's own
choice is never cached: their next message may reach another server process, which must
not answer from the school they just switched away from.
"""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity
from cachetools import TTLCache
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.conversation.private_line import is_shared
from bot.persistence.models import School, TenantSchool, UserSchool
from dialogs.rendering import TEXT, TEXT_OR_NONE, Button, Prompt, button_value
from knowledge.policy_file import bundled_policies

SCHOOL_KEY = "school_slug"  # turn_state key the turn loop reads
SWITCH_COMMAND = "switch school"
# What our "Which school are you at?" buttons send (see dialogs.rendering.button_value).
SCHOOL_ACTION = {"choose_school": {"school": TEXT, "pending": TEXT_OR_NONE, "pending_value": (dict, type(None))}}
PENDING_LIMIT = 1500  # Slack button values hold 2,000 characters
MAPPING_TTL_S = 30.0
MAPPING_CACHE_SIZE = 20_000  # tenants remembered per process (least recent out)


@dataclass(frozen=True)
class Resolution:
    school: str | None  # None: ask the member of staff to choose among `choices`
    choices: tuple[str, ...] = ()


def tenant_of(activity: Activity) -> str:
    """Teams puts the tenant on the conversation (and in channelData); Slack adapters set the workspace there."""
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return ((data.get("tenant") or {}).get("id")) or ""


def user_of(activity: Activity) -> str:
    sender = activity.from_property
    if sender is None:
        return ""
    return getattr(sender, "aad_object_id", None) or sender.id or ""


class SchoolDirectory:
    def __init__(self, sessions: async_sessionmaker, default_school: str, ttl: float = MAPPING_TTL_S):
        self.sessions = sessions
        self.default_school = default_school
        self._hosted: TTLCache = TTLCache(MAPPING_CACHE_SIZE, ttl)  # (channel, tenant) -> slugs

    async def resolve(self, channel: str, tenant_id: str, user_id: str) -> Resolution:
        hosted = await self.hosted(channel, tenant_id)
        if not hosted:  # an unmapped tenant (or the Playground, or a terminal): the configured school
            return Resolution(self.default_school)
        if len(hosted) == 1:
            return Resolution(hosted[0])
        remembered = await self._remembered(channel, user_id)
        if remembered in hosted:
            return Resolution(remembered)
        return Resolution(None, hosted)

    async def hosted(self, channel: str, tenant_id: str) -> tuple[str, ...]:
        """The schools a tenant (Teams) or workspace (Slack) is mapped to, alphabetically."""
        key = (channel, tenant_id)
        hosted = self._hosted.get(key)
        if hosted is None:
            async with self.sessions() as session:
                hosted = tuple(
                    (
                        await session.scalars(
                            select(TenantSchool.school_slug)
                            .where(TenantSchool.channel == channel, TenantSchool.tenant_id == tenant_id)
                            .order_by(TenantSchool.school_slug)
                        )
                    ).all()
                )
            self._hosted[key] = hosted
        return hosted

    async def _remembered(self, channel: str, user_id: str) -> str | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(UserSchool.school_slug).where(UserSchool.channel == channel, UserSchool.user_id == user_id)
            )

    async def remember(self, channel: str, user_id: str, school: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(UserSchool).where(UserSchool.channel == channel, UserSchool.user_id == user_id)
            )
            session.add(UserSchool(channel=channel, user_id=user_id, school_slug=school))

    async def names(self, slugs: tuple[str, ...]) -> list[tuple[str, str]]:
        bundled = bundled_policies()
        async with self.sessions() as session:
            stored = dict((await session.execute(select(School.slug, School.name).where(School.slug.in_(slugs)))).all())
        return [(s, stored.get(s) or (bundled[s].name if s in bundled else s)) for s in slugs]


class SchoolGate:
    """Runs before the turn loop on every message; True means it answered the turn itself."""

    def __init__(self, directory: SchoolDirectory, renderer_for):
        self.directory = directory
        self.renderer_for = renderer_for  # channel id -> Renderer

    async def handle(self, context: TurnContext) -> bool:
        activity = context.activity
        channel, tenant, user = activity.channel_id or "", tenant_of(activity), user_of(activity)
        value = activity.value if isinstance(activity.value, dict) else {}
        if value.get("action") == "choose_school" and button_value(value, SCHOOL_ACTION) is None:
            activity.value, value = None, {}  # not what our school buttons send: no choice was made
        if value.get("action") == "choose_school" and value.get("school"):
            resolution = await self.directory.resolve(channel, tenant, user)
            allowed = resolution.choices or (resolution.school,)
            if value["school"] not in allowed:
                await context.send_activity("That school is not served here; please choose again.")
                return True
            await self.directory.remember(channel, user, value["school"])
            name = dict(await self.directory.names((value["school"],)))[value["school"]]
            await context.send_activity(MessageFactory.text(f"Thanks: I'll answer from {name}'s policy."))
            context.turn_state[SCHOOL_KEY] = value["school"]
            if value.get("pending_value"):  # a button pressed before the school was known
                activity.text, activity.value = None, value["pending_value"]
                return False
            if not value.get("pending"):
                return True
            activity.text, activity.value = value["pending"], None  # replay the question that arrived first
            return False
        switching = (activity.text or "").strip().lower() == SWITCH_COMMAND
        resolution = await self.directory.resolve(channel, tenant, user)
        if switching:
            hosted = resolution.choices or await self.directory.hosted(channel, tenant)
            if len(hosted) < 2:
                await context.send_activity(
                    "Your organisation has only one school set up, so there is nothing to switch."
                )
                return True
            await self._ask(context, hosted, pending="")
            return True
        if resolution.school is None:
            pending = "" if is_shared(activity) else (activity.text or "")[:PENDING_LIMIT]
            await self._ask(
                context,
                resolution.choices,
                pending=pending,
                pending_value=value or None,
                again=bool(activity.text) and not pending,
            )
            return True
        context.turn_state[SCHOOL_KEY] = resolution.school
        return False

    async def _ask(
        self,
        context: TurnContext,
        slugs: tuple[str, ...],
        pending: str,
        pending_value: dict | None = None,
        again: bool = False,
    ) -> None:
        text = (
            "Which school are you at? I'll remember, and you can say 'switch school' later. "
            + ("Then send your message again. " if again else "")
            + "If a child is in immediate danger, call 999 now."
        )
        extra = {"pending_value": pending_value} if pending_value else {}
        buttons = tuple(
            Button(name, {"action": "choose_school", "school": slug, "pending": pending, **extra})
            for slug, name in await self.directory.names(slugs)
        )
        await context.send_activity(self.renderer_for(context.activity.channel_id).prompt(Prompt(text, buttons)))
