"""The governors' termly safeguarding summary as one printable HTML page.

Why HTML and not PDF: the page is self-contained (inline CSS and SVG charts, no scripts, no
external resources, the same restrictive Content-Security-Policy as `bot.records.export`), prints
cleanly from any browser (print CSS, charts kept whole on a page), and needs no PDF engine;
no well-kept pure-Python library turns HTML with SVG into PDF simply, so "Print > Save as
PDF" is the PDF.

What it holds: counts only, every count below 5 shown as "fewer than 5" (`suppression`), a
chart beside a table of the same numbers, the policy's review status and the questions staff
asked that the policy did not answer, grouped by meaning. Never a name, a reference or a word
of a report: governors receive it, and it may be printed and filed.
"""

from __future__ import annotations

import html
from datetime import datetime

from bot import kinds
from bot.alerts.roles import ROLE_TITLES
from bot.oversight.charts import bar_chart
from bot.oversight.figures import NOT_RECORDED, Figures
from bot.oversight.overview import duration
from bot.oversight.review_dates import format_day
from bot.oversight.suppression import THRESHOLD, shown, shown_parts

KIND_HEADINGS = {
    "disclosure": "Disclosures by a child",
    "incident": "Online-safety incidents",
    "adult_concern": "Concerns about an adult",
}
URGENCY_HEADINGS = {"urgent": "Urgent", "high": "High", "normal": "Normal"}
ESCALATED_TO = {"deputy": "Deputy DSLs", "head": "Headteacher", "chair": "Chair of Governors"}

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.15rem;border-bottom:1px solid #999;margin-top:1.8rem}
.meta{color:#444}.banner{border:2px solid #1f4e79;padding:.5rem .8rem;color:#1f4e79}
.headline{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.figure{border:1px solid #bbb;padding:.5rem .8rem;min-width:9rem}.figure b{display:block;font-size:1.3rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .6rem;text-align:left}
td.n{text-align:right}th{background:#f1f1f1}svg{max-width:100%;height:auto}
.overdue{color:#900;font-weight:bold}.note{font-size:.9rem;color:#333}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}section{page-break-inside:avoid}}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _month_label(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")


def _table(headers: list[str], rows: list[list[str]], table_id: str) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{_e(c)}</td>' if i else f"<td>{_e(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def _figure(label: str, value: str, figure_id: str) -> str:
    return f'<div class="figure" id="{figure_id}"><b>{_e(value)}</b>{_e(label)}</div>'


def _ack_times(figures: Figures) -> tuple[str, str]:
    """Median and 90th percentile, or why they are not shown (too few to hide one report's time)."""
    if len(figures.ack_minutes) < THRESHOLD:
        return "not shown", "not shown"
    return duration(figures.median_ack or 0.0), duration(figures.p90_ack or 0.0)


def render_summary(figures: Figures, *, produced_by_role: str, produced_at: datetime) -> str:
    """The whole page. Every value is escaped; every count passes through `suppression`."""
    months = list(figures.by_month)
    month_labels = [_month_label(m) for m in months]
    by_kind = shown_parts(figures.by_kind)
    by_urgency = shown_parts(figures.by_urgency)
    per_month = {
        kinds.label_of(kind): dict(
            zip(month_labels, shown_parts({m: figures.by_month[m][kind] for m in months}).values())
        )
        for kind in figures.by_kind
    }
    ack_parts = shown_parts(figures.ack_buckets)
    escalated_months = dict(zip(month_labels, shown_parts(figures.escalated_by_month).values()))
    escalated_to = shown_parts(
        {
            ESCALATED_TO.get(role, ROLE_TITLES.get(role, role)): count
            for role, count in sorted(figures.escalated_to.items())
        }
    )
    median, p90 = _ack_times(figures)
    acknowledged = len(figures.ack_minutes)
    period = f"{format_day(figures.first_day)} to {format_day(figures.last_day)}"
    review = figures.review
    if review.due_on is None:
        review_html = "<p>The policy states no review date.</p>"
    elif review.overdue(produced_at.date()):
        review_html = f'<p class="overdue" id="review">The policy was due for review {_e(review.when)}: overdue.</p>'
    else:
        review_html = f'<p id="review">The policy is next due for review {_e(review.when)}.</p>'

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Safeguarding summary: {_e(figures.school_name)}, {_e(period)}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<p class="meta">Safeguarding summary for the governing body</p><h1>{_e(figures.school_name)}</h1>',
        f'<p class="meta">Reports made from {_e(period)}. Produced {format_day(produced_at.date())} by the '
        f"{_e(ROLE_TITLES.get(produced_by_role, produced_by_role))} with the safeguarding assistant.</p>",
        '<p class="banner">Counts only: no child, member of staff or report can be identified from this page. '
        f"Any count from 1 to {THRESHOLD - 1} is shown as \u201cfewer than {THRESHOLD}\u201d.</p>",
        '<div class="headline">',
        _figure("reports made", shown(figures.reports), "reports"),
        _figure("acknowledged by a safeguarding lead", shown(acknowledged), "acknowledged"),
        _figure("median time to acknowledge", median, "median"),
        _figure("90th percentile time to acknowledge", p90, "p90"),
        _figure("escalated before anyone acknowledged", shown(figures.escalated), "escalated"),
        "</div>",
        "<section><h2>What was reported</h2>",
        _table(["Kind", "Reports"], [[KIND_HEADINGS[k], by_kind[k]] for k in figures.by_kind], "by-kind"),
        _table(
            ["Urgency", "Reports"], [[URGENCY_HEADINGS[u], by_urgency[u]] for u in figures.by_urgency], "by-urgency"
        ),
        "</section><section><h2>Reports per month, by kind</h2>",
        bar_chart("Reports per month, by kind", month_labels, per_month, chart_id="chart-per-month"),
        _table(
            ["Month", *per_month],
            [[label, *(per_month[s][label] for s in per_month)] for label in month_labels],
            "per-month",
        ),
        "</section><section><h2>How quickly reports were acknowledged</h2>",
        bar_chart(
            "Time from report to first acknowledgement", list(ack_parts), {"Reports": ack_parts}, chart_id="chart-ack"
        ),
        _table(["Time to acknowledge", "Reports"], [[label, ack_parts[label]] for label in ack_parts], "ack"),
        f'<p class="note">The median and 90th percentile are shown when at least {THRESHOLD} reports were '
        "acknowledged. A report not acknowledged in time is escalated: DSL, then the deputies, then the "
        "headteacher.</p>",
        "</section><section><h2>Escalations</h2>",
        bar_chart(
            "Reports escalated, by month made",
            month_labels,
            {"Escalated": escalated_months},
            chart_id="chart-escalated",
        ),
        _table(
            ["Highest reached", "Reports"],
            [[role, count] for role, count in escalated_to.items()] or [["(none escalated)", "0"]],
            "escalated-to",
        ),
    ]
    if figures.by_year_group:
        groups = shown_parts(figures.by_year_group)
        recorded = [g for g in groups if g != NOT_RECORDED]
        parts += [
            "</section><section><h2>Reports by year group, where recorded</h2>",
            bar_chart(
                "Reports by year group",
                recorded,
                {"Reports": {g: groups[g] for g in recorded}},
                chart_id="chart-year-group",
            )
            if recorded
            else "",
            _table(["Year group", "Reports"], [[g, groups[g]] for g in groups], "year-group"),
        ]
    parts += [
        "</section><section><h2>Policy</h2>",
        review_html,
        "<h3>Questions staff asked that the policy did not answer</h3>",
    ]
    if figures.gaps:
        parts.append(
            '<table id="gaps"><tr><th>Topic (the most asked question)</th><th>Times asked</th></tr>'
            + "".join(
                f'<tr><td>{_e(group.label)}</td><td class="n">{_e(shown(group.questions))}</td></tr>'
                for group in figures.gaps
            )
            + "</table>"
        )
        parts.append(
            '<p class="note">Similar questions are grouped by meaning; questions are kept without who '
            "asked them, and names in them are removed.</p>"
        )
    else:
        parts.append("<p>None in this period.</p>")
    parts += [
        "</section><section><h2>About these figures</h2>",
        '<p class="note">Reports are counted in the month they were made. Time to acknowledge runs from the '
        "report to the first safeguarding lead opening and acknowledging it. Where one count in a table was "
        "hidden, the next smallest is withheld too, so it cannot be worked out by subtraction. Concerns about "
        "an adult working in school are counted only when the headteacher or the chair of governors produces "
        "this summary, and one about the headteacher only when the chair does: they may concern another role "
        "holder.</p>",
        "</section></body></html>",
    ]
    return "\n".join(parts)
