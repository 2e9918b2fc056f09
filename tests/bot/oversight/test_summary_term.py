"""The governors' summary of a scripted term: every figure checked (worked out by hand from
scripted_term.py), small counts hidden, no name, phrase or reference from the reports on it, the
charts drawn from the hidden counts (read from the SVG), and only role holders may produce it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from bot.oversight.summary_command import write_summary
from tests.bot.oversight.scripted_term import NOW, SCHOOL, audit_of, personal_words, play_term
from tests.support.alert_fixtures import CIPHER, STAFF, seed_school

HEAD, CHAIR = STAFF["head"][0], STAFF["chair"][0]
SVG = "{http://www.w3.org/2000/svg}"


class _Tables(HTMLParser):
    """Each table of the page by id, as rows of cell text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self._table = self._figure = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "div" and attrs.get("class") == "figure":
            self._figure = attrs["id"]
        elif tag == "b" and self._figure:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "b" and self._figure and self._cell is not None:
            self.figures[self._figure] = "".join(self._cell)
            self._cell, self._figure = None, None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


async def summary_as(sessions, tmp_path, user: str) -> tuple[int, str, str]:
    code, message = await write_summary(
        sessions, CIPHER, school=SCHOOL, first="2026-09-01", last="2026-12-31", as_user=user, out=tmp_path, now=NOW
    )
    files = list(tmp_path.glob("*.html"))
    return code, message, files[0].read_text(encoding="utf-8") if files else ""


async def test_the_chairs_summary_states_each_figure_with_small_counts_hidden(sessions, tmp_path):
    await play_term(sessions)
    code, message, page = await summary_as(sessions, tmp_path, CHAIR)
    assert code == 0 and "safeguarding-summary-oakfield-2026-09-01-to-2026-12-31.html" in message
    parsed = _Tables()
    parsed.feed(page)
    few, held = "fewer than 5", "withheld"
    assert parsed.figures == {
        "reports": "23",
        "acknowledged": "21",
        "median": "30 min",
        "p90": "2 h 00 min",
        "escalated": "5",
    }
    assert parsed.tables["by-kind"][1:] == [
        ["Disclosures by a child", "14"],
        ["Online-safety incidents", held],
        ["Concerns about an adult", few],
    ]
    assert parsed.tables["by-urgency"][1:] == [["Urgent", few], ["High", few], ["Normal", "16"]]
    assert parsed.tables["per-month"] == [
        ["Month", "disclosure", "online-safety incident", "concern about an adult"],
        ["Sep 2026", few, few, "0"],
        ["Oct 2026", "6", few, few],
        ["Nov 2026", held, few, few],
        ["Dec 2026", "0", "0", "0"],
    ]
    assert parsed.tables["ack"][1:] == [
        ["within 10 minutes", "5"],
        ["10 to 60 minutes", "10"],
        ["1 to 4 hours", few],
        ["4 to 24 hours", few],
        ["over a day", few],
        ["not yet acknowledged", few],
    ]
    assert parsed.tables["escalated-to"][1:] == [
        ["Chair of Governors", few],
        ["Deputy DSLs", few],
        ["Headteacher", few],
    ]
    assert parsed.tables["year-group"][1:] == [
        ["Year 2", few],
        ["Year 4", "6"],
        ["Year 5", few],
        ["Year 6", "7"],
        ["not recorded", few],
    ]
    assert parsed.tables["gaps"][1:] == [
        ["can staff have a whatsapp group with each other", "9"],
        ["can I wear a smartwatch in class", few],
        ["is it ok to give [name] a lift home", few],
    ]
    # no count from 1 to 4 anywhere in a table
    assert not [cell for rows in parsed.tables.values() for row in rows for cell in row[1:] if cell in "1234"]
    assert await audit_of(sessions, "summary") == [
        (CHAIR, "governors' summary 2026-09-01 to 2026-12-31, counts only", "cli")
    ]


async def test_the_summary_holds_no_name_phrase_or_reference_from_the_reports(sessions, tmp_path):
    references = await play_term(sessions)
    _, _, page = await summary_as(sessions, tmp_path, HEAD)
    text = page.lower()
    for word in [*personal_words(), *references, "Oliwia", "referred to early help"]:
        assert word.lower() not in text, word
    assert not re.search(r"[A-Z]{3}-\d{4}-\d{4}", page)
    assert "<script" not in text and not re.search(r'(?:src|href)="(?!#)', page)  # nothing fetched from anywhere


async def test_the_charts_are_drawn_from_the_suppressed_counts(sessions, tmp_path):
    await play_term(sessions)
    _, _, page = await summary_as(sessions, tmp_path, CHAIR)
    charts = {m.group(1): ET.fromstring(m.group(0)) for m in re.finditer(r'<svg id="([^"]+)".*?</svg>', page, re.S)}
    assert sorted(charts) == ["chart-ack", "chart-escalated", "chart-per-month", "chart-year-group"]

    def bars(chart: str) -> dict[str, str]:
        return {
            g.get("id"): g for g in charts[chart].iter(f"{SVG}g") if (g.get("id") or "").startswith(("bar:", "hidden:"))
        }

    per_month = bars("chart-per-month")
    assert len(per_month) == 12  # 4 months x 3 kinds
    assert {k for k in per_month if k.startswith("bar:")} == {
        "bar:disclosure:Oct-2026",
        "bar:disclosure:Dec-2026",
        "bar:concern-about-an-adult:Sep-2026",
        "bar:concern-about-an-adult:Dec-2026",
        "bar:online-safety-incident:Dec-2026",
    }
    assert "hidden:disclosure:Nov-2026" in per_month  # withheld, so Sep cannot be worked out from the total
    texts = ["".join(t.itertext()) for t in charts["chart-per-month"].iter(f"{SVG}text")]
    assert "Reports per month, by kind" in texts and "6" in texts and "<5" in texts and "5+" in texts
    values = {
        g.get("id"): "".join(g.itertext()).strip()
        for g in charts["chart-per-month"].iter(f"{SVG}g")
        if (g.get("id") or "").startswith("value:")
    }
    assert values == {
        "value:disclosure:Sep-2026": "<5",
        "value:disclosure:Oct-2026": "6",
        "value:disclosure:Nov-2026": "5+",
        "value:online-safety-incident:Sep-2026": "<5",
        "value:online-safety-incident:Oct-2026": "<5",
        "value:online-safety-incident:Nov-2026": "<5",
        "value:concern-about-an-adult:Oct-2026": "<5",
        "value:concern-about-an-adult:Nov-2026": "<5",
    }
    hatched = per_month["hidden:disclosure:Sep-2026"].find(f"{SVG}path")
    assert "url(#" in (hatched.get("style") or "")  # filled with the hatch pattern
    ack = bars("chart-ack")
    assert sorted(k for k in ack if k.startswith("bar:")) == [
        "bar:Reports:10-to-60-minutes",
        "bar:Reports:within-10-minutes",
    ]
    assert sorted(bars("chart-year-group")) == [
        "bar:Reports:Year-4",
        "bar:Reports:Year-6",
        "hidden:Reports:Year-2",
        "hidden:Reports:Year-5",
    ]


async def test_staff_without_a_role_cannot_run_the_summary_and_it_is_audited(sessions, tmp_path):
    await play_term(sessions)
    code, message, page = await summary_as(sessions, tmp_path, "29:teacher-reyes")
    assert code == 1 and "holds no safeguarding role" in message and page == ""
    assert await audit_of(sessions, "summary") == []
    assert await audit_of(sessions, "denied") == [
        ("29:teacher-reyes", "summary 2026-09-01 to 2026-12-31: holds no safeguarding role at this school", "cli")
    ]


async def test_a_summary_asked_for_with_bad_dates_or_school_says_what_is_wrong(sessions, tmp_path):
    for first, last, school, expected in (
        ("1/9/2026", "2026-12-31", SCHOOL, "YYYY-MM-DD"),
        ("2026-12-31", "2026-09-01", SCHOOL, "is before --from"),
        ("2026-09-01", "2026-12-31", "nowhere", "unknown school 'nowhere'"),
    ):
        code, message = await write_summary(
            sessions, CIPHER, school=school, first=first, last=last, as_user=CHAIR, out=tmp_path, now=NOW
        )
        assert code == 2 and expected in message
    assert not list(tmp_path.glob("*.html"))
    (tmp_path / "a-file").write_text("")
    await seed_school(sessions, "http://127.0.0.1:9/", school=SCHOOL)  # the chair holds the role now
    code, message = await write_summary(
        sessions,
        CIPHER,
        school=SCHOOL,
        first="2026-09-01",
        last="2026-12-31",
        as_user=CHAIR,
        out=tmp_path / "a-file",
        now=NOW,
    )
    assert code == 2 and "cannot write" in message and "choose another --out folder" in message
