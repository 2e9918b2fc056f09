"""A scripted term of activity gives an overview card whose every figure is checked here,
worked out by hand from scripted_term.py; only role holders get it, and every ask is audited."""

from __future__ import annotations

from bot.oversight.overview_command import try_handle
from bot.records.dsl_commands import REFUSAL
from dialogs.rendering import PlainRenderer
from tests.bot.oversight.scripted_term import NOW, SCHOOL, audit_of, personal_words, play_term
from tests.support.alert_fixtures import STAFF

DSL, CHAIR = STAFF["dsl"][0], STAFF["chair"][0]


async def overview(sessions, user: str, channel: str = "msteams") -> str:
    reply = await try_handle(
        "overview",
        channel=channel,
        user_id=user,
        school_slug=SCHOOL,
        sessions=sessions,
        renderer=PlainRenderer(),
        now=NOW,
    )
    return reply.text


async def test_the_dsl_overview_of_the_term_states_each_figure(sessions):
    references = await play_term(sessions)
    card = await overview(sessions, DSL)
    waiting_disclosure, waiting_incident = references[20], references[22]
    assert card.splitlines() == [
        "Safeguarding overview: Oakfield Primary School",
        "- Open reports: 8: disclosure 5 (1 urgent, 1 high, 3 normal); online-safety incident 3 (1 urgent, 2 normal)",
        f"- Not yet acknowledged (oldest first): {waiting_disclosure} (disclosure, normal) waiting 6 days 23 h; "
        f"{waiting_incident} (online-safety incident, urgent) waiting 23 h 00 min",
        "- Time to acknowledge, autumn term 2026: median 28 min, 90th percentile 1 h 39 min (18 reports)",
        "- Escalated, autumn term 2026: 4 of 20 reports (3 to the deputies, 1 to the headteacher)",
        "- Reports started but not submitted: 1",
        "- Policy review: no review date stated: set one with `python app.py school set-review-date`",
        "- Questions the policy did not answer: 9 questions like \u201ccan staff have a whatsapp group with each "
        "other\u201d; 3 questions like \u201ccan I wear a smartwatch in class\u201d; 1 question like \u201cis it "
        "ok to give [name] a lift home\u201d",
        "As at 2026-12-01 09:00 UTC. Counts and references only. Say 'open reports' for the list, or "
        "'show REFERENCE' to open one.",
        f"Reply with: Open {waiting_disclosure} / Open {waiting_incident}",
    ]
    assert not any(word in card for word in personal_words())
    assert await audit_of(sessions, "overview") == [(DSL, "counts only, this term", "msteams")]


async def test_the_chair_also_counts_the_concerns_about_adults_and_the_drafts_of_them(sessions):
    await play_term(sessions)
    card = await overview(sessions, CHAIR)
    assert (
        "- Open reports: 10: disclosure 5 (1 urgent, 1 high, 3 normal); online-safety incident 3 "
        "(1 urgent, 2 normal); concern about an adult 2 (1 high, 1 normal)"
    ) in card
    assert "median 30 min, 90th percentile 2 h 00 min (21 reports)" in card
    assert "5 of 23 reports (1 to the chair of governors, 3 to the deputies, 1 to the headteacher)" in card
    assert "- Reports started but not submitted: 2" in card


async def test_staff_without_a_role_are_refused_the_overview_and_it_is_audited(sessions):
    await play_term(sessions)
    for user, channel in (("29:teacher-reyes", "msteams"), (DSL, "slack")):  # a teacher; the DSL's id elsewhere
        assert await overview(sessions, user, channel) == REFUSAL
    assert await audit_of(sessions, "overview") == []
    denied = await audit_of(sessions, "denied")
    assert denied == [
        ("29:teacher-reyes", "overview: holds no safeguarding role at this school", "msteams"),
        (DSL, "overview: holds no safeguarding role at this school", "slack"),
    ]
