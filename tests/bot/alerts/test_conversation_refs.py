"""Everyone who messages or installs the bot can be reached later; group chats never are."""

from __future__ import annotations

import asyncio

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from sqlalchemy import select

from bot.alerts import conversation_refs
from bot.persistence.models import ConversationRef
from tests.support.alert_fixtures import teams_activity
from tests.support.chat_harness import build


async def test_remember_stores_and_refreshes_one_row_per_identity(sessions):
    first = teams_activity("https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor", aad="aad-amara")
    assert await conversation_refs.remember(sessions, first)
    moved = teams_activity(
        "https://smba.trafficmanager.net/emea/", "29:amara", "Ms A Okafor", aad="aad-amara", kind="conversationUpdate"
    )
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
        activity = teams_activity(
            "https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor", conversation_type=conversation_type
        )
        assert not await conversation_refs.remember(sessions, activity)
    async with sessions() as session:
        assert (await session.execute(select(ConversationRef))).first() is None


async def test_other_activity_types_are_ignored(sessions):
    activity = teams_activity("https://smba.trafficmanager.net/uk/", "29:amara", "Ms Amara Okafor", kind="typing")
    assert not await conversation_refs.remember(sessions, activity)


async def test_installing_the_app_makes_a_person_reachable_within_a_second(db_url):
    """The turn loop notes references for every activity (installs included) and writes them a
    moment later in one batch, so a DSL who only installed the app can still be paged."""
    runtime = await build(db_url)
    try:
        install = teams_activity(
            "https://smba.trafficmanager.net/uk/",
            "29:amara",
            "Ms Amara Okafor",
            aad="aad-amara",
            kind="installationUpdate",
        )
        await runtime.bot.on_turn(TurnContext(TestAdapter(), install))
        async with runtime.sessions() as session:
            assert await conversation_refs.reachable(session, "msteams", ["aad-amara"]) == set()  # not yet
        await asyncio.sleep(conversation_refs.ReferenceBatch.DELAY_S + 0.5)
        async with runtime.sessions() as session:
            assert await conversation_refs.reachable(session, "msteams", ["29:amara", "aad-amara"]) == {
                "29:amara",
                "aad-amara",
            }
    finally:
        await runtime.close()


async def test_references_noted_just_before_shutdown_are_written_at_shutdown(db_url):
    runtime = await build(db_url)
    for n in range(30):
        activity = teams_activity("https://smba.trafficmanager.net/uk/", f"29:staff-{n}", f"Staff {n}")
        await runtime.bot.on_turn(TurnContext(TestAdapter(), activity))
    await runtime.close()  # well within the batch delay
    reopened = await build(runtime.settings.database_url)
    try:
        async with reopened.sessions() as session:
            found = await conversation_refs.reachable(session, "msteams", [f"29:staff-{n}" for n in range(30)])
        assert len(found) == 30
    finally:
        await reopened.close()


SMBA = "https://smba.trafficmanager.net/uk/"


async def test_one_unstorable_display_name_never_blocks_the_references_queued_with_it_or_after(sessions):
    """A lone surrogate (which UTF-8 cannot encode) in one sender's name, as if it got past the edge."""
    batch = conversation_refs.ReferenceBatch(sessions, delay_s=60)
    batch.note(teams_activity(SMBA, "29:poison", "Mr \ud800 Broken"))
    batch.note(teams_activity(SMBA, "29:dsl", "Ms Amara Okafor"))
    await batch.flush()
    batch.note(teams_activity(SMBA, "29:deputy", "Mr Tom Baker"))  # a later batch goes through too
    await batch.flush()
    async with sessions() as session:
        found = await conversation_refs.reachable(session, "msteams", ["29:poison", "29:dsl", "29:deputy"])
    assert found == {"29:dsl", "29:deputy"}
    assert batch._batch.dropped == 1


async def test_references_queued_with_a_poison_row_are_still_written_at_shutdown(sessions):
    batch = conversation_refs.ReferenceBatch(sessions, delay_s=60)
    batch.note(teams_activity(SMBA, "29:poison", "\ud800"))
    batch.note(teams_activity(SMBA, "29:dsl", "Ms Amara Okafor"))
    await batch.close()  # the server stops before the batch was due
    async with sessions() as session:
        assert await conversation_refs.reachable(session, "msteams", ["29:dsl"]) == {"29:dsl"}
