"""Slack Block Kit layouts for the same answer model the Teams cards show.

Slack button `value`s are strings, so each carries the JSON of the same action dict the
Teams card submits; `adapters.slack` turns it back into `activity.value` on the way in,
and the turn loop never knows which channel a button came from.
"""

from __future__ import annotations

import json

from adapters.cards.adaptive import REPORT_CONCERN, alert_buttons, feedback_buttons, without_verdict
from bot.conversation.answers import Answer
from dialogs.rendering import AlertCard, Button, Prompt, Summary

SLACK_TEXT_LIMIT = 3000  # a section's text may hold at most 3,000 characters


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(markdown: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": markdown[:SLACK_TEXT_LIMIT]}}
    if block_id:
        block["block_id"] = block_id
    return block


def context(*markdown: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": m[:SLACK_TEXT_LIMIT]} for m in markdown if m]}


SLACK_VALUE_LIMIT = 2000  # a button's value may hold at most 2,000 characters


def button_value(value: dict) -> str:
    """The action as JSON; a replayed question ("pending") is shortened rather than break the button."""
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    while len(encoded) > SLACK_VALUE_LIMIT and value.get("pending"):
        value = {**value, "pending": value["pending"][: len(value["pending"]) // 2]}
        encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return encoded


def button(item: Button, index: int) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": item.label[:75]},
        "action_id": f"{item.value.get('action', 'choice')}-{index}",
        "value": button_value(item.value),
    }
    if item.value.get("action") == "report_concern":
        element["style"] = "danger"
    return element


def actions(buttons, block_id: str = "actions") -> dict:
    return {"type": "actions", "block_id": block_id, "elements": [button(b, i) for i, b in enumerate(buttons)]}


def quote(text: str) -> str:
    return "\n".join("> " + escape(line) for line in text.splitlines() or [""])


def answer_blocks(answer: Answer) -> list[dict]:
    if answer.kind == "clarify":
        choices = [Button(c.label, {"action": "choose_intent", "intent": c.intent}) for c in answer.choices]
        return [section(escape(answer.reply), "reply"), actions(choices)]
    blocks: list[dict] = []
    if answer.verdict:
        blocks.append(
            {"type": "header", "block_id": "verdict", "text": {"type": "plain_text", "text": answer.verdict_label}}
        )
        if answer.summary:
            blocks.append(section(escape(without_verdict(answer.summary, answer.verdict_label)), "summary"))
    else:
        blocks.append(section(escape(answer.reply), "reply"))
    for clause in answer.clauses:
        blocks.append(section(quote(clause.text), f"clause-{clause.id}"[:255]))
        if clause.section:
            blocks.append(context(f"Section: {escape(clause.section)}"))
    blocks.append(
        context(
            f"*{escape(answer.school_name)}*: {escape(answer.policy_title)}",
            f"Who to ask: {escape(answer.ask)}" if answer.ask else "",
        )
    )
    if answer.notice:
        blocks.append(context(":warning: " + escape(answer.notice)))
    buttons: list[Button] = []
    if answer.kind == "answer":
        blocks.append(context("Was this helpful?"))
        buttons.extend(feedback_buttons(answer))
    buttons.append(REPORT_CONCERN)
    blocks.append(actions(buttons))
    return blocks


def prompt_blocks(prompt: Prompt) -> list[dict]:
    blocks = [context(":warning: " + escape(prompt.guidance))] if prompt.guidance else []
    blocks.append(section(f"*{escape(prompt.text)}*", "question"))
    if prompt.buttons:
        blocks.append(actions(prompt.buttons))
    return blocks


def summary_blocks(summary: Summary) -> list[dict]:
    blocks = [{"type": "header", "block_id": "title", "text": {"type": "plain_text", "text": summary.title[:150]}}]
    fields = [
        {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)}"[:2000]} for label, value in summary.fields
    ]
    for start in range(0, len(fields), 10):  # Slack allows ten fields per section
        blocks.append({"type": "section", "fields": fields[start : start + 10]})
    if summary.note:
        blocks.append(context(escape(summary.note)))
    if summary.buttons:
        blocks.append(actions(summary.buttons))
    return blocks


def alert_blocks(alert: AlertCard) -> list[dict]:
    head = "ESCALATED: " if alert.escalated else ""
    title = f"{head}{alert.urgency.upper()} safeguarding {alert.kind}"
    facts = [
        ("School", alert.school_name),
        ("Reference", alert.reference),
        ("Urgency", alert.urgency),
        ("Raised by", alert.reporter),
        ("At", alert.created_at),
    ]
    return [
        {"type": "header", "block_id": "title", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{escape(v)}"} for k, v in facts if v]},
        actions(alert_buttons(alert)),
    ]
