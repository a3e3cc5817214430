"""Country-model figures: coefficients across specifications, Japan's position, FWL scatter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from scityhelpers.chapters.plotting import (
    OTHER_COLOUR,
    add_source_note,
    attach_data,
    colour_for,
    new_figure,
    place_point_labels,
)

SOURCE_LINE = ("OECD Productivity Database (GDP per hour worked, USD PPP, 2020 prices); "
               "World Bank WDI / ITU; Our World in Data (ITU broadband); UN E-Government Survey")
HIGHLIGHT = ("JPN", "KOR")
LOG_TICKS = (15, 20, 30, 40, 60, 80, 100, 150)  # USD per hour
COEF_LABEL = "係数 Coefficient: log GDP per hour per 1 SD of the measure (95% CI, clustered)"


def _dot_whisker(ax, table: pd.DataFrame, positions: np.ndarray, colour: str,
                 label: str | None = None) -> None:
    ax.errorbar(table["coef"], positions,
                xerr=[table["coef"] - table["ci_low"], table["ci_high"] - table["coef"]],
                fmt="o", color=colour, ecolor=colour, capsize=3, markersize=5, label=label)


def coefficient_plot(table: pd.DataFrame, measure: str = "composite") -> Figure:
    """One measure's coefficient under every specification, with 95% CIs."""
    rows = table[table["measure"] == measure].reset_index(drop=True)
    fig, ax = new_figure((7.5, 4.6))
    attach_data(fig, rows)
    positions = np.arange(len(rows))[::-1]
    _dot_whisker(ax, rows, positions, colour_for("JPN"))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(positions, [f"{lab}  (N={n}, {c} countries)" for lab, n, c in
                              zip(rows["label"], rows["n_used"], rows["n_countries"],
                                  strict=True)])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel(COEF_LABEL, fontsize=9)
    ax.set_title("デジタル成熟度と労働生産性 Digital composite and productivity, by specification",
                 fontsize=11)
    return add_source_note(fig, SOURCE_LINE)


def indicator_plot(table: pd.DataFrame, labels: dict[str, str],
                   estimators: tuple[str, ...] = ("pooled", "fe", "twfe", "fd")) -> Figure:
    """Each indicator alone: coefficient by estimator (contemporaneous, no lag)."""
    rows = table[(table["lag"] == 0) & table["estimator"].isin(estimators)]
    measures = list(dict.fromkeys(rows["measure"]))
    palette = sns.color_palette("colorblind", len(estimators))
    fig, ax = new_figure((7.5, 5.4))
    attach_data(fig, rows)
    base = np.arange(len(measures))[::-1].astype(float)
    width = 0.8 / len(estimators)
    for offset, (estimator, colour) in enumerate(zip(estimators, palette, strict=True)):
        part = rows[rows["estimator"] == estimator].set_index("measure").loc[measures]
        _dot_whisker(ax, part, base + 0.3 - offset * width, colour,
                     part["label"].iloc[0])
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(base, [labels[m] for m in measures])
    ax.set_xlabel(COEF_LABEL, fontsize=9)
    ax.set_title("指標ごとの係数 Each digital measure alone, by estimator", fontsize=11, pad=24)
    ax.legend(frameon=False, fontsize=8, ncol=len(estimators), loc="lower center",
              bbox_to_anchor=(0.5, 1.0), handletextpad=0.2, columnspacing=1.0)
    return add_source_note(fig, SOURCE_LINE)


def actual_vs_fitted_plot(fits: pd.DataFrame, year: int) -> Figure:
    """Actual against fitted GDP per hour in one year; points below the line underperform."""
    rows = fits[fits["year"] == year]
    fig, ax = new_figure((7.0, 5.2))
    attach_data(fig, rows)
    colours = [colour_for(c) if c in HIGHLIGHT else OTHER_COLOUR for c in rows["iso3"]]
    ax.scatter(rows["fitted_usd"], rows["actual_usd"], c=colours, s=36, zorder=3)
    low = min(rows["fitted_usd"].min(), rows["actual_usd"].min()) * 0.9
    high = max(rows["fitted_usd"].max(), rows["actual_usd"].max()) * 1.05
    ax.plot([low, high], [low, high], color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(FixedLocator(LOG_TICKS))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
        axis.set_minor_locator(NullLocator())
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel("予測値 Fitted from composite + year effects (USD per hour, log scale)",
                  fontsize=9)
    ax.set_ylabel("実績 Actual GDP per hour (USD PPP 2020, log scale)", fontsize=9)
    ax.set_title(f"デジタル成熟度から見た生産性 Actual vs fitted productivity, {year}",
                 fontsize=11)
    add_source_note(fig, SOURCE_LINE)
    # labels last: their placement needs the final axes size
    place_point_labels(ax, rows["fitted_usd"].tolist(), rows["actual_usd"].tolist(),
                       rows["iso3"].tolist(),
                       [colour_for(c) if c in HIGHLIGHT else "#555555" for c in rows["iso3"]],
                       first=set(HIGHLIGHT))
    return fig


def partial_regression_plot(fwl: pd.DataFrame, slope: float) -> Figure:
    """Outcome against the composite, both net of country and year effects (FWL)."""
    fig, ax = new_figure((7.0, 5.0))
    attach_data(fig, fwl)
    others = fwl[~fwl["iso3"].isin(HIGHLIGHT)]
    ax.scatter(others["x_resid"], others["y_resid"], color=OTHER_COLOUR, s=14,
               label="other OECD members")
    for iso3, name in (("JPN", "Japan 日本"), ("KOR", "Korea 韓国")):
        own = fwl[fwl["iso3"] == iso3]
        ax.scatter(own["x_resid"], own["y_resid"], color=colour_for(iso3), s=30, label=name,
                   zorder=3)
    grid = np.linspace(fwl["x_resid"].min(), fwl["x_resid"].max(), 2)
    # rounded: the same line on every CPU (the slope's last bits depend on the BLAS kernel)
    ax.plot(grid, (slope * grid).round(9), color="#333333", linewidth=1.2,
            label=f"two-way FE slope {slope:.3f}")
    ax.axhline(0, color="#999999", linewidth=0.6)
    ax.axvline(0, color="#999999", linewidth=0.6)
    ax.set_xlabel("デジタル合成指標（国・年効果控除後） Composite, net of effects (SD)",
                  fontsize=9)
    ax.set_ylabel("労働生産性（同） Log GDP per hour, net of effects", fontsize=9)
    ax.set_title("偏回帰プロット Partial regression (Frisch–Waugh–Lovell)", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    return add_source_note(fig, SOURCE_LINE)
