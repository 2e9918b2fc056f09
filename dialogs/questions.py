"""What a flow declares: its questions, and the hooks that read the answers.

Why its own module: a flow (dialogs/disclosure.py and the others) is mostly a tuple of
`Question`s and a few hooks (its category, urgency and route, its receipt, coaching after an
answer), and reads best when those can be understood without the machinery that asks them
(dialogs.flow and the modules beside it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from botbuilder.core import TurnContext

from dialogs.validation import Checked, Option, check_choice, check_free_text

if TYPE_CHECKING:
    from dialogs.progress import ReportProgress


@dataclass(frozen=True)
class Question:
    """One step of a flow. `key` names the field in the stored report."""

    key: str
    label: str  # how the field is named in the summary
    text: str
    guidance: str = ""  # coaching shown with the question
    help: str = ""  # what `help` adds at this step
    options: tuple[Option, ...] = ()  # buttons; empty means free text
    verbatim: bool = False  # words exactly as said: never mistaken for a policy question
    when: Callable[[dict], bool] | None = None  # asked only when this holds for the answers so far

    def applies(self, answers: dict) -> bool:
        return self.when is None or self.when(answers)

    def check(self, text: str | None) -> Checked:
        return check_choice(text, self.options) if self.options else check_free_text(text)

    def shown(self, value: str) -> str:
        """The answer as the summary shows it: an option's label, free text as typed."""
        for option in self.options:
            if option.key == value:
                return option.label
        return value


class Questionnaire:
    """A flow's questions and hooks; ReportFlow (dialogs.flow) builds on it."""

    kind: ClassVar[str]  # its kind's id in bot.kinds (reports.kind), also this dialog's id
    title: ClassVar[str]  # "Disclosure report"
    questions: ClassVar[tuple[Question, ...]]
    _by_key: dict[str, Question]  # the questions by key, built once per flow

    # --- hooks for the flows ----------------------------------------------------------------
    def category(self, answers: dict) -> str:
        return ""

    def urgency(self, answers: dict) -> str:
        return "normal"

    def route_to(self, answers: dict) -> str:
        """Whose alerts this report raises; "" leaves it to the kind's usual route (bot.kinds)."""
        return ""

    def receipt(self, reference: str, answers: dict) -> str:
        return f"Submitted: reference {reference}."

    async def after_answer(self, context: TurnContext, progress: ReportProgress, question: Question) -> dict | None:
        """Runs after each answer is recorded; may send coaching. Return {"switch_to": id} to hand over."""
        return None

    def help_for(self, question: Question | None) -> str:
        return question.help if question and question.help else ""

    def suggest(self, text: str) -> dict[str, str]:
        """Answers this text already gives, as {question key: option key}; asked as "Is that right?".

        Called with the message that started the flow and with a typed reply that is not one
        of a choice step's options, so staff aren't made to say again what they just said."""
        return {}

    # --- what follows from the questions --------------------------------------------------------
    def next_question(self, answers: dict) -> Question | None:
        for question in self.questions:
            if question.key not in answers and question.applies(answers):
                return question
        return None

    def visible_answers(self, answers: dict) -> dict:
        """Answers to the questions that still apply (an edit can switch a branch off)."""
        return {q.key: answers[q.key] for q in self.questions if q.key in answers and q.applies(answers)}

    def summary_fields(self, answers: dict) -> tuple[tuple[str, str], ...]:
        shown = self.visible_answers(answers)
        return tuple((q.label, q.shown(shown[q.key])) for q in self.questions if q.key in shown)
