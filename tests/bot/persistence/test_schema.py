"""The alembic migrations and the models describe the same schema, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.persistence.models import Base


async def test_migrations_match_models(engine):
    def diff(conn):
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
