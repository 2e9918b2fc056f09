"""Alembic environment: runs on a connection handed over by `bot.persistence.db.migrate`, or on
its own from DATABASE_URL (async engines, SQLite or PostgreSQL)."""

import asyncio

from alembic import context

from bot.persistence.models import Base
from bot.settings import Settings

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.persistence.db import create_engine

    url = config.get_main_option("sqlalchemy.url") or Settings().database_url

    async def _go():
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(_go())


run_migrations_online()
