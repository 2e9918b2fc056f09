"""The database engine: one async engine per process, created from `DATABASE_URL`.

SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) is for production and
for running several server processes. The schema is owned by alembic (`migrations/`);
`migrate()` brings any database up to date and is what the server, the CLI and the
tests all call, so every code path runs against the same schema.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.settings import PROJECT_ROOT

# hide_parameters: SQLAlchemy otherwise renders statement parameters (staff names, ciphertext,
# conversation ids) into exception messages and SQL echo logs; logs must stay free of them.
ENGINE_OPTIONS = {"hide_parameters": True}


def owner_only(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600), and tighten an existing one.

    The database holds staff names, conversation references and (encrypted) reports; created
    under the usual umask it was world-readable (0644). SQLite gives its -wal and -shm files
    the permissions of the database file, so they follow; any left from before are tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)


def create_engine(url: str) -> AsyncEngine:
    """An engine with the settings each backend needs to be safe under concurrency."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            owner_only(Path(path))
        # One connection per process: SQLite lets one writer in at a time anyway, and with a pool
        # the process's own connections queued on the file lock in SQLite's sleeping busy handler
        # (turns of 1-3 s under load). One connection queues them on the event loop instead, in
        # order. Other processes (more workers, the CLI) still wait on the lock, up to 30 s.
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, **ENGINE_OPTIONS)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # a confirmed report survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, **ENGINE_OPTIONS)


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(url: str):
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


class DatabaseUnreachable(RuntimeError):
    """The database could not be opened at start-up. `str()` is one line naming the URL without its password."""


UNREACHABLE_ERRORS = (OSError, asyncio.TimeoutError, OperationalError, InterfaceError)


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database behind `engine` to the newest schema (idempotent).

    Every command that opens the database starts here, so this is where an unreachable one
    becomes `DatabaseUnreachable` (app.py prints it as one line and exits 1) instead of a
    150-line traceback from the driver."""
    from alembic import command

    url = engine.url.render_as_string(hide_password=False)
    try:
        async with engine.connect():
            pass
    except UNREACHABLE_ERRORS as exc:
        raise DatabaseUnreachable(
            f"cannot open the database at {engine.url.render_as_string(hide_password=True)} "
            f"({type(exc).__name__}); check DATABASE_URL and that the server is running"
        ) from None

    def _upgrade(connection):
        cfg = _alembic_config(url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[async_sessionmaker]:
    """For one command-line run: an up-to-date database's session factory, closed afterwards."""
    engine = create_engine(url)
    try:
        await migrate(engine)
        yield sessionmaker(engine)
    finally:
        await engine.dispose()


def migrate_sync(url: str) -> None:
    """For command-line use outside a running loop."""

    async def _run():
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(_run())
