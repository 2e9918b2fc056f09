"""Everyone who messages or installs the bot can be reached later; group chats never are."""
from __future__ import annotations

from sqlalchemy import select

from bot import conversation_refs
from bot.models import ConversationRef

from alert_fixtures import teams_activity


async def test_remember_stores_and_refreshes_one_row_per_identity(sessions):
    first = teams_activity("https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor", aad="aad-amara")
    assert await conversation_refs.remember(sessions, first)
    moved = teams_activity("https://smba.trafficmanager.net/emea/", "29:amara", "Ms A Okafor", aad="aad-amara",
                           kind="conversationUpdate")
    assert await conversation_refs.remember(sessions, moved)
    async with sessions() as session:
        rows = (await session.execute(select(ConversationRef).order_by(ConversationRef.user_id))).scalars().all()
        assert [r.user_id for r in rows] == ["29:amara", "aad-amara"]
        assert {r.reference["serviceUrl"] for r in rows} == {"https://smba.trafficmanager.net/emea/"}
        assert {r.user_name for r in rows} == {"Ms A Okafor"} and {r.tenant_id for r in rows} == {"tenant-oak"}
        reference = await conversation_refs.lookup(session, "msteams", "aad-amara")
        assert reference.conversation.id == "a:conv-29:amara" and reference.bot.id == "28:safeguarding-bot"


async def test_group_conversations_are_never_remembered(sessions):
    for conversation_type in ("channel", "groupChat"):
        activity = teams_activity("https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor",
                                  conversation_type=conversation_type)
        assert not await conversation_refs.remember(sessions, activity)
    async with sessions() as session:
        assert (await session.execute(select(ConversationRef))).first() is None


async def test_other_activity_types_are_ignored(sessions):
    activity = teams_activity("https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor", kind="typing")
    assert not await conversation_refs.remember(sessions, activity)
