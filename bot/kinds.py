"""The kinds of report staff can make, in one place: every other module reads them from here.

Why: a kind used to be spelled out in seven places (the turn loop's menu and triage mapping,
the reports' allowed values, the alert and export labels, the evaluation, the dialog), so a new
kind meant seven edits and one missed edit meant a report nobody was alerted about. Now a kind
is one `ReportKind` below plus its guided report in `dialogs/`; the turn loop, the record,
alerts, export and evaluation all ask this module.

One kind, several names. The concern about an adult is stored as `adult_concern` (reports,
drafts, dialog state, buttons), while triage and the answer it gives call it `allegation` (the
learned classifier's label, the evaluation's output). `of()` takes any of a kind's names and
returns the same kind, so neither stored rows nor a card sent before a rename stop working.

A kind's flow is named by its import path, not imported, so reading the registry (reports,
alerts, the evaluation) does not load every dialog; bot.runtime builds the flows from it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportKind:
    id: str  # reports.kind, report_drafts.kind, the flow's dialog id and the kind on a report button
    flow: str  # "module:Class" of its guided report in dialogs/ (a ReportFlow whose `kind` is this id)
    label: str  # in alerts, the DSL's list and the DSL's report card: "concern about an adult"
    title: str  # heading of the exported record: "Concern about an adult"
    menu_label: str  # its line in "What do you want to report?"
    menu_words: tuple[str, ...] = ()  # typed words that pick it from that menu
    triage_kind: str | None = None  # triage's name for it; None: reached from the menu only
    triage_intro: str = ""  # what the bot says when triage starts this report
    route: str = "dsl"  # whose alerts it raises unless its answers say otherwise (dsl | head | chair)
    dsl_told_if_unfinished: bool = False  # the DSL hears of a report of this kind left unfinished
    aliases: tuple[str, ...] = ()  # older names still found in stored state and on old cards

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *((self.triage_kind,) if self.triage_kind else ()), *self.aliases)


KINDS: tuple[ReportKind, ...] = (
    ReportKind(
        id="disclosure",
        flow="dialogs.disclosure:DisclosureFlow",
        label="disclosure",
        title="Disclosure by a child",
        menu_label="A child has told me something / I'm worried about a child",
        menu_words=("child", "disclosure", "worried about a child"),
        triage_kind="disclosure",
        triage_intro="This sounds like a safeguarding concern about a child, so I won't treat it as a "
        "policy question. I'll help you report it to the DSL now.",
        dsl_told_if_unfinished=True,
    ),
    ReportKind(
        id="incident",
        flow="dialogs.incident:IncidentFlow",
        label="online-safety incident",
        title="Online-safety incident",
        menu_label="An online-safety incident",
        menu_words=("online", "incident", "online safety"),
        triage_kind="incident",
        triage_intro="This sounds like an online-safety incident. I'll help you report it to the DSL now.",
    ),
    ReportKind(
        id="adult_concern",
        flow="dialogs.adult_concern:AdultConcernFlow",
        label="concern about an adult",
        title="Concern about an adult",
        menu_label="A concern about an adult who works here",
        menu_words=("adult", "staff", "concern about an adult", "allegation"),
        triage_kind="allegation",
        triage_intro="This sounds like a concern about an adult who works with children. I'll help you "
        "report it to the right person now.",
        route="head",
    ),
)


def all_kinds() -> tuple[ReportKind, ...]:
    """Every kind, in the order menus and reports list them (read at call time, so a test may add one)."""
    return KINDS


def of(name: str | None) -> ReportKind | None:
    """The kind any of its names (id, triage's name, an older alias) stands for; None if none does."""
    return next((kind for kind in KINDS if name in kind.names), None) if name else None


def get(name: str | None) -> ReportKind:
    """Like `of`, for a name that must be a kind (triage's verdict, a report flow's own kind)."""
    kind = of(name)
    if kind is None:
        raise KeyError(f"no kind of report is called {name!r}")
    return kind


def ids() -> tuple[str, ...]:
    return tuple(kind.id for kind in KINDS)


def triage_kinds() -> tuple[str, ...]:
    """What triage and the Assistant call the kinds triage can start: an answer of one starts a report."""
    return tuple(kind.triage_kind for kind in KINDS if kind.triage_kind)


def label_of(name: str) -> str:
    """How alerts and the DSL's list name a kind; an unknown stored value is shown as it is."""
    kind = of(name)
    return kind.label if kind else name


def title_of(name: str) -> str:
    kind = of(name)
    return kind.title if kind else name


def flow_class(kind: ReportKind) -> Any:
    """The kind's ReportFlow class (imported on first use; see the module docstring for why)."""
    module, _, name = kind.flow.partition(":")
    flow = getattr(importlib.import_module(module), name)
    if flow.kind != kind.id:
        raise ValueError(f"{kind.flow} files reports of kind {flow.kind!r}, but the registry calls it {kind.id!r}")
    return flow
