"""Shared fixtures. Storage-touching tests take `db_url`/`engine`, which run once on SQLite
and once on PostgreSQL (a throwaway database per test, so parallel runs never collide)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from bot.persistence.db import create_engine, migrate

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


async def _pg_available() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request, tmp_path):
    """A migrated, empty database URL: SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        engine = create_engine(url)
        await migrate(engine)
        await engine.dispose()
        yield url
        return
    if not await _pg_available():
        pytest.fail("PostgreSQL is not running at 127.0.0.1:5432; `make test` starts it (scripts/ensure-postgres.sh)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def engine(db_url):
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def runtime(db_url):
    """The whole bot of tests/support/chat_harness.py, with the school's DSL, deputy and head known."""
    from tests.support.chat_harness import add_role_holders, build

    runtime = await build(db_url)
    await add_role_holders(runtime)
    yield runtime
    await runtime.close()
