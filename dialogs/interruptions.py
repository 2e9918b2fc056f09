"""Interruptions: what a member of staff may say at any step of a report, handled before the step.

As botbuilder's CancelAndHelpDialog does, one hook (`interrupt`) looks at every message before
the prompt does:
  cancel (asks to confirm) | help (step help, re-prompt) | back (re-ask the previous answer) |
  start again | a file or image (refused, with why) | a button from an older card | a question
  ("can I screenshot it?", "what do i do with the phone"): answered from the flow's own guidance
  (dialogs.guidance) when it matches, else by the Assistant from the policy, then the same step
  is re-prompted ("keep it" records it as the answer at a free-text step; never at all at a
  verbatim step) | the first message after a long time away (AWAY_AFTER): not recorded until
  the reporter says it answers the waiting question, since it may be about something else (a new
  child's disclosure must never land in yesterday's report as the answer to its question).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogContext, DialogTurnResult, DialogTurnStatus
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import ActivityTypes

from dialogs import guidance
from dialogs.inputs import adopt_button_text, flow_command, has_attachment
from dialogs.progress import ReportProgress, progress_of
from dialogs.prompting import ANSWER, CANCEL_OPTIONS, Prompting, renderer_of, say
from dialogs.submitting import Submitting
from dialogs.validation import looks_like_policy_question, match_option, reads_as_question

log = logging.getLogger(__name__)

ASK = "ask"  # the question waterfall's dialog id: "back" and "start again" begin it anew
KEEP_IT = ("keep it", "keep that", "use that", "that was my answer")
# Longer than a lesson and the gaps of a school day: after this, a report's next message may be
# about something else, so it is held (not recorded) until the reporter says it is an answer.
AWAY_AFTER = timedelta(hours=3)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _says_keep_it(text: str) -> bool:
    """ "keep it": the held message is the answer after all."""
    return text.strip().lower().rstrip(".!") in KEEP_IT


LOCKED_NOTE = (
    "The urgent alert ({reference}) has already gone on that answer, so it can't be changed here. "
    "If it was wrong, tell the safeguarding lead in person. Carrying on:"
)

COMMANDS_HELP = (
    "At any question you can reply 'back' to change your previous answer, 'start again', "
    "'cancel', or ask me a question; your report waits for you."
)


class Interruptions(Prompting, Submitting):
    """The part of ReportFlow that handles what may be said at any step, before the step's prompt."""

    guide: ClassVar[tuple[guidance.Guidance, ...]]

    async def interrupt(self, inner_dc: DialogContext) -> DialogTurnResult | None:
        """Deal with this message if it is not an answer to the step; None lets the step's prompt have it."""
        context = inner_dc.context
        if context.activity.type != ActivityTypes.message:
            return None
        progress = progress_of(context, inner_dc.parent.active_dialog.state, self.services.cipher)
        if has_attachment(context.activity):
            await say(context, self.attachment_refusal(progress))
            return await self._reprompt(inner_dc)
        if self._is_stale_button(context.activity.value, progress):
            await say(context, "That button belongs to an earlier question, so I haven't used it.")
            return await self._reprompt(inner_dc)
        text = adopt_button_text(context.activity)
        if self._back_after_a_while(progress) and self._may_be_about_something_else(context, progress, text):
            progress.held = text
            await say(context, self._welcome_back())
            return await self._reprompt(inner_dc)
        if progress.at == "confirm_cancel":
            choice = match_option(text, CANCEL_OPTIONS)
            if choice == "yes":
                return await self._cancel(inner_dc, progress)
            if choice == "no":
                progress.at, progress.resume_at = progress.resume_at, None
                await say(context, "Carrying on with your report.")
            return None
        if progress.held and _says_keep_it(text):
            context.activity.text, progress.held = progress.held, None
            return None
        command = flow_command(text)
        if command == "cancel":
            return await self._offer_cancel(inner_dc, progress)
        if command == "help":
            await say(context, self._help_text(progress))
            return await self._reprompt(inner_dc)
        if command == "back":
            return await self._back(inner_dc, progress)
        if command == "restart":
            return await self._restart(inner_dc, progress)
        if await self._answered_question(context, progress, text):
            return await self._reprompt(inner_dc)
        return None

    @staticmethod
    def _back_after_a_while(progress: ReportProgress) -> bool:
        """Whether the reporter's last message in this report was AWAY_AFTER ago; notes this one."""
        now = utc_now()
        last, progress.last_seen = progress.last_seen, now.isoformat()
        try:
            return last is not None and now - datetime.fromisoformat(last) >= AWAY_AFTER
        except ValueError:  # not a time this code wrote: treat as away, the safe side
            return True

    @staticmethod
    def _may_be_about_something_else(context: TurnContext, progress: ReportProgress, text: str) -> bool:
        """Typed words at a question or the summary; a button, a command or "keep it" is meant for the report."""
        typed = context.activity.value is None and bool(text.strip())
        return typed and progress.at in ("question", "review") and not flow_command(text) and not _says_keep_it(text)

    def _welcome_back(self) -> str:
        return (
            f"Welcome back. Your {self.title.lower()} isn't finished, so I haven't recorded what you just "
            "sent. If it was your answer to the question below, reply 'keep it' and I'll record it exactly "
            "as you typed it. If it's about something new, finish this report or reply 'cancel', then tell "
            "me again. If a child is in danger now, call 999."
        )

    def _is_stale_button(self, value, progress: ReportProgress) -> bool:
        """A choice button from an older card: its option is not one this step offers."""
        if not isinstance(value, dict) or value.get("action") != "choice":
            return False
        choice = str(value.get("choice") or "")
        if flow_command(choice):
            return False
        return choice not in {option.key for option in self._offered(progress)}

    def attachment_refusal(self, progress: ReportProgress) -> str:
        return (
            "I can't accept files or images in a report, so that one has not been kept. "
            "Please describe things in words instead. Never photograph injuries, and never "
            "view, copy, forward or save images of children."
        )

    async def _reprompt(self, inner_dc: DialogContext) -> DialogTurnResult:
        await inner_dc.reprompt_dialog()
        return DialogTurnResult(DialogTurnStatus.Waiting)

    def _help_text(self, progress: ReportProgress) -> str:
        question = self._by_key.get(progress.asking or "")
        step_help = self.help_for(question) if progress.at == "question" else ""
        if progress.at == "review":
            step_help = "Check the summary: press Submit to send it, or Change an answer to fix something."
        return "\n".join(part for part in (step_help, COMMANDS_HELP) if part)

    async def _offer_cancel(self, inner_dc: DialogContext, progress: ReportProgress) -> DialogTurnResult:
        # Pushed on top of the current prompt: "no" ends it and that prompt is asked again.
        progress.resume_at = progress.at
        progress.at = "confirm_cancel"
        await inner_dc.begin_dialog(ANSWER, PromptOptions(validations={"ask": "confirm_cancel"}))
        return DialogTurnResult(DialogTurnStatus.Waiting)

    async def _cancel(self, inner_dc: DialogContext, progress: ReportProgress) -> DialogTurnResult:
        await inner_dc.cancel_all_dialogs()
        await self._clear_draft(inner_dc.context)
        log.info("report cancelled", extra={"flow": self.kind})
        await self._withdraw_summaries(inner_dc.context, progress, "Report summary removed: the report was cancelled.")
        message = "Report cancelled. Nothing was saved and your answers have been deleted."
        if progress.reference:
            message = (
                f"Report cancelled. The urgent alert already sent ({progress.reference}) stays "
                "with the DSL; please speak to them in person."
            )
        await say(inner_dc.context, message + self.after_cancel_advice())
        return DialogTurnResult(DialogTurnStatus.Complete, {"cancelled": True, "kind": self.kind})

    def after_cancel_advice(self) -> str:
        return " If you are worried about a child, tell the DSL today."

    async def _back(self, inner_dc: DialogContext, progress: ReportProgress) -> DialogTurnResult:
        history = progress.history
        if not history:
            await say(inner_dc.context, "This is the first question, so there is nothing to go back to.")
            return await self._reprompt(inner_dc)
        if history[-1] in progress.locked:
            await say(inner_dc.context, LOCKED_NOTE.format(reference=progress.reference))
            return await self._reprompt(inner_dc)
        key = history.pop()
        progress.answers.pop(key, None)
        await inner_dc.cancel_all_dialogs()
        await say(inner_dc.context, "Going back one question.")
        return await inner_dc.begin_dialog(ASK)

    async def _restart(self, inner_dc: DialogContext, progress: ReportProgress) -> DialogTurnResult:
        await inner_dc.cancel_all_dialogs()
        progress.restart()
        await say(
            inner_dc.context,
            "Starting this report again." if progress.locked else "Starting this report again from the first question.",
        )
        return await inner_dc.begin_dialog(ASK)

    async def _answered_question(self, context: TurnContext, progress: ReportProgress, text: str) -> bool:
        """Answer a question asked mid-report; the caller then re-asks the same step.

        The flow's own guidance comes first: "can I screenshot it as evidence?" in a nudes report
        has one right answer (no, never), which the school's social-media policy rarely states.
        Only when no guidance entry matches well does the Assistant answer from the policy: at a
        choice step any question (it can't be an answer there), at a free-text step only a clear
        "Can I ...?" (anything else there is more likely the answer itself). The question is never
        recorded as the answer; at a free-text step it is held, and "keep it" records it. At a
        verbatim step nothing is answered: the child's own words may well be a question.
        """
        at = progress.at
        question = self._by_key.get(progress.asking or "") if at == "question" else None
        if question is not None and question.verbatim:
            return False
        offered = self._offered(progress)
        if not reads_as_question(text) or (offered and match_option(text.rstrip(" ?"), offered) is not None):
            return False  # "yes?" at a yes/no step is an unsure answer: the step's own check handles it
        entry = guidance.match(text, self.guide)
        if entry is not None:
            log.info("guidance answered mid-report", extra={"flow": self.kind, "topic": entry.topic})
            await say(context, entry.answer)
        elif not await self._answered_from_policy(context, progress, text, loose=bool(offered)):
            return False
        if question is not None and not question.options:
            progress.held = text  # nothing typed is lost, even when we guessed wrong
            await say(
                context,
                "Back to your report. (If that was your answer to this question, "
                "reply 'keep it' and I'll record it exactly as you typed it.)",
            )
        else:
            await say(context, "Back to your report.")
        return True

    async def _answered_from_policy(
        self, context: TurnContext, progress: ReportProgress, text: str, loose: bool
    ) -> bool:
        """The Assistant's answer from the school's policy, when there is an Assistant to ask."""
        assistant = self.services.assistant
        if assistant is None or not (loose or looks_like_policy_question(text)):
            return False
        answer = assistant.answer(text, progress.school)
        log.info("policy question answered mid-report", extra={"flow": self.kind, "answer_kind": answer.kind})
        if answer.starts_report:  # about the very situation being reported: no FAQ content, ever
            await say(
                context,
                "That's part of what you're reporting, so the DSL will advise on it rather than "
                "the policy. Type 'help' for what to do now.",
            )
        else:
            await context.send_activity(renderer_of(context).answer(answer))
        return True
