"""A scripted autumn term at Oakfield (invented people): 23 reports of every kind, acknowledged
after known delays, some escalated, two reports left unfinished, and questions the policy did
not answer. The oversight tests check the overview and the governors' summary against figures
worked out by hand from this script (see test_scripted_term.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.alerts.planning import Actor, escalate_due
from bot.conversation.gaps import record_gap
from bot.persistence.models import AuditEntry
from bot.records.reports import Reporter, close_report, submit_report, touch_draft
from bot.settings import Settings
from tests.support.alert_fixtures import CIPHER, STAFF, acknowledge, seed_school

SCHOOL = "oakfield"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # when the overview is asked for
REPORTERS = (
    ("29:teacher-reyes", "Mr Tom Reyes"),
    ("29:teacher-farouk", "Mrs Nadia Farouk"),
    ("29:ta-lindqvist", "Miss Freya Lindqvist"),
)
CHILDREN = ("Kacper Wisniewski", "Oliwia Kowalczyk", "Tendai Moyo", "Saoirse Flanagan", "Bartholomew Quince")
PHRASES = (
    "the man in the blue van gave me sweets",
    "my stepdad locks me in the shed",
    "she showed me marks on her arm",
    "they filmed him in the toilets",
    "he gets no tea at home",
    "the coach keeps messaging her on snapchat",
)
GAP_QUESTIONS = (  # (question, times asked)
    ("can staff have a whatsapp group with each other", 4),
    ("is a staff WhatsApp group allowed", 3),
    ("are we allowed to message colleagues in a whatsapp chat", 2),
    ("can I wear a smartwatch in class", 2),
    ("are smart watches allowed for staff", 1),
    ("is it ok to give Oliwia Kowalczyk a lift home", 1),
)
ANSWER_KEY = {"disclosure": "child", "incident": "involved", "adult_concern": "children"}


@dataclass(frozen=True)
class Scripted:
    day: tuple[int, int]  # (month, day) in 2026, made at 10:00 UTC
    kind: str
    urgency: str
    ack_after: int | None  # minutes until a lead acknowledged it; None: still waiting
    escalations: int  # escalation sweeps run before the acknowledgement (at +15 and +30 minutes)
    who: str  # what the reporter wrote about the child or pupils (the year group is read from it)
    route: str = "dsl"
    closed: bool = False


TERM = (
    Scripted((9, 3), "disclosure", "normal", 12, 0, "Kacper Wisniewski, Year 4", closed=True),
    Scripted((9, 10), "disclosure", "urgent", 3, 0, "Oliwia Kowalczyk, Year 4", closed=True),
    Scripted((9, 17), "incident", "high", 9, 0, "two Year 6 pupils, Tendai Moyo and a friend", closed=True),
    Scripted((9, 24), "disclosure", "normal", 45, 0, "Tendai Moyo, Year 6", closed=True),
    Scripted((10, 1), "disclosure", "normal", 30, 0, "Kacper Wisniewski, Year 4", closed=True),
    Scripted((10, 2), "adult_concern", "normal", 20, 0, "Bartholomew Quince in Year 2", route="head", closed=True),
    Scripted((10, 6), "disclosure", "high", 120, 1, "Saoirse Flanagan, Year 6", closed=True),
    Scripted((10, 8), "disclosure", "normal", 25, 0, "Tendai Moyo, Year 6", closed=True),
    Scripted((10, 9), "incident", "normal", 90, 1, "a Year 5 group chat", closed=True),
    Scripted((10, 14), "disclosure", "normal", 50, 0, "Oliwia Kowalczyk, Year 4", closed=True),
    Scripted((10, 20), "disclosure", "normal", 8, 0, "Bartholomew Quince, Year 2", closed=True),
    Scripted((10, 22), "disclosure", "normal", 35, 0, "Kacper Wisniewski, Year 4", closed=True),
    Scripted((10, 29), "incident", "normal", 20, 0, "Year 5", closed=True),
    Scripted((11, 4), "disclosure", "normal", 1560, 2, "Saoirse Flanagan, Year 6"),
    Scripted((11, 6), "incident", "normal", 60, 1, "Year 6"),
    Scripted((11, 11), "disclosure", "urgent", 2, 0, "Tendai Moyo, Year 6"),
    Scripted((11, 13), "adult_concern", "high", 70, 1, "a Year 5 pupil", route="head"),
    Scripted((11, 17), "disclosure", "normal", 40, 0, "not known"),
    Scripted((11, 19), "disclosure", "high", 15, 0, "Oliwia Kowalczyk, Year 4"),
    Scripted((11, 20), "incident", "normal", 5, 0, "not sure"),
    Scripted((11, 24), "disclosure", "normal", None, 0, "Bartholomew Quince, Year 2"),
    Scripted((11, 26), "adult_concern", "normal", 300, 0, "none", route="chair"),
    Scripted((11, 30), "incident", "urgent", None, 0, "Year 5"),
)
ACK_ROLE = {"dsl": "dsl", "head": "head", "chair": "chair"}


def personal_words() -> list[str]:
    """Every name and phrase the scripted term typed: none may appear in the governors' summary."""
    staff = [name for _, name in STAFF.values()] + [name for _, name in REPORTERS]
    words = [*CHILDREN, *PHRASES, *staff]
    words += [part for name in staff + list(CHILDREN) for part in name.split() if len(part) > 3]
    return words


async def play_term(sessions) -> list[str]:
    """Run the term against the database; returns the references made, in order."""
    await seed_school(sessions, "http://127.0.0.1:9/", school=SCHOOL)
    settings = Settings()
    references = []
    for number, item in enumerate(TERM):
        made = datetime(2026, item.day[0], item.day[1], 10, 0, tzinfo=UTC)
        reporter = REPORTERS[number % len(REPORTERS)]
        content = {
            "kind": item.kind,
            "answers": {
                ANSWER_KEY[item.kind]: {"question": "Who", "answer": item.who},
                "words": {"question": "What was said", "answer": PHRASES[number % len(PHRASES)]},
            },
        }
        report = await submit_report(
            sessions,
            CIPHER,
            school_slug=SCHOOL,
            kind=item.kind,
            category="",
            urgency=item.urgency,
            route_to=item.route,
            reporter=Reporter("msteams", *reporter),
            content=content,
            now=made,
        )
        references.append(report.reference)
        for sweep in range(item.escalations):
            await escalate_due(sessions, settings, made + timedelta(minutes=15 * (sweep + 1)))
        if item.ack_after is not None:
            lead_id, lead_name = STAFF[ACK_ROLE[item.route]]
            lead = Actor("msteams", lead_id, lead_name)
            await acknowledge(
                sessions, report.reference, lead, made + timedelta(minutes=item.ack_after), role=ACK_ROLE[item.route]
            )
            if item.closed:
                async with sessions() as session, session.begin():
                    await close_report(
                        session,
                        CIPHER,
                        report.reference,
                        lead,
                        "referred to early help",
                        role=ACK_ROLE[item.route],
                        now=made + timedelta(days=1),
                    )
    for key, kind in (("conv-draft-1", "disclosure"), ("conv-draft-2", "adult_concern")):
        await touch_draft(sessions, key, SCHOOL, kind, Reporter("msteams", *REPORTERS[0]), now=NOW - timedelta(hours=2))
    for question, times in GAP_QUESTIONS:
        for _ in range(times):
            await record_gap(sessions, SCHOOL, question)
    return references


async def audit_of(sessions, action: str) -> list[tuple[str, str, str]]:
    async with sessions() as session:
        rows = (
            (await session.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
            .scalars()
            .all()
        )
    return [(row.actor_id, row.detail, row.actor_channel) for row in rows]
