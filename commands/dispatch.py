"""`python app.py dispatch [--once]`: deliver pending DSL alerts (the server runs the same dispatcher itself)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.alerts.dispatcher import Sender
    from dialogs.rendering import Renderer

NAME = "dispatch"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="deliver pending alerts (runs inside serve too)")
    parser.add_argument("--once", action="store_true", help="deliver what is due, then stop")
    return parser


def run(settings, args) -> int:
    from adapters.rendering import renderer_for
    from adapters.senders import build_senders

    return asyncio.run(run_dispatch(settings, build_senders(settings), once=args.once, renderer_for=renderer_for))


async def run_dispatch(
    settings,
    senders: dict[str, Sender],
    once: bool = False,
    renderer_for: Callable[[str], Renderer] | None = None,
) -> int:
    """`python app.py dispatch`: deliver due alerts (and keep doing so unless --once).

    The channels' `senders` and card `renderer_for` are built in adapters/ (see `run`); without a
    renderer alerts go as plain text."""
    from bot.persistence.db import open_database
    from bot.runtime import build_dispatcher
    from dialogs.rendering import PlainRenderer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    async with open_database(settings.database_url) as sessions:
        dispatcher = build_dispatcher(
            sessions, senders, settings=settings, renderer_for=renderer_for or (lambda _channel: PlainRenderer())
        )
        if once:
            result = await dispatcher.run_once()
            print(
                f"delivered {result.delivered}, failed {result.failed} (will retry), "
                f"escalated {result.escalated}, reminders queued {result.reminders}, "
                f"policy review reminders queued {result.review_reminders}"
            )
            return 0
        await dispatcher.run_forever()
        return 0
