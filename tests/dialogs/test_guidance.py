"""Questions asked inside a report are answered from the guidance that report follows (issue 11, item 5).

Walking the nudes branch, "can I screenshot it as evidence?" used to get "I couldn't find anything
about that in the policy" and "what do i do with the phone" got "Please choose one of: 1. Yes, 2. No".
Each flow now carries its own UKCIS / KCSIE guidance (dialogs.guidance), answers from it first,
asks the same step again and never records the question as the answer; a message that already
names the incident type is offered as "It sounds like: ... Is that right?".
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.conversation import turns
from bot.persistence.models import BotStateItem
from bot.triage import Triage
from dialogs import guidance
from dialogs.adult_concern import AdultConcernFlow
from dialogs.disclosure import DisclosureFlow
from dialogs.incident import IncidentFlow, incident_type_in
from dialogs.validation import reads_as_question
from tests.support.chat_harness import DISCLOSURE_ANSWERS, Chat, answers_of, reports

SCREENSHOT = "can I screenshot it as evidence?"
PHONE = "what do i do with the phone"
POLICY_QUESTION = "Can I accept a friend request from a pupil on Facebook?"  # the policy's, not the guidance's


async def start_incident(chat: Chat) -> str:
    return await chat.say(None, value={"action": "report_concern", "kind": "incident"})


# --- the guidance and its matching, without a bot ------------------------------------------------------


@pytest.mark.parametrize(
    "flow, question, says",
    [
        (IncidentFlow, SCREENSHOT, "Never view, copy, screenshot"),
        (IncidentFlow, PHONE, "switched off"),
        (IncidentFlow, "how do I deal with the phone", "hand it to the DSL"),
        (IncidentFlow, "should i delete it?", "Don't delete it"),
        (IncidentFlow, "who do I tell?", "Tell the DSL"),
        (IncidentFlow, "is it illegal?", "under 13"),
        (IncidentFlow, "can I keep it secret?", "Never promise to keep it secret"),
        (DisclosureFlow, "can I photograph the bruise?", "Never photograph injuries"),
        (DisclosureFlow, "should I ask who did it?", "don't lead"),
        (DisclosureFlow, "should I ring social services?", "DSL"),
        (AdultConcernFlow, "should I tell my colleague?", "Don't tell, warn or approach the colleague"),
        (AdultConcernFlow, "what if it's about the head?", "chair of governors"),
        (AdultConcernFlow, "can I tell the DSL?", "headteacher only"),
        (DisclosureFlow, PHONE, "hand it to the DSL"),
        (DisclosureFlow, "can i screenshot what he sent her", "never view, copy, screenshot"),
        (AdultConcernFlow, "should I look at the messages on his phone?", "Don't look through the device"),
    ],
)
def test_each_flow_answers_from_its_own_guidance(flow, question, says):
    entry = guidance.match(question, flow.guide)
    assert entry is not None and says in entry.answer


@pytest.mark.parametrize(
    "question",
    [
        POLICY_QUESTION,
        "Can I give a pupil a lift home?",
        "what is sexting?",
        "what time is it",
        "yes?",
        "I saw him give a pupil his personal mobile number and say to message him at weekends, is that allowed?",
    ],
)
def test_questions_the_guidance_does_not_cover_are_left_to_the_policy(question):
    for flow in (IncidentFlow, DisclosureFlow, AdultConcernFlow):
        assert guidance.match(question, flow.guide) is None


@pytest.mark.parametrize(
    "text, asking",
    [
        (SCREENSHOT, True),
        (PHONE, True),
        ("who do I tell", True),
        ("am i allowed to do that", True),
        ("Snapchat", False),
        ("when she got home from school", False),
        ("what she said was awful", False),
        ("Is in Year 9", False),
    ],
)
def test_what_reads_as_a_question(text, asking):
    assert reads_as_question(text) is asking


@pytest.mark.parametrize(
    "text, kind",
    [
        ("a nude pic", "nudes"),
        ("a fake account", "cyberbullying"),
        ("someone's pretending to be Mr X online", "cyberbullying"),
        ("group chat bullying", "cyberbullying"),
        ("2", None),
        ("An online-safety incident", None),
        ("report a concern", None),
    ],
)
def test_a_message_that_names_the_incident_type(text, kind):
    assert incident_type_in(text) == kind


# --- in the chat -------------------------------------------------------------------------------------


async def test_walking_the_nudes_branch_questions_are_answered_and_never_recorded(runtime):
    chat = Chat(runtime)
    await start_incident(chat)
    await chat.press("nudes")

    # At a yes/no step: answered about the device, then the same step again.
    reply = await chat.say(PHONE)
    assert "Don't look through the device" in reply and "switched off" in reply and "hand it to the DSL" in reply
    assert "Please choose one of" not in reply
    assert "Back to your report" in reply and reply.rstrip().endswith("2. No")
    assert "Is a member of staff's own conduct part of this" in reply
    await chat.press("no")

    # At a free-text step: no screenshots, even as evidence; the step again; the question held, not recorded.
    reply = await chat.say(SCREENSHOT)
    assert "Never view, copy, screenshot, print, forward or save the images, even as evidence" in reply
    assert "couldn't find" not in reply.lower()
    assert "keep it" in reply and reply.rstrip().endswith("Which app, website or platform was it on?")
    assert "When did it happen" in await chat.say("Snapchat")

    for answer in ("this morning", "Leah (Y9) target; Ryan (Y10) shared it", "an image of Leah was shared"):
        await chat.say(answer)
    await chat.press("yes")
    await chat.say("Took Ryan's phone, switched it off, gave it to the DSL")
    summary = await chat.say("DSL told in person")
    assert "screenshot" not in summary and "phone\n" not in summary
    await chat.press("submit")
    [report] = await reports(runtime)
    answers = answers_of(runtime, report)
    assert answers["platform"] == "Snapchat" and answers["staff_involved"] == "No"
    assert SCREENSHOT not in answers.values() and PHONE not in answers.values()


async def test_the_childs_words_are_recorded_verbatim_even_when_the_guidance_would_answer_them(runtime):
    words = "can you promise to keep it secret?"
    assert guidance.match(words, DisclosureFlow.guide) is not None  # it would be answered anywhere else
    chat = Chat(runtime)
    await chat.say(None, value={"action": "report_concern", "kind": "disclosure"})
    await chat.press("no")
    await chat.say("Jayden, Year 5")
    reply = await chat.say(words)
    assert "When and where" in reply and "Never promise" not in reply
    await chat.answer_all(*DISCLOSURE_ANSWERS[2:])
    await chat.press("submit")
    [report] = await reports(runtime)
    assert answers_of(runtime, report)["words"] == words


async def test_in_a_disclosure_what_to_do_with_the_phone_is_answered_and_never_recorded(runtime):
    chat = Chat(runtime)
    await chat.say(None, value={"action": "report_concern", "kind": "disclosure"})
    await chat.press("no")
    await chat.answer_all(*DISCLOSURE_ANSWERS[:2])
    reply = await chat.say(PHONE)
    assert "Don't look through the device" in reply and "hand it to the DSL" in reply
    assert reply.rstrip().endswith("(date, time, place, what was happening)?")
    await chat.answer_all(*DISCLOSURE_ANSWERS[2:])
    await chat.press("submit")
    [report] = await reports(runtime)
    assert PHONE not in answers_of(runtime, report).values()


async def test_a_concern_about_an_adult_should_i_tell_my_colleague_is_answered_no(runtime):
    chat = Chat(runtime)
    await chat.say(None, value={"action": "report_concern", "kind": "adult_concern"})
    reply = await chat.say("should I tell my colleague?")
    assert "Don't tell, warn or approach the colleague" in reply
    assert "headteacher" in reply and "chair of governors" in reply
    assert reply.rstrip().endswith("2. No") and "Is your concern about the headteacher?" in reply
    assert "will go to the headteacher only" in await chat.press("no")


async def test_a_question_the_guidance_does_not_cover_gets_the_policy_answer_as_before(runtime):
    chat = Chat(runtime)
    await start_incident(chat)
    await chat.press("nudes")
    reply = await chat.say(POLICY_QUESTION)
    assert "Section:" in reply and "Back to your report" in reply  # the policy's clause, quoted
    assert reply.rstrip().endswith("2. No") and "Is a member of staff's own conduct" in reply
    assert "Which app, website or platform" in await chat.press("no")


async def test_a_message_naming_the_incident_type_is_offered_for_confirmation(runtime, monkeypatch, caplog):
    monkeypatch.setattr(turns, "classify", lambda text: Triage("incident", False, ("test",)))
    caplog.set_level(logging.DEBUG)
    chat = Chat(runtime)
    reply = await chat.say("a nude pic")
    assert (
        "What kind of online-safety incident is it? It sounds like: Nudes or semi-nudes being shared. "
        "Is that right?" in reply
    )
    assert reply.rstrip().endswith("2. No") and "Cyberbullying" not in reply
    accepted = await chat.say("yes")
    assert "do not view, copy, print, share" in accepted  # the nudes branch, as if picked from the list
    assert "Is a member of staff's own conduct part of this" in accepted

    async with runtime.sessions() as session:
        stored = " ".join(str(row.data) for row in (await session.scalars(select(BotStateItem))).all())
    assert "nude pic" not in stored  # the first message is read once, never kept in state
    assert "nude pic" not in caplog.text  # nor logged


async def test_no_to_the_suggestion_asks_the_question_in_full(runtime, monkeypatch):
    monkeypatch.setattr(turns, "classify", lambda text: Triage("incident", False, ("test",)))
    chat = Chat(runtime)
    assert "It sounds like: Cyberbullying" in await chat.say("someone's pretending to be Mr X online")
    reply = await chat.say("no")
    assert "What kind of online-safety incident is it?" in reply and "It sounds like" not in reply
    assert "6. Something else" in reply
    assert "Briefly, what kind of incident" in await chat.press("other")


async def test_a_type_typed_at_the_type_step_is_offered_rather_than_refused(runtime):
    chat = Chat(runtime)
    await start_incident(chat)
    reply = await chat.say("group chat bullying")
    assert "Please choose one of" not in reply and "It sounds like: Cyberbullying. Is that right?" in reply
    assert "Is a member of staff's own conduct" in await chat.press("yes")
    await chat.press("no")
    await chat.answer_all("WhatsApp", "last night", "Ella (Y8) target", "a group chat mocking Ella")
    await chat.press("no")  # images
    await chat.press("no_device")
    await chat.say("told the DSL")
    await chat.say("the DSL")
    await chat.press("submit")
    [report] = await reports(runtime)
    assert report.category == "cyberbullying"
