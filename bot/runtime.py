"""Everything one running assistant needs, built in one place and closed in one place.

`build_runtime(settings, renderer_for)` creates the database engine (and brings its schema
up to date), the SqlStorage behind conversation and user state, the content cipher, the
Assistant, the report flows (one per kind of bot.kinds, with the record desk they file
through: the one place dialogs are wired in) and the `AssistantBot`. The web app, the terminal chat and the tests all build
it the same way, so every channel runs the same bot on the same storage; nothing is a
module-level singleton, so a test can build two runtimes on one database to simulate a
restart.

`build_dispatcher(sessions, senders, settings=...)` builds the alert outbox's dispatcher the same
way for the server and `app.py dispatch`: the channels' senders come from adapters/, and the
overdue-policy-review sweep from `bot.oversight`, which `bot.alerts` cannot import (oversight
reads role holders and records through it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from botbuilder.core import ConversationState, PrivateConversationState, Storage, UserState
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot import kinds
from bot.alerts.dispatcher import Dispatcher, Sender
from bot.conversation.turns import AssistantBot
from bot.oversight.review_dates import ReviewNotes
from bot.oversight.review_reminders import remind_overdue_reviews
from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine, migrate, sessionmaker
from bot.persistence.state_codec import register_state_type
from bot.persistence.storage import SqlStorage
from bot.records.report_desk import ReportDesk
from bot.settings import Settings
from dialogs.progress import ReportProgress
from dialogs.rendering import Renderer
from dialogs.services import ReportServices

register_state_type(ReportProgress)  # a report's progress is kept in dialog state between turns


@dataclass
class Runtime:
    engine: AsyncEngine
    sessions: async_sessionmaker
    storage: Storage
    conversation_state: ConversationState
    user_state: UserState
    assistant: object
    cipher: ContentCipher
    bot: AssistantBot
    settings: Settings | None = None

    async def close(self) -> None:
        await self.bot.references.close()  # the last conversation references and knowledge-gap counts
        await self.bot.gaps.close()
        await self.engine.dispose()


# Database drivers log every statement WITH its parameters at DEBUG/INFO (aiosqlite, asyncpg via
# SQLAlchemy's engine logger): reporter names, conversation ids and state rows. Keep them quiet
# whatever the root level is, so turning on debug logging never copies safeguarding data into logs.
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


def quieten_database_loggers() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


async def build_runtime(
    settings: Settings,
    renderer_for: Callable[[str], Renderer],
    *,
    assistant=None,
    desk=None,
    school_for=None,
    migrate_schema: bool = True,
) -> Runtime:
    """A ready bot on the configured database. `assistant`/`desk`/`school_for` are for tests and edges."""
    quieten_database_loggers()
    engine = create_engine(settings.database_url)
    try:
        if migrate_schema:
            await migrate(engine)
        sessions = sessionmaker(engine)
        cipher = ContentCipher.from_settings(settings)
        if assistant is None:
            from bot.conversation.assistant import Assistant
            from bot.persistence.policy_store import load_stored_policies

            assistant = Assistant.default(extra_policies=await load_stored_policies(sessions))
        storage = SqlStorage(engine, cipher)  # dialog state holds a report in progress: encrypted at rest
        conversation_state = ConversationState(storage)
        user_state = UserState(storage)
        private_state = PrivateConversationState(storage)
        services = ReportServices(desk=desk or ReportDesk(sessions, cipher), assistant=assistant, cipher=cipher)
        bot = AssistantBot(
            conversation_state=conversation_state,
            user_state=user_state,
            assistant=assistant,
            services=services,
            flows=[kinds.flow_class(kind)(services) for kind in kinds.all_kinds()],
            sessions=sessions,
            renderer_for=renderer_for,
            default_school=settings.default_school,
            school_for=school_for,
            cipher=cipher,
            private_state=private_state,
            review_notes=ReviewNotes(sessions),
        )
    except BaseException:
        await engine.dispose()
        raise
    return Runtime(engine, sessions, storage, conversation_state, user_state, assistant, cipher, bot, settings)


def build_dispatcher(
    sessions: async_sessionmaker, senders: dict[str, Sender], *, settings: object | None, **options
) -> Dispatcher:
    """The outbox dispatcher as the server and `app.py dispatch` run it: the channels' `senders`
    (adapters/senders.py), escalation and reminder timeouts from `settings`, and, once an hour,
    the overdue-policy-review reminder. `options` are the Dispatcher's own (clock, renderer_for, ...)."""
    return Dispatcher(sessions, senders, settings=settings, review_sweep=remind_overdue_reviews, **options)
