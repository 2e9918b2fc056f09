"""The online-safety incident flow, including the nudes branch that refuses attachments."""

from __future__ import annotations

from botbuilder.schema import Attachment
from sqlalchemy import select

from bot.persistence.models import BotStateItem
from tests.support.chat_harness import Chat, answers_of, reports

PHOTO = Attachment(content_type="image/jpeg", content_url="https://files.invalid/IMG_0042.jpg", name="IMG_0042.jpg")


async def start(chat: Chat) -> str:
    return await chat.say(None, value={"action": "report_concern", "kind": "incident"})


async def test_nudes_branch_warns_refuses_attachments_and_files_a_high_urgency_report(runtime):
    chat = Chat(runtime)
    assert "What kind of online-safety incident" in await start(chat)
    warning = await chat.press("nudes")
    assert "do not view, copy, print, share" in warning and "won't accept attachments" in warning
    assert "Is a member of staff's own conduct part of this" in warning
    await chat.press("no")
    await chat.say("Snapchat")
    await chat.say("this morning before registration")

    refused = await chat.say("here is the picture", attachments=[PHOTO])
    assert "has not been kept" in refused and "delete it from this chat" in refused
    assert "Never view, copy, forward or save" in refused
    assert "Which pupils are involved" in refused  # the same step, asked again
    async with runtime.sessions() as session:
        stored = " ".join(str(row.data) for row in (await session.scalars(select(BotStateItem))).all())
    assert "IMG_0042" not in stored and "files.invalid" not in stored

    await chat.say("Leah (Y9) target; Ryan (Y10) alleged to have shared it; Sam (Y9) witness")
    device_step = await chat.say("Leah said an image of her was shared in a group chat")
    assert "Were images or videos involved" not in device_step  # implied by the type
    assert "Has the device been secured" in device_step
    await chat.press("yes")
    await chat.say("Took Ryan's phone, switched it off, gave it to the DSL")
    summary = await chat.say("DSL told in person")
    assert "- Type of incident: Nudes or semi-nudes being shared" in summary
    assert "- Device secured: Yes, it's secured" in summary
    receipt = await chat.press("submit")
    [report] = await reports(runtime)
    assert report.reference in receipt
    assert (report.kind, report.category, report.urgency) == ("incident", "nudes", "high")
    assert answers_of(runtime, report)["platform"] == "Snapchat"


async def test_any_report_refuses_attachments_with_a_reason(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("cyberbullying")
    refused = await chat.say(None, attachments=[PHOTO])
    assert "can't accept files or images" in refused and "Is a member of staff's own conduct" in refused


async def test_cyberbullying_asks_about_imagery_and_other_asks_what_kind(runtime):
    chat = Chat(runtime)
    await start(chat)
    assert "Briefly, what kind of incident" in await chat.press("other")
    await chat.say("a fake account impersonating a pupil")
    await chat.press("no")
    for answer in ("Instagram", "last weekend", "Ella (Y8) target", "someone made a fake profile of Ella"):
        reply = await chat.say(answer)
    assert "Were images or videos involved?" in reply
    await chat.press("yes")
    await chat.press("no_device")
    await chat.say("reported the account to Instagram")
    summary = await chat.say("no one yet")
    assert "- Type (described): a fake account impersonating a pupil" in summary
    await chat.press("submit")
    [report] = await reports(runtime)
    assert (report.category, report.urgency) == ("other", "normal")


async def test_a_member_of_staffs_conduct_hands_over_to_the_adult_concern_flow(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("staff_contact")
    reply = await chat.press("yes")
    assert "switch to that report" in reply
    assert "The person concerned will never see it" in reply
    assert "Is your concern about the headteacher?" in reply
    await chat.press("no")
    assert await reports(runtime) == []


async def test_a_question_the_policy_does_not_cover_is_still_not_recorded_as_an_answer(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("nudes")
    await chat.press("no")
    await chat.say("Snapchat")
    await chat.say("this morning")
    reply = await chat.say("Can I look at the images to check what they show?")
    assert "Back to your report" in reply and "keep it" in reply
    assert reply.rstrip().endswith("target, alleged perpetrator or witness?")  # the same step again
    assert "What happened?" in await chat.say("Leah (Y9) target")
