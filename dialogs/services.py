"""What a report flow is handed by the bot that runs it, rather than importing it globally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from dialogs.desk import RecordDesk


class PolicyAdvisor(Protocol):
    """Answers a question asked mid-report from the school's policy (bot.conversation.assistant.Assistant)."""

    def answer(self, question: str, school_slug: str) -> Any: ...


@dataclass
class ReportServices:
    """What a flow needs from the rest of the bot, passed in rather than imported globally."""

    desk: RecordDesk  # bot.records.report_desk.ReportDesk over the database
    assistant: PolicyAdvisor | None = None  # bot.conversation.assistant.Assistant
    cipher: object | None = None  # bot.persistence.crypto.ContentCipher: seals typed answers inside dialog state
