"""Whatever a member of staff types, or whatever arrives at /api/messages, the bot answers sensibly
and never crashes: property-based (hypothesis) over the Assistant (matcher behind triage), every
prompt validator, every step of a guided report, and the real web app over HTTP.

Text strategies mix the awkward cases on purpose: empty, whitespace, control characters,
right-to-left scripts and marks, emoji and joiners, combining characters, 100 KB pastes,
and a lone surrogate (which a JSON body can carry as an escape)."""

from __future__ import annotations

import json
import re
import typing
import uuid

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.web import create_app
from bot.conversation.answers import Answer, Kind
from dialogs.validation import (
    YES_NO,
    Checked,
    Option,
    check_choice,
    check_free_text,
    is_nonsense,
    looks_like_policy_question,
    match_option,
)
from tests.support.adapter_fakes import Recorder, fake_connector
from tests.support.chat_harness import Chat, build, shared_assistant

AWKWARD = [
    "",
    " ",
    "\n\n\t",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "مرحبا هل يمكنني نشر صور الطلاب",
    "שלום אפשר לשלוח הודעה להורה",
    "👩🏽‍🏫👨‍👩‍👧‍👦🙁🔥",
    "e\u0301\u0301\u0301\u0301",
    "ＡＢＣ",
    "\ufeff",
    "😀" * 500,
    "x" * 100_000,
    "can I " * 20_000,
    "report a concern\x00",
    "1",
    "99",
    "-1",
    "0",
    "²",
    "٣",
    "yes\u200b",
    "\ud800",
]
texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zs", "Mn")), max_size=50),
    st.text(alphabet=st.sampled_from("مرحباשלוםйё漢字👩🏽‍🏫\u200d\u202e\u0301 ?!.,"), max_size=200),
    st.sampled_from(AWKWARD),
)
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


# --- the Assistant (triage first, then the matcher) ------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["oakfield", "stocks-green", "model-policy", "ringway", "buckminster"]))
def test_the_assistant_always_answers_any_text(text, school):
    answer = shared_assistant().answer(text, school)
    assert isinstance(answer, Answer) and answer.reply.strip()
    assert answer.kind in typing.get_args(Kind)
    json.dumps(answer.to_json())  # the CLI contract serialises whatever came in
    if answer.starts_report:
        assert not answer.clauses  # a report is never answered as an FAQ


# --- the prompt validators ------------------------------------------------------------------------------

OPTIONS = (
    Option("disclosure", "A child told me"),
    Option("incident", "Online incident", ("online",)),
    Option("adult_concern", "An adult"),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.none(), texts))
@example("²")  # found by this test: isdigit() but not int()-able; crashed every choice prompt
@example("٣")  # an Arabic-Indic 3 is a fine "3"
def test_every_validator_accepts_or_explains_and_never_changes_the_words(text):
    checked = check_free_text(text)
    assert isinstance(checked, Checked)
    if checked.ok:
        assert checked.value == text  # verbatim, always
    else:
        assert checked.problem.strip() and "Traceback" not in checked.problem
    for options in (YES_NO, OPTIONS):
        choice = check_choice(text, options)
        assert choice.ok == (match_option(text, options) is not None)
        assert choice.value in {o.key for o in options} if choice.ok else "Please choose" in choice.problem
    if text is not None:
        assert isinstance(is_nonsense(text), bool)
    assert isinstance(looks_like_policy_question(text), bool)


# --- every step of a guided report --------------------------------------------------------------------


@pytest.fixture
async def runtime(tmp_path):
    from bot.persistence.db import create_engine, migrate

    url = f"sqlite+aiosqlite:///{tmp_path / 'any.sqlite3'}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    runtime = await build(url)
    yield runtime
    await runtime.close()


def _valid_answer_for(prompt: str) -> str:
    """What a member of staff would type at this prompt: the last numbered option, else a plain answer."""
    numbers = re.findall(r"^\s+(\d+)\. ", prompt, re.M)
    if numbers:
        return numbers[-1] if "immediate danger" not in prompt else "2"
    return "not known"


FAILURE_WORDS = ("something went wrong", "Traceback")


@PROPERTY
@given(random_text=texts, flow=st.sampled_from(["1", "2", "3"]))
@example(random_text="²", flow="1")
async def test_any_text_at_every_report_step_is_reprompted_or_recorded_never_a_crash(runtime, random_text, flow):
    chat = Chat(runtime, user_id=f"staff-{uuid.uuid4().hex[:8]}")
    reply = await chat.say("report a concern")
    reply = await chat.say(flow)
    for _ in range(40):
        if "Nothing is sent until you press Submit" in reply:
            break
        odd = await chat.say(random_text)  # the property: any text at this prompt
        assert odd.strip(), f"no reply to {random_text!r} at: {reply[:80]!r}"
        assert not any(word in odd for word in FAILURE_WORDS)
        reply = odd if "Nothing is sent until you press Submit" in odd else await chat.say(_valid_answer_for(odd))
        assert reply.strip() and not any(word in reply for word in FAILURE_WORDS)
    else:
        pytest.fail(f"the report never reached its summary; last reply: {reply[:200]!r}")
    at_summary = await chat.say(random_text)
    assert at_summary.strip() and not any(word in at_summary for word in FAILURE_WORDS)


# --- the web app over HTTP ---------------------------------------------------------------------------


@pytest.fixture
async def http(runtime):
    recorder = Recorder()
    async with TestServer(fake_connector(recorder), host="127.0.0.1") as connector_server:
        recorder.url = str(connector_server.make_url("/"))
        app = create_app(runtime.settings.model_copy(update={"microsoft_app_id": ""}), runtime, dispatcher=False)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            client.recorder = recorder
            yield client


def activity(recorder, **fields) -> dict:
    body = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": recorder.url,
        "from": {"id": "29:staff-1", "name": "Mr Tom Baker"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": f"conv-{uuid.uuid4().hex[:8]}", "conversationType": "personal"},
    }
    body.update(fields)
    return body


@PROPERTY
@given(text=texts)
@example(text="x" * 100_000)
@example(text="\ud800 lone surrogate")
async def test_any_text_over_http_gets_a_reply_and_never_a_stack_trace(http, text):
    before = len(http.recorder.calls)
    body = json.dumps(activity(http.recorder, text=text))  # ensure_ascii: a lone surrogate travels escaped
    response = await http.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    payload = await response.text()
    assert response.status in (200, 201, 202), (response.status, payload[:300])
    assert "Traceback" not in payload
    replies = http.recorder.calls[before:]
    assert replies, f"no reply to {text[:60]!r}"
    said = json.dumps([body for _, body in replies], ensure_ascii=False)
    assert "something went wrong" not in said


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "type",
    "text",
    "value",
    "from",
    "conversation",
    "recipient",
    "channelId",
    "serviceUrl",
    "attachments",
    "entities",
    "channelData",
    "id",
    "replyToId",
]


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=json_values)
async def test_malformed_activities_are_refused_or_ignored_without_a_stack_trace(http, field, value):
    body = activity(http.recorder, text="can I friend a parent?")
    if field == "serviceUrl":
        value = value if not isinstance(value, str) else "http://127.0.0.1:9/"  # never reach out to the internet
    body[field] = value
    response = await http.post("/api/messages", data=json.dumps(body), headers={"Content-Type": "application/json"})
    payload = await response.text()
    assert response.status < 500, (field, value, response.status, payload[:300])
    assert "Traceback" not in payload and 'File "' not in payload
    # and the app is still there for the next member of staff
    fine = await http.post("/api/messages", json=activity(http.recorder, text="can I friend a parent?"))
    assert fine.status in (200, 201)
