"""KPI figure: progress towards each target as a dot, the required progress as a tick."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from scityhelpers.chapters.plotting import OTHER_COLOUR, add_source_note, attach_data, new_figure

SOURCE_LINE = ("内閣官房 デジタル田園都市国家構想総合戦略 (2022-12-23) targets; actuals from "
               "ministry releases and press reports, one per KPI (listed in the chapter's table)")
STATUS_COLOURS = {"on track": "#2b8a3e", "behind": "#bc002d", "not assessable": "#6b6b6b",
                  "no data": OTHER_COLOUR}
#: progress beyond this is drawn at the edge with its value written beside it
X_MAX_PCT = 150
#: a KPI name is wrapped (never cut) at this many characters per line
LABEL_CHARS = 38


def _label(row: pd.Series) -> str:
    """The KPI id and its full English name (and group), wrapped onto as many lines as needed."""
    group = row["series"].removeprefix(row["kpi_id"]).strip()
    text = f"{row['kpi_id']} {row['kpi_en']}" + (f" ({group})" if group else "")
    return textwrap.fill(text, LABEL_CHARS)


def progress_dots(table: pd.DataFrame, as_of: str) -> Figure:
    """One row per KPI series: progress % as a dot, the progress the rule requires as a tick.

    Colour = status; a hollow dot = a flagged series (proxy, break, bound); the line = 100%.
    """
    rows = table.sort_values(["kpi_id", "series"], ascending=False).reset_index(drop=True)
    labels = [_label(r) for _, r in rows.iterrows()]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig, ax = new_figure((7.5, 2.4 + 0.2 * lines))
    attach_data(fig, rows)
    y = np.arange(len(rows))
    ax.axvline(100, color="#333333", linewidth=0.8)
    for yi, row in rows.iterrows():
        colour = STATUS_COLOURS[row["status"]]
        if pd.isna(row["progress_pct"]):
            ax.text(2, yi, row["status"], va="center", fontsize=7.5, color="#555555")
            continue
        shown = min(float(row["progress_pct"]), X_MAX_PCT)
        ax.scatter(shown, yi, s=60, zorder=3, color="white" if row["is_flagged"] else colour,
                   edgecolors=colour, linewidths=1.8)
        if pd.notna(row["required_pct"]) and row["required_pct"] < 100:
            ax.scatter(row["required_pct"], yi, marker="|", s=140, color="#333333", zorder=2)
        ax.annotate(f"{row['progress_pct']:.0f}%", (shown, yi), xytext=(7, 0),
                    textcoords="offset points", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7.5, linespacing=1.0)
    ax.set_xlim(0, X_MAX_PCT + 12)
    ax.set_xlabel("目標に対する進捗 Progress: latest actual / nearest target (%)", fontsize=9)
    fig.suptitle(f"デジタル田園都市国家構想 KPIの進捗 KPI progress, actuals up to {as_of}",
                 fontsize=10, x=0.5, y=0.995)
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=s)
               for s, c in STATUS_COLOURS.items() if s != "no data"]
    handles += [Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                       markeredgecolor="#333333", label="flagged (proxy, break, bound)"),
                Line2D([], [], marker="|", linestyle="", color="#333333", markersize=9,
                       label="required by the rule")]
    fig = add_source_note(fig, SOURCE_LINE)
    inch = 1 / fig.get_figheight()
    fig.legend(handles=handles, frameon=False, fontsize=7, loc="lower center",
               bbox_to_anchor=(0.5, 0.5 * inch), ncol=3)
    fig.subplots_adjust(left=0.42, right=0.97, top=1 - 0.4 * inch, bottom=1.45 * inch)
    return fig
