"""Checks on what staff type into a report: pure functions, no botbuilder, no I/O.

Why pure: the same rules decide what the terminal, Teams and Slack accept, and they are
tested without a bot. A check never changes what was typed: free text that passes is
kept exactly as the person wrote it (a child's words verbatim, slang and spelling
included); a check that fails says *why* in words a busy member of staff understands,
so the re-prompt is clear and nothing else is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ANSWER_CHARS = 4000  # roomy for a careful account, small enough to catch a paste accident

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS = set("aeiouy")
_SURROGATE = re.compile("[\ud800-\udfff]")  # half an emoji from a broken paste: not storable as UTF-8
_QUESTION_OPENERS = (
    "can i",
    "can we",
    "can staff",
    "can teachers",
    "may i",
    "am i allowed",
    "are we allowed",
    "are staff allowed",
    "is it ok",
    "is it okay",
    "is it alright",
    "is it allowed",
    "should i",
    "should we",
    "do i",
    "do we",
    "what does the policy",
    "what is the policy",
    "what's the policy",
    "what should i",
    "what do i",
    "who do i",
    "who should i",
    "how do i",
    "how should i",
    "where do i",
    "when should i",
    "does the policy",
    "is there a rule",
    "what are the rules",
)


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one answer: `value` when ok, else `problem` to show the user."""

    ok: bool
    value: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Option:
    """One answer to a choice question: `key` is stored, `label` is shown on the button."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()


YES_NO = (
    Option("yes", "Yes", ("y", "yes please", "yeah", "yep", "yes they are", "yes it is", "true")),
    Option("no", "No", ("n", "nope", "no they are not", "not", "false")),
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def is_nonsense(text: str) -> bool:
    """True for keyboard mashing ("asdf", "jjjjj", "qwerty") or text with no letters or digits.

    Deliberately lenient: short real answers ("no", "none", "n/a", "Y5") pass, because
    rejecting a genuine answer costs more than accepting an odd one.
    """
    squashed = _squash(text)
    if not re.search(r"[^\W_]", squashed):  # only punctuation, symbols or emoji
        return True
    words = squashed.split()
    if len(words) != 1:
        return False
    word = words[0]
    if not word.isalpha() or len(word) < 4:
        return False
    if len(set(word)) == 1:  # "aaaa", "jjjjjj"
        return True
    if any(word in row or word in row[::-1] for row in _KEYBOARD_ROWS):
        return True
    return not (set(word) & _VOWELS) and len(word) >= 5  # "sdfghk", "xkcdqz"


def check_free_text(text: str | None, max_chars: int = MAX_ANSWER_CHARS) -> Checked:
    """Accept any real answer exactly as typed; refuse empty, over-long or gibberish input."""
    if text is None or not text.strip():
        return Checked(
            False, problem="I didn't get an answer there. Please type your answer (or 'not known' if you don't know)."
        )
    if _SURROGATE.search(text):
        return Checked(
            False, problem="That answer has a character I can't store (a broken emoji or symbol). Please type it again."
        )
    if len(text) > max_chars:
        return Checked(
            False,
            problem=(
                f"That answer is {len(text):,} characters; the limit is {max_chars:,}. Please shorten it "
                "to the key facts; the DSL will ask you for anything more."
            ),
        )
    if is_nonsense(text):
        return Checked(
            False,
            problem="That doesn't look like an answer I can record. Please type it "
            "in words (or 'not known' if you don't know).",
        )
    return Checked(True, value=text)


def match_option(text: str | None, options: tuple[Option, ...]) -> str | None:
    """The key of the option the user meant: its number, key, label or a synonym; else None."""
    if not text:
        return None
    said = _squash(text).rstrip(".!")
    if said.isdecimal():  # not isdigit(): "²" is a digit that int() rejects
        index = int(said) - 1
        return options[index].key if 0 <= index < len(options) else None
    for option in options:
        names = {option.key.lower(), _squash(option.label), *(_squash(s) for s in option.synonyms)}
        if said in names:
            return option.key
    return None


def check_choice(text: str | None, options: tuple[Option, ...]) -> Checked:
    key = match_option(text, options)
    if key is not None:
        return Checked(True, value=key)
    labels = ", ".join(f"{i}. {o.label}" for i, o in enumerate(options, 1))
    return Checked(False, problem=f"Please choose one of: {labels} (press a button or type the number).")


# How a question starts when staff leave off the "?" (they type fast, on phones): a question word and
# a verb ("what do", "who is", "what happens"), or a verb and who it is about ("can I", "is it",
# "should we"). Answers rarely start like that; "when she got home" or "what she said was" don't.
_ASKING = re.compile(
    r"^(?:(?:what|who|how|where|when|why|which)(?: \w+)? "
    r"(?:do|does|did|should|can|could|would|will|shall|is|are|am|must|may|happens)\b"
    r"|(?:can|could|should|shall|do|does|did|is|are|am|may|must|will|would|have|has) "
    r"(?:i|we|you|it|they|he|she|the|this|that|my|our|staff|teachers|there)\b)"
)


def reads_as_question(text: str | None) -> bool:
    """The member of staff is asking something ("can I screenshot it?", "what do i do with the phone").

    Looser than `looks_like_policy_question`: it decides only whether to look the message up in the
    flow's own guidance (dialogs.guidance), which answers only when it matches well; otherwise the
    message is handled as before. Never applied at a verbatim step: a child's words are recorded,
    whatever they look like.
    """
    if not text:
        return False
    said = _squash(text).replace("\u2019", "'")
    return said.endswith("?") or bool(_ASKING.match(said))


def looks_like_policy_question(text: str | None) -> bool:
    """A staff member's own question about the policy ("Can I ...?"), asked mid-report.

    Used only to decide whether to offer a policy answer; the caller still asks the
    Assistant, and free-text answers are never reinterpreted without the user's say.
    """
    if not text:
        return False
    said = _squash(text)
    return said.endswith("?") and said.startswith(_QUESTION_OPENERS)
