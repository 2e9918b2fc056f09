"""The turn loop: what the assistant does with each message, on every channel.

Order of precedence, because safety comes before convenience:
  1. a guided report already under way continues (it handles its own interruptions);
  2. card actions (feedback, "Did you mean" choices, report buttons) and commands
     ("report a concern", DSL commands such as "open reports" / "acknowledge REF");
  3. triage: anything that reads like a disclosure, an online-safety incident or an
     allegation about an adult starts the matching report flow, never an FAQ answer;
     when triage is unsure (the confirm band) the member of staff is asked which it is;
  4. otherwise the Assistant answers from the school's policy (and an unanswered
     question is counted as a knowledge gap for the policy owner).

Where others can read (a Teams channel or group chat, a Slack channel) a report never runs:
starting one opens a one-to-one conversation through the channel's `PrivateLine`
(bot.private_line) and the whole flow runs there; a report in progress, an old report
button and a DSL command are never acted on there (bot.shared_conversations says what the
bot says instead). Policy answers are fine anywhere.

Conversation and user state are saved at the end of every turn, so a restarted process
carries on where the last one stopped. Logs name what happened, never what was typed.
"""
from __future__ import annotations

import dataclasses
import inspect
import logging
import re
from typing import Awaitable, Callable

from botbuilder.core import ActivityHandler, ConversationState, PrivateConversationState, TurnContext, UserState
from botbuilder.dialogs import DialogSet, DialogTurnStatus

from bot import conversation_refs, dsl_commands, shared_conversations as shared
from bot.answers import CONFIRM_PROMPT
from bot.gaps import GapCounter
from bot.models import Feedback
from bot.private_line import PrivateLine, PrivateWork, is_shared, line_of
from bot.rendering import Button, PlainRenderer, Prompt, Renderer, button_value
from bot.triage import Triage, classify
from dialogs.adult_concern import AdultConcernFlow
from dialogs.base import RENDERER_KEY, ReportServices, seal_progress
from dialogs.disclosure import DisclosureFlow
from dialogs.incident import IncidentFlow
from dialogs.inputs import adopt_button_text, has_attachment, is_report_command
from dialogs.validation import Option, match_option

log = logging.getLogger(__name__)

SCHOOL_KEY = "school_slug"  # turn_state slot an edge (adapters.schools.SchoolGate) may fill
FLOW_FOR_KIND = {"disclosure": "disclosure", "incident": "incident", "allegation": "adult_concern",
                 "adult_concern": "adult_concern"}
FLOW_MENU = (
    Option("disclosure", "A child has told me something / I'm worried about a child",
           ("child", "disclosure", "worried about a child")),
    Option("incident", "An online-safety incident", ("online", "incident", "online safety")),
    Option("adult_concern", "A concern about an adult who works here",
           ("adult", "staff", "concern about an adult", "allegation")),
)
TRIAGE_INTRO = {
    "disclosure": "This sounds like a safeguarding concern about a child, so I won't treat it as a "
                  "policy question. I'll help you report it to the DSL now.",
    "incident": "This sounds like an online-safety incident. I'll help you report it to the DSL now.",
    "adult_concern": "This sounds like a concern about an adult who works with children. I'll help you "
                     "report it to the right person now.",
}

# Typed replies to "report a concern, or is it a policy question?": the options' numbers and words.
CONFIRM_REPORT = frozenset({"1", "report", "report a concern", "report it", "yes"})
CONFIRM_QUESTION = frozenset({"2", "policy", "question", "policy question", "it's a policy question",
                              "its a policy question", "no"})

GREETINGS = ("hi", "hello", "hey", "help", "start", "menu", "what can you do", "what can you do?")
WELCOME = ("I answer questions about your school's social media and safeguarding policy, quoting the policy, "
           "for example: 'Can I accept a friend request from a parent?'. To report a concern about a child "
           "or an adult, type 'report a concern'. If a child is in immediate danger, call 999 now.")

SchoolFor = Callable[[TurnContext], "str | Awaitable[str]"]


class AssistantBot(ActivityHandler):
    """Channel-neutral bot: edges (Teams, Slack, terminal) wrap it and supply a renderer."""

    def __init__(self, *, conversation_state: ConversationState, user_state: UserState, assistant,
                 services: ReportServices, sessions, renderer_for: Callable[[str], Renderer] | None = None,
                 default_school: str = "oakfield", school_for: SchoolFor | None = None, cipher=None,
                 private_state: PrivateConversationState | None = None, review_notes=None):
        self.conversation_state = conversation_state
        self.user_state = user_state
        # A report belongs to one person: in a group chat or Teams channel two members of staff
        # share the conversation, so dialog state is kept per user within it.
        self.private_state = private_state or conversation_state
        self.assistant = assistant
        self.services = services
        self.sessions = sessions
        self.cipher = cipher
        self.review_notes = review_notes  # bot.oversight.review_dates.ReviewNotes: "overdue for review" lines
        self.renderer_for = renderer_for or (lambda _channel: PlainRenderer())
        self.default_school = default_school
        self._school_for = school_for
        self.dialog_state = self.private_state.create_property("DialogState")
        self.pending = self.private_state.create_property("Pending")  # menus and "Did you mean" choices
        self.dialogs = DialogSet(self.dialog_state)
        self.gaps = GapCounter(sessions)  # unanswered questions, written in batches
        self.references = conversation_refs.ReferenceBatch(sessions)  # where to reach people, likewise
        for flow in (DisclosureFlow(services), IncidentFlow(services), AdultConcernFlow(services)):
            self.dialogs.add(flow)

    # --- hooks ---------------------------------------------------------------------------------
    async def school_for(self, context: TurnContext) -> str:
        """Whose policy answers: set by the edge (tenant mapping), else the configured default."""
        if self._school_for is not None:
            school = self._school_for(context)
            return await school if inspect.isawaitable(school) else school
        return context.turn_state.get(SCHOOL_KEY) or self.default_school

    # --- the turn ------------------------------------------------------------------------------
    async def on_turn(self, turn_context: TurnContext):
        turn_context.turn_state.setdefault(RENDERER_KEY, self.renderer_for(turn_context.activity.channel_id))
        activity = turn_context.activity
        if activity.value is not None and activity.type == "message" and button_value(activity.value) is None:
            activity.value = None  # not a shape our buttons send: treated like any input we don't recognise
        self._remember_conversation(turn_context)
        try:
            await super().on_turn(turn_context)
        finally:
            await self._save_state(turn_context)

    def _nothing_to_keep(self, context: TurnContext) -> bool:
        """True when this turn's private state holds nothing and no row exists to update.

        botbuilder fills in an empty dialog stack and our empty pending choice on every
        turn: both mean what a missing row means already, so they are dropped. Without this
        the first question of every conversation wrote a row that says nothing: a database
        commit, and on SQLite a lock every other server process waits for. A stored row
        (it has an eTag) is still saved, so a finished report's dialog is cleared."""
        cached = self.private_state.get_cached_state(context)
        if cached is None:
            return True  # not loaded this turn: nothing changed
        dialog = cached.state.get(self.dialog_state.name)
        if dialog is not None and not getattr(dialog, "dialog_stack", None):
            del cached.state[self.dialog_state.name]
        if self.pending.name in cached.state and not cached.state[self.pending.name]:
            del cached.state[self.pending.name]
        return not cached.state

    async def _save_state(self, context: TurnContext) -> None:
        seal_progress(context)  # typed answers leave memory only encrypted
        states = list(dict.fromkeys((self.conversation_state, self.private_state, self.user_state)))  # once each
        if self._nothing_to_keep(context):
            states.remove(self.private_state)
        try:
            for state in states:
                await state.save_changes(context)
        except Exception as exc:  # noqa: BLE001 - the user must hear that the step wasn't kept
            log.error("conversation state not saved: %s", type(exc).__name__)
            await context.send_activity(self._render(context).text(
                "Sorry: I couldn't save that step just now. Please send your last answer again in a minute. "
                "If a child may be at risk, tell the DSL in person now."))

    async def on_message_activity(self, turn_context: TurnContext):
        dc = await self.dialogs.create_context(turn_context)
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action")
        in_shared = is_shared(turn_context.activity)
        if dc.active_dialog is not None and not in_shared:  # a report never continues where others read
            if await self._side_action_mid_report(turn_context, action, value):
                await dc.reprompt_dialog()  # the report waits at the same question
                return
            result = await dc.continue_dialog()
            await self._after_flow(dc, result)
            return
        text = adopt_button_text(turn_context.activity)
        school = await self.school_for(turn_context)
        pending = await self.pending.get(turn_context, dict) or {}
        if pending:
            await self.pending.delete(turn_context)
        if in_shared and action == "choice":  # a report's button on an old card
            return await self._tell_sender(turn_context, line_of(turn_context), shared.OLD_REPORT_BUTTON)

        if action == "feedback":
            return await self._store_feedback(turn_context, school, value)
        if action == "choose_intent":
            return await self._answer_choice(turn_context, school, value.get("intent"), pending)
        if action == "report_concern":
            kind = FLOW_FOR_KIND.get(value.get("kind") or "")
            confirmed = (pending.get("confirm") or {}).get("question")  # the message the card asked about
            return await (self._start(dc, kind, school, first_message=confirmed) if kind
                          else self._offer_flows(dc, school))
        if action == "policy_question":
            return await self._confirmed_question(turn_context, school, pending.get("confirm") or {})
        if pending.get("menu") == "flows":
            kind = match_option(text, FLOW_MENU)
            if kind:
                return await self._start(dc, kind, school)
        if pending.get("choices"):
            picked = _pick_choice(text, pending["choices"])
            if picked is not None:
                return await self._answer_choice(turn_context, school, picked or None, pending)
        if pending.get("confirm"):
            reply = _confirm_reply(text)
            if reply == "report":
                return await self._start(dc, pending["confirm"]["kind"], school,
                                         first_message=pending["confirm"].get("question"))
            if reply == "question" and pending["confirm"].get("question"):
                return await self._confirmed_question(turn_context, school, pending["confirm"])
        if has_attachment(turn_context.activity):  # never kept, whatever comes with it
            await self._say(turn_context, "I can only read text, so I haven't kept that file. Please don't send "
                                          "images of children here: describe things in words instead.")
            if not text.strip():
                return
        if not text.strip():
            return await self._say(turn_context, "Type a question about the policy, or 'report a concern'.")
        if is_report_command(text):
            return await self._offer_flows(dc, school)
        if text.strip().lower().rstrip("!.") in GREETINGS:
            return await self._say(turn_context, WELCOME)
        if await self._dsl_command(turn_context, text, school):
            return

        triage = classify(text)
        if triage.kind == "confirm":
            return await self._ask_to_confirm(turn_context, text, school, triage)
        if triage.is_report:
            kind = FLOW_FOR_KIND[triage.kind]
            log.info("triage started a report flow", extra={"flow": kind, "urgent": triage.urgent})
            return await self._start(dc, kind, school, intro=TRIAGE_INTRO[kind])

        answer = self.assistant.answer(text, school, triage)  # the verdict above, not a second classify
        if answer.starts_report:  # an Assistant plugged in here may triage more strictly than the router
            kind = FLOW_FOR_KIND[answer.kind]
            return await self._start(dc, kind, school, intro=TRIAGE_INTRO[kind])
        await self._send_answer(turn_context, school, text, answer)
        if answer.kind == "answer" and "may_concern_child" in triage.reasons:
            await self._offer_report_after_answer(turn_context, text, school, triage)

    async def _offer_report_after_answer(self, context: TurnContext, text: str, school: str, triage: Triage) -> None:
        """The answer stands, but the message read a little like a worry about a child (triage's
        wellbeing band, below the confirm card): one line and a button keep the report a tap away.
        A typed "1" or "report" starts it too; anything else is a new message."""
        flow = FLOW_FOR_KIND.get(triage.likely or "", "disclosure")
        log.info("report offered after an answer", extra={"likely": flow})
        await self.pending.set(context, {"confirm": {"question": text, "kind": flow}})
        await context.send_activity(self._render(context).prompt(Prompt(
            f"If this is about a particular child, you can report it to the {self._dsl_name(school)} now.",
            (Button("Report a concern", {"action": "report_concern", "kind": flow}),))))

    async def _side_action_mid_report(self, context: TurnContext, action: str | None, value: dict) -> bool:
        """Buttons from other cards pressed during a report: act on them, never record them as answers."""
        if action in ("acknowledge", "open_report", "overview"):
            school = await self.school_for(context)
            if not await self._dsl_command(context, adopt_button_text(context.activity), school):
                await self._say(context, "That button can't be used here.")
            return True
        if action == "feedback":
            await self._store_feedback(context, await self.school_for(context), value)
            return True
        if action in ("report_concern", "choose_intent", "policy_question"):
            await self._say(context, "You're in the middle of a report. Finish it, or type 'cancel', first.")
            return True
        return False

    # --- flows -----------------------------------------------------------------------------------
    async def _start(self, dc, kind: str, school: str, intro: str = "", first_message: str | None = None) -> None:
        """Begin a report flow in this one-to-one conversation, or in a private one opened for it.

        The message that started it may suggest answers (`first_message`: this turn's text, or
        the message a confirm card asked about), wherever the flow runs; it is never repeated back."""
        if first_message is None:
            first_message = dc.context.activity.text or ""

        async def begin(here) -> None:
            await shared.forget_unreached(self.services.desk, here.context)
            if intro:
                await self._say(here.context, intro)
            result = await here.begin_dialog(kind, {"school": school, "first_message": first_message})
            await self._after_flow(here, result)

        await self._privately(dc, school, kind, begin)

    async def _privately(self, dc, school: str, kind: str | None, work) -> None:
        """Run `work(dialog_context)` here when only this person can read the conversation; otherwise
        in a one-to-one conversation the channel's PrivateLine opens, saying in the shared one only
        where it went (or, if it could not be opened, how to reach the bot privately)."""
        context = dc.context
        if not is_shared(context.activity):
            return await work(dc)
        line = line_of(context)
        if line is not None and await line.open(context, self._private_turn(school, line.place(context), work)):
            log.info("report moved to a private conversation", extra={"flow": kind or "menu"})
            return await self._tell_sender(context, line, shared.MOVED_NOTICE)
        log.info("report not started: no private conversation", extra={"flow": kind or "menu"})
        await shared.note_unreached(self.services.desk, context, school, kind)
        directions = (line.directions(context) if line is not None else "") or shared.DEFAULT_DIRECTIONS
        dsl = await shared.dsl_to_speak_to(self.sessions, school, self._dsl_name(school))
        await self._tell_sender(context, line, shared.UNREACHED_NOTICE.format(directions=directions, dsl=dsl))

    def _private_turn(self, school: str, place: str, work) -> PrivateWork:
        """A turn of this bot in the private conversation: its renderer, its own state, saved at the end."""
        async def turn(context: TurnContext) -> None:
            context.turn_state[RENDERER_KEY] = self.renderer_for(context.activity.channel_id)
            context.turn_state[SCHOOL_KEY] = school
            self._remember_conversation(context)  # reminders about this report can reach them here
            try:
                await self._say(context, shared.MOVED_HERE.format(place=place))
                await work(await self.dialogs.create_context(context))
            finally:
                await self._save_state(context)
        return turn

    async def _tell_sender(self, context: TurnContext, line: PrivateLine | None, text: str) -> None:
        reply = self._render(context).text(text)
        await (line.tell_sender(context, reply) if line is not None else context.send_activity(reply))

    async def _after_flow(self, dc, result) -> None:
        """A flow that hands over (an incident that is really about an adult) starts the next one."""
        if result is None or result.status != DialogTurnStatus.Complete or not isinstance(result.result, dict):
            return
        switch_to = result.result.get("switch_to")
        if switch_to:
            school = result.result.get("school") or await self.school_for(dc.context)
            await self._start(dc, switch_to, school)

    async def _offer_flows(self, dc, school: str) -> None:
        """"What do you want to report?", asked where the report will be made: privately."""
        async def offer(here) -> None:
            await self.pending.set(here.context, {"menu": "flows"})
            buttons = tuple(Button(o.label, {"action": "report_concern", "kind": o.key}) for o in FLOW_MENU)
            await here.context.send_activity(self._render(here.context).prompt(Prompt(
                "What do you want to report? If a child is in immediate danger, call 999 now.", buttons)))

        await self._privately(dc, school, None, offer)

    # --- the confirm band --------------------------------------------------------------------------
    async def _ask_to_confirm(self, context: TurnContext, text: str, school: str, triage: Triage) -> None:
        """Triage is unsure whether this is about a child's safety, so the member of staff decides.

        Guessing either way costs: a policy answer to a disclosure leaves a child unreported, and
        a report forced on a plain question teaches staff to avoid the bot. One press (or typing
        1 or 2) settles it; the message waits in private pending state, never in the card."""
        flow = FLOW_FOR_KIND.get(triage.likely or "", "disclosure")
        log.info("triage asked to confirm", extra={"likely": flow, "urgent": triage.urgent})
        await self.pending.set(context, {"confirm": {"question": text, "kind": flow}})
        danger = "If a child is in immediate danger, call 999 now. " if triage.urgent else ""
        await context.send_activity(self._render(context).prompt(Prompt(
            danger + CONFIRM_PROMPT.format(dsl=self._dsl_name(school)),
            (Button("Report a concern", {"action": "report_concern", "kind": flow}),
             Button("It's a policy question", {"action": "policy_question"})))))

    async def _confirmed_question(self, context: TurnContext, school: str, confirm: dict) -> None:
        """"It's a policy question": answer the message triage was unsure of, as a question.

        When the policy has nothing on it, a bare "couldn't find that" would leave a possible
        concern about a child with nowhere to go, so the reply offers the report again and names
        the DSL. The gap is still counted for the policy owner."""
        question = confirm.get("question")
        if not question:  # an old card's button: the message it asked about is gone
            return await self._say(context, "Please type your question again and I'll answer it from the policy.")
        flow = FLOW_FOR_KIND.get(confirm.get("kind") or "", "disclosure")
        answer = self.assistant.answer(question, school, Triage("question", False, ("confirmed_question",)))
        if answer.kind != "fallback":
            return await self._send_answer(context, school, question, answer)
        log.info("answered", extra={"answer_kind": answer.kind, "intent": answer.intent, "offered": flow})
        self.gaps.count(school, question)
        await self.pending.set(context, {"confirm": {"kind": flow}})  # a typed "1" or "report" still works
        await context.send_activity(self._render(context).prompt(Prompt(
            f"{answer.school_name}'s {answer.policy_title} doesn't cover this. If this is about a child's "
            f"safety, press Report a concern or speak to the {self._dsl_name(school)} today.",
            (Button("Report a concern", {"action": "report_concern", "kind": flow}),))))

    def _dsl_name(self, school: str) -> str:
        """The school's own name for its DSL role (policy front matter), else the standard title."""
        policy = (getattr(self.assistant, "policies", None) or {}).get(school)
        return (getattr(policy, "roles", None) or {}).get("dsl", "Designated Safeguarding Lead")

    # --- answers ---------------------------------------------------------------------------------
    async def _send_answer(self, context: TurnContext, school: str, question: str, answer) -> None:
        """Send a policy answer; remember its "Did you mean" choices; count an unanswered question."""
        answer = await self._with_review_note(school, answer)
        await context.send_activity(self._render(context).answer(answer))
        log.info("answered", extra={"answer_kind": answer.kind, "intent": answer.intent})
        if answer.kind == "clarify" and answer.choices:
            await self.pending.set(context, {
                "question": question, "choices": [[c.intent or "", c.label] for c in answer.choices]})
        if answer.kind == "fallback":
            self.gaps.count(school, question)

    async def _answer_choice(self, context: TurnContext, school: str, intent: str | None, pending: dict) -> None:
        question = pending.get("question") or ""
        if not intent:
            await self._say(context, "Thanks. I couldn't find that in the policy, so I've noted it for whoever "
                                     "looks after the policy. Please ask your DSL or line manager.")
            if question:
                self.gaps.count(school, question)
            return
        answer = await self._with_review_note(school, self.assistant.answer_intent(question, school, intent))
        await context.send_activity(self._render(context).answer(answer))

    async def _with_review_note(self, school: str, answer):
        """An answer quoting the policy says so when that policy is overdue for review."""
        if self.review_notes is None or answer.kind != "answer":
            return answer
        try:
            notice = await self.review_notes.note_for(school)
        except Exception as exc:  # noqa: BLE001 - the answer matters more than the note
            log.warning("review date not read: %s", type(exc).__name__)
            return answer
        return dataclasses.replace(answer, notice=notice) if notice else answer

    async def _store_feedback(self, context: TurnContext, school: str, value: dict) -> None:
        helpful = value.get("helpful")
        helpful = helpful if isinstance(helpful, bool) else str(helpful).lower() in ("yes", "true", "1")
        try:
            async with self.sessions() as session, session.begin():
                session.add(Feedback(school_slug=school, intent=value.get("intent"),
                                     clause_id=value.get("clause_id"), helpful=helpful))
        except Exception as exc:  # noqa: BLE001 - feedback is nice to have; never break the chat
            log.warning("feedback not stored: %s", type(exc).__name__)
        await self._say(context, "Thanks for the feedback." if helpful else
                        "Thanks: I've noted that wasn't helpful. Your DSL can give you a definite answer.")

    # --- other owners' hooks --------------------------------------------------------------------------
    async def _dsl_command(self, context: TurnContext, text: str, school: str) -> bool:
        """DSL commands (open reports, show/acknowledge/close REF) belong to bot.dsl_commands, and
        are answered only in a one-to-one conversation: where others read, nothing is looked up."""
        activity = context.activity
        if is_shared(activity) and dsl_commands.parse(text) is not None:
            await self._tell_sender(context, line_of(context), shared.ASK_PRIVATELY)
            return True
        sender = activity.from_property
        reply = await dsl_commands.try_handle(
            text, channel=activity.channel_id or "", user_id=conversation_refs.sender_ids(activity), school_slug=school,
            sessions=self.sessions, cipher=self.cipher, renderer=self._render(context),
            user_name=(getattr(sender, "name", None) or ""))
        if reply is None:
            return False
        await context.send_activity(reply)
        return True

    def _remember_conversation(self, context: TurnContext) -> None:
        try:
            self.references.note(context.activity)  # messages, installs: whoever may need an alert later
        except Exception as exc:  # noqa: BLE001 - a missed reference must not block a report
            log.warning("conversation reference not stored: %s", type(exc).__name__)

    # --- helpers -----------------------------------------------------------------------------------
    def _render(self, context: TurnContext) -> Renderer:
        return context.turn_state.get(RENDERER_KEY) or PlainRenderer()

    async def _say(self, context: TurnContext, text: str) -> None:
        await context.send_activity(self._render(context).text(text))


def _confirm_reply(text: str) -> str | None:
    """'report' or 'question' when a typed message answers the confirm prompt, else None."""
    said = re.sub(r"\s+", " ", (text or "").replace("\u2019", "'")).strip().lower().rstrip(".!")
    if said in CONFIRM_REPORT:
        return "report"
    if said in CONFIRM_QUESTION:
        return "question"
    return None


def _pick_choice(text: str, choices: list) -> str | None:
    """'' for "none of these", an intent id for a choice, None when the text is not a choice."""
    said = re.sub(r"\s+", " ", text or "").strip().lower().rstrip(".!")
    if said.isdigit():
        index = int(said) - 1
        return choices[index][0] if 0 <= index < len(choices) else None
    for intent, label in choices:
        if said == label.strip().lower():
            return intent
    return None
