"""The DSL's report card, the JSON export and the HTML export show one report the same way:
the same person raised it, the same kind, the same history and the same account."""

from __future__ import annotations

from bot.records.dsl_commands import try_handle
from bot.records.export import build_record, render_html
from dialogs.rendering import PlainRenderer
from tests.support.alert_fixtures import CIPHER, REPORTER, STAFF, START, seed_school, submit

HEAD_ID, HEAD_NAME = STAFF["head"]  # a concern about an adult goes to the headteacher


async def head_says(sessions, text: str) -> str:
    activity = await try_handle(
        text,
        channel="msteams",
        user_id=HEAD_ID,
        school_slug="oakfield",
        sessions=sessions,
        cipher=CIPHER,
        renderer=PlainRenderer(),
        user_name=HEAD_NAME,
        now=START,
    )
    return activity.text


async def test_the_chat_card_and_both_exports_agree_on_who_what_and_when(sessions):
    await seed_school(sessions, "http://127.0.0.1:9/")
    report = await submit(sessions, START, kind="adult_concern", route_to="head")
    await head_says(sessions, f"acknowledge {report.reference}")

    card = await head_says(sessions, f"show {report.reference}")
    record = await build_record(sessions, CIPHER, report.reference, now=START)
    page = render_html(record)

    assert f"- Raised by: {REPORTER[1]}" in card
    assert record["status_history"][0] == {"status": "new", "at": "2026-03-02T09:00:00Z", "by": REPORTER[1]}
    assert f"<td>{REPORTER[1]}</td>" in page  # the history's first row
    assert "- Kind: concern about an adult (allegation)" in card and "Concern about an adult" in page
    acknowledged_by = record["status_history"][1]["by"]
    assert record["status_history"][1]["status"] == "acknowledged" and HEAD_ID in acknowledged_by
    assert f"- Acknowledged: by {acknowledged_by} at 2026-03-02 09:00 UTC" in card
    assert f"<td>{acknowledged_by}</td>" in page
    for said in ("Jayden in Year 5", "he said it hurts at home"):
        assert said in card and said in str(record["content"]) and said in page
