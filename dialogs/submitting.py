"""Filing: a finished report goes to the record desk, and an urgent one before its questions end.

The report is filed once, at Submit; a child in immediate danger or an adult who may harm one
files it at once as URGENT (so the alert goes before any further question) and Submit then
completes that same reference. While a report is under way the desk keeps a draft marker (no
content), so the reporter can be reminded and the DSL told of an unfinished disclosure. After
Submit, the summaries shown in the chat are replaced by a one-line receipt.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.dialogs import DialogTurnResult, WaterfallStepContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs.desk import Filed, ReportNotFiled, conversation_key, reporter_of
from dialogs.progress import ReportProgress
from dialogs.prompting import say
from dialogs.questions import Questionnaire
from dialogs.services import ReportServices

log = logging.getLogger(__name__)

REVIEW = "review"  # the review waterfall's dialog id: where a failed Submit returns


class Submitting(Questionnaire):
    """The part of ReportFlow that files reports and keeps their draft markers."""

    services: ReportServices

    async def _submit(self, step: WaterfallStepContext, progress: ReportProgress) -> DialogTurnResult:
        context = step.context
        answers = self.visible_answers(progress.answers)
        try:
            filed = await self._file(context, progress, self._urgency(progress, answers), urgent_first=False)
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

    async def _file(self, context: TurnContext, progress: ReportProgress, urgency: str, *, urgent_first: bool) -> Filed:
        """Hand the report, as answered so far, to the desk: the urgent alert's early filing, or Submit
        (which completes the early report's reference and ends the conversation's draft)."""
        answers = self.visible_answers(progress.answers)
        submission_id = _submission_id(context, progress)
        return await self.services.desk.file(
            reporter=reporter_of(context),
            school_slug=progress.school,
            kind=self.kind,
            category=self.category(answers),
            urgency=urgency,
            route_to=self.route_to(answers),
            content=self._content(answers),
            reference=None if urgent_first else progress.reference,
            submission_id=submission_id + "#urgent" if urgent_first else submission_id,
            conversation_key=None if urgent_first else conversation_key(context),
        )

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
        try:
            filed = await self._file(context, progress, "urgent", urgent_first=True)
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


def _submission_id(context: TurnContext, progress: ReportProgress) -> str:
    """Stable for one report in one conversation, so a retried submit never files twice."""
    return f"{conversation_key(context)}#{progress.school}#{progress.started}"
