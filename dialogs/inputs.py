"""What the user said this turn, whether they typed it or pressed a card button.

Teams and Slack card buttons arrive as a message with no text and a `value` dict (see
`dialogs.rendering.ACTIONS`). Every flow and the turn loop read input through `said()`, so a
button press and the typed words it stands for always behave the same. No botbuilder
import: this reads plain attributes of the incoming activity.
"""

from __future__ import annotations

import re

# Words that steer a guided flow at any step, and the command they mean.
FLOW_COMMANDS = {
    "cancel": "cancel",
    "stop": "cancel",
    "cancel report": "cancel",
    "cancel this report": "cancel",
    "help": "help",
    "?": "help",
    "what do i do": "help",
    "back": "back",
    "go back": "back",
    "previous": "back",
    "undo": "back",
    "start again": "restart",
    "start over": "restart",
    "restart": "restart",
}

REPORT_COMMANDS = ("report a concern", "report concern", "report", "make a report", "raise a concern")


def said(activity) -> str:
    """The user's words: typed text, else the text a card button stands for, else ''."""
    text = getattr(activity, "text", None)
    if text and text.strip():
        return text
    value = getattr(activity, "value", None)
    if not isinstance(value, dict):
        return ""
    action = value.get("action")
    if action == "choice":
        return str(value.get("choice") or "")
    if action == "report_concern":
        return "report a concern"
    if action == "acknowledge" and value.get("reference"):
        return f"acknowledge {value['reference']}"
    if action == "open_report" and value.get("reference"):
        return f"show {value['reference']}"
    if action == "overview":
        return "overview"
    return ""


def adopt_button_text(activity) -> str:
    """Give a button press the text it stands for, so prompts that read `.text` see it."""
    words = said(activity)
    if words and not (getattr(activity, "text", None) or "").strip():
        activity.text = words
    return words


def flow_command(text: str | None) -> str | None:
    """'cancel' | 'help' | 'back' | 'restart' when the whole message is one of those commands."""
    if not text:
        return None
    return FLOW_COMMANDS.get(re.sub(r"\s+", " ", text).strip().lower().rstrip(".!"))


def is_report_command(text: str | None) -> bool:
    if not text:
        return False
    return re.sub(r"\s+", " ", text).strip().lower().rstrip(".!") in REPORT_COMMANDS


def has_attachment(activity) -> bool:
    """Files or images sent with the message (Teams adds a text/html copy of the text: not a file)."""
    for attachment in getattr(activity, "attachments", None) or ():
        content_type = (getattr(attachment, "content_type", "") or "").lower()
        if content_type not in ("text/html", "text/plain") and not content_type.startswith(
            "application/vnd.microsoft.card"
        ):
            return True
        if getattr(attachment, "content_url", None):
            return True
    return False
