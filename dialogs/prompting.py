"""Asking: how a flow's step is shown in the channel and how the reply to it is checked.

One prompt (`AnswerPrompt`) serves every step; only the step's key is stored in dialog state and
the text is rendered again each time from the flow, so a resumed conversation is shown in
whatever channel it continues in. A step is a question (or its "It sounds like: X. Is that
right?" when the first message suggested an answer), the review, the pick of an answer to
change, or "cancel this report?".
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botbuilder.core import TurnContext
from botbuilder.dialogs.prompts import PromptValidatorContext, TextPrompt

from dialogs.progress import PROGRESS_KEY, ReportProgress
from dialogs.questions import Question, Questionnaire
from dialogs.rendering import Button, PlainRenderer, Prompt, Renderer, Summary
from dialogs.validation import YES_NO, Checked, Option, check_choice, match_option

if TYPE_CHECKING:
    from dialogs.flow import ReportFlow

log = logging.getLogger(__name__)

RENDERER_KEY = "assistant.renderer"  # turn_state slot the turn loop fills with the channel's Renderer
ANSWER = "answer"  # the prompt's dialog id

REVIEW_OPTIONS = (
    Option("submit", "Submit", ("send", "confirm", "yes", "submit report", "send it")),
    Option("edit", "Change an answer", ("edit", "change", "edit a field", "amend")),
    Option("cancel", "Cancel", ()),
)
CANCEL_OPTIONS = (
    Option("yes", "Yes, cancel the report", YES_NO[0].synonyms + ("cancel",)),
    Option("no", "No, carry on", YES_NO[1].synonyms + ("carry on", "continue")),
)


def renderer_of(context: TurnContext) -> Renderer:
    return context.turn_state.get(RENDERER_KEY) or PlainRenderer()


async def say(context: TurnContext, text: str) -> None:
    await context.send_activity(renderer_of(context).text(text))


class AnswerPrompt(TextPrompt):
    """A text prompt that renders itself from the flow (so only a key is stored in state)."""

    def __init__(self, flow: ReportFlow):
        super().__init__(ANSWER, flow.validate_answer)
        self._flow = flow

    async def on_prompt(self, turn_context, state, options, is_retry):
        ask = _validations(options)
        problem = state.pop("problem", "") if is_retry else ""
        progress = turn_context.turn_state.get(PROGRESS_KEY) or ReportProgress("")
        sent = await turn_context.send_activity(self._flow.render(turn_context, ask, progress, problem))
        if ask.get("ask") == "review" and getattr(sent, "id", None):
            progress.summary_ids.append(sent.id)  # replaced by a receipt later


def _validations(options) -> dict:
    if isinstance(options, dict):
        return options.get("validations") or {}
    return getattr(options, "validations", None) or {}


class Prompting(Questionnaire):
    """The part of ReportFlow that renders its steps and checks the replies."""

    def render(self, context: TurnContext, ask: dict, progress: ReportProgress, problem: str = ""):
        renderer = renderer_of(context)
        what = ask.get("ask")
        if what == "question":
            question = self._by_key[ask["key"]]
            suggested = progress.suggested.get(question.key)
            if suggested:
                text = f"{question.text} It sounds like: {question.shown(suggested)}. Is that right?"
                return renderer.prompt(
                    Prompt(text=f"{problem}\n\n{text}" if problem else text, buttons=_buttons(YES_NO))
                )
            text = f"{problem}\n\n{question.text}" if problem else question.text
            return renderer.prompt(
                Prompt(text=text, buttons=_buttons(question.options), guidance="" if problem else question.guidance)
            )
        if what == "review":
            note = "Check your answers. Nothing is sent until you press Submit."
            if problem:
                note = f"{problem}\n{note}"
            return renderer.summary(
                Summary(
                    title=self.title,
                    fields=self.summary_fields(progress.answers),
                    buttons=_buttons(REVIEW_OPTIONS),
                    note=note,
                )
            )
        if what == "pick":
            text = "Which answer do you want to change?"
            return renderer.prompt(
                Prompt(text=f"{problem}\n\n{text}" if problem else text, buttons=_buttons(self._pick_options(progress)))
            )
        if what == "confirm_cancel":
            text = "Cancel this report? Your answers will be deleted and nothing will be sent."
            if progress.reference:
                text = (
                    "Cancel the rest of this report? The urgent alert already sent "
                    f"({progress.reference}) stays with the DSL."
                )
            return renderer.prompt(
                Prompt(text=f"{problem}\n\n{text}" if problem else text, buttons=_buttons(CANCEL_OPTIONS))
            )
        raise ValueError(f"unknown prompt {what!r}")

    def _pick_options(self, progress: ReportProgress) -> tuple[Option, ...]:
        """Answers that can still be changed: not those that decided who an urgent alert went to."""
        answered = self.visible_answers(progress.answers)
        locked = set(progress.locked)
        return tuple(Option(q.key, q.label) for q in self.questions if q.key in answered and q.key not in locked)

    def _options_for(self, ask: dict, progress: ReportProgress) -> tuple[Option, ...] | None:
        what = ask.get("ask")
        if what == "review":
            return REVIEW_OPTIONS
        if what == "pick":
            return self._pick_options(progress)
        if what == "confirm_cancel":
            return CANCEL_OPTIONS
        return None

    def _offered(self, progress: ReportProgress) -> tuple[Option, ...]:
        """The choices the current step shows (Yes/No while confirming a suggestion); () for free text."""
        at = progress.at
        if at == "question":
            key = progress.asking or ""
            return YES_NO if progress.suggested.get(key) else self._by_key[key].options
        return self._options_for({"ask": at}, progress) or ()

    def _check_suggested(self, question: Question, text: str | None, progress: ReportProgress) -> Checked:
        """The reply to "It sounds like: X. Is that right?": yes takes X, no asks the question in full,
        and naming another option outright takes that one."""
        suggested = progress.suggested
        reply = match_option(text, YES_NO)
        if reply == "yes":
            return Checked(True, value=suggested[question.key])
        if reply == "no":
            del suggested[question.key]
            return Checked(False, problem="")  # re-prompted: the full question and its options
        named = None if (text or "").strip().isdecimal() else match_option(text, question.options)
        return Checked(True, value=named) if named else check_choice(text, YES_NO)

    async def validate_answer(self, prompt_context: PromptValidatorContext) -> bool:
        ask = _validations(prompt_context.options)
        text = prompt_context.recognized.value if prompt_context.recognized.succeeded else None
        progress = prompt_context.context.turn_state.get(PROGRESS_KEY) or ReportProgress("")
        if ask.get("ask") == "question":
            question = self._by_key[ask["key"]]
            if progress.suggested.get(question.key):
                checked = self._check_suggested(question, text, progress)
            else:
                checked = question.check(text)
                suggested = self.suggest(text or "").get(question.key) if question.options and not checked.ok else None
                if suggested:  # "a nude pic" at "what kind of incident?": confirm rather than refuse
                    progress.suggested[question.key] = suggested
                    checked = Checked(False, problem="")
        else:
            checked = check_choice(text, self._options_for(ask, progress) or ())
        if checked.ok:
            prompt_context.recognized.value = checked.value
            return True
        prompt_context.state["problem"] = checked.problem
        log.info("report answer re-prompted", extra={"flow": self.kind, "step": ask.get("key") or ask.get("ask")})
        return False


def _buttons(options: tuple[Option, ...]) -> tuple[Button, ...]:
    return tuple(Button(o.label, {"action": "choice", "choice": o.key}) for o in options)
