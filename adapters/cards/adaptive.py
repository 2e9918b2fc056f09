"""Adaptive Cards (version 1.5, the highest Teams renders) for everything the core shows.

Each function takes one channel-neutral object from `bot.conversation.answers` / `dialogs.rendering` and
returns the card as a plain dict, so tests can read it as data. Every button is an
`Action.Submit` whose `data` is exactly the `value` dict the turn loop understands
(see `dialogs.rendering.ACTIONS`): Teams sends it back as `activity.value` with no text.
"""

from __future__ import annotations

from bot.conversation.answers import Answer
from dialogs.rendering import AlertCard, Button, Prompt, Summary

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Colours Teams themes itself: a red "No" and a green "Yes" read at a glance.
VERDICT_COLOURS = {"yes": "Good", "no": "Attention", "conditional": "Warning", "ask_first": "Warning", "info": "Accent"}

REPORT_CONCERN = Button("Report a concern", {"action": "report_concern"})


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    content = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}
    if actions:
        content["actions"] = actions
    return content


def text_block(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def submit(button: Button) -> dict:
    return {"type": "Action.Submit", "title": button.label, "data": dict(button.value)}


def fact_set(facts: list[tuple[str, str]]) -> dict:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in facts if value]}


def feedback_buttons(answer: Answer) -> tuple[Button, Button]:
    """'Was this helpful?' carries what was answered, never who asked."""
    clause_id = answer.clauses[0].id if answer.clauses else None
    base = {"action": "feedback", "intent": answer.intent, "clause_id": clause_id}
    return (Button("Yes", {**base, "helpful": True}), Button("No", {**base, "helpful": False}))


def without_verdict(summary: str, label: str) -> str:
    """The verdict is already the card's heading: "No. No member of staff..." reads as a stutter."""
    for prefix in (f"{label}. ", f"{label}, ", f"{label}: "):
        if summary.startswith(prefix) and len(summary) > len(prefix):
            return summary[len(prefix) :]
    return summary


def quoted_clause(clause) -> dict:
    """The policy's own words, set apart, with where to find them."""
    items = [text_block(f"\u201c{clause.text}\u201d", id=f"clause-{clause.id}", fontType="Default", isSubtle=False)]
    if clause.lead_in:
        items.insert(0, text_block(clause.lead_in, isSubtle=True, size="Small"))
    if clause.section:
        items.append(text_block(f"Section: {clause.section}", isSubtle=True, size="Small", spacing="Small"))
    return {"type": "Container", "style": "emphasis", "items": items, "spacing": "Medium"}


def answer_card(answer: Answer) -> dict:
    if answer.kind == "clarify":
        return clarify_card(answer)
    body: list[dict] = []
    if answer.verdict:
        body.append(
            text_block(
                answer.verdict_label,
                id="verdict",
                size="Large",
                weight="Bolder",
                color=VERDICT_COLOURS.get(answer.verdict, "Default"),
            )
        )
        if answer.summary:
            body.append(text_block(without_verdict(answer.summary, answer.verdict_label), id="summary"))
    else:
        body.append(text_block(answer.reply, id="reply"))
    body.extend(quoted_clause(c) for c in answer.clauses)
    body.append(fact_set([("Policy", f"{answer.school_name}: {answer.policy_title}"), ("Who to ask", answer.ask)]))
    if answer.notice:
        body.append(text_block(answer.notice, id="notice", size="Small", isSubtle=True, color="Warning"))
    actions = []
    if answer.kind == "answer":
        body.append(text_block("Was this helpful?", size="Small", isSubtle=True, spacing="Medium"))
        actions.extend(submit(b) for b in feedback_buttons(answer))
    actions.append(submit(REPORT_CONCERN))
    return card(body, actions)


def clarify_card(answer: Answer) -> dict:
    """'Did you mean': one button per likely question, plus 'none of these'."""
    body = [text_block(answer.reply, id="reply")]
    actions = [submit(Button(c.label, {"action": "choose_intent", "intent": c.intent})) for c in answer.choices]
    return card(body, actions)


def prompt_card(prompt: Prompt) -> dict:
    body = []
    if prompt.guidance:
        body.append(
            {
                "type": "Container",
                "style": "warning",
                "id": "guidance",
                "items": [text_block(prompt.guidance, size="Small")],
            }
        )
    body.append(text_block(prompt.text, id="question", weight="Bolder"))
    return card(body, [submit(b) for b in prompt.buttons])


def summary_card(summary: Summary) -> dict:
    body = [text_block(summary.title, id="title", size="Medium", weight="Bolder"), fact_set(list(summary.fields))]
    if summary.note:
        body.append(text_block(summary.note, id="note", isSubtle=True))
    return card(body, [submit(b) for b in summary.buttons])


def alert_buttons(alert: AlertCard) -> tuple[Button, ...]:
    if alert.buttons:
        return alert.buttons
    return (
        Button("Open report", {"action": "open_report", "reference": alert.reference}),
        Button("Acknowledge", {"action": "acknowledge", "reference": alert.reference}),
        Button("Overview", {"action": "overview"}),
    )


def alert_card(alert: AlertCard) -> dict:
    """Minimal by design: what, where, how urgent and who raised it; never a child's details."""
    head = "ESCALATED: " if alert.escalated else ""
    urgent = alert.urgency.lower() == "urgent"
    title = f"{head}{alert.urgency.upper()} safeguarding {alert.kind}"
    body = [
        text_block(title, id="title", size="Large", weight="Bolder", color="Attention" if urgent else "Default"),
        fact_set(
            [
                ("School", alert.school_name),
                ("Reference", alert.reference),
                ("Kind", alert.kind),
                ("Urgency", alert.urgency),
                ("Raised by", alert.reporter),
                ("At", alert.created_at),
            ]
        ),
    ]
    return card(body, [submit(b) for b in alert_buttons(alert)])


def welcome_card(school_name: str = "") -> dict:
    where = f" for {school_name}" if school_name else ""
    body = [
        text_block(f"Safeguarding policy assistant{where}", id="title", size="Large", weight="Bolder"),
        text_block(
            "Ask me what your school's social media and safeguarding policy says, in your own words. "
            "I answer with the exact clause and who to ask."
        ),
        text_block(
            'Try: "Can I accept a friend request from a parent?" or "Can I post photos of the class trip?"',
            isSubtle=True,
        ),
        text_block(
            "If a child has told you something worrying, press Report a concern or just tell me: "
            "I will walk you through it and alert your Designated Safeguarding Lead. "
            "If a child is in immediate danger, call 999 first.",
            id="safety",
        ),
    ]
    return card(body, [submit(REPORT_CONCERN)])
