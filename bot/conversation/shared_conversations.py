"""What the bot says where others can read, and what it leaves behind when it cannot reach someone privately.

Why this module: in a Teams channel, a group chat or a Slack channel every reply is read by
the whole team, so the rule is simple and lives here in words: policy answers are fine
there; a report, an alert and a DSL command never are. What the bot says in such a place
names nobody and repeats nothing the member of staff typed.

When a report starts there and no private conversation can be opened, nothing starts,
but the attempt is not forgotten: an "unreached" draft marker (no content, like every
draft) is left, so the usual unfinished-report sweep (bot.alerts.planning.sweep_drafts) reminds the
person once they can be reached and, for a disclosure, tells the DSL someone tried.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.alerts.planning import unreached_draft_key
from bot.alerts.roles import holders
from dialogs.desk import ReportNotFiled, reporter_of

MOVED_HERE = "You started a report in {place}; let's continue here, where only you and I can see it."
MOVED_NOTICE = (
    "I've sent you a private message, so we can carry on there where nobody else can see it. "
    "If your message here names a child or says what happened, please delete it."
)
UNREACHED_NOTICE = (
    "I couldn't open a private chat with you, so I haven't started a report here: others can "
    "read this conversation. {directions} Or speak to {dsl} today. If a child is in immediate "
    "danger, call 999 now. If your message here names a child or says what happened, please "
    "delete it."
)
DEFAULT_DIRECTIONS = "Please open a private chat with me and say 'report a concern' there."
ASK_PRIVATELY = (
    "Please ask me that in a private chat: I never show or change reports in a conversation others can read."
)
OLD_REPORT_BUTTON = (
    "That button belongs to a report, and reports are only made in a private chat with me, "
    "so nothing was changed. Say 'report a concern' to start one privately."
)
UNSPECIFIED_KIND = "unspecified"  # "report a concern" before saying what about


async def dsl_to_speak_to(sessions, school: str, title: str) -> str:
    """'the Designated Safeguarding Lead, Ms Amara Okafor' when the school has named one, else the title."""
    try:
        async with sessions() as session:
            names = [person.name for person in await holders(session, school, "dsl") if person.name]
    except Exception:  # noqa: BLE001 - the title alone still tells them who to go to
        names = []
    names = list(dict.fromkeys(names))
    return f"the {title}, {' or '.join(names)}," if names else f"the {title}"


async def note_unreached(desk, context: TurnContext, school: str, kind: str | None) -> bool:
    """Leave the content-free marker that someone tried to report here and could not be reached."""
    reporter = reporter_of(context)
    try:
        await desk.touch_draft(
            unreached_draft_key(reporter.channel, reporter.user_id), school, kind or UNSPECIFIED_KIND, reporter
        )
    except ReportNotFiled:
        return False
    return True


async def forget_unreached(desk, context: TurnContext) -> None:
    """They are reporting privately now: the earlier attempt needs no reminder of its own."""
    reporter = reporter_of(context)
    try:
        await desk.clear_draft(unreached_draft_key(reporter.channel, reporter.user_id))
    except ReportNotFiled:
        pass  # at worst a reminder they can ignore
