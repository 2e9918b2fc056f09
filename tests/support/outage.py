"""A switchable database outage for tests: while on, every statement (or only those matching)
fails the way a dead server or a full disk does, as a DBAPI error raised by the driver.

Why at the engine and not a fake desk: the point is to prove the REAL path (bot.records.reports,
the dialogs, the web app) says "couldn't save" and never a false receipt when the
database itself fails, including at the last moment (COMMIT). The state store's direct
SQLite read (aiosqlite's execute_fetchall, which SQLAlchemy's events never see) fails too.
"""

from __future__ import annotations

import sqlite3

import aiosqlite
from sqlalchemy import event
from sqlalchemy.exc import OperationalError


class DatabaseOutage:
    def __init__(self, engine):
        self.engine = engine.sync_engine if hasattr(engine, "sync_engine") else engine
        self.matching: tuple[str, ...] | None = None  # statement fragments that fail; None = none
        self.commit_after: str | None = None  # a transaction that ran this fails at COMMIT
        self.failures = 0
        event.listen(self.engine, "before_cursor_execute", self._before_execute)
        event.listen(self.engine, "commit", self._before_commit)
        event.listen(self.engine, "rollback", self._forget)
        self._direct_read = aiosqlite.Connection.execute_fetchall
        outage = self

        async def failing_read(connection, sql, parameters=None):
            if outage.matching is not None and any(f in sql.lower() for f in outage.matching):
                outage.failures += 1
                raise sqlite3.OperationalError("database unavailable (test outage)")
            return await outage._direct_read(connection, sql, parameters)

        aiosqlite.Connection.execute_fetchall = failing_read

    def everything(self) -> None:
        self.matching = ("",)

    def only(self, *fragments: str) -> None:
        self.matching = tuple(fragment.lower() for fragment in fragments)

    def at_commit_of(self, fragment: str) -> None:
        """The transaction that runs a statement containing `fragment` fails when it commits."""
        self.commit_after = fragment.lower()

    def over(self) -> None:
        self.matching, self.commit_after = None, None

    def _before_execute(self, conn, _cursor, statement, parameters, _context, _many):
        if self.commit_after and self.commit_after in statement.lower():
            conn.info["outage_fail_commit"] = True
        if self.matching is not None and any(f in statement.lower() for f in self.matching):
            self.failures += 1
            raise OperationalError(statement, parameters, ConnectionError("database unavailable (test outage)"))

    def _before_commit(self, conn):
        if conn.info.pop("outage_fail_commit", False) and self.commit_after:
            self.failures += 1
            raise OperationalError("COMMIT", {}, ConnectionError("database unavailable at commit (test outage)"))

    def _forget(self, conn):
        conn.info.pop("outage_fail_commit", None)

    def remove(self) -> None:
        aiosqlite.Connection.execute_fetchall = self._direct_read
        event.remove(self.engine, "rollback", self._forget)
        event.remove(self.engine, "before_cursor_execute", self._before_execute)
        event.remove(self.engine, "commit", self._before_commit)
