"""Teams cards and Slack blocks, read as data: what a member of staff would see and press."""

from __future__ import annotations

import json

from adapters.cards import adaptive
from adapters.rendering import renderer_for
from bot.conversation.answers import Answer, Choice, QuotedClause
from dialogs.rendering import AlertCard, Button, PlainRenderer, Prompt, Summary

CLAUSE = QuotedClause(
    id="oakfield-12",
    section="Social networking and parents",
    text="Staff must not accept friend requests from parents of pupils.",
    score=0.92,
)
ANSWER = Answer(
    question="can I friend a parent on facebook",
    kind="answer",
    school_slug="oakfield",
    school_name="Oakfield Primary School",
    policy_title="Social Networking Policy",
    reply="No. Staff must not accept friend requests from parents.",
    intent="friend_parent",
    verdict="no",
    summary="Don't accept friend requests from parents.",
    clauses=(CLAUSE,),
    ask="the Headteacher",
)


def card_of(activity):
    (attachment,) = activity.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    return attachment.content


def texts(elements):
    """Every TextBlock text in a card body, containers included, in reading order."""
    for element in elements:
        if element["type"] == "TextBlock":
            yield element["text"]
        yield from texts(element.get("items", []))


def test_teams_answer_card_shows_verdict_quote_section_and_who_to_ask():
    card = card_of(renderer_for("msteams").answer(ANSWER))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    verdict = next(e for e in card["body"] if e.get("id") == "verdict")
    assert verdict["text"] == "No" and verdict["color"] == "Attention"
    quote = next(e for e in card["body"] if e["type"] == "Container")
    assert list(texts(quote["items"])) == [f"\u201c{CLAUSE.text}\u201d", f"Section: {CLAUSE.section}"]
    facts = {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts["Who to ask"] == "the Headteacher"
    assert facts["Policy"] == "Oakfield Primary School: Social Networking Policy"


def test_the_summary_does_not_repeat_the_verdict_heading():
    stutter = Answer(**{**ANSWER.__dict__, "summary": "No. Staff must not accept parents as friends."})
    card = card_of(renderer_for("msteams").answer(stutter))
    assert (
        next(e for e in card["body"] if e.get("id") == "summary")["text"] == "Staff must not accept parents as friends."
    )


def test_teams_answer_buttons_submit_only_action_values():
    card = card_of(renderer_for("msteams").answer(ANSWER))
    actions = {a["title"]: a for a in card["actions"]}
    assert all(a["type"] == "Action.Submit" for a in actions.values())
    assert actions["Yes"]["data"] == {
        "action": "feedback",
        "helpful": True,
        "intent": "friend_parent",
        "clause_id": "oakfield-12",
    }
    assert actions["No"]["data"]["helpful"] is False
    assert actions["Report a concern"]["data"] == {"action": "report_concern"}


def test_did_you_mean_offers_each_choice_as_a_button():
    clarify = Answer(
        question="photos",
        kind="clarify",
        school_slug="oakfield",
        school_name="Oakfield",
        policy_title="Policy",
        reply="Did you mean:",
        choices=(Choice("post_photos", "Posting photos of pupils"), Choice(None, "None of these")),
    )
    card = card_of(renderer_for("msteams").answer(clarify))
    assert [(a["title"], a["data"]) for a in card["actions"]] == [
        ("Posting photos of pupils", {"action": "choose_intent", "intent": "post_photos"}),
        ("None of these", {"action": "choose_intent", "intent": None}),
    ]


def test_a_disclosure_answer_is_never_rendered_as_an_faq_card():
    disclosure = Answer(
        question="a child told me",
        kind="disclosure",
        school_slug="oakfield",
        school_name="Oakfield",
        policy_title="Policy",
        reply="Let's make a report now.",
    )
    for channel in ("msteams", "slack"):
        activity = renderer_for(channel).answer(disclosure)
        assert activity.text == "Let's make a report now." and not activity.attachments


def test_prompt_summary_and_alert_cards_carry_their_actions():
    teams = renderer_for("msteams")
    prompt = card_of(
        teams.prompt(
            Prompt(
                "Is a child in immediate danger?",
                (
                    Button("Yes", {"action": "choice", "choice": "yes"}),
                    Button("No", {"action": "choice", "choice": "no"}),
                ),
                guidance="Listen. Don't ask leading questions.",
            )
        )
    )
    assert next(e for e in prompt["body"] if e.get("id") == "guidance")["style"] == "warning"
    assert [a["data"]["choice"] for a in prompt["actions"]] == ["yes", "no"]

    summary = card_of(
        teams.summary(
            Summary(
                "Check your report",
                (("Child", "Jayden in Year 5"),),
                (Button("Submit", {"action": "choice", "choice": "submit"}),),
            )
        )
    )
    assert summary["body"][1]["facts"] == [{"title": "Child", "value": "Jayden in Year 5"}]

    alert = card_of(
        teams.alert(
            AlertCard(
                "Oakfield Primary School",
                "disclosure",
                "urgent",
                "OAK-2026-0042",
                "Ms Amara Okafor",
                "2026-11-21 10:02",
            )
        )
    )
    assert alert["body"][0]["color"] == "Attention"
    assert [a["data"] for a in alert["actions"]] == [
        {"action": "open_report", "reference": "OAK-2026-0042"},
        {"action": "acknowledge", "reference": "OAK-2026-0042"},
        {"action": "overview"},  # the lead's counts card (issue 14)
    ]


def test_slack_blocks_show_the_same_answer_and_wire_buttons_to_the_same_actions():
    activity = renderer_for("slack").answer(ANSWER)
    (attachment,) = activity.attachments
    assert attachment.name == "blocks"
    blocks = attachment.content
    by_id = {b.get("block_id"): b for b in blocks}
    assert by_id["verdict"]["text"]["text"] == "No"
    assert by_id[f"clause-{CLAUSE.id}"]["text"]["text"] == f"> {CLAUSE.text}"
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert f"Section: {CLAUSE.section}" in contexts and "Who to ask: the Headteacher" in contexts
    teams_actions = [a["data"] for a in card_of(renderer_for("msteams").answer(ANSWER))["actions"]]
    slack_actions = [json.loads(e["value"]) for e in by_id["actions"]["elements"]]
    assert slack_actions == teams_actions
    assert activity.text == ANSWER.reply  # what Slack shows in a notification


def test_slack_escapes_control_characters_in_policy_text():
    clause = QuotedClause(id="c1", section="A & B", text="Use <b> tags & more", score=1.0)
    answer = Answer(
        question="q",
        kind="answer",
        school_slug="s",
        school_name="S",
        policy_title="P",
        reply="r",
        verdict="info",
        clauses=(clause,),
    )
    blocks = renderer_for("slack").answer(answer).attachments[0].content
    quote = next(b for b in blocks if b.get("block_id") == "clause-c1")
    assert quote["text"]["text"] == "> Use &lt;b&gt; tags &amp; more"


def test_unknown_channels_get_plain_text():
    assert isinstance(renderer_for("console"), PlainRenderer)


def test_welcome_card_offers_report_a_concern():
    card = adaptive.welcome_card()
    assert card["version"] == "1.5"
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Report a concern", "data": {"action": "report_concern"}}
    ]


def test_slack_button_values_stay_within_slacks_limit_even_with_a_long_pending_question():
    long_question = '"' * 1500  # every character doubles when escaped as JSON
    prompt = Prompt(
        "Which school are you at?",
        (Button("Ringway Primary School", {"action": "choose_school", "school": "ringway", "pending": long_question}),),
    )
    blocks = renderer_for("slack").prompt(prompt).attachments[0].content
    (element,) = next(b for b in blocks if b["type"] == "actions")["elements"]
    value = json.loads(element["value"])
    assert len(element["value"]) <= 2000
    assert value["school"] == "ringway" and long_question.startswith(value["pending"]) and value["pending"]
