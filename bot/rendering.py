"""What the core asks a channel to show, and the button actions every channel sends back.

The turn loop builds channel-neutral objects (an `Answer`, a report summary, an alert)
and hands them to a `Renderer`, which turns them into a botbuilder `Activity` for its
channel: an Adaptive Card in Teams, Block Kit in Slack, plain text in the terminal and
in tests. Implementations live in `adapters/`; `PlainRenderer` here is the fallback
every channel understands.

Buttons send back an activity with no text and a `value` dict whose "action" is one of
ACTIONS; the turn loop treats that exactly like the typed command it stands for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from botbuilder.schema import Activity, ActivityTypes

from bot.answers import Answer

# value["action"] names sent by card buttons, and the extra keys each carries.
ACTIONS = {
    "report_concern": (),  # start the reporting flow (value may carry "kind")
    "policy_question": (),  # "it's a policy question": answer the message triage was unsure of
    "choose_intent": ("intent",),  # a "Did you mean" choice; intent None = none of these
    "feedback": ("helpful", "intent", "clause_id"),
    "acknowledge": ("reference",),
    "open_report": ("reference",),
    "choice": ("choice",),  # a dialog prompt option pressed as a button
}


@dataclass(frozen=True)
class Button:
    label: str
    value: dict  # e.g. {"action": "acknowledge", "reference": "OAK-2026-0042"}


@dataclass(frozen=True)
class Prompt:
    """A question in a guided flow, optionally with buttons for its answers."""
    text: str
    buttons: tuple[Button, ...] = ()
    guidance: str = ""  # coaching shown with the question ("don't ask leading questions")


@dataclass(frozen=True)
class Summary:
    """A report summary for confirmation, or a report's full view for a DSL."""
    title: str
    fields: tuple[tuple[str, str], ...]
    buttons: tuple[Button, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class AlertCard:
    """A DSL alert: minimal by design, no child details."""
    school_name: str
    kind: str
    urgency: str
    reference: str
    reporter: str
    created_at: str
    escalated: bool = False
    buttons: tuple[Button, ...] = field(default_factory=tuple)


class Renderer(Protocol):
    def answer(self, answer: Answer) -> Activity: ...
    def text(self, text: str) -> Activity: ...
    def prompt(self, prompt: Prompt) -> Activity: ...
    def summary(self, summary: Summary) -> Activity: ...
    def alert(self, alert: AlertCard) -> Activity: ...


def _message(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text)


class PlainRenderer:
    """Plain text with numbered options: the terminal, tests and any unknown channel."""

    def answer(self, answer: Answer) -> Activity:
        return _message(answer.reply)

    def text(self, text: str) -> Activity:
        return _message(text)

    def prompt(self, prompt: Prompt) -> Activity:
        parts = [prompt.guidance, prompt.text] if prompt.guidance else [prompt.text]
        if prompt.buttons:
            parts.append("\n".join(f"  {i}. {b.label}" for i, b in enumerate(prompt.buttons, 1)))
        return _message("\n".join(parts))

    def summary(self, summary: Summary) -> Activity:
        lines = [summary.title, *(f"- {label}: {value}" for label, value in summary.fields)]
        if summary.note:
            lines.append(summary.note)
        if summary.buttons:
            lines.append("Reply with: " + " / ".join(b.label for b in summary.buttons))
        return _message("\n".join(lines))

    def alert(self, alert: AlertCard) -> Activity:
        head = "ESCALATED " if alert.escalated else ""
        return _message(
            f"{head}{alert.urgency.upper()} safeguarding {alert.kind} at {alert.school_name}: "
            f"{alert.reference}, raised by {alert.reporter} at {alert.created_at}. "
            f"Reply 'acknowledge {alert.reference}' or 'show {alert.reference}'."
        )
