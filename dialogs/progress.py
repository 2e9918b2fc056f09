"""How far a report has got: a typed record kept in the flow's own dialog state.

Why one object: the answers, the order they were given (for "back"), the step being asked and
the urgent alert's reference all travel between turns through storage, and "back", "start
again" and "edit a field" are simple changes to them rather than jumps between waterfall steps.

What was typed is stored sealed (encrypted with the reports' cipher) and opened for the turn by
`progress_of`; `seal_progress` seals it again before the turn's state is saved, so the
`bot_state` table and any database driver's debug log only ever see ciphertext.

Reports started before this class existed kept their progress as a plain dict with the same
keys; `progress_of` turns one into a `ReportProgress` the first time it meets it, so a report
under way when the bot was upgraded carries on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from botbuilder.core import TurnContext

PROGRESS_KEY = "assistant.report_progress"  # turn_state: the active flow's progress, for prompt rendering
_OPENED_KEY = "assistant.report_progress_opened"  # turn_state: progress opened this turn, with its cipher
SEALED_FIELDS = ("answers", "held")  # what was typed: encrypted whenever the state is stored


@dataclass
class ReportProgress:
    school: str
    started: str = field(default_factory=lambda: uuid.uuid4().hex)  # one report in one conversation
    answers: dict[str, str] = field(default_factory=dict)  # question key -> answer (an option key or text)
    history: list[str] = field(default_factory=list)  # keys in the order answered: "back" pops the last
    asking: str | None = None  # the question key being asked
    at: str | None = None  # the step: question | review | pick | confirm_cancel
    reference: str | None = None  # the report filed early for an urgent alert, completed by Submit
    held: str | None = None  # a question typed at a free-text step, kept if they say "keep it"
    suggested: dict[str, str] = field(default_factory=dict)  # answers the first message already gave
    summary_ids: list[str] = field(default_factory=list)  # summaries shown, replaced by a receipt later
    urgent_alert: bool = False
    locked: list[str] = field(default_factory=list)  # answers that decided who an urgent alert went to
    resume_at: str | None = None  # the step to go back to when "cancel?" is answered "no"
    sealed: str | None = None  # answers and held, encrypted, while stored
    last_seen: str | None = None  # UTC (ISO 8601) of the reporter's last message in this report

    @classmethod
    def from_stored(cls, stored: dict) -> ReportProgress:
        """A progress dict of a report started before this class (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {key: value for key, value in stored.items() if key in known}
        for key in ("answers", "suggested"):
            values[key] = dict(values.get(key) or {})
        for key in ("history", "summary_ids", "locked"):
            values[key] = list(values.get(key) or [])
        values["urgent_alert"] = bool(values.get("urgent_alert"))
        return cls(**values)

    def restart(self) -> None:
        """ "Start again": the answers go, except those that decided who an urgent alert went to."""
        self.answers = {key: self.answers[key] for key in self.locked if key in self.answers}
        self.history = list(self.locked)
        self.asking = self.at = self.held = self.resume_at = None
        self.suggested, self.summary_ids = {}, []


def progress_of(context: TurnContext, state: dict, cipher=None) -> ReportProgress:
    """The report's progress kept under "report" in a flow's dialog instance `state`, opened for this turn."""
    progress = state["report"]
    if isinstance(progress, dict):  # kept by an older version of the bot
        progress = state["report"] = ReportProgress.from_stored(progress)
    if progress.sealed is not None:
        if cipher is None:
            raise RuntimeError("this report's answers are sealed but no cipher was given to open them")
        typed = json.loads(cipher.decrypt_text(progress.sealed.encode("ascii")))
        progress.answers = dict(typed.get("answers") or {})
        progress.held = typed.get("held")
        progress.sealed = None
    opened = context.turn_state.setdefault(_OPENED_KEY, [])
    if not any(item is progress for item, _ in opened):
        opened.append((progress, cipher))
    context.turn_state[PROGRESS_KEY] = progress
    return progress


def seal_progress(context: TurnContext) -> None:
    """Seal every report progress opened this turn; the turn loop calls it before saving state."""
    for progress, cipher in context.turn_state.pop(_OPENED_KEY, []):
        if cipher is None or progress.sealed is not None:
            continue
        typed = {key: value for key, value in asdict(progress).items() if key in SEALED_FIELDS}
        progress.sealed = cipher.encrypt_text(json.dumps(typed)).decode("ascii")  # ASCII: any text survives
        progress.answers, progress.held = {}, None
