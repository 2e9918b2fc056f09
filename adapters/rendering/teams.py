"""Teams (and any Adaptive Card client): every reply is one card with a plain-text summary.

The summary is what a notification or a screen reader shows; the card carries the buttons.
"""

from __future__ import annotations

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.cards import adaptive
from bot.conversation.answers import Answer
from dialogs.rendering import AlertCard, Prompt, Summary


def card_activity(content: dict, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:200],
        attachments=[Attachment(content_type=adaptive.CONTENT_TYPE, content=content)],
    )


class TeamsRenderer:
    def answer(self, answer: Answer) -> Activity:
        if answer.starts_report:  # the reporting flow speaks next; no FAQ content here
            return self.text(answer.reply)
        return card_activity(adaptive.answer_card(answer), answer.summary or answer.reply)

    def text(self, text: str) -> Activity:
        return Activity(type=ActivityTypes.message, text=text)

    def prompt(self, prompt: Prompt) -> Activity:
        if not prompt.buttons and not prompt.guidance:
            return self.text(prompt.text)
        return card_activity(adaptive.prompt_card(prompt), prompt.text)

    def summary(self, summary: Summary) -> Activity:
        return card_activity(adaptive.summary_card(summary), summary.title)

    def alert(self, alert: AlertCard) -> Activity:
        return card_activity(
            adaptive.alert_card(alert), f"{alert.urgency.upper()} safeguarding {alert.kind}: {alert.reference}"
        )
