"""Every kind of report comes from bot.kinds: a new kind is one registry entry plus its dialog.

The throwaway kind below (a hazard on the school site) exists only in this test. It adds one
`ReportKind` to the registry and declares its flow here, as a dialog module would, and touches
nothing else; the menu offers it, the flow runs, the report is stored and alerts the DSL under
its label, the DSL's list shows it and the export titles it.
"""

from __future__ import annotations

import json

import pytest

from bot import kinds
from bot.kinds import ReportKind
from bot.records.export import build_record, render_html
from dialogs.flow import ReportFlow
from dialogs.questions import Question
from tests.support.chat_harness import Chat, add_role_holders, alerts, answers_of, build, reports


class SiteHazardFlow(ReportFlow):
    """What a dialog module for the new kind would hold: its questions."""

    kind = "site_hazard"
    title = "Site hazard report"
    questions = (
        Question("where", "Where", "Where on the school site is it?"),
        Question("what", "What", "What is the hazard?"),
    )


SITE_HAZARD = ReportKind(
    id="site_hazard",
    flow=f"{__name__}:SiteHazardFlow",
    label="hazard on the site",
    title="Hazard on the school site",
    menu_label="A hazard on the school site",
    menu_words=("hazard", "site"),
)


@pytest.fixture
async def runtime_with_a_new_kind(monkeypatch, db_url):
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, SITE_HAZARD))
    runtime = await build(db_url)
    await add_role_holders(runtime)
    yield runtime
    await runtime.close()


async def test_a_kind_added_to_the_registry_is_offered_filed_alerted_listed_and_exported(runtime_with_a_new_kind):
    runtime = runtime_with_a_new_kind
    chat = Chat(runtime)
    menu = await chat.say("report a concern")
    assert "A hazard on the school site" in menu and "An online-safety incident" in menu

    assert "Where on the school site is it?" in await chat.say("hazard")
    await chat.say("The fence behind the Year 2 playground")
    summary = await chat.say("A panel has come loose and leans over the path")
    assert "- Where: The fence behind the Year 2 playground" in summary
    receipt = await chat.press("submit")

    [report] = await reports(runtime)
    assert report.reference in receipt
    assert (report.kind, report.route_to) == ("site_hazard", "dsl")  # the registry's usual route
    assert answers_of(runtime, report)["what"] == "A panel has come loose and leans over the path"
    [alert] = [a for a in await alerts(runtime) if a.recipient_role == "dsl"]
    assert alert.payload["kind"] == "hazard on the site"

    dsl = Chat(runtime, user_id="dsl-okafor", name="Ms Amara Okafor")
    assert f"{report.reference}" in (listing := await dsl.say("open reports"))
    assert "hazard on the site, normal, new" in listing

    record = await build_record(runtime.sessions, runtime.cipher, report.reference)
    assert json.loads(json.dumps(record))["report"]["kind"] == "site_hazard"
    assert "Hazard on the school site" in render_html(record)


def test_every_name_of_a_kind_finds_the_same_kind_so_old_rows_and_cards_still_load():
    adult = kinds.of("adult_concern")
    assert adult is not None and kinds.of("allegation") is adult  # stored rows vs triage's name
    assert kinds.of("nonsense") is None and kinds.label_of("retired_kind") == "retired_kind"


def test_each_registered_flow_files_reports_of_its_own_kind():
    for kind in kinds.all_kinds():
        assert kinds.flow_class(kind).kind == kind.id
