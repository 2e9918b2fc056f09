"""The overview reaches Teams as an Adaptive Card and Slack as Block Kit like any summary, its
buttons open reports, the alert's Overview button survives Slack's string values, and an answer's
"overdue for review" note shows on both channels."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

from adapters.rendering import renderer_for
from bot.conversation.answers import Answer
from bot.oversight.figures import Figures, Waiting
from bot.oversight.overview import overview_summary
from bot.oversight.review_dates import ReviewDate
from dialogs.rendering import AlertCard, button_value

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIGURES = Figures(
    school_slug="ringway",
    school_name="Ringway Primary School",
    first_day=date(2026, 9, 1),
    last_day=NOW.date(),
    now=NOW,
    open_by_kind={"disclosure": {"urgent": 1, "high": 0, "normal": 0}},
    unfinished_drafts=0,
    waiting=(Waiting("RIN-2026-0007", "disclosure", "urgent", NOW - timedelta(minutes=95), timedelta(minutes=95)),),
    reports=1,
    by_kind={"disclosure": 1},
    by_urgency={"urgent": 1},
    by_month={},
    ack_minutes=(),
    ack_buckets={},
    escalated=0,
    escalated_to={},
    escalated_by_month={},
    by_year_group={},
    gaps=(),
    review=ReviewDate("ringway", "March 2019", date(2019, 3, 31), "policy"),
)


def test_the_overview_is_a_teams_card_of_facts_with_a_button_to_the_report_waiting_longest():
    (attachment,) = renderer_for("msteams").summary(overview_summary(FIGURES)).attachments
    card = attachment.content
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Open reports"] == "1: disclosure 1 (1 urgent)"
    assert facts["Not yet acknowledged (oldest first)"] == "RIN-2026-0007 (disclosure, urgent) waiting 1 h 35 min"
    assert facts["Policy review"] == "OVERDUE: was due in March 2019"
    assert [a["data"] for a in card["actions"]] == [{"action": "open_report", "reference": "RIN-2026-0007"}]


def test_slack_shows_the_overview_and_the_alerts_overview_button_comes_back_as_the_command():
    (attachment,) = renderer_for("slack").summary(overview_summary(FIGURES)).attachments
    text = json.dumps(attachment.content)
    assert "Safeguarding overview: Ringway Primary School" in text and "OVERDUE" in text
    (alert,) = (
        renderer_for("slack")
        .alert(AlertCard("Ringway", "disclosure", "urgent", "RIN-2026-0007", "Mr Tom Reyes", "2026-12-01 07:25 UTC"))
        .attachments
    )
    values = [json.loads(e["value"]) for b in alert.content if b["type"] == "actions" for e in b["elements"]]
    assert {"action": "overview"} in values and button_value({"action": "overview"}) == {"action": "overview"}


def test_an_answers_overdue_note_shows_on_teams_and_slack():
    answer = Answer(
        question="q",
        kind="answer",
        school_slug="ringway",
        school_name="Ringway",
        policy_title="Policy",
        reply="No.",
        verdict="no",
        summary="No.",
        notice="This policy was due for review in March 2019.",
    )
    (teams,) = renderer_for("msteams").answer(answer).attachments
    assert {
        "type": "TextBlock",
        "text": answer.notice,
        "wrap": True,
        "id": "notice",
        "size": "Small",
        "isSubtle": True,
        "color": "Warning",
    } in teams.content["body"]
    (slack,) = renderer_for("slack").answer(answer).attachments
    assert answer.notice in json.dumps(slack.content)
    plain = renderer_for("console").answer(answer)
    assert plain.text == "No.\nThis policy was due for review in March 2019."
    assert renderer_for("console").answer(dataclasses.replace(answer, notice="")).text == "No."
