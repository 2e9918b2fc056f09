"""The disclosure flow as a member of staff meets it, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest

from dialogs.desk import ReportNotFiled
from dialogs.disclosure import DANGER
from tests.support.chat_harness import (
    DISCLOSURE_ANSWERS,
    Chat,
    alerts,
    answers_of,
    drafts,
    reports,
)


async def start(chat: Chat) -> str:
    await chat.say("report a concern")
    return await chat.press("disclosure")


async def test_a_full_disclosure_is_stored_exactly_as_typed_and_the_chat_keeps_only_a_receipt(runtime):
    chat = Chat(runtime)
    assert DANGER in await start(chat)
    assert "Which child" in await chat.press("no")
    reply = await chat.answer_all(*DISCLOSURE_ANSWERS)
    assert reply.startswith("Disclosure report")
    assert "- The child: Jayden, Year 5" in reply
    assert "Nothing is sent until you press Submit" in reply
    assert await reports(runtime) == []  # nothing filed before Submit

    receipt = await chat.press("submit")
    [report] = await reports(runtime)
    assert report.reference in receipt and report.reference.startswith("OAK-")
    assert "What happens next" in receipt
    assert "Jayden" not in receipt and "uncle" not in receipt  # a receipt, not the account
    assert (report.kind, report.urgency, report.route_to, report.status) == ("disclosure", "high", "dsl", "new")
    assert (report.reporter_channel, report.reporter_id, report.reporter_name) == ("test", "staff-1", "Mr Tom Baker")
    stored = answers_of(runtime, report)
    assert stored["words"] == DISCLOSURE_ANSWERS[1]  # spacing, slang and spelling untouched
    assert stored["child"] == "Jayden, Year 5"
    assert stored["immediate_danger"] == "No"
    assert "dsl_told_detail" not in stored  # the branch that did not apply
    assert b"Jayden" not in report.content  # encrypted at rest
    assert [a.recipient_role for a in await alerts(runtime)] == ["dsl"]
    assert await drafts(runtime) == []
    # The summary card shown before Submit is replaced in the chat by a one-line receipt.
    [withdrawn] = chat.adapter.updated_activities
    assert report.reference in withdrawn.text and "Jayden" not in withdrawn.text
    # The reporter's identity came from the channel: no question asked for it.
    assert not any("your name" in said.lower() for who, said in chat.transcript if who == "bot")


async def test_immediate_danger_says_call_999_and_alerts_the_dsl_before_the_next_question(runtime):
    chat = Chat(runtime)
    await start(chat)
    reply = await chat.press("yes")
    assert reply.index("Call 999 now") < reply.index("URGENT alert") < reply.index("Which child")
    [early] = await reports(runtime)  # filed before any further question was answered
    assert early.urgency == "urgent" and early.reference in reply
    [alert] = await alerts(runtime)
    assert (alert.recipient_role, alert.payload["urgency"]) == ("dsl", "urgent")
    assert "Jayden" not in str(alert.payload)

    await chat.answer_all(*DISCLOSURE_ANSWERS)
    receipt = await chat.press("submit")
    [report] = await reports(runtime)  # the same report completed, not a second one
    assert report.reference == early.reference and report.reference in receipt
    assert report.urgency == "urgent"
    assert answers_of(runtime, report)["words"] == DISCLOSURE_ANSWERS[1]


async def test_coaching_is_shown_at_the_step_it_matters(runtime):
    chat = Chat(runtime)
    await start(chat)
    child_step = await chat.press("no")
    assert "leading questions" in child_step and "tell me" in child_step and "secret" in child_step
    await chat.say("Jayden, Year 5")
    await chat.say("he said stuff")
    await chat.say("Tuesday, library")
    injuries = await chat.say("no one")
    assert "Never photograph" in injuries and "forward images" in injuries
    for answer in ("none seen", "calm", "I listened", "not known"):
        reply = await chat.say(answer)
    assert "Don't contact or confront the person" in reply and "don't investigate" in reply


async def test_editing_a_field_from_the_summary(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS)
    pick = await chat.press("edit")
    assert "Which answer do you want to change?" in pick and "The child's words (verbatim)" in pick
    assert "Which child" in await chat.press("child")
    summary = await chat.say("Jayden Smith, Year 5 (5R)")
    assert "- The child: Jayden Smith, Year 5 (5R)" in summary
    assert "- When and where: Tuesday 2.30pm" in summary  # other answers untouched
    await chat.press("submit")
    [report] = await reports(runtime)
    assert answers_of(runtime, report)["child"] == "Jayden Smith, Year 5 (5R)"
    assert len(chat.adapter.updated_activities) == 2  # both summaries shown are withdrawn


async def test_editing_into_a_branch_asks_its_extra_question(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS)
    await chat.say("change an answer")
    await chat.say("DSL already told in person")
    assert "Who did you tell, and when?" in await chat.say("yes")
    summary = await chat.say("Ms Okafor, at 2.45pm in her office")
    assert "- Which DSL, and when: Ms Okafor, at 2.45pm in her office" in summary


async def test_cancel_asks_first_and_no_carries_on_at_the_same_question(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    offer = await chat.say("cancel")
    assert "Cancel this report?" in offer and "nothing will be sent" in offer
    reply = await chat.press("no")
    assert "Carrying on" in reply and "What did the child say?" in reply
    assert len(await drafts(runtime)) == 1  # the unfinished disclosure is known about

    await chat.say("cancel")
    cancelled = await chat.say("yes")
    assert "Report cancelled" in cancelled and "tell the DSL today" in cancelled
    assert await reports(runtime) == [] and await drafts(runtime) == []
    # The conversation is free again: a policy question gets a policy answer.
    assert "Ask:" in await chat.say("Can I accept a friend request from a pupil on Facebook?")


async def test_cancel_after_an_urgent_alert_keeps_the_alert(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("yes")
    [early] = await reports(runtime)
    offer = await chat.say("cancel")
    assert early.reference in offer and "stays with the DSL" in offer
    cancelled = await chat.press("yes")
    assert early.reference in cancelled
    assert [r.reference for r in await reports(runtime)] == [early.reference]


async def test_back_reasks_the_previous_question_and_the_first_has_nothing_before_it(runtime):
    chat = Chat(runtime)
    await start(chat)
    first = await chat.say("back")
    assert "first question" in first and DANGER in first
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    reply = await chat.say("back")
    assert "Going back" in reply and "Which child" in reply
    assert "What did the child say?" in await chat.say("Jayden Smith, Year 5")
    await chat.answer_all(*DISCLOSURE_ANSWERS[1:])
    reply = await chat.say("back")  # from the summary: the last question again
    assert "Have you already told a DSL" in reply
    summary = await chat.press("no")
    assert "- The child: Jayden Smith, Year 5" in summary


async def test_help_explains_the_step_and_asks_it_again(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    reply = await chat.say("help")
    assert "parents may one day read it" in reply  # this step's help
    assert "'back'" in reply and "'cancel'" in reply
    assert reply.rstrip().endswith("don't tidy them up.")  # the same question, asked again


async def test_start_again_clears_the_answers(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:4])
    reply = await chat.say("start again")
    assert "Starting this report again" in reply and DANGER in reply
    await chat.press("no")
    summary = await chat.answer_all("Maya, Year 2", *DISCLOSURE_ANSWERS[1:])
    assert "- The child: Maya, Year 2" in summary and "Jayden" not in summary


async def test_a_policy_question_mid_report_is_answered_and_the_step_asked_again(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:9])
    # At a choice question: answered from the policy, then the same question.
    reply = await chat.say("Can I accept a friend request from a pupil on Facebook?")
    assert "Section:" in reply and "Back to your report" in reply
    assert reply.rstrip().endswith("2. No")
    assert "Have you already told a DSL" in reply
    summary = await chat.press("no")
    assert summary.startswith("Disclosure report")


async def test_a_policy_question_at_a_free_text_step_can_be_kept_as_the_answer(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:3])
    question = "Can I accept a friend request from a pupil on Facebook?"
    reply = await chat.say(question)
    assert "Section:" in reply and "keep it" in reply and "Who else was there?" in reply
    assert "Did you see any injuries?" in await chat.say("keep it")
    await chat.answer_all(*DISCLOSURE_ANSWERS[4:])
    await chat.press("submit")
    [report] = await reports(runtime)
    assert answers_of(runtime, report)["present"] == question


async def test_the_childs_words_are_recorded_even_when_they_are_a_question(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    words = "Can I tell you something if you promise not to tell anyone?"
    assert "When and where" in await chat.say(words)


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("   ", "I didn't get an answer"),
        ("asdf", "doesn't look like an answer"),
        ("?!?!...", "doesn't look like an answer"),
        ("x" * 4001, "4,001 characters; the limit is 4,000"),
    ],
)
async def test_empty_nonsense_or_overlong_answers_are_reprompted(runtime, bad, problem):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    reply = await chat.say(bad)
    assert problem in reply and "What did the child say?" in reply
    assert "When and where" in await chat.say("he said it hurts")


async def test_a_choice_that_is_not_an_option_is_reprompted(runtime):
    chat = Chat(runtime)
    await start(chat)
    reply = await chat.say("maybe")
    assert "Please choose one of: 1. Yes, 2. No" in reply and DANGER in reply
    assert "Which child" in await chat.say("2")  # typed number works like the button


async def test_card_buttons_work_without_any_text(runtime):
    chat = Chat(runtime)
    assert "What do you want to report?" in await chat.say(None, value={"action": "report_concern"})
    assert DANGER in await chat.say(None, value={"action": "report_concern", "kind": "disclosure"})
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:-1])
    assert "Disclosure report" in await chat.press("no")
    assert "Which answer" in await chat.press("edit")
    assert "Have you already told" in await chat.press("dsl_told")
    await chat.press("no")
    assert "reference OAK-" in await chat.press("submit")


class FailingOnceDesk:
    """The real desk, except the database is 'down' for the first submit."""

    def __init__(self, desk):
        self.desk, self.failures = desk, 1

    async def file(self, **kwargs):
        if self.failures:
            self.failures -= 1
            raise ReportNotFiled("OperationalError")
        return await self.desk.file(**kwargs)

    def __getattr__(self, name):
        return getattr(self.desk, name)


async def test_a_report_that_cannot_be_saved_says_so_and_keeps_the_answers(runtime):
    runtime.bot.services.desk = FailingOnceDesk(runtime.bot.services.desk)
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS)
    reply = await chat.press("submit")
    assert "couldn't save your report" in reply and "in a minute" in reply
    assert "- The child: Jayden, Year 5" in reply  # the summary again, answers intact
    assert await reports(runtime) == []
    receipt = await chat.press("submit")
    [report] = await reports(runtime)
    assert report.reference in receipt


async def test_no_log_record_contains_what_was_typed(runtime, caplog):
    caplog.set_level(logging.DEBUG)
    chat = Chat(runtime)
    await start(chat)
    await chat.press("yes")
    await chat.answer_all(*DISCLOSURE_ANSWERS)
    await chat.say("Can I accept a friend request from a pupil on Facebook?")
    await chat.press("submit")
    assert len(await reports(runtime)) == 1
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "report submitted" in logged  # the flow does log, just never content
    for typed in DISCLOSURE_ANSWERS:
        if len(typed) > 3:
            assert typed not in logged
    for fragment in ("Jayden", "belt", "forearm", "Maya"):
        assert fragment not in logged


async def test_with_the_reports_database_unreachable_the_user_is_told_and_nothing_is_lost(runtime):
    from bot.persistence.db import create_engine, sessionmaker
    from bot.records.report_desk import ReportDesk

    real_desk = runtime.bot.services.desk
    dead = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")  # nothing listens on port 9
    runtime.bot.services.desk = ReportDesk(sessionmaker(dead), runtime.cipher)
    try:
        chat = Chat(runtime)
        await start(chat)
        reply = await chat.press("yes")
        assert "Call 999 now" in reply and "couldn't send the alert automatically" in reply
        assert "Which child" in reply  # the report carries on
        await chat.answer_all(*DISCLOSURE_ANSWERS)
        reply = await chat.press("submit")
        assert "couldn't save your report" in reply and "- The child: Jayden, Year 5" in reply
    finally:
        runtime.bot.services.desk = real_desk
        await dead.dispose()
    receipt = await chat.press("submit")  # the database is back
    [report] = await reports(runtime)
    assert report.reference in receipt and report.urgency == "urgent"


class _Clock:
    """The interruption hook's clock, moved on by hand."""

    def __init__(self):
        from datetime import UTC, datetime

        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def wait(self, **gap):
        from datetime import timedelta

        self.now += timedelta(**gap)


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    """The interruption hook's clock, and the flow's, under the test's hand."""
    moved = _Clock()
    monkeypatch.setattr("dialogs.interruptions.utc_now", moved)
    monkeypatch.setattr("dialogs.flow.utc_now", moved)
    return moved


async def test_a_message_after_a_long_time_away_is_held_until_the_reporter_says_it_is_an_answer(runtime, clock):
    """Back the next morning to an unfinished report: what is typed may be a new child's disclosure,
    so it is not recorded into this report unless the reporter says so; nothing is lost."""
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.say(DISCLOSURE_ANSWERS[0])  # the child
    clock.wait(hours=1)  # a lesson in between: carries on as normal
    await chat.say(DISCLOSURE_ANSWERS[1])  # the child's words

    clock.wait(hours=20)
    new_concern = "a girl in year 2 just told me her brother locks her in the shed"
    reply = await chat.say(new_concern)
    assert "Welcome back" in reply and "haven't recorded" in reply and "keep it" in reply
    assert reply.rstrip().endswith("When and where did the child tell you (date, time, place, what was happening)?")

    # The reporter meant it for this report after all: "keep it" records it exactly as typed.
    await chat.say("keep it")
    await chat.answer_all(*DISCLOSURE_ANSWERS[3:])
    await chat.press("submit")
    [report] = await reports(runtime)
    stored = answers_of(runtime, report)
    assert stored["words"] == DISCLOSURE_ANSWERS[1]
    assert new_concern in stored.values()


async def test_after_a_long_time_away_a_button_is_still_an_answer_and_cancel_still_cancels(runtime, clock):
    chat = Chat(runtime)
    await start(chat)
    clock.wait(hours=5)
    assert "Which child" in await chat.press("no")  # pressed, so meant: no welcome back
    clock.wait(days=2)
    assert "cancel" in (await chat.say("cancel")).lower()
    assert "Report cancelled" in await chat.press("yes")


async def test_after_a_long_time_away_the_held_message_is_dropped_from_the_report_when_an_answer_follows(
    runtime, clock
):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:2])
    clock.wait(hours=4)
    assert "Welcome back" in await chat.say("can I friend a parent on facebook")
    await chat.answer_all(*DISCLOSURE_ANSWERS[2:])
    await chat.press("submit")
    [report] = await reports(runtime)
    stored = answers_of(runtime, report)
    assert "can I friend a parent on facebook" not in stored.values()
    assert DISCLOSURE_ANSWERS[2] in stored.values()
