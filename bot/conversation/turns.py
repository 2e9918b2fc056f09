"""The turn loop: what the assistant does with each message, on every channel.

Order of precedence, because safety comes before convenience (ROUTES, at the end of this module,
is that order as a table of small routes, each of which takes the message or passes it on):
  1. a guided report already under way continues (it handles its own interruptions);
  2. card actions (feedback, "Did you mean" choices, report buttons) and commands
     ("report a concern", DSL commands such as "open reports" / "acknowledge REF", a lead's
     "overview");
  3. triage: anything that reads like a disclosure, an online-safety incident or an
     allegation about an adult starts the matching report flow, never an FAQ answer;
     when triage is unsure (the confirm band) the member of staff is asked which it is;
  4. otherwise the Assistant answers from the school's policy (and an unanswered
     question is counted as a knowledge gap for the policy owner).

Where others can read (a Teams channel or group chat, a Slack channel) a report never runs:
starting one opens a one-to-one conversation through the channel's `PrivateLine`
(bot.conversation.private_line) and the whole flow runs there; a report in progress, an old report
button and a DSL command are never acted on there (bot.conversation.shared_conversations says what the
bot says instead). Policy answers are fine anywhere.

Conversation and user state are saved at the end of every turn, so a restarted process
carries on where the last one stopped. Logs name what happened, never what was typed.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from botbuilder.core import ActivityHandler, ConversationState, PrivateConversationState, TurnContext, UserState
from botbuilder.dialogs import Dialog, DialogContext, DialogSet, DialogTurnStatus

from bot import kinds
from bot.alerts import conversation_refs
from bot.conversation import shared_conversations as shared
from bot.conversation.answers import CONFIRM_PROMPT
from bot.conversation.gaps import GapCounter
from bot.conversation.private_line import PrivateLine, PrivateWork, is_shared, line_of
from bot.oversight import overview_command
from bot.persistence.models import Feedback
from bot.records import dsl_commands
from bot.triage import Triage, classify
from dialogs.inputs import adopt_button_text, has_attachment, is_report_command
from dialogs.progress import seal_progress
from dialogs.prompting import RENDERER_KEY
from dialogs.rendering import Button, PlainRenderer, Prompt, Renderer, button_value
from dialogs.services import ReportServices
from dialogs.validation import Option, match_option

log = logging.getLogger(__name__)

SCHOOL_KEY = "school_slug"  # turn_state slot an edge (adapters.schools.SchoolGate) may fill


def flow_for(kind: str | None) -> str | None:
    """The report flow (dialog id) for a kind by any of its names: triage's, a button's, an old card's."""
    report_kind = kinds.of(kind)
    return report_kind.id if report_kind else None


def flow_menu() -> tuple[Option, ...]:
    """ "What do you want to report?": one option per kind of report."""
    return tuple(Option(kind.id, kind.menu_label, kind.menu_words) for kind in kinds.all_kinds())


# Typed replies to "report a concern, or is it a policy question?": the options' numbers and words.
CONFIRM_REPORT = frozenset({"1", "report", "report a concern", "report it", "yes"})
CONFIRM_QUESTION = frozenset(
    {"2", "policy", "question", "policy question", "it's a policy question", "its a policy question", "no"}
)

GREETINGS = ("hi", "hello", "hey", "help", "start", "menu", "what can you do", "what can you do?")
WELCOME = (
    "I answer questions about your school's social media and safeguarding policy, quoting the policy, "
    "for example: 'Can I accept a friend request from a parent?'. To report a concern about a child "
    "or an adult, type 'report a concern'. If a child is in immediate danger, call 999 now."
)

SchoolFor = Callable[[TurnContext], "str | Awaitable[str]"]


class AssistantBot(ActivityHandler):
    """Channel-neutral bot: edges (Teams, Slack, terminal) wrap it and supply a renderer."""

    def __init__(
        self,
        *,
        conversation_state: ConversationState,
        user_state: UserState,
        assistant,
        services: ReportServices,
        flows: Iterable[Dialog],
        sessions,
        renderer_for: Callable[[str], Renderer] | None = None,
        default_school: str = "oakfield",
        school_for: SchoolFor | None = None,
        cipher=None,
        private_state: PrivateConversationState | None = None,
        review_notes=None,
    ):
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
        for flow in flows:  # the report flows, one per kind (bot.runtime builds them)
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
            await context.send_activity(
                self._render(context).text(
                    "Sorry: I couldn't save that step just now. Please send your last answer again in a minute. "
                    "If a child may be at risk, tell the DSL in person now."
                )
            )

    async def on_message_activity(self, turn_context: TurnContext):
        """Offer the message to each route of ROUTES in order; the first that takes it ends the turn."""
        turn = await self._read_turn(turn_context)
        for route in ROUTES:
            if await route(self, turn):
                return

    async def _read_turn(self, context: TurnContext) -> Turn:
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        return Turn(context, await self.dialogs.create_context(context), value, is_shared(context.activity))

    # --- the routes, in the order of ROUTES ---------------------------------------------------------
    async def _report_in_progress(self, turn: Turn) -> bool:
        """A report under way takes the message (never where others read); so does its side action."""
        dc = turn.dc
        if dc.active_dialog is None or turn.in_shared:
            return False
        if await self._side_action_mid_report(turn.context, turn.action, turn.value):
            await dc.reprompt_dialog()  # the report waits at the same question
            return True
        result = await dc.continue_dialog()
        await self._after_flow(dc, result)
        return True

    async def _read_the_message(self, turn: Turn) -> bool:
        """Not a route: reads, for the routes after it, the text, the school and the pending choice
        (consumed: a menu or "Did you mean" is answered by this message or by none)."""
        turn.text = adopt_button_text(turn.context.activity)
        turn.school = await self.school_for(turn.context)
        turn.pending = await self.pending.get(turn.context, dict) or {}
        if turn.pending:
            await self.pending.delete(turn.context)
        return False

    async def _old_report_button_where_others_read(self, turn: Turn) -> bool:
        if not (turn.in_shared and turn.action == "choice"):  # a report's button on an old card
            return False
        await self._tell_sender(turn.context, line_of(turn.context), shared.OLD_REPORT_BUTTON)
        return True

    async def _feedback_button(self, turn: Turn) -> bool:
        if turn.action != "feedback":
            return False
        await self._store_feedback(turn.context, turn.school, turn.value)
        return True

    async def _did_you_mean_button(self, turn: Turn) -> bool:
        if turn.action != "choose_intent":
            return False
        await self._answer_choice(turn.context, turn.school, turn.value.get("intent"), turn.pending)
        return True

    async def _report_button(self, turn: Turn) -> bool:
        if turn.action != "report_concern":
            return False
        kind = flow_for(turn.value.get("kind"))
        confirmed = (turn.pending.get("confirm") or {}).get("question")  # the message the card asked about
        if kind:
            await self._start(turn.dc, kind, turn.school, first_message=confirmed)
        else:
            await self._offer_flows(turn.dc, turn.school)
        return True

    async def _policy_question_button(self, turn: Turn) -> bool:
        if turn.action != "policy_question":
            return False
        await self._confirmed_question(turn.context, turn.school, turn.pending.get("confirm") or {})
        return True

    async def _flow_menu_reply(self, turn: Turn) -> bool:
        kind = match_option(turn.text, flow_menu()) if turn.pending.get("menu") == "flows" else None
        if not kind:
            return False
        await self._start(turn.dc, kind, turn.school)
        return True

    async def _did_you_mean_reply(self, turn: Turn) -> bool:
        picked = _pick_choice(turn.text, turn.pending["choices"]) if turn.pending.get("choices") else None
        if picked is None:
            return False
        await self._answer_choice(turn.context, turn.school, picked or None, turn.pending)
        return True

    async def _confirm_card_reply(self, turn: Turn) -> bool:
        confirm = turn.pending.get("confirm")
        if not confirm:
            return False
        reply = _confirm_reply(turn.text)
        if reply == "report":
            await self._start(turn.dc, confirm["kind"], turn.school, first_message=confirm.get("question"))
            return True
        if reply == "question" and confirm.get("question"):
            await self._confirmed_question(turn.context, turn.school, confirm)
            return True
        return False

    async def _attachment(self, turn: Turn) -> bool:
        """A file is never kept, whatever comes with it; text sent with it is still read."""
        if not has_attachment(turn.context.activity):
            return False
        await self._say(
            turn.context,
            "I can only read text, so I haven't kept that file. Please don't send "
            "images of children here: describe things in words instead.",
        )
        return not turn.text.strip()

    async def _nothing_typed(self, turn: Turn) -> bool:
        if turn.text.strip():
            return False
        await self._say(turn.context, "Type a question about the policy, or 'report a concern'.")
        return True

    async def _report_command(self, turn: Turn) -> bool:
        if not is_report_command(turn.text):
            return False
        await self._offer_flows(turn.dc, turn.school)
        return True

    async def _greeting(self, turn: Turn) -> bool:
        if turn.text.strip().lower().rstrip("!.") not in GREETINGS:
            return False
        await self._say(turn.context, WELCOME)
        return True

    async def _dsl_command_route(self, turn: Turn) -> bool:
        return await self._dsl_command(turn.context, turn.text, turn.school)

    async def _overview_route(self, turn: Turn) -> bool:
        return await self._overview(turn.context, turn.text, turn.school)

    async def _triage_unsure(self, turn: Turn) -> bool:
        if turn.triage.kind != "confirm":
            return False
        await self._ask_to_confirm(turn.context, turn.text, turn.school, turn.triage)
        return True

    async def _triage_report(self, turn: Turn) -> bool:
        triage = turn.triage
        if not triage.is_report:
            return False
        report_kind = kinds.get(triage.kind)
        log.info("triage started a report flow", extra={"flow": report_kind.id, "urgent": triage.urgent})
        await self._start(turn.dc, report_kind.id, turn.school, intro=report_kind.triage_intro)
        return True

    async def _policy_answer(self, turn: Turn) -> bool:
        answer = self.assistant.answer(turn.text, turn.school, turn.triage)  # the verdict above, not a second one
        if answer.starts_report:  # an Assistant plugged in here may triage more strictly than the router
            report_kind = kinds.get(answer.kind)
            await self._start(turn.dc, report_kind.id, turn.school, intro=report_kind.triage_intro)
            return True
        await self._send_answer(turn.context, turn.school, turn.text, answer)
        if answer.kind == "answer" and turn.triage.may_concern_child:
            await self._offer_report_after_answer(turn.context, turn.text, turn.school, turn.triage)
        return True

    async def _offer_report_after_answer(self, context: TurnContext, text: str, school: str, triage: Triage) -> None:
        """The answer stands, but the message read a little like a worry about a child (triage's
        wellbeing band, below the confirm card): one line and a button keep the report a tap away.
        A typed "1" or "report" starts it too; anything else is a new message."""
        flow = flow_for(triage.likely) or "disclosure"
        log.info("report offered after an answer", extra={"likely": flow})
        await self.pending.set(context, {"confirm": {"question": text, "kind": flow}})
        await context.send_activity(
            self._render(context).prompt(
                Prompt(
                    f"If this is about a particular child, you can report it to the {self._dsl_name(school)} now.",
                    (Button("Report a concern", {"action": "report_concern", "kind": flow}),),
                )
            )
        )

    async def _side_action_mid_report(self, context: TurnContext, action: str | None, value: dict) -> bool:
        """Buttons from other cards pressed during a report: act on them, never record them as answers."""
        if action in ("acknowledge", "open_report", "overview"):
            school = await self.school_for(context)
            text = adopt_button_text(context.activity)
            if not (await self._dsl_command(context, text, school) or await self._overview(context, text, school)):
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
        """ "What do you want to report?", asked where the report will be made: privately."""

        async def offer(here) -> None:
            await self.pending.set(here.context, {"menu": "flows"})
            buttons = tuple(Button(o.label, {"action": "report_concern", "kind": o.key}) for o in flow_menu())
            await here.context.send_activity(
                self._render(here.context).prompt(
                    Prompt("What do you want to report? If a child is in immediate danger, call 999 now.", buttons)
                )
            )

        await self._privately(dc, school, None, offer)

    # --- the confirm band --------------------------------------------------------------------------
    async def _ask_to_confirm(self, context: TurnContext, text: str, school: str, triage: Triage) -> None:
        """Triage is unsure whether this is about a child's safety, so the member of staff decides.

        Guessing either way costs: a policy answer to a disclosure leaves a child unreported, and
        a report forced on a plain question teaches staff to avoid the bot. One press (or typing
        1 or 2) settles it; the message waits in private pending state, never in the card."""
        flow = flow_for(triage.likely) or "disclosure"
        log.info("triage asked to confirm", extra={"likely": flow, "urgent": triage.urgent})
        await self.pending.set(context, {"confirm": {"question": text, "kind": flow}})
        danger = "If a child is in immediate danger, call 999 now. " if triage.urgent else ""
        await context.send_activity(
            self._render(context).prompt(
                Prompt(
                    danger + CONFIRM_PROMPT.format(dsl=self._dsl_name(school)),
                    (
                        Button("Report a concern", {"action": "report_concern", "kind": flow}),
                        Button("It's a policy question", {"action": "policy_question"}),
                    ),
                )
            )
        )

    async def _confirmed_question(self, context: TurnContext, school: str, confirm: dict) -> None:
        """ "It's a policy question": answer the message triage was unsure of, as a question.

        When the policy has nothing on it, a bare "couldn't find that" would leave a possible
        concern about a child with nowhere to go, so the reply offers the report again and names
        the DSL. The gap is still counted for the policy owner."""
        question = confirm.get("question")
        if not question:  # an old card's button: the message it asked about is gone
            return await self._say(context, "Please type your question again and I'll answer it from the policy.")
        flow = flow_for(confirm.get("kind")) or "disclosure"
        answer = self.assistant.answer(question, school, Triage("question", False, ("confirmed_question",)))
        if answer.kind != "fallback":
            return await self._send_answer(context, school, question, answer)
        log.info("answered", extra={"answer_kind": answer.kind, "intent": answer.intent, "offered": flow})
        self.gaps.count(school, question)
        await self.pending.set(context, {"confirm": {"kind": flow}})  # a typed "1" or "report" still works
        await context.send_activity(
            self._render(context).prompt(
                Prompt(
                    f"{answer.school_name}'s {answer.policy_title} doesn't cover this. If this is about a child's "
                    f"safety, press Report a concern or speak to the {self._dsl_name(school)} today.",
                    (Button("Report a concern", {"action": "report_concern", "kind": flow}),),
                )
            )
        )

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
            await self.pending.set(
                context, {"question": question, "choices": [[c.intent or "", c.label] for c in answer.choices]}
            )
        if answer.kind == "fallback":
            self.gaps.count(school, question)

    async def _answer_choice(self, context: TurnContext, school: str, intent: str | None, pending: dict) -> None:
        question = pending.get("question") or ""
        if not intent:
            await self._say(
                context,
                "Thanks. I couldn't find that in the policy, so I've noted it for whoever "
                "looks after the policy. Please ask your DSL or line manager.",
            )
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
                session.add(
                    Feedback(
                        school_slug=school,
                        intent=value.get("intent"),
                        clause_id=value.get("clause_id"),
                        helpful=helpful,
                    )
                )
        except Exception as exc:  # noqa: BLE001 - feedback is nice to have; never break the chat
            log.warning("feedback not stored: %s", type(exc).__name__)
        await self._say(
            context,
            "Thanks for the feedback."
            if helpful
            else "Thanks: I've noted that wasn't helpful. Your DSL can give you a definite answer.",
        )

    # --- other owners' hooks --------------------------------------------------------------------------
    async def _dsl_command(self, context: TurnContext, text: str, school: str) -> bool:
        """DSL commands (open reports, show/acknowledge/close REF) belong to bot.records.dsl_commands, and
        are answered only in a one-to-one conversation: where others read, nothing is looked up."""
        activity = context.activity
        if is_shared(activity) and dsl_commands.parse(text) is not None:
            await self._tell_sender(context, line_of(context), shared.ASK_PRIVATELY)
            return True
        sender = activity.from_property
        reply = await dsl_commands.try_handle(
            text,
            channel=activity.channel_id or "",
            user_id=conversation_refs.sender_ids(activity),
            school_slug=school,
            sessions=self.sessions,
            cipher=self.cipher,
            renderer=self._render(context),
            user_name=(getattr(sender, "name", None) or ""),
        )
        if reply is None:
            return False
        await context.send_activity(reply)
        return True

    async def _overview(self, context: TurnContext, text: str, school: str) -> bool:
        """A lead's overview card belongs to bot.oversight.overview_command; like the DSL commands it is
        answered only in a one-to-one conversation: where others read, nothing is looked up."""
        activity = context.activity
        if is_shared(activity) and overview_command.parse(text):
            await self._tell_sender(context, line_of(context), shared.ASK_PRIVATELY)
            return True
        reply = await overview_command.try_handle(
            text,
            channel=activity.channel_id or "",
            user_id=conversation_refs.sender_ids(activity),
            school_slug=school,
            sessions=self.sessions,
            renderer=self._render(context),
        )
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


@dataclass
class Turn:
    """One message as the routes read it."""

    context: TurnContext
    dc: DialogContext
    value: dict  # a card button's value ({} for typed text)
    in_shared: bool  # others can read this conversation (a channel or group chat)
    text: str = ""
    school: str = ""
    pending: dict = field(default_factory=dict)  # the menu or choice the last reply offered
    _triage: Triage | None = None

    @property
    def action(self) -> str | None:
        return self.value.get("action")

    @property
    def triage(self) -> Triage:
        """Triage's verdict on the text, worked out once (the answer reuses it)."""
        if self._triage is None:
            self._triage = classify(self.text)
        return self._triage


# The turn loop's precedence (see the module docstring), first to last. A route returns True when
# it has dealt with the message.
ROUTES: tuple[Callable[[AssistantBot, Turn], Awaitable[bool]], ...] = (
    AssistantBot._report_in_progress,
    AssistantBot._read_the_message,
    AssistantBot._old_report_button_where_others_read,
    AssistantBot._feedback_button,
    AssistantBot._did_you_mean_button,
    AssistantBot._report_button,
    AssistantBot._policy_question_button,
    AssistantBot._flow_menu_reply,
    AssistantBot._did_you_mean_reply,
    AssistantBot._confirm_card_reply,
    AssistantBot._attachment,
    AssistantBot._nothing_typed,
    AssistantBot._report_command,
    AssistantBot._greeting,
    AssistantBot._dsl_command_route,
    AssistantBot._overview_route,
    AssistantBot._triage_unsure,
    AssistantBot._triage_report,
    AssistantBot._policy_answer,
)
