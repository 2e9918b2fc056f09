"""What the core asks a channel to show, and the button actions every channel sends back.

The turn loop and the report flows build channel-neutral objects (an `Answer`, a question
with its buttons, a report summary, an alert) and hand them to a `Renderer`, which turns them into a botbuilder `Activity` for its
channel: an Adaptive Card in Teams, Block Kit in Slack, plain text in the terminal and
in tests. Implementations live in `adapters/`; `PlainRenderer` here is the fallback
every channel understands.

Buttons send back an activity with no text and a `value` dict whose "action" is one of
ACTIONS; the turn loop treats that exactly like the typed command it stands for.

A `value` comes from outside, though: anyone can post a Teams activity or a signed Slack
press with `{"action": "report_concern", "kind": [1]}`. `button_value()` accepts only the
shapes our own buttons send, so a wrong type is treated as the unknown input it is (the
same clear reply as unrecognised text), never as "Sorry, something went wrong".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from botbuilder.schema import Activity, ActivityTypes

if TYPE_CHECKING:  # the Assistant's answer (bot.conversation.answers): named for the type checker, never imported
    from bot.conversation.answers import Answer

TEXT = (str,)
TEXT_OR_NONE = (str, type(None))

# value["action"] names sent by card buttons, and the types of the extra keys each carries.
ACTIONS: dict[str, dict[str, tuple[type, ...]]] = {
    "report_concern": {"kind": TEXT_OR_NONE},  # start the reporting flow, perhaps of one kind
    "policy_question": {},  # "it's a policy question": answer the message triage was unsure of
    "choose_intent": {"intent": TEXT_OR_NONE},  # a "Did you mean" choice; intent None = none of these
    "feedback": {"helpful": (bool, str), "intent": TEXT_OR_NONE, "clause_id": TEXT_OR_NONE},
    "acknowledge": {"reference": TEXT},
    "open_report": {"reference": TEXT},
    "overview": {},  # a lead's counts card (bot.oversight.overview)
    "choice": {"choice": TEXT},  # a dialog prompt option pressed as a button
}
REQUIRED = {"acknowledge": ("reference",), "open_report": ("reference",), "choice": ("choice",)}


def button_value(value: object, actions: dict[str, dict[str, tuple[type, ...]]] = ACTIONS) -> dict | None:
    """`value` if it has the shape one of our buttons sends, else None. Keys we never read are ignored."""
    if not isinstance(value, dict) or not isinstance(value.get("action"), str) or value["action"] not in actions:
        return None
    action = value["action"]
    for key, types in actions[action].items():
        if key in value and not isinstance(value[key], types):
            return None
    if any(not value.get(key) for key in REQUIRED.get(action, ())):
        return None
    return value


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
        return _message(f"{answer.reply}\n{answer.notice}" if answer.notice else answer.reply)

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
