"""The summary's charts: bar charts drawn by matplotlib as inline SVG, from counts already
suppressed for governors (`suppression`).

Why SVG text: the page must stay one self-contained, printable file with no scripts and no
external resources, and a chart must be checkable by reading it (tests parse the SVG), not by
comparing pixels. Text stays text (`svg.fonttype: none`), ids are stable (`svg.hashsalt`),
and each bar carries an id saying what it is: `bar:<series>:<category>`, or
`hidden:<series>:<category>` for a count hidden as "fewer than 5" (or withheld), which is
drawn hatched up to the threshold with no exact height, so the picture never tells more than
the table beside it. The number written over a bar is `value:<series>:<category>`.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # no display: charts are files

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.oversight.suppression import FEWER_THAN, THRESHOLD, is_hidden  # noqa: E402

COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "safeguarding-summary",
    "font.size": 9,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def bar_chart(
    title: str,
    categories: list[str],
    series: Mapping[str, Mapping[str, str]],
    *,
    ylabel: str = "Reports",
    chart_id: str = "chart",
) -> str:
    """Grouped bars, one group per category and one bar per series; values as the page shows them."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types rc keys as literals
        figure, axes = plt.subplots(figsize=(7.2, 2.8))
        width = 0.8 / max(len(series), 1)
        hidden_seen = False
        for index, (name, values) in enumerate(series.items()):
            colour = COLOURS[index % len(COLOURS)]
            for position, category in enumerate(categories):
                value = values.get(category, "0")
                x = position - 0.4 + width * (index + 0.5)
                hidden = is_hidden(value)
                height = THRESHOLD if hidden else int(value)
                bar = axes.bar(
                    x,
                    height,
                    width * 0.92,
                    color="white" if hidden else colour,
                    edgecolor=colour,
                    hatch="////" if hidden else None,
                    label=name if position == 0 else None,
                )[0]
                bar.set_gid(f"{'hidden' if hidden else 'bar'}:{_safe_id(name)}:{_safe_id(category)}")
                if hidden:
                    hidden_seen = True
                if hidden or height:
                    text = ("<5" if value == FEWER_THAN else "5+") if hidden else str(height)
                    axes.text(
                        x,
                        height,
                        text,
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        gid=f"value:{_safe_id(name)}:{_safe_id(category)}",
                    )
        axes.set_xticks(range(len(categories)), [textwrap.fill(c, 12) for c in categories])
        axes.set_ylabel(ylabel)
        axes.set_title(title, loc="left", fontsize=10, fontweight="bold")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
        handles, labels = axes.get_legend_handles_labels()
        if hidden_seen:
            from matplotlib.patches import Patch

            handles.append(Patch(facecolor="white", edgecolor="#555", hatch="////"))
            labels.append("fewer than 5 (not shown exactly)")
        if len(series) > 1 or hidden_seen:
            axes.legend(handles, labels, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # inline: no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF boilerplate, nothing to read
    label = html.escape(title, quote=True)
    return svg.replace("<svg ", f'<svg id="{_safe_id(chart_id)}" role="img" aria-label="{label}" ', 1)
