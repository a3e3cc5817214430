"""KPI figure: progress towards each target as a dot, the required progress as a tick."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from scityhelpers.plots import OTHER_COLOUR, add_source_note, attach_data, new_figure

SOURCE_LINE = ("デジタル田園都市国家構想総合戦略 (2022-12-23) targets; actuals as reported on the "
               "pages in kpi/digital_garden_city_kpis.csv")
STATUS_COLOURS = {"on track": "#2b8a3e", "behind": "#bc002d", "not assessable": "#6b6b6b",
                  "no data": OTHER_COLOUR}
#: progress beyond this is drawn at the edge with its value written beside it
X_MAX_PCT = 150
LABEL_CHARS = 34


def _label(row: pd.Series) -> str:
    group = row["series"].removeprefix(row["kpi_id"]).strip()
    name = row["kpi_en"] if len(row["kpi_en"]) <= LABEL_CHARS else (
        row["kpi_en"][:LABEL_CHARS - 1] + "…")
    return f"{row['kpi_id']} {name}" + (f" ({group})" if group else "")


def progress_dots(table: pd.DataFrame, as_of: str) -> Figure:
    """One row per KPI series: progress % as a dot, the progress the rule requires as a tick.

    Colour = status; a hollow dot = a flagged series (proxy, break, bound); the line = 100%.
    """
    rows = table.sort_values(["kpi_id", "series"], ascending=False).reset_index(drop=True)
    fig, ax = new_figure((7.5, 6.2))
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
    ax.set_yticks(y, [_label(r) for _, r in rows.iterrows()], fontsize=7.5)
    ax.set_xlim(0, X_MAX_PCT + 12)
    ax.set_xlabel("目標に対する進捗 Progress: latest actual / nearest target (%)", fontsize=9)
    ax.set_title(f"デジタル田園都市国家構想 KPIの進捗 KPI progress, actuals up to {as_of}",
                 fontsize=10)
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=s)
               for s, c in STATUS_COLOURS.items() if s != "no data"]
    handles += [Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                       markeredgecolor="#333333", label="flagged (proxy, break, bound)"),
                Line2D([], [], marker="|", linestyle="", color="#333333", markersize=9,
                       label="required by the rule")]
    ax.legend(handles=handles, frameon=False, fontsize=7, loc="upper center",
              bbox_to_anchor=(0.4, -0.1), ncol=3)
    fig = add_source_note(fig, SOURCE_LINE)
    fig.subplots_adjust(left=0.4, right=0.97, top=0.94, bottom=0.22)
    return fig
