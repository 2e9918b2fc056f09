"""The turn loop end to end: triage before answers, commands, feedback, restarts, two users, the terminal."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.conversation.answers import Choice
from bot.persistence.models import BotStateItem, Feedback, KnowledgeGap
from bot.settings import PROJECT_ROOT
from dialogs.disclosure import DANGER
from tests.support.chat_harness import (
    DISCLOSURE_ANSWERS,
    TEST_KEY,
    Chat,
    answers_of,
    build,
    reports,
    shared_assistant,
)


@pytest.mark.parametrize(
    "message",
    [
        "A girl in my class just told me her stepdad hits her",
        "one of the year 9s has been sent nudes by a boy in year 11",
    ],
)
async def test_a_message_that_reads_like_a_report_starts_a_flow_never_an_faq_answer(runtime, message):
    chat = Chat(runtime)
    reply = await chat.say(message)
    assert "I'll help you report it" in reply
    assert "Section:" not in reply and "Ask:" not in reply  # no policy answer
    assert DANGER in reply or "What kind of online-safety incident" in reply


async def test_a_report_about_a_member_of_staff_starts_the_adult_concern_flow(runtime):
    chat = Chat(runtime)
    reply = await chat.say("I think Mr Jones has been messaging a year 8 girl on snapchat late at night")
    assert "concern about an adult who works with children" in reply
    assert "Is your concern about the headteacher?" in reply and "Section:" not in reply


async def test_a_policy_question_gets_the_policy_answer_with_its_clause(runtime):
    chat = Chat(runtime)
    reply = await chat.say("Can I accept a friend request from a pupil on Facebook?")
    assert reply.startswith("No.") and "Section:" in reply and "Ask:" in reply


async def test_an_unanswered_question_is_counted_as_a_knowledge_gap(runtime):
    chat = Chat(runtime)
    await chat.say("What's the weather tomorrow?")
    await runtime.bot.gaps.flush()  # the server writes them within gaps.FLUSH_S seconds
    async with runtime.sessions() as session:
        [gap] = (await session.scalars(select(KnowledgeGap))).all()
    assert (gap.school_slug, gap.count) == ("oakfield", 1)


async def test_policy_questions_leave_no_conversation_state_behind(runtime):
    chat = Chat(runtime)
    await chat.say("Can I accept a friend request from a pupil on Facebook?")
    await chat.say("What's the weather tomorrow?")
    async with runtime.sessions() as session:
        assert (await session.scalars(select(BotStateItem))).all() == []  # nothing to resume, nothing written
    await chat.say("report a concern")
    await chat.say("1")
    async with runtime.sessions() as session:
        assert len((await session.scalars(select(BotStateItem))).all()) == 1  # a report under way is kept


async def test_feedback_buttons_store_a_feedback_row(runtime):
    chat = Chat(runtime)
    reply = await chat.say(
        None, value={"action": "feedback", "helpful": False, "intent": "friend_pupil", "clause_id": "oakfield-3"}
    )
    assert "wasn't helpful" in reply
    async with runtime.sessions() as session:
        [row] = (await session.scalars(select(Feedback))).all()
    assert (row.school_slug, row.intent, row.clause_id, row.helpful) == (
        "oakfield",
        "friend_pupil",
        "oakfield-3",
        False,
    )


class ClarifyingAssistant:
    """The real Assistant, except one vague question gets a "Did you mean" answer."""

    VAGUE = "photos?"

    def __init__(self, real):
        self.real = real
        self.schools = real.schools

    def answer(self, question, school_slug, verdict=None):
        if question != self.VAGUE:
            return self.real.answer(question, school_slug, verdict)
        base = self.real.answer("Can I accept a friend request from a pupil on Facebook?", school_slug)
        return replace(
            base,
            question=question,
            kind="clarify",
            verdict=None,
            clauses=(),
            reply="Did you mean:\n1. Posting photos of pupils\n2. Photos on my own phone\n3. None of these",
            choices=(
                Choice("posting_pupil_photos", "Posting photos of pupils"),
                Choice("photos_personal_device", "Photos on my own phone"),
                Choice(None, "None of these"),
            ),
        )

    def answer_intent(self, question, school_slug, intent_id):
        return self.real.answer_intent(question, school_slug, intent_id)


@pytest.fixture
async def clarifying_runtime(db_url):
    runtime = await build(db_url, assistant=ClarifyingAssistant(shared_assistant()))
    yield runtime
    await runtime.close()


async def test_did_you_mean_choices_can_be_typed_or_pressed(clarifying_runtime):
    chat = Chat(clarifying_runtime)
    assert "Did you mean" in await chat.say(ClarifyingAssistant.VAGUE)
    typed = await chat.say("2")
    expected = shared_assistant().answer_intent(ClarifyingAssistant.VAGUE, "oakfield", "photos_personal_device")
    assert typed == expected.reply
    await chat.say(ClarifyingAssistant.VAGUE)
    pressed = await chat.say(None, value={"action": "choose_intent", "intent": "posting_pupil_photos"})
    assert (
        pressed == shared_assistant().answer_intent(ClarifyingAssistant.VAGUE, "oakfield", "posting_pupil_photos").reply
    )
    await chat.say(ClarifyingAssistant.VAGUE)
    none = await chat.say(None, value={"action": "choose_intent", "intent": None})
    assert "couldn't find that in the policy" in none
    await clarifying_runtime.bot.gaps.flush()
    async with clarifying_runtime.sessions() as session:
        assert [g.example for g in (await session.scalars(select(KnowledgeGap))).all()] == [ClarifyingAssistant.VAGUE]


async def test_report_a_concern_offers_the_three_flows(runtime):
    chat = Chat(runtime)
    menu = await chat.say("Report a concern")
    assert "1. A child has told me something" in menu and "2. An online-safety incident" in menu
    assert "3. A concern about an adult" in menu and "call 999" in menu
    assert "What kind of online-safety incident" in await chat.say("2")


async def test_dsl_commands_are_for_role_holders_only(runtime):
    staff = Chat(runtime)
    await staff.say("report a concern")
    await staff.press("disclosure")
    await staff.press("no")
    await staff.answer_all(*DISCLOSURE_ANSWERS)
    await staff.press("submit")
    [report] = await reports(runtime)
    refused = await staff.say(f"show {report.reference}")
    assert "Jayden" not in refused
    dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
    listing = await dsl.say("open reports")
    assert report.reference in listing
    shown = await dsl.say(None, value={"action": "open_report", "reference": report.reference})
    assert "Jayden, Year 5" in shown


async def test_a_restarted_process_resumes_the_report_at_the_same_step(db_url):
    first = await build(db_url)
    chat = Chat(first)
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:3])  # child, words, when/where
    await first.close()  # the process stops mid-report

    second = await build(db_url)  # a new storage and bot on the same database
    try:
        async with second.sessions() as session:
            stored = " ".join(str(row.data) for row in (await session.scalars(select(BotStateItem))).all())
        assert "Jayden" not in stored and "library" not in stored  # typed answers are sealed at rest
        chat.use(second)
        assert "Who else was there?" in await chat.say("help")  # the same step, asked again
        summary = await chat.answer_all(*DISCLOSURE_ANSWERS[3:])
        assert "- The child: Jayden, Year 5" in summary and "- When and where: Tuesday 2.30pm" in summary
        await chat.press("submit")
        [report] = await reports(second)
        assert answers_of(second, report)["words"] == DISCLOSURE_ANSWERS[1]
    finally:
        await second.close()


async def test_a_report_under_way_when_the_bot_was_upgraded_carries_on(runtime):
    """Progress stored by the bot before it was typed (a plain dict, answers sealed) still loads."""
    chat = Chat(runtime)
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:3])  # child, words, when/where
    async with runtime.sessions() as session:
        keys = [row.key for row in (await session.scalars(select(BotStateItem))).all()]
    items = await runtime.storage.read(keys)
    [(key, item)] = [(k, v) for k, v in items.items() if "DialogState" in v]
    instance = item["DialogState"].dialog_stack[0].state
    progress = instance["report"]
    typed = {"answers": dict(progress.answers), "held": progress.held}
    if progress.sealed:  # what the old bot stored: every other field as it was, the typed ones sealed
        typed = json.loads(runtime.cipher.decrypt_text(progress.sealed.encode("ascii")))
    old = {
        "school": progress.school,
        "history": list(progress.history),
        "asking": progress.asking,
        "at": progress.at,
        "reference": None,
        "started": progress.started,
        "suggested": {},
        "sealed": runtime.cipher.encrypt_text(json.dumps(typed)).decode("ascii"),
    }
    instance["report"] = old
    await runtime.storage.write({key: item})

    assert "Who else was there?" in await chat.say("help")  # the same step, asked again
    summary = await chat.answer_all(*DISCLOSURE_ANSWERS[3:])
    assert "- The child: Jayden, Year 5" in summary and "- When and where: Tuesday 2.30pm" in summary
    await chat.press("submit")
    [report] = await reports(runtime)
    assert answers_of(runtime, report)["words"] == DISCLOSURE_ANSWERS[1]


async def test_two_users_reporting_at_once_never_see_each_others_state(runtime):
    amara = Chat(runtime, user_id="staff-amara", name="Ms Amara Okafor")
    tom = Chat(runtime, user_id="staff-tom", name="Mr Tom Baker")
    await asyncio.gather(amara.say("report a concern"), tom.say("report a concern"))
    await asyncio.gather(amara.press("disclosure"), tom.press("incident"))
    await amara.press("no")
    tom_answers = (
        "cyberbullying",
        "no",
        "WhatsApp",
        "yesterday evening",
        "Zara (Y7) target, Liam (Y7) sender",
        "Liam posted mean messages about Zara in the class group",
    )
    for index, answer in enumerate(DISCLOSURE_ANSWERS):
        moves = [amara.say(answer)]
        if index < len(tom_answers):
            moves.append(tom.press(tom_answers[index]) if index < 2 else tom.say(tom_answers[index]))
        await asyncio.gather(*moves)
    amara_summary = amara.transcript[-1][1]
    assert "Jayden" in amara_summary and "Zara" not in amara_summary and "WhatsApp" not in amara_summary
    tom_view = " ".join(said for who, said in tom.transcript if who == "bot")
    assert "Jayden" not in tom_view and "Disclosure report" not in tom_view
    assert "Were images or videos involved?" in tom.transcript[-1][1]
    await asyncio.gather(amara.press("submit"), tom.press("no"))
    [report] = await reports(runtime)
    assert (report.kind, report.reporter_id) == ("disclosure", "staff-amara")


def test_the_terminal_chat_completes_a_full_report_from_piped_stdin(tmp_path):
    db = tmp_path / "chat.sqlite3"
    script = (
        "\n".join(
            [
                "Can I accept a friend request from a pupil on Facebook?",
                "report a concern",
                "1",
                "no",
                *DISCLOSURE_ANSWERS,
                "submit",
                "quit",
            ]
        )
        + "\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "ENCRYPTION_KEYS": TEST_KEY,
        "ENVIRONMENT": "test",
    }
    done = subprocess.run(
        [sys.executable, "app.py", "chat", "--school", "oakfield"],
        input=script,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Section:" in out  # the policy answer
    assert DANGER in out and "Disclosure report" in out
    assert "Your report is saved: reference OAK-" in out
    receipt = out[out.index("Your report is saved") :]
    assert "Jayden" not in receipt


def test_the_terminal_chat_refuses_an_unknown_school(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", "ENCRYPTION_KEYS": TEST_KEY}
    done = subprocess.run(
        [sys.executable, "app.py", "chat", "--school", "nowhere-academy"],
        input="",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and "Unknown school 'nowhere-academy'" in done.stderr


async def test_a_dsl_can_acknowledge_an_alert_mid_report_and_the_report_waits(runtime):
    staff = Chat(runtime)
    await staff.say("report a concern")
    await staff.press("disclosure")
    await staff.press("no")
    await staff.answer_all(*DISCLOSURE_ANSWERS)
    await staff.press("submit")
    [report] = await reports(runtime)

    dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
    await dsl.say("report a concern")
    await dsl.press("incident")
    await dsl.press("cyberbullying")
    reply = await dsl.say(None, value={"action": "acknowledge", "reference": report.reference})
    assert f"Acknowledged {report.reference}" in reply
    assert reply.rstrip().endswith("2. No") and "member of staff's own conduct" in reply  # same question
    async with runtime.sessions() as session:
        assert (await session.get(type(report), report.id)).status == "acknowledged"
    feedback = await dsl.say(None, value={"action": "feedback", "helpful": True, "intent": "x", "clause_id": None})
    assert "Thanks for the feedback" in feedback and "member of staff's own conduct" in feedback
    await dsl.press("no")
    assert "Which app" in dsl.transcript[-1][1]


async def test_a_button_from_an_earlier_card_is_not_taken_as_an_answer(runtime):
    chat = Chat(runtime)
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    reply = await chat.press("yes")  # an old "Yes" pressed at the free-text "Which child?" step
    assert "earlier question" in reply and "Which child" in reply
    assert await reports(runtime) == []


async def test_hello_explains_what_the_assistant_does(runtime):
    reply = await Chat(runtime).say("hello")
    assert "report a concern" in reply and "999" in reply


async def test_when_a_step_cannot_be_saved_the_user_is_asked_to_send_it_again(runtime):
    from bot.persistence.storage import StorageUnavailable

    chat = Chat(runtime)
    await chat.say("report a concern")
    await chat.press("disclosure")
    await chat.press("no")
    real_write = runtime.storage.write

    async def database_down(changes):
        raise StorageUnavailable("state could not be written")

    runtime.storage.write = database_down
    reply = await chat.say("Jayden, Year 5")
    assert "couldn't save that step" in reply and "send your last answer again" in reply
    runtime.storage.write = real_write
    reply = await chat.say("Jayden, Year 5")  # the saved state is still at "Which child?"
    assert "What did the child say?" in reply


DISCLOSURE = "Jayden in year 4 just told me his uncle touches him when he stays over"


def staffroom(runtime, user_id="staff-amara", name="Ms Amara Okafor", reachable=True):
    """A member of staff in the staffroom group chat, and (if the channel can open one) their private chat."""
    private = Chat(runtime, user_id=user_id, name=name, conversation_id=f"private-{user_id}") if reachable else None
    group = Chat(
        runtime, user_id=user_id, name=name, conversation_id="staffroom", conversation_type="groupChat", private=private
    )
    return group, private


async def test_a_disclosure_in_a_group_chat_continues_only_in_a_private_chat(runtime):
    group, private = staffroom(runtime)
    in_group = await group.say(DISCLOSURE)
    assert "sent you a private message" in in_group and "please delete it" in in_group
    assert "Jayden" not in in_group and "uncle" not in in_group and DANGER not in in_group
    opened = private.heard()
    assert "You started a report in the staffroom group chat; let's continue here" in opened
    assert "safeguarding concern about a child" in opened and DANGER in opened
    assert "Jayden" not in opened  # the first message seeds the flow, it is never echoed

    assert "Which child" in await private.press("no")  # the report waits in the private chat
    assert "What did the child say?" in await private.say("Jayden, Year 4")
    assert "Jayden" not in "\n".join(said for who, said in group.transcript if who == "bot")


async def test_report_a_concern_in_a_group_chat_offers_the_reports_privately(runtime):
    group, private = staffroom(runtime)
    assert "sent you a private message" in await group.say("report a concern")
    assert "What do you want to report?" in private.heard()
    assert DANGER in await private.press("disclosure")
    pressed = await group.say(None, value={"action": "report_concern", "kind": "incident"})
    assert "sent you a private message" in pressed and "online-safety" not in pressed
    assert "What kind of online-safety incident" in private.heard()


async def test_two_staff_in_one_group_chat_each_report_in_their_own_private_chat(runtime):
    amara, amara_private = staffroom(runtime)
    tom, tom_private = staffroom(runtime, user_id="staff-tom", name="Mr Tom Baker")
    await amara.say("report a concern")
    amara_private.heard()
    await amara_private.press("disclosure")
    assert "Please choose" not in await tom.say("Can I accept a friend request from a pupil on Facebook?")
    await amara_private.press("no")
    assert "What did the child say?" in await amara_private.say("Jayden, Year 5")
    await tom.say("report a concern")
    tom_reply = tom_private.heard()
    assert "What do you want to report?" in tom_reply and "Jayden" not in tom_reply


async def test_when_no_private_chat_can_be_opened_nothing_starts_and_the_dsl_is_named(runtime):
    from tests.support.chat_harness import drafts

    group, _ = staffroom(runtime, reachable=False)
    reply = await group.say(DISCLOSURE)
    assert "couldn't open a private chat with you" in reply and "haven't started a report here" in reply
    assert "Open a private chat with me" in reply
    assert "the Designated Safeguarding Lead, Ms Amara Okafor," in reply and "999" in reply
    assert "Jayden" not in reply and DANGER not in reply and "Which child" not in reply
    (marker,) = await drafts(runtime)  # the DSL still hears someone tried (bot.alerts.planning.sweep_drafts)
    assert marker.conversation_key == "unreached:test/staff-amara" and marker.kind == "disclosure"
    assert "Which child" not in await group.press("no")  # nothing is waiting in the group chat


async def test_reporting_privately_later_clears_the_unreached_marker(runtime):
    from tests.support.chat_harness import drafts

    group, _ = staffroom(runtime, reachable=False)
    await group.say(DISCLOSURE)
    private = Chat(runtime, user_id="staff-amara", name="Ms Amara Okafor", conversation_id="private-staff-amara")
    await private.say("report a concern")
    await private.press("disclosure")
    assert [d.conversation_key for d in await drafts(runtime)] == ["test/private-staff-amara"]


async def test_a_dsl_command_in_a_group_chat_is_answered_ask_me_privately(runtime):
    staff = Chat(runtime)
    await staff.say("report a concern")
    await staff.press("disclosure")
    await staff.press("no")
    await staff.answer_all(*DISCLOSURE_ANSWERS)
    await staff.press("submit")
    reference = (await reports(runtime))[0].reference
    dsl, _ = staffroom(runtime, user_id="dsl-okafor")
    for command in (f"show {reference}", "open reports", f"acknowledge {reference}"):
        reply = await dsl.say(command)
        assert "ask me that in a private chat" in reply and reference not in reply
    pressed = await dsl.say(None, value={"action": "open_report", "reference": reference})
    assert "ask me that in a private chat" in pressed and "Jayden" not in pressed
    assert (await reports(runtime))[0].acknowledged_at is None


async def test_an_old_report_button_pressed_in_a_group_chat_changes_nothing(runtime):
    group, private = staffroom(runtime)
    await group.say("report a concern")
    private.heard()
    await private.press("disclosure")
    reply = await group.press("yes")  # "Is a child in immediate danger?" answered on an old card there
    assert "nothing was changed" in reply and "urgent" not in reply.lower()
    assert "Which child" not in reply
    assert "Which child" in await private.press("no")  # the private report is where it was


async def test_a_file_sent_outside_a_report_is_not_kept_and_the_text_is_still_answered(runtime):
    from botbuilder.schema import Attachment

    photo = Attachment(content_type="image/png", content_url="https://files.invalid/p.png", name="p.png")
    chat = Chat(runtime)
    assert "haven't kept that file" in await chat.say(None, attachments=[photo])
    reply = await chat.say("Can I accept a friend request from a pupil on Facebook?", attachments=[photo])
    assert "haven't kept that file" in reply and "Section:" in reply


@pytest.mark.parametrize(
    "value",
    [
        {"action": "report_concern", "kind": ["disclosure"]},
        {"action": "report_concern", "kind": {"a": 1}},
        {"action": "choose_intent", "intent": 42},
        {"action": "choose_intent", "intent": ["friend_parent"]},
        {"action": "feedback", "helpful": [True], "intent": {"x": 1}},
        {"action": "acknowledge", "reference": ["OAK-2026-0001"]},
        {"action": "open_report", "reference": 7},
        {"action": "choice", "choice": {"key": "1"}},
    ],
)
async def test_a_card_value_of_the_wrong_shape_gets_the_reply_for_unknown_input(runtime, value):
    chat = Chat(runtime)
    reply = await chat.say(None, value=value)
    assert reply == "Type a question about the policy, or 'report a concern'."
    mid_report = Chat(runtime, user_id="staff-mid-report")
    await mid_report.say("report a concern")
    await mid_report.say("1")
    step = mid_report.replies[-1].text
    again = await mid_report.say(None, value=value)
    assert "something went wrong" not in again and step in again  # the report waits at the same question
