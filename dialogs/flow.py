"""The guided report every flow is built on: a ReportFlow is its questions plus a few hooks.

A flow (disclosure, incident, concern about an adult) is declared as an ordered tuple of
`Question`s (dialogs.questions) plus a few hooks; `ReportFlow` does the rest with
botbuilder-dialogs:

    ReportFlow (ComponentDialog)
      ASK     WaterfallDialog [ask the next unanswered question -> record the answer -> loop]
      REVIEW  WaterfallDialog [summary -> submit | edit a field | cancel]
      ANSWER  AnswerPrompt    (one prompt, re-rendered from the step's key: dialogs.prompting;
                               validators in dialogs.validation)

Its jobs live beside it, one module each: asking and checking (dialogs.prompting), what may be
said at any step (dialogs.interruptions, one hook run before every prompt), filing and drafts
(dialogs.submitting), and the report's typed progress (dialogs.progress).

A flow can also suggest an answer from the message that started it ("someone's sharing a
nude pic" -> incident type: nudes): that step then asks "It sounds like: ... Is that right?".

Why this shape: the report's progress is one record (answers, history, where we are) in the
component's dialog state, so it survives a restart through SqlStorage and "back", "start again"
and "edit a field" are simple changes to it rather than jumps between waterfall steps.

Nothing typed inside a report is logged: log lines carry the flow, the step key and the
outcome, never an answer.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogContext,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions

from dialogs import guidance
from dialogs.interruptions import ASK, Interruptions, utc_now
from dialogs.progress import ReportProgress, progress_of
from dialogs.prompting import ANSWER, AnswerPrompt, say
from dialogs.services import ReportServices
from dialogs.submitting import REVIEW

log = logging.getLogger(__name__)


class ReportFlow(Interruptions, ComponentDialog):
    """Base class of the three guided reports; subclasses declare questions and hooks."""

    intro: ClassVar[str] = ""
    guide: ClassVar[tuple[guidance.Guidance, ...]] = guidance.SHARED  # answers to questions asked mid-report

    def __init__(self, services: ReportServices):
        super().__init__(self.kind)
        self.services = services
        self._by_key = {q.key: q for q in self.questions}
        self.add_dialog(WaterfallDialog(ASK, [self._ask_step, self._record_step]))
        self.add_dialog(WaterfallDialog(REVIEW, [self._review_step, self._review_choice_step, self._edit_step]))
        self.add_dialog(AnswerPrompt(self))
        self.initial_dialog_id = ASK

    # --- progress ----------------------------------------------------------------------------
    def _progress(self, dc: DialogContext) -> ReportProgress:
        return progress_of(dc.context, dc.parent.active_dialog.state, self.services.cipher)

    # --- the waterfalls ------------------------------------------------------------------------
    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        options = dict(options) if isinstance(options, dict) else {}
        # The message that started the report: read once for a suggested answer, then dropped, since
        # the waterfall stores its options in dialog state (never a child's details in clear).
        first_message = options.pop("first_message", None) or ""
        progress = ReportProgress(options.get("school") or "", reference=options.get("reference"))
        progress.suggested = self.suggest(first_message)
        progress.last_seen = utc_now().isoformat()
        if progress.suggested:
            log.info("answer suggested from the first message", extra={"flow": self.kind})
        state = inner_dc.parent.active_dialog.state
        state["report"] = progress
        progress_of(inner_dc.context, state, self.services.cipher)
        log.info("report started", extra={"flow": self.kind})
        await self._touch_draft(inner_dc.context, progress)  # known about from the first moment
        if self.intro:
            await say(inner_dc.context, self.intro)
        return await super().on_begin_dialog(inner_dc, options)

    async def _ask_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        progress = self._progress(step)
        question = self.next_question(progress.answers)
        if question is None:
            return await step.replace_dialog(REVIEW)
        progress.asking, progress.at = question.key, "question"
        return await step.prompt(ANSWER, PromptOptions(validations={"ask": "question", "key": question.key}))

    async def _record_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        progress = self._progress(step)
        question = self._by_key[progress.asking or ""]
        progress.answers[question.key] = step.result
        progress.suggested.pop(question.key, None)  # asked once; "back" or an edit asks it in full
        if question.key not in progress.history:
            progress.history.append(question.key)
        progress.held = None
        await self._touch_draft(step.context, progress)
        outcome = await self.after_answer(step.context, progress, question)
        if outcome and outcome.get("switch_to"):
            await self._clear_draft(step.context)
            return await step.end_dialog(outcome)
        return await step.replace_dialog(ASK)

    async def _review_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        progress = self._progress(step)
        progress.at, progress.asking = "review", None
        return await step.prompt(ANSWER, PromptOptions(validations={"ask": "review"}))

    async def _review_choice_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        progress = self._progress(step)
        if step.result == "submit":
            return await self._submit(step, progress)
        if step.result == "edit":
            progress.at = "pick"
            return await step.prompt(ANSWER, PromptOptions(validations={"ask": "pick"}))
        progress.at = "confirm_cancel"
        return await step.prompt(ANSWER, PromptOptions(validations={"ask": "confirm_cancel"}))

    async def _edit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        progress = self._progress(step)
        key = step.result
        if key in self._by_key:
            progress.answers.pop(key, None)
            if key in progress.history:
                progress.history.remove(key)
            return await step.replace_dialog(ASK)
        return await step.replace_dialog(REVIEW)  # "no, carry on" after a cancel offer

    # --- interruptions: one hook before every prompt (dialogs.interruptions) -----------------------
    async def reprompt_dialog(self, context: TurnContext, instance) -> None:
        """Asked by the turn loop after a side action (e.g. a DSL pressed an alert button mid-report)."""
        progress_of(context, instance.state, self.services.cipher)
        await super().reprompt_dialog(context, instance)

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        interrupted = await self.interrupt(inner_dc)
        return interrupted if interrupted is not None else await super().on_continue_dialog(inner_dc)
