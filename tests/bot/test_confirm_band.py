"""The confirm band: triage is unsure a message is about a child's safety, so the bot asks.

`classify` is patched (chat_harness.in_confirm_band) so these tests do not depend on which
real messages the triage model puts in the band.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.models import KnowledgeGap
from bot.rendering import PlainRenderer
from bot.triage import Triage
from chat_harness import Chat, build, in_confirm_band, reports, shared_assistant
from dialogs.disclosure import DANGER

POLICY_QUESTION = "Can I accept a friend request from a pupil on Facebook?"
UNCOVERED = "What's the weather tomorrow?"  # the policy has nothing on it: a fallback
DSL = "Safeguarding Lead (Ms Okafor)"  # Oakfield's own name for the role, for these tests

FIRST_STEP = {  # likely report kind -> what its flow asks first
    "disclosure": DANGER,
    "incident": "What kind of online-safety incident",
    "allegation": "Is your concern about the headteacher?",
}


class RecordingRenderer(PlainRenderer):
    """Plain text, and every Prompt kept, so tests can read and press its buttons."""

    def __init__(self):
        self.prompts = []

    def prompt(self, prompt):
        self.prompts.append(prompt)
        return super().prompt(prompt)


@pytest.fixture
async def runtime(db_url, monkeypatch):
    assistant = shared_assistant()
    oakfield = assistant.policies["oakfield"]
    monkeypatch.setitem(assistant.policies, "oakfield", replace(oakfield, roles={**oakfield.roles, "dsl": DSL}))
    renderer = RecordingRenderer()
    runtime = await build(db_url, renderer_for=lambda _channel: renderer)
    runtime.renderer = renderer
    yield runtime
    await runtime.close()


def button(runtime, label: str) -> dict:
    """The value of the last prompt's button with this label: what Teams or Slack would send back."""
    return next(b.value for b in runtime.renderer.prompts[-1].buttons if b.label == label)


def answer_to(question: str):
    return shared_assistant().answer(question, "oakfield", Triage("question", False, ("confirmed_question",)))


async def test_the_prompt_names_the_schools_dsl_and_offers_both_choices(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: "disclosure"})
    reply = await Chat(runtime).say(POLICY_QUESTION)
    assert reply.startswith("This sounds like it could be about a child's safety.")
    assert f"report a concern to the {DSL}, or is it a policy question?" in reply
    assert "1. Report a concern" in reply and "2. It's a policy question" in reply  # the terminal's options
    assert "Section:" not in reply  # no policy answer yet
    [prompt] = runtime.renderer.prompts
    assert [(b.label, b.value) for b in prompt.buttons] == [
        ("Report a concern", {"action": "report_concern", "kind": "disclosure"}),
        ("It's a policy question", {"action": "policy_question"}),
    ]


@pytest.mark.parametrize("likely, flow", [
    ("disclosure", "disclosure"), ("incident", "incident"), ("allegation", "adult_concern")])
async def test_report_a_concern_starts_the_flow_triage_thought_likely(runtime, monkeypatch, likely, flow):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: likely})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    pressed = button(runtime, "Report a concern")
    assert pressed == {"action": "report_concern", "kind": flow}
    assert FIRST_STEP[likely] in await chat.say(None, value=pressed)


async def test_its_a_policy_question_gets_the_policy_answer(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: "disclosure"})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    reply = await chat.say(None, value=button(runtime, "It's a policy question"))
    assert reply == answer_to(POLICY_QUESTION).reply
    assert reply.startswith("No.") and "Section:" in reply
    assert await reports(runtime) == []


@pytest.mark.parametrize("typed", ["1", "report", "Report a concern", "yes"])
async def test_typing_1_or_report_starts_the_flow(runtime, monkeypatch, typed):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: "incident"})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    assert FIRST_STEP["incident"] in await chat.say(typed)


@pytest.mark.parametrize("typed", ["2", "it's a policy question", "It\u2019s a policy question.", "policy", "no"])
async def test_typing_2_or_its_a_policy_question_answers_it(runtime, monkeypatch, typed):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: "disclosure"})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    assert await chat.say(typed) == answer_to(POLICY_QUESTION).reply


async def test_anything_else_typed_is_a_new_message(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {UNCOVERED: "disclosure"})
    chat = Chat(runtime)
    await chat.say(UNCOVERED)
    reply = await chat.say(POLICY_QUESTION)  # not in the band: answered as usual
    assert reply == answer_to(POLICY_QUESTION).reply
    assert DANGER not in await chat.say("1")  # the choice was dropped: "1" no longer starts a report


async def test_a_question_the_policy_does_not_cover_offers_the_report_and_names_the_dsl(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {UNCOVERED: "allegation"})
    chat = Chat(runtime)
    await chat.say(UNCOVERED)
    reply = await chat.say(None, value=button(runtime, "It's a policy question"))
    fallback = answer_to(UNCOVERED)
    assert fallback.kind == "fallback" and fallback.reply not in reply  # never the bare fallback
    assert "Social Networking Policy doesn't cover this" in reply
    assert f"If this is about a child's safety, press Report a concern or speak to the {DSL} today." in reply
    assert "1. Report a concern" in reply
    assert [b.value for b in runtime.renderer.prompts[-1].buttons] == [{"action": "report_concern",
                                                                         "kind": "adult_concern"}]
    await runtime.bot.gaps.flush()
    async with runtime.sessions() as session:
        assert [g.example for g in (await session.scalars(select(KnowledgeGap))).all()] == [UNCOVERED]
    assert FIRST_STEP["allegation"] in await chat.say("1")  # typed, the offer still starts the report


async def test_the_report_button_after_an_uncovered_question_starts_the_flow(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {UNCOVERED: "disclosure"})
    chat = Chat(runtime)
    await chat.say(UNCOVERED)
    await chat.say("2")
    assert DANGER in await chat.say(None, value=button(runtime, "Report a concern"))


async def test_a_stale_policy_question_button_mid_report_leaves_the_report_alone(runtime, monkeypatch):
    in_confirm_band(monkeypatch, {POLICY_QUESTION: "disclosure"})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    stale = button(runtime, "It's a policy question")
    assert DANGER in await chat.say(None, value=button(runtime, "Report a concern"))
    reply = await chat.say(None, value=stale)
    assert "You're in the middle of a report" in reply and DANGER in reply  # the same question again
    assert "Section:" not in reply
    assert "Which child" in await chat.press("no")


async def test_a_policy_question_button_with_nothing_pending_asks_for_the_question_again(runtime):
    reply = await Chat(runtime).say(None, value={"action": "policy_question"})
    assert "type your question again" in reply


async def test_the_log_names_kinds_never_the_message(runtime, monkeypatch, caplog):
    secret = "Jayden said his uncle hurts him"
    in_confirm_band(monkeypatch, {secret: "disclosure"})
    chat = Chat(runtime)
    with caplog.at_level(logging.INFO, logger="bot.turns"):
        await chat.say(secret)
        await chat.say("2")
    logged = [r for r in caplog.records if r.name == "bot.turns"]
    assert {r.getMessage() for r in logged} >= {"triage asked to confirm", "answered"}
    assert all("Jayden" not in str(vars(r)) for r in logged)


@pytest.mark.parametrize("how", ["button", "typed"])
async def test_the_message_the_card_asked_about_still_suggests_the_incident_type(runtime, monkeypatch, how):
    """Confirming a report carries the message triage was unsure of into the flow, so a message
    that already says what happened ("a nude pic") gets "It sounds like: ..." rather than a
    question from scratch."""
    message = "a year 8 says a nude pic of her is going round on snapchat"
    in_confirm_band(monkeypatch, {message: "incident"})
    chat = Chat(runtime)
    await chat.say(message)
    reply = await (chat.say(None, value=button(runtime, "Report a concern")) if how == "button" else chat.say("1"))
    assert "It sounds like:" in reply and "Is that right?" in reply


def in_wellbeing_band(monkeypatch, likely: dict[str, str]) -> None:
    """Triage answers these as questions but marks them as possibly about a child (below the card)."""
    from bot import turns

    real = turns.classify
    monkeypatch.setattr(turns, "classify", lambda text: (
        Triage("question", False, ("may_concern_child",), likely[text]) if text in likely else real(text)))


async def test_an_answer_that_may_be_about_a_child_keeps_the_report_a_tap_away(runtime, monkeypatch):
    in_wellbeing_band(monkeypatch, {POLICY_QUESTION: "incident"})
    chat = Chat(runtime)
    reply = await chat.say(POLICY_QUESTION)
    assert reply.startswith(answer_to(POLICY_QUESTION).reply)  # the answer itself, unchanged
    assert f"If this is about a particular child, you can report it to the {DSL} now." in reply
    pressed = button(runtime, "Report a concern")
    assert pressed == {"action": "report_concern", "kind": "incident"}
    assert FIRST_STEP["incident"] in await chat.say(None, value=pressed)


async def test_typing_1_after_that_answer_starts_the_report(runtime, monkeypatch):
    in_wellbeing_band(monkeypatch, {POLICY_QUESTION: "disclosure"})
    chat = Chat(runtime)
    await chat.say(POLICY_QUESTION)
    assert FIRST_STEP["disclosure"] in await chat.say("1")


async def test_an_ordinary_answer_offers_no_report(runtime):
    chat = Chat(runtime)
    reply = await chat.say(POLICY_QUESTION)
    assert reply == answer_to(POLICY_QUESTION).reply
    assert "report it to" not in reply
    assert DANGER not in await chat.say("1")
