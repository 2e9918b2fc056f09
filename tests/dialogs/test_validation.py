"""The pure checks behind every re-prompt, and how button presses become words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dialogs.inputs import adopt_button_text, flow_command, has_attachment, is_report_command, said
from dialogs.validation import (
    MAX_ANSWER_CHARS,
    YES_NO,
    check_choice,
    check_free_text,
    is_nonsense,
    looks_like_policy_question,
    match_option,
)


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "none",
        "n/a",
        "Y5",
        "not known",
        "he said 'it hurts' :(",
        "  Jayden ,  Year 5  ",
        "idk",
        "grr",
        "Ms Okafor at 2pm",
    ],
)
def test_real_answers_pass_exactly_as_typed(text):
    checked = check_free_text(text)
    assert checked.ok and checked.value == text  # nothing stripped or tidied


@pytest.mark.parametrize("text", ["asdf", "qwerty", "jjjjjj", "sdfghk", "!!!", "...", "?!", "🙂🙂"])
def test_keyboard_mashing_and_bare_punctuation_are_nonsense(text):
    assert is_nonsense(text)
    assert not check_free_text(text).ok


def test_empty_answers_are_refused_with_a_clear_reason():
    for text in (None, "", "   \n"):
        checked = check_free_text(text)
        assert not checked.ok and "didn't get an answer" in checked.problem


def test_overlong_answers_are_refused_and_the_limit_is_stated():
    checked = check_free_text("a" * (MAX_ANSWER_CHARS + 12))
    assert not checked.ok and "4,012 characters; the limit is 4,000" in checked.problem
    assert check_free_text("word " * 800).ok  # 4,000 exactly is fine


def test_choices_match_by_number_key_label_or_synonym():
    assert [match_option(t, YES_NO) for t in ("1", "yes", "Yes.", "YEP", "2", "no", "nope")] == [
        "yes",
        "yes",
        "yes",
        "yes",
        "no",
        "no",
        "no",
    ]
    assert match_option("3", YES_NO) is None and match_option("maybe", YES_NO) is None
    assert "1. Yes, 2. No" in check_choice("maybe", YES_NO).problem


def test_policy_questions_are_staff_questions_ending_in_a_question_mark():
    assert looks_like_policy_question("Can I give a pupil a lift home?")
    assert looks_like_policy_question("am i allowed to use whatsapp with parents?")
    assert not looks_like_policy_question("Can I give a pupil a lift home")
    assert not looks_like_policy_question("He asked why nobody helps him?")


def test_button_presses_become_the_words_they_stand_for():
    press = SimpleNamespace(text=None, value={"action": "choice", "choice": "yes"})
    assert said(press) == "yes" and adopt_button_text(press) == "yes" and press.text == "yes"
    assert said(SimpleNamespace(text=None, value={"action": "report_concern"})) == "report a concern"
    assert (
        said(SimpleNamespace(text=None, value={"action": "acknowledge", "reference": "OAK-2026-0042"}))
        == "acknowledge OAK-2026-0042"
    )
    typed = SimpleNamespace(text="no", value={"action": "choice", "choice": "yes"})
    assert said(typed) == "no"  # typed words win


def test_commands_are_whole_messages_only():
    assert [flow_command(t) for t in ("cancel", "Back.", "START AGAIN", "help")] == [
        "cancel",
        "back",
        "restart",
        "help",
    ]
    assert flow_command("he told me to go back home") is None
    assert is_report_command("Report a concern") and not is_report_command("how do I report a concern?")


def test_files_count_as_attachments_but_teams_html_copies_do_not():
    image = SimpleNamespace(content_type="image/png", content_url="https://x.invalid/a.png")
    html = SimpleNamespace(content_type="text/html", content_url=None)
    assert has_attachment(SimpleNamespace(attachments=[image]))
    assert not has_attachment(SimpleNamespace(attachments=[html]))
    assert not has_attachment(SimpleNamespace(attachments=None))


def test_half_an_emoji_from_a_broken_paste_is_refused_not_crashed_on():
    checked = check_free_text("he said \ud83d then cried")
    assert not checked.ok and "type it again" in checked.problem
    assert check_free_text("he drew 👩🏽‍🏫 and cried").ok
