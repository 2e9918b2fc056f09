"""Safeguarding leads list, open, acknowledge and close reports from the chat; nobody else can,
in any channel, and every view, change and refusal lands in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.persistence.models import Alert, AuditEntry, Report, RoleAssignment
from bot.records.dsl_commands import REFUSAL, try_handle
from dialogs.rendering import PlainRenderer
from tests.support.alert_fixtures import CIPHER, REPORTER, STAFF, START, seed_school, submit

DSL_ID, DSL_NAME = STAFF["dsl"]


async def say(sessions, text, *, user=DSL_ID, channel="msteams", school="oakfield", name=""):
    activity = await try_handle(
        text,
        channel=channel,
        user_id=user,
        school_slug=school,
        sessions=sessions,
        cipher=CIPHER,
        renderer=PlainRenderer(),
        user_name=name,
        now=START,
    )
    return None if activity is None else activity.text


async def audit_actions(sessions) -> list[tuple[str, str, str | None]]:
    """What the audit log says people did with reports (the reporter's own 'submit' aside)."""
    async with sessions() as session:
        rows = (
            (await session.execute(select(AuditEntry).where(AuditEntry.action != "submit").order_by(AuditEntry.id)))
            .scalars()
            .all()
        )
        return [(row.actor_id, row.action, row.report_reference) for row in rows]


async def test_ordinary_messages_are_not_commands(sessions):
    assert await say(sessions, "can I accept a friend request from a parent?") is None
    assert await say(sessions, {"action": "feedback", "helpful": True}) is None
    assert await audit_actions(sessions) == []


async def test_dsl_lists_opens_acknowledges_and_closes(sessions):
    await seed_school(sessions, "http://127.0.0.1:9/")
    report = await submit(sessions, START)
    ref = report.reference

    listing = await say(sessions, "open reports")
    assert ref in listing and "disclosure" in listing and "Jayden" not in listing

    view = await say(sessions, f"show {ref}")
    assert "Jayden in Year 5" in view and "he said it hurts at home" in view

    assert "Acknowledged" in await say(sessions, {"action": "acknowledge", "reference": ref}, name=DSL_NAME)
    assert "already acknowledged" in await say(sessions, f"acknowledge {ref}")

    assert "note" in await say(sessions, f"close {ref}")  # a note is required
    assert "Closed" in await say(sessions, f"close {ref} with referred to children's social care")
    assert ref not in await say(sessions, "open reports")

    async with sessions() as session:
        stored = await session.get(Report, report.id)
        assert stored.status == "closed" and DSL_ID in stored.closed_by
        assert CIPHER.decrypt_text(stored.close_note) == "referred to children's social care"
        receipts = (await session.execute(select(Alert).where(Alert.purpose == "receipt"))).scalars().all()
        assert [(r.recipient_id, r.status) for r in receipts] == [(REPORTER[0], "pending")]
    actions = [(action, reference) for _, action, reference in await audit_actions(sessions)]
    assert actions == [
        ("list", None),
        ("view", ref),
        ("acknowledge", ref),
        ("acknowledge", ref),
        ("close", ref),
        ("list", None),
    ]


@pytest.mark.parametrize(
    "channel,user",
    [
        ("msteams", REPORTER[0]),  # the member of staff who reported it
        ("slack", "U0TEACHER1"),  # an ordinary Slack user
        ("slack", DSL_ID),  # the DSL's Teams id claimed on another channel
        ("emulator", DSL_ID),  # a channel that cannot vouch for ids
    ],
)
async def test_non_dsl_cannot_list_view_or_acknowledge(sessions, channel, user):
    await seed_school(sessions, "http://127.0.0.1:9/")
    report = await submit(sessions, START)
    ref = report.reference
    for attempt in (
        "open reports",
        f"show {ref}",
        f"acknowledge {ref}",
        f"close {ref} with done",
        {"action": "open_report", "reference": ref},
        {"action": "acknowledge", "reference": ref},
    ):
        reply = await say(sessions, attempt, user=user, channel=channel)
        assert reply == REFUSAL, attempt
        assert "Jayden" not in reply
    async with sessions() as session:
        stored = await session.get(Report, report.id)
        assert stored.status == "new" and stored.acknowledged_at is None
    audit = await audit_actions(sessions)
    assert len(audit) == 6 and {action for _, action, _ in audit} == {"denied"}


async def test_dsl_of_another_school_cannot_see_this_schools_reports(sessions):
    await seed_school(sessions, "http://127.0.0.1:9/")
    async with sessions() as session, session.begin():
        session.add(RoleAssignment(school_slug="stocks-green", role="dsl", channel="msteams", user_id="29:dsl-sg"))
    report = await submit(sessions, START)
    # Asking from their own school: the reference is not found there.
    reply = await say(sessions, f"show {report.reference}", user="29:dsl-sg", school="stocks-green")
    assert "no report" in reply and "Jayden" not in reply
    assert report.reference not in await say(sessions, "open reports", user="29:dsl-sg", school="stocks-green")
    # Claiming to be at Oakfield: they hold no role there.
    assert await say(sessions, f"show {report.reference}", user="29:dsl-sg") == REFUSAL


async def test_concern_about_staff_is_hidden_from_the_dsl(sessions):
    await seed_school(sessions, "http://127.0.0.1:9/")
    report = await submit(sessions, START, kind="adult_concern", route_to="head")
    assert report.reference not in await say(sessions, "open reports")
    assert "no report" in await say(sessions, f"show {report.reference}")
    assert "no report" in await say(sessions, f"acknowledge {report.reference}")
    head_view = await say(sessions, f"show {report.reference}", user=STAFF["head"][0])
    assert "Jayden" in head_view
    assert [a for _, a, _ in await audit_actions(sessions)] == ["list", "denied", "denied", "view"]


async def test_teams_user_recognised_by_aad_object_id(sessions):
    await seed_school(sessions, "http://127.0.0.1:9/")
    async with sessions() as session, session.begin():
        session.add(
            RoleAssignment(
                school_slug="oakfield",
                role="deputy",
                channel="msteams",
                user_id="aad-0b7c-deputy",
                name="Ms Priya Nair",
            )
        )
    report = await submit(sessions, START)
    reply = await say(sessions, "open reports", user=("29:someone-new", "aad-0b7c-deputy"))
    assert report.reference in reply
