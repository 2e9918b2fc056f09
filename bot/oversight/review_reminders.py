"""Once a term, the headteacher is reminded that the school's policy is overdue for review.

Why the alert outbox: a reminder is a message to a role holder that must not be lost or sent
twice, which is what the outbox (`bot.alerts.planning`, delivered by `bot.alerts.dispatcher`) already does for
reports. The dispatcher calls `remind_overdue_reviews` on its passes (at most once an hour).
A row in `policy_review_reminders` per school and term is inserted in the same transaction
as the alert rows; a second dispatcher racing to do the same collides on its key and rolls
back, so each head hears it once a term (autumn, spring, summer: `terms`) while it is overdue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.alerts.roles import known_schools
from bot.oversight.review_dates import review_date
from bot.oversight.terms import term_of
from bot.persistence.models import Alert, PolicyReviewReminder, RoleAssignment
from bot.utc import as_utc

PURPOSE = "review_reminder"


def reminder_text(school_name: str, when: str) -> str:
    return (
        f"{school_name}'s safeguarding and social media policy was due for review {when}, and answers "
        "from it now tell staff so. Please arrange its review, then record the next review date "
        "(python app.py school set-review-date). You will be reminded once a term while it is overdue."
    )


async def remind_overdue_reviews(sessions: async_sessionmaker, now: datetime) -> int:
    """Queue this term's reminder for each school whose review has passed; returns alerts queued."""
    now = as_utc(now)
    term = term_of(now)
    async with sessions() as session:
        names = await known_schools(session)
        done = set(
            (
                await session.execute(
                    select(PolicyReviewReminder.school_slug).where(PolicyReviewReminder.term == term.key)
                )
            ).scalars()
        )
        heads = (
            (
                await session.execute(
                    select(RoleAssignment).where(RoleAssignment.role == "head").order_by(RoleAssignment.id)
                )
            )
            .scalars()
            .all()
        )
        due = {}
        for slug in sorted({h.school_slug for h in heads} - done):
            review = await review_date(session, slug)
            if review.overdue(now.date()):
                due[slug] = review
    queued = 0
    for slug, review in due.items():
        text = reminder_text(names.get(slug, slug), review.when)
        try:
            async with sessions() as session, session.begin():
                session.add(PolicyReviewReminder(school_slug=slug, term=term.key, sent_at=now))
                await session.flush()  # another dispatcher got there first: IntegrityError here
                for head in (h for h in heads if h.school_slug == slug):
                    session.add(
                        Alert(
                            purpose=PURPOSE,
                            stage=0,
                            recipient_role="head",
                            recipient_channel=head.channel,
                            recipient_id=head.user_id,
                            payload={"school_slug": slug, "school": names.get(slug, slug), "text": text},
                            status="pending",
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                    queued += 1
        except IntegrityError:
            continue
    return queued
