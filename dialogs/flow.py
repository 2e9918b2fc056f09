"""The interruption-safe guided report every flow is built on.

A flow (disclosure, incident, concern about an adult) is declared as an ordered tuple of
`Question`s plus a few hooks; `ReportFlow` does the rest with botbuilder-dialogs:

    ReportFlow (ComponentDialog)
      ASK     WaterfallDialog [ask the next unanswered question -> record the answer -> loop]
      REVIEW  WaterfallDialog [summary -> submit | edit a field | cancel]
      ANSWER  AnswerPrompt    (one prompt, re-rendered from the question key; validators in
                               dialogs.validation)

At every step, before the prompt sees the message, `on_continue_dialog` handles:
  cancel (asks to confirm) | help (step help, re-prompt) | back (re-ask the previous
  answer) | start again | a file or image (refused, with why) | a question ("can I screenshot
  it?", "what do i do with the phone"): answered from the flow's own guidance (dialogs.guidance)
  when it matches, else by the Assistant from the policy, then the same step is re-prompted
  ("keep it" records it as the answer at a free-text step; never at all at a verbatim step).

A flow can also suggest an answer from the message that started it ("someone's sharing a
nude pic" -> incident type: nudes): that step then asks "It sounds like: ... Is that right?".

Why this shape: the report's progress is one plain dict (answers, history, where we are)
in the component's dialog state, so it survives a restart through SqlStorage and "back",
"start again" and "edit a field" are simple changes to that dict rather than jumps
between waterfall steps. Prompts store only the question key; the text is re-rendered
on every prompt, so a resumed conversation is shown in whatever channel it continues in.

Nothing typed inside a report is logged: log lines carry the flow, the step key and the
outcome, never an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogContext,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt
from botbuilder.schema import Activity, ActivityTypes

from dialogs import guidance
from dialogs.desk import RecordDesk, Reporter, ReportNotFiled
from dialogs.inputs import adopt_button_text, flow_command, has_attachment
from dialogs.progress import PROGRESS_KEY, ReportProgress, progress_of
from dialogs.rendering import Button, PlainRenderer, Prompt, Renderer, Summary
from dialogs.validation import (
    YES_NO,
    Checked,
    Option,
    check_choice,
    check_free_text,
    looks_like_policy_question,
    match_option,
    reads_as_question,
)

log = logging.getLogger(__name__)

RENDERER_KEY = "assistant.renderer"  # turn_state slot the turn loop fills with the channel's Renderer
ASK, REVIEW, ANSWER = "ask", "review", "answer"

REVIEW_OPTIONS = (
    Option("submit", "Submit", ("send", "confirm", "yes", "submit report", "send it")),
    Option("edit", "Change an answer", ("edit", "change", "edit a field", "amend")),
    Option("cancel", "Cancel", ()),
)
CANCEL_OPTIONS = (
    Option("yes", "Yes, cancel the report", YES_NO[0].synonyms + ("cancel",)),
    Option("no", "No, carry on", YES_NO[1].synonyms + ("carry on", "continue")),
)
KEEP_IT = ("keep it", "keep that", "use that", "that was my answer")

LOCKED_NOTE = (
    "The urgent alert ({reference}) has already gone on that answer, so it can't be changed here. "
    "If it was wrong, tell the safeguarding lead in person. Carrying on:"
)

COMMANDS_HELP = (
    "At any question you can reply 'back' to change your previous answer, 'start again', "
    "'cancel', or ask me a question; your report waits for you."
)


def renderer_of(context: TurnContext) -> Renderer:
    return context.turn_state.get(RENDERER_KEY) or PlainRenderer()


async def say(context: TurnContext, text: str) -> None:
    await context.send_activity(renderer_of(context).text(text))


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


@dataclass
class ReportServices:
    """What a flow needs from the rest of the bot, passed in rather than imported globally."""

    desk: RecordDesk  # bot.report_desk.ReportDesk over the database
    assistant: object | None = None  # bot.assistant.Assistant: .answer(question, school_slug) -> Answer
    cipher: object | None = None  # bot.crypto.ContentCipher: seals typed answers inside dialog state


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


def reporter_of(context: TurnContext) -> Reporter:
    """Who is reporting: taken from the channel, never asked."""
    sender = context.activity.from_property
    return Reporter(
        channel=context.activity.channel_id or "unknown",
        user_id=(getattr(sender, "id", None) or "unknown"),
        name=(getattr(sender, "name", None) or ""),
    )


def conversation_key(context: TurnContext) -> str:
    conversation = context.activity.conversation
    return f"{context.activity.channel_id}/{getattr(conversation, 'id', '') or ''}"


class ReportFlow(ComponentDialog):
    """Base class of the three guided reports; subclasses declare questions and hooks."""

    kind: ClassVar[str]  # its kind's id in bot.kinds (reports.kind), also this dialog's id
    title: ClassVar[str]  # "Disclosure report"
    intro: ClassVar[str] = ""
    questions: ClassVar[tuple[Question, ...]]
    guide: ClassVar[tuple[guidance.Guidance, ...]] = guidance.SHARED  # answers to questions asked mid-report

    def __init__(self, services: ReportServices):
        super().__init__(self.kind)
        self.services = services
        self.add_dialog(WaterfallDialog(ASK, [self._ask_step, self._record_step]))
        self.add_dialog(WaterfallDialog(REVIEW, [self._review_step, self._review_choice_step, self._edit_step]))
        self.add_dialog(AnswerPrompt(self))
        self.initial_dialog_id = ASK
        self._by_key = {q.key: q for q in self.questions}

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

    # --- progress ----------------------------------------------------------------------------
    def _progress(self, dc: DialogContext) -> ReportProgress:
        return progress_of(dc.context, dc.parent.active_dialog.state, self.services.cipher)

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

    # --- rendering ---------------------------------------------------------------------------
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
            checked = check_choice(text, self._options_for(ask, progress))
        if checked.ok:
            prompt_context.recognized.value = checked.value
            return True
        prompt_context.state["problem"] = checked.problem
        log.info("report answer re-prompted", extra={"flow": self.kind, "step": ask.get("key") or ask.get("ask")})
        return False

    # --- the waterfalls ------------------------------------------------------------------------
    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        options = dict(options) if isinstance(options, dict) else {}
        # The message that started the report: read once for a suggested answer, then dropped, since
        # the waterfall stores its options in dialog state (never a child's details in clear).
        first_message = options.pop("first_message", None) or ""
        progress = ReportProgress(options.get("school") or "", reference=options.get("reference"))
        progress.suggested = self.suggest(first_message)
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

    # --- submit ------------------------------------------------------------------------------------
    async def _submit(self, step: WaterfallStepContext, progress: ReportProgress) -> DialogTurnResult:
        context = step.context
        answers = self.visible_answers(progress.answers)
        try:
            filed = await self.services.desk.file(
                reporter=reporter_of(context),
                school_slug=progress.school,
                kind=self.kind,
                category=self.category(answers),
                urgency=self._urgency(progress, answers),
                route_to=self.route_to(answers),
                content=self._content(answers),
                reference=progress.reference,
                submission_id=_submission_id(context, progress),
                conversation_key=conversation_key(context),
            )
        except ReportNotFiled:
            log.warning("report not saved: database unavailable", extra={"flow": self.kind})
            await say(
                context,
                "I couldn't save your report just now: the system isn't answering. "
                "Your answers are kept here. Please press Submit again in a minute. "
                "If a child may be at risk, tell the DSL in person now.",
            )
            return await step.replace_dialog(REVIEW)
        await self._clear_draft(context)
        log.info("report submitted", extra={"flow": self.kind, "reference": filed.reference})
        await self._withdraw_summaries(
            context,
            progress,
            f"Report summary removed from this chat: submitted as {filed.reference} and stored securely.",
        )
        await say(context, self.receipt(filed.reference, answers))
        return await step.end_dialog({"submitted": filed.reference, "kind": self.kind})

    def _urgency(self, progress: ReportProgress, answers: dict) -> str:
        return "urgent" if progress.urgent_alert else self.urgency(answers)

    def _content(self, answers: dict) -> dict:
        """What is stored (encrypted): every answer exactly as typed, with its question."""
        return {
            "kind": self.kind,
            "answers": {
                key: {"question": self._by_key[key].label, "answer": self._by_key[key].shown(value)}
                for key, value in answers.items()
            },
        }

    async def raise_urgent_alert(self, context: TurnContext, progress: ReportProgress) -> str | None:
        """File the report straight away as URGENT, so the alert goes before any further question.

        The same reference is completed by the final submit. Returns None if it could not be saved.
        """
        if progress.reference:
            return progress.reference
        answers = self.visible_answers(progress.answers)
        try:
            filed = await self.services.desk.file(
                reporter=reporter_of(context),
                school_slug=progress.school,
                kind=self.kind,
                category=self.category(answers),
                urgency="urgent",
                route_to=self.route_to(answers),
                content=self._content(answers),
                submission_id=_submission_id(context, progress) + "#urgent",
            )
        except ReportNotFiled:
            log.warning("urgent alert not saved: database unavailable", extra={"flow": self.kind})
            return None
        progress.reference, progress.urgent_alert = filed.reference, True
        progress.locked = list(progress.history)  # these answers decided who was alerted
        log.info("urgent alert raised", extra={"flow": self.kind, "reference": filed.reference})
        return filed.reference

    async def _withdraw_summaries(self, context: TurnContext, progress: ReportProgress, note: str) -> None:
        """Replace the summaries shown in the chat by a one-line receipt: the chat keeps a receipt,
        not the account. Channels that cannot edit messages (the terminal) keep them; we try anyway."""
        shown, progress.summary_ids = progress.summary_ids, []
        for activity_id in shown:
            try:
                await context.update_activity(Activity(id=activity_id, type=ActivityTypes.message, text=note))
            except Exception as exc:  # noqa: BLE001 - best effort: the report itself is already safe
                log.info("summary not withdrawn: %s", type(exc).__name__)

    # --- drafts ------------------------------------------------------------------------------------
    async def _touch_draft(self, context: TurnContext, progress: ReportProgress) -> None:
        try:
            await self.services.desk.touch_draft(
                conversation_key(context), progress.school, self.kind, reporter_of(context)
            )
        except ReportNotFiled:
            log.warning("draft marker not saved", extra={"flow": self.kind})

    async def _clear_draft(self, context: TurnContext) -> None:
        try:
            await self.services.desk.clear_draft(conversation_key(context))
        except ReportNotFiled:
            log.warning("draft marker not cleared", extra={"flow": self.kind})

    # --- interruptions -------------------------------------------------------------------------------
    async def reprompt_dialog(self, context: TurnContext, instance) -> None:
        """Asked by the turn loop after a side action (e.g. a DSL pressed an alert button mid-report)."""
        progress_of(context, instance.state, self.services.cipher)
        await super().reprompt_dialog(context, instance)

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        context = inner_dc.context
        if context.activity.type != ActivityTypes.message:
            return await super().on_continue_dialog(inner_dc)
        progress = self._progress(inner_dc)
        if has_attachment(context.activity):
            await say(context, self.attachment_refusal(progress))
            return await self._reprompt(inner_dc)
        if self._is_stale_button(context.activity.value, progress):
            await say(context, "That button belongs to an earlier question, so I haven't used it.")
            return await self._reprompt(inner_dc)
        text = adopt_button_text(context.activity)
        if progress.at == "confirm_cancel":
            choice = match_option(text, CANCEL_OPTIONS)
            if choice == "yes":
                return await self._cancel(inner_dc, progress)
            if choice == "no":
                progress.at, progress.resume_at = progress.resume_at, None
                await say(context, "Carrying on with your report.")
            return await super().on_continue_dialog(inner_dc)
        if progress.held and text.strip().lower().rstrip(".!") in KEEP_IT:
            context.activity.text, progress.held = progress.held, None
            return await super().on_continue_dialog(inner_dc)
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
        return await super().on_continue_dialog(inner_dc)

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


def _buttons(options: tuple[Option, ...]) -> tuple[Button, ...]:
    return tuple(Button(o.label, {"action": "choice", "choice": o.key}) for o in options)


def _submission_id(context: TurnContext, progress: ReportProgress) -> str:
    """Stable for one report in one conversation, so a retried submit never files twice."""
    return f"{conversation_key(context)}#{progress.school}#{progress.started}"
