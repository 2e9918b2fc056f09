"""The Overview button on a DSL's alert card and the typed `overview` reach the same card through
the turn loop; a member of staff pressing it hears the refusal; mid-report it does not disturb the report."""

from __future__ import annotations

from bot.records.dsl_commands import REFUSAL
from tests.support.chat_harness import Chat


async def test_the_alert_cards_overview_button_shows_a_lead_the_overview(runtime):
    dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
    card = await dsl.say(value={"action": "overview"})
    assert card.startswith("Safeguarding overview: Oakfield Primary School")
    assert "- Open reports: none" in card
    assert (await dsl.say("show me the overview")).startswith("Safeguarding overview")

    teacher = Chat(runtime)
    assert await teacher.say(value={"action": "overview"}) == REFUSAL
    assert await teacher.say("overview") == REFUSAL


async def test_overview_pressed_mid_report_answers_and_the_report_waits(runtime):
    dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
    await dsl.say("report a concern")
    question = await dsl.press("disclosure")
    reply = await dsl.say(value={"action": "overview"})
    assert reply.startswith("Safeguarding overview") and question.splitlines()[-1] in reply
