"""botbuilder `Storage` on our own database, so a half-finished report survives a restart.

botbuilder ships only MemoryStorage (lost on restart) and Azure storages. SqlStorage keeps
each state item as one `bot_state` row: plain JSON (see bot.persistence.state_codec, never pickles)
plus an eTag, in the same database as the reports, SQLite or PostgreSQL.

The eTag contract, as botbuilder's storages implement it:
  - no eTag, or "*": write unconditionally (create or overwrite);
  - an eTag: write only if the stored row still has that eTag, else raise ETagConflict
    (another turn changed the state since it was read: its change is never lost);
  - "": raise (an item that claims an eTag but has none is a caller bug).
Each write is a single conditional statement (UPDATE ... WHERE etag = :old, or an upsert),
so two processes racing on one conversation cannot both win. A batch is one transaction.

Given a ContentCipher, every item is stored encrypted as {"$enc": token}: a half-finished
report's answers (a child's name, their words) live in dialog state until submission, and
are report content that must be encrypted at rest like the submitted report. Rows written
before encryption was switched on are still read; the next write encrypts them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import uuid
from typing import Any

from botbuilder.core import Storage
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.persistence import state_codec
from bot.persistence.crypto import ContentCipher
from bot.persistence.models import BotStateItem, utcnow

log = logging.getLogger(__name__)

_MAX_KEY = 512  # bot_state.key column width
# What "the database is unavailable" looks like: driver errors (SQLAlchemy's, and sqlite3's own on
# the direct read path), pool timeouts, refused sockets.
_UNAVAILABLE = (SQLAlchemyError, sqlite3.Error, OSError, TimeoutError)
_PAST = {"read": "read", "write": "written", "delete": "deleted"}


class ETagConflict(Exception):
    """The item changed since it was read; reload and retry instead of overwriting."""


class StorageUnavailable(Exception):
    """The database could not be reached: nothing was saved; try again shortly."""


def storage_key(key: str) -> str:
    """The row key for a botbuilder key; very long keys (Teams ids) keep a unique hashed tail."""
    if len(key) <= _MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: _MAX_KEY - len(digest) - 1]}#{digest}"


def _etag_of(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _without_etag(item: Any) -> Any:
    """The item's data to store: the eTag lives in its own column, not in the JSON."""
    if isinstance(item, dict):
        return {key: value for key, value in item.items() if key != "e_tag"}
    if hasattr(item, "e_tag"):
        clone = object.__new__(type(item))
        clone.__dict__.update({key: value for key, value in vars(item).items() if key != "e_tag"})
        return clone
    return item


def _with_etag(item: Any, etag: str) -> Any:
    if isinstance(item, dict):
        item["e_tag"] = etag
    elif hasattr(item, "__dict__"):
        item.e_tag = etag
    return item


class SqlStorage(Storage):
    """botbuilder Storage over the `bot_state` table (one row per state key)."""

    def __init__(self, engine: AsyncEngine, cipher: ContentCipher | None = None):
        self._engine = engine
        self._cipher = cipher
        dialect = engine.dialect.name
        self._sqlite = dialect == "sqlite"
        if dialect == "postgresql":
            self._insert = pg_insert
        elif dialect == "sqlite":
            self._insert = sqlite_insert
        else:
            raise ValueError(f"SqlStorage supports SQLite and PostgreSQL, not {dialect}")

    async def read(self, keys: list[str]) -> dict[str, object]:
        if keys is None:
            raise Exception("Keys are required when reading")
        wanted = {storage_key(key): key for key in keys}
        if not wanted:
            return {}
        try:
            async with self._engine.connect() as conn:
                if self._sqlite:
                    found = await self._read_sqlite(conn, list(wanted))
                else:
                    found = (
                        await conn.execute(
                            select(BotStateItem.key, BotStateItem.etag, BotStateItem.data).where(
                                BotStateItem.key.in_(list(wanted))
                            )
                        )
                    ).all()
        except _UNAVAILABLE as exc:
            raise self._unavailable("read", exc) from exc
        return {wanted[key]: _with_etag(state_codec.decode(self._open(data)), etag) for key, etag, data in found}

    @staticmethod
    async def _read_sqlite(conn, keys: list[str]) -> list[tuple]:
        """Every turn starts with this read. Through SQLAlchemy's aiosqlite adapter a query is
        four hand-offs to the connection's thread and back (cursor, execute, fetch, close),
        each a thread wake-up and an event-loop wake-up; aiosqlite's execute_fetchall is one.
        In the load benchmark that was a tenth of a Q&A turn's CPU on SQLite."""
        driver = (await conn.get_raw_connection()).driver_connection
        placeholders = ",".join("?" * len(keys))
        rows = await driver.execute_fetchall(
            f"SELECT key, etag, data FROM {BotStateItem.__tablename__} WHERE key IN ({placeholders})", keys
        )
        return [(key, etag, json.loads(data) if isinstance(data, str) else data) for key, etag, data in rows]

    async def write(self, changes: dict[str, object]):
        if changes is None:
            raise Exception("Changes are required when writing")
        if not changes:
            return
        planned = []
        for key, item in changes.items():
            etag = _etag_of(item)
            if etag == "":
                raise Exception("SqlStorage.write(): etag missing")
            # Encode before touching the database: an unstorable object fails the whole batch.
            data = self._seal(state_codec.encode(_without_etag(item)))
            planned.append((storage_key(key), None if etag == "*" else etag, data))
        try:
            async with self._engine.begin() as conn:
                for row_key, expected_etag, data in planned:
                    new_etag = uuid.uuid4().hex
                    if expected_etag is None:
                        await conn.execute(self._upsert(row_key, new_etag, data))
                        continue
                    result = await conn.execute(
                        update(BotStateItem)
                        .where(BotStateItem.key == row_key, BotStateItem.etag == expected_etag)
                        .values(etag=new_etag, data=data, updated_at=utcnow())
                    )
                    if result.rowcount != 1:
                        raise ETagConflict(
                            f"Etag conflict on {row_key!r}: the state was changed or deleted since it was read"
                        )
        except _UNAVAILABLE as exc:
            raise self._unavailable("write", exc) from exc

    async def delete(self, keys: list[str]):
        if keys is None:
            raise Exception("Keys are required when deleting")
        row_keys = [storage_key(key) for key in keys]
        if not row_keys:
            return
        try:
            async with self._engine.begin() as conn:
                await conn.execute(delete(BotStateItem).where(BotStateItem.key.in_(row_keys)))
        except _UNAVAILABLE as exc:
            raise self._unavailable("delete", exc) from exc

    def _seal(self, data: Any) -> Any:
        if self._cipher is None:
            return data
        return {state_codec.ENCRYPTED: self._cipher.encrypt_json({"v": data}).decode("ascii")}

    def _open(self, data: Any) -> Any:
        if isinstance(data, dict) and state_codec.ENCRYPTED in data and len(data) == 1:
            if self._cipher is None:
                raise ValueError("this bot state is encrypted: give SqlStorage the ContentCipher (ENCRYPTION_KEYS)")
            return self._cipher.decrypt_json(data[state_codec.ENCRYPTED].encode("ascii"))["v"]
        return data

    def _upsert(self, row_key: str, etag: str, data: Any):
        statement = self._insert(BotStateItem).values(key=row_key, etag=etag, data=data, updated_at=utcnow())
        return statement.on_conflict_do_update(
            index_elements=[BotStateItem.key],
            set_={
                "etag": statement.excluded.etag,
                "data": statement.excluded.data,
                "updated_at": statement.excluded.updated_at,
            },
        )

    @staticmethod
    def _unavailable(operation: str, exc: BaseException) -> StorageUnavailable:
        # The exception text may quote the state (SQL parameters): log its type only.
        log.error("bot state %s failed: %s", operation, type(exc).__name__)
        return StorageUnavailable(f"conversation state could not be {_PAST[operation]}: the database is unavailable")
