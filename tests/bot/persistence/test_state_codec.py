"""Dialog state survives the trip to plain JSON and back, and nothing unexpected is rebuilt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogInstance, DialogState
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import PromptOptions
from botbuilder.schema import InputHints
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.persistence.state_codec import decode, encode, register_state_type


def round_trip(value):
    return decode(json.loads(json.dumps(encode(value))))


def test_dialog_stack_with_prompt_options_round_trips():
    options = PromptOptions(
        prompt=MessageFactory.text("Year group?", input_hint=InputHints.expecting_input),
        choices=[Choice("Year 5")],
        style=ListStyle.hero_card,
    )
    state = DialogState([DialogInstance("choice", {"options": options, "state": {"attemptCount": 2}})])
    restored = round_trip({"dialogState": state})["dialogState"]
    instance = restored.dialog_stack[0]
    assert isinstance(restored, DialogState) and instance.id == "choice"
    restored_options = instance.state["options"]
    assert restored_options.prompt.text == "Year group?"
    assert restored_options.prompt.input_hint is InputHints.expecting_input
    assert restored_options.style is ListStyle.hero_card
    assert restored_options.choices[0].value == "Year 5"
    assert instance.state["state"] == {"attemptCount": 2}


def test_python_values_json_cannot_hold_keep_their_type():
    value = {
        "when": datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        "day": date(2026, 11, 21),
        "pair": (1, "two"),
        "tags": {"a"},
        "raw": b"\x00\xff",
        "numbered": {1: "one"},
        "looks_tagged": {"$t": "not a type"},
        "looks_encrypted": {"$enc": "not a token"},
    }
    assert round_trip(value) == value


def test_registered_dataclass_round_trips():
    @register_state_type
    @dataclass
    class DraftAnswers:
        child: str
        year: str | None = None

    assert round_trip({"answers": DraftAnswers("Jayden", "Year 5")})["answers"] == DraftAnswers("Jayden", "Year 5")


def test_unregistered_class_is_refused_with_a_hint():
    class Mystery:
        pass

    with pytest.raises(TypeError, match="register_state_type"):
        encode({"x": Mystery()})


def test_a_name_cannot_be_registered_for_two_classes():
    class First:
        pass

    class Second:
        pass

    register_state_type(First, "SameNameForTest")
    with pytest.raises(ValueError, match="already used"):
        register_state_type(Second, "SameNameForTest")


def test_unknown_type_names_are_never_instantiated():
    with pytest.raises(ValueError, match="unknown type"):
        decode({"$t": "subprocess.Popen", "$o": {"args": "rm -rf /"}})


# --- Property: any JSON-shaped state (with awkward keys and text) survives unchanged ------------------


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_keys = st.text() | st.sampled_from(["$t", "$o", "$e", "e_tag", "$l"])
_state = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4) | st.tuples(children, children)
    ),
    max_leaves=20,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(_state)
def test_any_json_shaped_state_round_trips_through_json(value):
    assert round_trip({"state": value}) == {"state": value}
