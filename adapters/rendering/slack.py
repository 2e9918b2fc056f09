"""Slack: Block Kit in an attachment named "blocks" (what botbuilder-adapters-slack posts as
`blocks`), with the plain reply as `text`, which Slack shows in notifications."""

from __future__ import annotations

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.cards import blocks
from bot.conversation.answers import Answer
from dialogs.rendering import AlertCard, Prompt, Summary


def blocks_activity(content: list[dict], text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, attachments=[Attachment(name="blocks", content=content)])


class SlackRenderer:
    def answer(self, answer: Answer) -> Activity:
        if answer.starts_report:
            return self.text(answer.reply)
        return blocks_activity(blocks.answer_blocks(answer), answer.reply)

    def text(self, text: str) -> Activity:
        return Activity(type=ActivityTypes.message, text=text)

    def prompt(self, prompt: Prompt) -> Activity:
        if not prompt.buttons and not prompt.guidance:
            return self.text(prompt.text)
        return blocks_activity(blocks.prompt_blocks(prompt), prompt.text)

    def summary(self, summary: Summary) -> Activity:
        return blocks_activity(blocks.summary_blocks(summary), summary.title)

    def alert(self, alert: AlertCard) -> Activity:
        return blocks_activity(
            blocks.alert_blocks(alert), f"{alert.urgency.upper()} safeguarding {alert.kind}: {alert.reference}"
        )
