"""Concerns about an adult: routed away from the person concerned, allegation vs low-level."""

from __future__ import annotations

from tests.support.chat_harness import Chat, alerts, answers_of, reports

DETAILS = (
    "Mr Owen Price, Year 6 teacher",
    "I saw him give a pupil his personal mobile number and say to message him at weekends",
    "Friday 3.15pm, by the Year 6 classroom",
    "Ruby, Year 6",
    "no one",
    "nothing yet, I haven't told anyone",
)


async def start(chat: Chat) -> str:
    await chat.say("report a concern")
    return await chat.press("adult_concern")


async def test_a_concern_about_the_headteacher_goes_to_the_chair_of_governors_only(runtime):
    chat = Chat(runtime)
    opening = await start(chat)
    assert "never see it" in opening and "chair of governors" in opening
    assert "will go to the chair of governors only" in await chat.press("yes")
    await chat.press("no")
    guidance = await chat.press("allegation")
    assert "LADO" in guidance and "Don't investigate" in guidance and "don't tell the adult" in guidance
    summary = await chat.answer_all("Mrs Grace Hughes, headteacher", *DETAILS[1:])
    assert "- Goes to: the chair of governors" in summary
    receipt = await chat.press("submit")
    assert "the chair of governors has been alerted" in receipt and "cannot see it" in receipt
    [report] = await reports(runtime)
    assert (report.kind, report.route_to, report.category, report.urgency) == (
        "adult_concern",
        "chair",
        "allegation",
        "high",
    )
    recipients = {(a.recipient_role, a.recipient_id) for a in await alerts(runtime)}
    assert recipients == {("chair", "chair-mensah")}  # never the head, never the DSL


async def test_a_low_level_concern_goes_to_the_headteacher_with_its_own_guidance(runtime):
    chat = Chat(runtime)
    await start(chat)
    assert "will go to the headteacher only" in await chat.press("no")
    await chat.press("no")
    guidance = await chat.press("low_level")
    assert "Low-level concerns are recorded" in guidance and "self-reporting" in guidance
    await chat.answer_all(*DETAILS)
    await chat.press("submit")
    [report] = await reports(runtime)
    assert (report.route_to, report.category, report.urgency) == ("head", "low_level", "normal")
    assert answers_of(runtime, report)["person"] == DETAILS[0]
    assert {a.recipient_role for a in await alerts(runtime)} == {"head"}


async def test_not_sure_is_treated_as_an_allegation(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.press("no")
    assert "treated as an allegation" in await chat.press("not_sure")


async def test_a_child_in_danger_now_means_999_and_an_urgent_alert_to_the_right_person(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("yes")  # about the headteacher
    reply = await chat.press("yes")
    assert reply.index("Call 999 now") < reply.index("URGENT alert to the chair of governors")
    [early] = await reports(runtime)
    assert (early.urgency, early.route_to) == ("urgent", "chair")
    assert {a.recipient_role for a in await alerts(runtime)} == {"chair"}
    await chat.press("allegation")
    await chat.answer_all(*DETAILS)
    await chat.press("submit")
    [report] = await reports(runtime)
    assert report.reference == early.reference and report.urgency == "urgent"


async def test_help_explains_allegation_versus_low_level(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("no")
    await chat.press("no")
    reply = await chat.say("help")
    assert "may pose a risk" in reply and "photographing pupils on a personal phone" in reply
    assert reply.rstrip().endswith("3. Not sure")


class RecordingDesk:
    """Files nothing: remembers what the flow asked to file (the flow alone, no bot, no database)."""

    def __init__(self):
        self.filed, self.drafts = [], []

    async def file(self, **kwargs):
        from dialogs.desk import Filed

        self.filed.append(kwargs)
        return Filed(reference=f"OAK-2026-{len(self.filed):04d}")

    async def touch_draft(self, *args):
        self.drafts.append(args)

    async def clear_draft(self, key):
        self.drafts.clear()


async def test_the_flow_alone_in_a_dialog_test_client_hands_the_desk_the_route_and_no_reporter_question():
    from botbuilder.testing import DialogTestClient

    from dialogs.adult_concern import AdultConcernFlow
    from dialogs.services import ReportServices

    desk = RecordingDesk()
    client = DialogTestClient(
        "test", AdultConcernFlow(ReportServices(desk=desk)), initial_dialog_options={"school": "oakfield"}
    )
    first = await client.send_activity("start")
    assert "never see it" in first.text
    assert "Is your concern about the headteacher?" in client.get_next_reply().text
    for step in ("yes", "no", "allegation", *DETAILS):
        await client.send_activity(step)
    assert desk.drafts and not desk.filed
    await client.send_activity("submit")
    [filed] = desk.filed
    assert (filed["route_to"], filed["category"], filed["urgency"], filed["kind"]) == (
        "chair",
        "allegation",
        "high",
        "adult_concern",
    )
    assert filed["reporter"].user_id == "User1"  # from the channel
    assert filed["content"]["answers"]["what_happened"]["answer"] == DETAILS[1]
    assert desk.drafts == []


async def test_answers_that_decided_who_got_an_urgent_alert_cannot_be_changed_afterwards(runtime):
    chat = Chat(runtime)
    await start(chat)
    await chat.press("yes")  # about the headteacher
    await chat.press("yes")  # child in danger now: urgent alert to the chair
    [early] = await reports(runtime)
    reply = await chat.say("back")
    assert f"urgent alert ({early.reference}) has already gone" in reply and "Which best describes it?" in reply
    await chat.press("allegation")
    summary = await chat.answer_all(*DETAILS)
    assert "- Goes to: the chair of governors" in summary
    pick = await chat.press("edit")
    assert "Type of concern" in pick and "About the headteacher" not in pick
    restarted = await chat.say("start again")
    assert "Which best describes it?" in restarted and "Is your concern about the headteacher?" not in restarted
