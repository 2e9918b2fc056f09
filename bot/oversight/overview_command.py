"""A lead's "overview" in chat (typed, or the Overview button on an alert card): the counts card
of `bot.oversight.overview`, answered by a route of the turn loop of its own
(`bot.conversation.turns.ROUTES`, right after the DSL's report commands).

Why apart from `bot.records.dsl_commands`: the card is drawn from oversight's figures, and
oversight reads the record and its role holders; answered among the record's commands it made
the two packages import each other. Who may ask is decided as for those commands: a role at the
conversation's school (else their refusal, `dsl_commands.REFUSAL`), and every ask and refusal is
audited. The role check and its audit entry commit first; the figures are then read in sessions
of their own (SQLite has one connection per process).

`try_handle` returns None for anything that is not the overview, so the turn loop can offer it
every message without stealing ordinary questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from botbuilder.schema import Activity
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.alerts.roles import roles_of
from bot.oversight.figures import gather
from bot.oversight.overview import overview_summary, this_term
from bot.records import audit
from bot.records.dsl_commands import REFUSAL
from bot.utc import now_or
from dialogs.rendering import Renderer

OVERVIEW_PATTERN = re.compile(
    r"^(?:(?:show|give|see)\s+(?:me\s+)?(?:the\s+)?)?(?:safeguarding\s+)?overview\s*[.!?]*$", re.I
)


def parse(text_or_value) -> bool:
    """Is a typed message or a card button's value the overview command?"""
    if isinstance(text_or_value, dict):
        return text_or_value.get("action") == "overview"
    if not isinstance(text_or_value, str):
        return False
    text = " ".join(text_or_value.split()) if "\n" not in text_or_value else text_or_value.strip()
    return OVERVIEW_PATTERN.match(text) is not None


async def try_handle(
    text_or_value,
    *,
    channel: str,
    user_id: str | Iterable[str],
    school_slug: str,
    sessions: async_sessionmaker,
    renderer: Renderer,
    now: datetime | None = None,
) -> Activity | None:
    """The overview card for a role holder, the refusal for anyone else; None when the message
    is not the overview command."""
    if not parse(text_or_value):
        return None
    ids = (user_id,) if isinstance(user_id, str) else tuple(user_id)
    actor_id = ids[0] if ids else ""
    now = now_or(now)
    first_day, last_day = this_term(now)
    async with sessions() as session, session.begin():
        roles = await roles_of(session, school_slug, channel, ids)
        audit.record(
            session,
            actor_channel=channel,
            actor_id=actor_id,
            school_slug=school_slug,
            action="overview" if roles else "denied",
            detail="counts only, this term" if roles else "overview: holds no safeguarding role at this school",
            at=now,
        )
    if not roles:
        return renderer.text(REFUSAL)
    figures = await gather(sessions, school_slug, first_day, last_day, roles=roles, now=now, gaps_since=first_day)
    return renderer.summary(overview_summary(figures))
