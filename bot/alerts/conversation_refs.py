"""Where the bot can reach each person later: their 1:1 conversation reference, kept in the
database so alerts survive restarts and reach people on any server process.

The turn loop notes the sender of every message, `installationUpdate` and
`conversationUpdate` in a `ReferenceBatch`, written within a second, many rows in one
transaction (bot.persistence.write_behind); `remember` writes at once, for everything else. Only
personal (1:1) conversations are kept: a reference to a team
channel or group chat would post a safeguarding alert where everyone can read it.
In Teams, a role holder is usually configured by AAD object id while activities carry a
Teams user id ("29:..."), so the reference is stored under both.
"""

from __future__ import annotations

import weakref

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.persistence.models import ConversationRef, utcnow
from bot.persistence.write_behind import WriteBehind

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
_STORED: weakref.WeakKeyDictionary[async_sessionmaker, TTLCache] = weakref.WeakKeyDictionary()
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
    return (
        activity.service_url,
        activity.locale,
        conversation.id,
        conversation.name,
        conversation.conversation_type,
        conversation.tenant_id,
        _tenant_id(activity),
        sender.name,
        getattr(bot, "id", None),
        getattr(bot, "name", None),
    )


def _new_rows(sessions, activity: Activity) -> tuple[tuple, tuple, list[dict]] | None | bool:
    """The rows to store for `activity`'s sender: (cache key, fingerprint, one row per id).

    False: nothing to store for this activity; True: this process stored the same already."""
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
    values = dict(
        channel=activity.channel_id,
        tenant_id=_tenant_id(activity),
        user_name=(activity.from_property.name or "")[:200],
        reference=reference,
        updated_at=utcnow(),
    )
    return key, fingerprint, [dict(values, user_id=user_id) for user_id in ids]


async def remember(sessions: async_sessionmaker, activity: Activity) -> bool:
    """Store (or refresh) the sender's conversation reference now. Returns whether there is one."""
    prepared = _new_rows(sessions, activity)
    if isinstance(prepared, bool):
        return prepared
    key, fingerprint, rows = prepared
    await _write(sessions, rows)
    _stored_for(sessions)[key] = fingerprint
    return True


class ReferenceBatch:
    """The turn loop's `remember`: references are written within DELAY_S, many in one transaction
    (bot.persistence.write_behind), so a turn never waits for this bookkeeping commit."""

    DELAY_S = 1.0

    def __init__(self, sessions: async_sessionmaker, delay_s: float = DELAY_S):
        self.sessions = sessions
        self._batch = WriteBehind(
            "conversation references", lambda queued: _write(sessions, list(queued.values())), delay_s
        )

    def note(self, activity: Activity) -> bool:
        prepared = _new_rows(self.sessions, activity)
        if isinstance(prepared, bool):
            return prepared
        key, fingerprint, rows = prepared
        for row in rows:
            self._batch.add((row["channel"], row["user_id"]), row)
        _stored_for(self.sessions)[key] = fingerprint  # queued: written (and retried) by the batch
        return True

    async def flush(self) -> None:
        await self._batch.flush()

    async def close(self) -> None:
        await self._batch.close()


async def _write(sessions: async_sessionmaker, rows: list[dict]) -> None:
    """Upsert the rows in one executemany (a Core statement; the ORM would go row by row)."""
    table = ConversationRef.__table__
    async with sessions() as session, session.begin():
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(table)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.channel, table.c.user_id],
                set_={k: stmt.excluded[k] for k in ("tenant_id", "user_name", "reference", "updated_at")},
            ),
            rows,
        )


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
        select(ConversationRef.user_id).where(ConversationRef.channel == channel, ConversationRef.user_id.in_(user_ids))
    )
    return set(rows.scalars())
