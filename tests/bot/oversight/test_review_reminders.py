"""The headteacher hears once a term, through the alert outbox, that the policy is overdue for
review: not on every dispatcher pass, not twice when two dispatchers race, again next term, and
never once a new review date is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import select

from adapters.senders import BotFrameworkSender, build_cloud_adapter
from bot.alerts.dispatcher import Dispatcher, ManualClock
from bot.oversight.review_dates import set_review_date
from bot.oversight.review_reminders import remind_overdue_reviews
from bot.persistence.models import Alert
from bot.runtime import build_dispatcher
from bot.settings import Settings
from tests.support.alert_fixtures import STAFF, conversation_of, seed_school

HEAD_ID = STAFF["head"][0]


def dispatcher(sessions, clock) -> Dispatcher:
    settings = Settings(MicrosoftAppId="", MicrosoftAppPassword="", DATABASE_URL="sqlite+aiosqlite://")
    sender = BotFrameworkSender(build_cloud_adapter(settings), settings.microsoft_app_id)
    return build_dispatcher(sessions, {"msteams": sender}, settings=settings, clock=clock)


async def reminders(sessions) -> list[Alert]:
    async with sessions() as session:
        return list((await session.execute(select(Alert).where(Alert.purpose == "review_reminder"))).scalars())


async def test_the_head_is_reminded_once_a_term_while_the_review_is_overdue(sessions, connector):
    await seed_school(sessions, connector.url, school="ringway")  # "To be next reviewed: March 2019"
    clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    running = dispatcher(sessions, clock)

    assert (await running.run_once()).review_reminders == 1
    [message] = connector.in_conversation(conversation_of(HEAD_ID))
    assert message["text"].startswith(
        "Ringway Primary School's safeguarding and social media policy was due for review in March 2019"
    )
    assert connector.in_conversation(conversation_of(STAFF["dsl"][0])) == []  # the head's job

    clock.advance(hours=2)
    assert (await running.run_once()).review_reminders == 0
    clock.advance(days=20)  # still the autumn term, a new dispatcher process
    assert (await dispatcher(sessions, clock).run_once()).review_reminders == 0
    assert len(connector.in_conversation(conversation_of(HEAD_ID))) == 1

    clock.advance(days=40)  # spring term 2027
    assert (await running.run_once()).review_reminders == 1
    assert len(connector.in_conversation(conversation_of(HEAD_ID))) == 2


async def test_two_dispatchers_racing_queue_one_reminder(sessions, connector):
    await seed_school(sessions, connector.url, school="ringway")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    counts = await asyncio.gather(*(remind_overdue_reviews(sessions, now) for _ in range(3)))
    assert sorted(counts) == [0, 0, 1]
    assert [a.recipient_id for a in await reminders(sessions)] == [HEAD_ID]


async def test_no_reminder_once_a_new_review_date_is_set_or_where_none_is_stated(sessions, connector):
    await seed_school(sessions, connector.url, school="ringway")
    await seed_school(sessions, connector.url, school="oakfield")  # states no review date
    async with sessions() as session, session.begin():
        await set_review_date(session, "ringway", date(2027, 3, 31), "head-rowe")
    assert await remind_overdue_reviews(sessions, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0
    assert await reminders(sessions) == []


async def test_the_dispatcher_runs_the_sweep_it_is_handed_at_most_once_an_hour(sessions):
    """bot.alerts knows no oversight: bot.runtime.build_dispatcher hands it the sweep, as it does senders."""
    calls = []

    async def sweep(given, now):
        calls.append(now)
        assert given is sessions
        return 2

    clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    settings = Settings(MicrosoftAppId="", MicrosoftAppPassword="", DATABASE_URL="sqlite+aiosqlite://")
    running = Dispatcher(sessions, {}, clock, settings=settings, review_sweep=sweep)
    assert (await running.run_once()).review_reminders == 2
    clock.advance(minutes=59)
    assert (await running.run_once()).review_reminders == 0
    clock.advance(minutes=1)
    assert (await running.run_once()).review_reminders == 2
    assert calls == [datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 10, 0, tzinfo=UTC)]
    assert (await Dispatcher(sessions, {}, clock, settings=settings).run_once()).review_reminders == 0  # none handed
