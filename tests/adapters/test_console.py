"""The terminal channel in-process: buttons appear as numbered options, and typing the number works."""

from __future__ import annotations

import io

from adapters.console import run_chat
from dialogs.disclosure import DANGER
from tests.support.chat_harness import in_confirm_band, settings_for

QUESTION = "Can I accept a friend request from a pupil on Facebook?"
UNCOVERED = "What's the weather tomorrow?"


async def chat(db_url: str, *lines: str) -> str:
    out = io.StringIO()
    assert await run_chat(settings_for(db_url), "oakfield", stdin=io.StringIO("\n".join(lines) + "\n"), out=out) == 0
    return out.getvalue()


async def test_the_confirm_band_in_the_terminal_is_numbered_options(db_url, monkeypatch):
    in_confirm_band(monkeypatch, {QUESTION: "incident", UNCOVERED: "disclosure"})
    out = await chat(db_url, QUESTION, "2", UNCOVERED, "2", "1", "quit")
    first, answered, second, offered, *started = out.split("bot> ")[1:]
    assert "report a concern to the Designated Safeguarding Lead, or is it a policy question?" in first
    assert "1. Report a concern" in first and "2. It's a policy question" in first
    assert answered.startswith("No.") and "Section:" in answered  # "2": the policy answer
    assert "1. Report a concern" in second
    assert "doesn't cover this" in offered and "speak to the Designated Safeguarding Lead today" in offered
    assert "1. Report a concern" in offered and "2." not in offered
    assert DANGER in " ".join(started)  # "1": the report triage thought likely
