"""Whose school answers: the tenant mapping as a running server sees it (adapters.schools)."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from adapters.schools import Resolution, SchoolDirectory
from bot.persistence.db import sessionmaker
from bot.persistence.models import TenantSchool


async def map_tenant(sessions, tenant: str, *schools: str) -> None:
    async with sessions() as session, session.begin():
        session.add_all([TenantSchool(channel="msteams", tenant_id=tenant, school_slug=s) for s in schools])


def count_queries(engine) -> list:
    seen: list = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


async def test_messages_from_a_mapped_tenant_do_not_query_the_database_each_time(engine):
    sessions = sessionmaker(engine)
    await map_tenant(sessions, "tenant-a", "ringway")
    directory = SchoolDirectory(sessions, "oakfield")
    queries = count_queries(engine)
    for _ in range(50):
        assert await directory.resolve("msteams", "tenant-a", "29:staff-1") == Resolution("ringway")
        assert await directory.resolve("msteams", "unmapped", "29:staff-1") == Resolution("oakfield")
    assert len(queries) == 2  # one per tenant


async def test_a_new_tenant_mapping_reaches_a_running_server_after_the_ttl(engine):
    sessions = sessionmaker(engine)
    directory = SchoolDirectory(sessions, "oakfield", ttl=0.2)
    assert await directory.resolve("msteams", "tenant-b", "29:staff-1") == Resolution("oakfield")
    await map_tenant(sessions, "tenant-b", "buckminster")  # e.g. `app.py school map-tenant` meanwhile
    assert await directory.resolve("msteams", "tenant-b", "29:staff-1") == Resolution("oakfield")
    await asyncio.sleep(0.3)
    assert await directory.resolve("msteams", "tenant-b", "29:staff-1") == Resolution("buckminster")


async def test_in_a_trust_a_choice_made_through_one_process_applies_at_once_in_every_process(engine):
    sessions = sessionmaker(engine)
    await map_tenant(sessions, "trust", "oakfield", "ringway")
    first, second = SchoolDirectory(sessions, "oakfield"), SchoolDirectory(sessions, "oakfield")
    for process in (first, second):
        assert await process.resolve("msteams", "trust", "29:staff-2") == Resolution(None, ("oakfield", "ringway"))
    await second.remember("msteams", "29:staff-2", "ringway")  # the choice's button press reached `second`
    assert await first.resolve("msteams", "trust", "29:staff-2") == Resolution("ringway")
    await first.remember("msteams", "29:staff-2", "oakfield")  # 'switch school', answered by `first`
    assert await second.resolve("msteams", "trust", "29:staff-2") == Resolution("oakfield")
    assert await second.resolve("msteams", "trust", "29:staff-3") == Resolution(None, ("oakfield", "ringway"))
