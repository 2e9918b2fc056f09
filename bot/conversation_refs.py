"""Where the bot can reach each person later: their 1:1 conversation reference, kept in the
database so alerts survive restarts and reach people on any server process.

The turn loop calls `remember` for every message, `installationUpdate` and
`conversationUpdate`. Only personal (1:1) conversations are kept: a reference to a team
channel or group chat would post a safeguarding alert where everyone can read it.
In Teams, a role holder is usually configured by AAD object id while activities carry a
Teams user id ("29:..."), so the reference is stored under both.
"""
from __future__ import annotations

import weakref

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference

from bot.models import ConversationRef, utcnow

REMEMBERED_TYPES = {ActivityTypes.message, ActivityTypes.installation_update, ActivityTypes.conversation_update}
GROUP_CONVERSATION_TYPES = {"channel", "groupchat", "group", "mpim"}


def sender_ids(activity: Activity) -> tuple[str, ...]:
    """Every id the sender is known by on this channel (Teams id and AAD object id)."""
    sender = activity.from_property
    if sender is None or not sender.id:
        return ()
    ids = [sender.id]
    if sender.aad_object_id and sender.aad_object_id not in ids:
        ids.append(sender.aad_object_id)
    return tuple(ids)


def _tenant_id(activity: Activity) -> str:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") or {}
    return str(tenant.get("id") or data.get("team_id") or data.get("team") or "")


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    if conversation is None:
        return False
    if conversation.is_group:
        return False
    return (conversation.conversation_type or "personal").lower() not in GROUP_CONVERSATION_TYPES


# What this process last stored per (channel, user ids): skipping an identical upsert saves a
# database write (an fsync on SQLite) on every message. Entries expire, so a reference another
# process changed meanwhile is rewritten by this one within REWRITE_AFTER_S at the latest.
# Kept per sessionmaker (weakly), so two databases in one process never share the memory.
_STORED: "weakref.WeakKeyDictionary[async_sessionmaker, TTLCache]" = weakref.WeakKeyDictionary()
_STORED_MAX = 10_000
REWRITE_AFTER_S = 600.0


def _stored_for(sessions) -> TTLCache:
    stored = _STORED.get(sessions)
    if stored is None:
        stored = _STORED[sessions] = TTLCache(_STORED_MAX, REWRITE_AFTER_S)
    return stored


def _fingerprint(activity: Activity) -> tuple:
    """Everything a stored reference is made of, read off the activity (serialising it each turn costs more)."""
    conversation, sender, bot = activity.conversation, activity.from_property, activity.recipient
    return (activity.service_url, activity.locale, conversation.id, conversation.name, conversation.conversation_type,
            conversation.tenant_id, _tenant_id(activity), sender.name, getattr(bot, "id", None),
            getattr(bot, "name", None))


async def remember(sessions: async_sessionmaker, activity: Activity) -> bool:
    """Store (or refresh) the sender's conversation reference. Returns whether one was stored."""
    if activity.type not in REMEMBERED_TYPES or not activity.channel_id or not is_personal(activity):
        return False
    ids = sender_ids(activity)
    if not ids or (not activity.service_url and activity.channel_id != "slack"):  # Slack needs none
        return False
    key = (activity.channel_id, ids)
    fingerprint = _fingerprint(activity)
    if _stored_for(sessions).get(key) == fingerprint:
        return True
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)  # a proactive message starts a new thread, not a reply
    name = (activity.from_property.name or "")[:200]
    async with sessions() as session, session.begin():
        for user_id in ids:
            await _upsert(session, activity.channel_id, user_id, _tenant_id(activity), name, reference)
    _stored_for(sessions)[key] = fingerprint
    return True


async def _upsert(session: AsyncSession, channel: str, user_id: str, tenant_id: str, name: str,
                  reference: dict) -> None:
    values = dict(channel=channel, user_id=user_id, tenant_id=tenant_id, user_name=name,
                  reference=reference, updated_at=utcnow())
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ConversationRef).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ConversationRef.channel, ConversationRef.user_id],
        set_={k: stmt.excluded[k] for k in ("tenant_id", "user_name", "reference", "updated_at")},
    )
    await session.execute(stmt)


async def lookup(session: AsyncSession, channel: str, user_id: str) -> ConversationReference | None:
    row = await session.get(ConversationRef, (channel, user_id))
    if row is None:
        return None
    return ConversationReference().deserialize(row.reference)


async def reachable(session: AsyncSession, channel: str, user_ids: list[str]) -> set[str]:
    """Which of `user_ids` the bot holds a conversation reference for."""
    if not user_ids:
        return set()
    rows = await session.execute(
        select(ConversationRef.user_id).where(ConversationRef.channel == channel,
                                              ConversationRef.user_id.in_(user_ids)))
    return set(rows.scalars())
