"""Population figures: the national path, age structure, municipal decline and its map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from scityhelpers.chapters.maps import plot_prefecture_choropleth
from scityhelpers.chapters.plotting import add_source_note, attach_data, new_figure
from scityhelpers.chapters.population.compute import Interpolation

NATIONAL_SOURCE = ("国立社会保障・人口問題研究所『日本の将来推計人口（令和5年推計）』概要 (key "
                   "figures); 2050 = log-linear interpolation, not published")
EDITION_TITLES = {2018: "日本の地域別将来推計人口（平成30年推計）",
                  2023: "日本の地域別将来推計人口（令和5年推計）"}
AGE_COLOURS = {"0–14": "#4c9f70", "15–64": "#8fb3d9", "65+": "#bc002d"}
MEASURE_COLOURS = {"municipalities": "#0047a0", "land area": "#2b8a3e",
                   "population 2020": "#bc002d"}
MEASURE_LABELS = {"municipalities": "市町村数 municipalities",
                  "land area": "面積 land area (2015)",
                  "population 2020": "人口 population (2020 census)"}
DECLINE_COLOUR = "#bc002d"
BIN_WIDTH_PCT = 2.5
#: map extent: every prefecture's main islands and Okinawa; the remote Tokyo islets of
#: 沖ノ鳥島 and 南鳥島 fall outside (they would shrink the map to a third)
MAP_LON_DEG = (122.5, 146.2)
MAP_LAT_DEG = (24.0, 45.7)
OTHER_COLOUR = "#8a8a8a"


def projection_source(edition: int) -> str:
    """Source line for figures built from a regional projection edition."""
    title = EDITION_TITLES.get(edition, f"日本の地域別将来推計人口（{edition}年推計）")
    return f"国立社会保障・人口問題研究所『{title}』 (IPSS {edition}, medium variant)"


def national_path_data(series: pd.DataFrame, estimate: Interpolation,
                       regional: pd.DataFrame) -> pd.DataFrame:
    """The three series of :func:`national_path` as one long table (year, million, series)."""
    return pd.concat([
        series[["year", "population_million"]].assign(series="IPSS 2023 national, published"),
        pd.DataFrame({"year": [estimate.year], "population_million": [estimate.value],
                      "series": ["interpolated (not published)"]}),
        regional[["year", "population_million"]].assign(series="regional projection, sum of "
                                                               "municipalities"),
    ], ignore_index=True)


def national_path(series: pd.DataFrame, estimate: Interpolation,
                  regional: pd.DataFrame, regional_edition: int,
                  claimed_million: float) -> Figure:
    """Published national totals, the interpolated 2050 (hollow) and the regional sums.

    ``series``: year, population_million (IPSS 2023 key figures); ``regional``: year,
    population_million (sum of the municipal projection); ``claimed_million``: the briefing's
    figure for the estimate's year, million persons (a reference line).
    """
    fig, ax = new_figure()
    attach_data(fig, national_path_data(series, estimate, regional))
    ax.plot(series["year"], series["population_million"], color="#0047a0", marker="o",
            linewidth=1.5, label="IPSS 2023 national, published figures 公表値")
    ax.plot([estimate.year], [estimate.value], marker="o", markersize=9, linestyle="none",
            markerfacecolor="white", markeredgecolor="#0047a0", markeredgewidth=2,
            label=f"{estimate.year}: interpolated 補間推計 (not published)")
    ax.plot(regional["year"], regional["population_million"], color=OTHER_COLOUR, marker="s",
            markersize=4, linestyle="--",
            label=f"IPSS {regional_edition} regional, sum of municipalities (excl. areas not "
                  "projected)")
    ax.axhline(claimed_million, color="#333333", linewidth=0.8)
    ax.annotate(f"briefing: 1億人程度 in {estimate.year}", (estimate.year, claimed_million),
                xytext=(0, -14), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xlabel("年 Year")
    ax.set_ylabel("総人口 Population (million persons)")
    ax.set_title("日本の総人口の見通し Japan's projected population")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return add_source_note(fig, f"{NATIONAL_SOURCE}; {projection_source(regional_edition)}")


def age_structure(shares: pd.DataFrame, edition: int) -> Figure:
    """Stacked bars of the three broad age groups, one bar per year (percent of the total)."""
    fig, ax = new_figure((7.5, 3.0))
    attach_data(fig, shares)
    years = sorted(shares["year"].unique())
    for row, year in enumerate(years):
        left = 0.0
        for group, colour in AGE_COLOURS.items():
            share = float(shares.loc[(shares["year"] == year) & (shares["age_group"] == group),
                                     "share_pct"].iloc[0])
            ax.barh(row, share, left=left, color=colour)
            ax.text(left + share / 2, row, f"{group}\n{share:.1f}%", ha="center", va="center",
                    fontsize=8.5, color="white" if group != "15–64" else "#222222")
            left += share
    ax.set_yticks(range(len(years)), [str(y) for y in years])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("人口に占める割合 Share of the population (%)")
    ax.set_title("年齢3区分別人口の割合 Population by broad age group (0–14, 15–64, 65+)")
    add_source_note(fig, f"{projection_source(edition)}; sum of projected municipalities")
    fig.subplots_adjust(bottom=0.25, top=0.85)
    return fig


def change_histogram(changes: pd.DataFrame, threshold_pct: float, base: int, target: int,
                     edition: int) -> Figure:
    """Distribution of municipal change with the decline threshold marked."""
    fig, ax = new_figure()
    shown = changes.assign(declining=changes["decline_pct"] >= threshold_pct)
    attach_data(fig, shown)
    low = np.floor(shown["change_pct"].min() / BIN_WIDTH_PCT) * BIN_WIDTH_PCT
    high = np.ceil(shown["change_pct"].max() / BIN_WIDTH_PCT) * BIN_WIDTH_PCT
    edges = np.arange(low, high + BIN_WIDTH_PCT, BIN_WIDTH_PCT)
    sns.histplot(data=shown, x="change_pct", hue="declining", bins=edges, ax=ax,
                 palette={True: DECLINE_COLOUR, False: OTHER_COLOUR}, hue_order=[False, True],
                 multiple="stack", legend=False)
    ax.axvline(-threshold_pct, color="#222222", linewidth=1.2, linestyle="--")
    ax.annotate(f"−{threshold_pct:.0f}%: {int(shown['declining'].sum()):,} of "
                f"{len(shown):,} municipalities at or beyond", (-threshold_pct, 0.95),
                xycoords=("data", "axes fraction"), xytext=(6, 0), textcoords="offset points",
                fontsize=8, va="top")
    ax.set_xlabel(f"人口増減率 Projected population change {base}–{target} (%)")
    ax.set_ylabel("市町村数 Municipalities")
    ax.set_title(f"市町村別の将来人口増減 Municipal change {base}–{target}")
    return add_source_note(fig, projection_source(edition))


def sensitivity_curve(curve: pd.DataFrame, threshold_pct: float, target: int,
                      edition: int) -> Figure:
    """Share declining at least each threshold, by municipalities, land area and population."""
    fig, ax = new_figure()
    attach_data(fig, curve)
    for measure, rows in curve.groupby("measure", sort=False):
        ax.plot(rows["threshold_pct"], rows["share_pct"], color=MEASURE_COLOURS[measure],
                linewidth=2, label=MEASURE_LABELS[measure])
    ax.axhline(50, color="#333333", linewidth=0.8)
    ax.annotate("briefing: 約5割 (1-km mesh, 2050)", (curve["threshold_pct"].max(), 50),
                xytext=(0, 4), textcoords="offset points", ha="right", fontsize=8)
    ax.axvline(threshold_pct, color="#333333", linewidth=0.8, linestyle="--")
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"減少率の閾値 Decline threshold, base year to {target} (%)")
    ax.set_ylabel("閾値以上減少する割合 Share (%)")
    ax.set_title("閾値による感度 How the share depends on the threshold")
    ax.legend(frameon=False, fontsize=8)
    return add_source_note(fig, f"{projection_source(edition)}; 国勢調査 (area 2015, "
                                "population 2020)")


def prefecture_map(table: pd.DataFrame, base: int, target: int, edition: int) -> Figure:
    """Choropleth of projected change by prefecture; prefectures not projected are grey."""
    fig, ax = new_figure((7.5, 6.2))
    attach_data(fig, table)
    values = table.set_index("pref_code")["change_pct"]
    low, high = float(values.min()), float(values.max())
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(low, -1.0), vmax=max(high, 1.0))
    missing = table.loc[table["change_pct"].isna(), "pref_name"].tolist()
    collection = plot_prefecture_choropleth(
        values, ax, cmap="RdBu", norm=norm,
        missing_label=f"推計なし not projected ({'、'.join(missing)})" if missing else "")
    colour_bar = fig.colorbar(collection, ax=ax, shrink=0.6,
                              label=f"人口増減率 Change {base}–{target} (%)")
    colour_bar.ax.set_yscale("linear")  # data scale, not the two halves of the norm
    ax.set_xlim(*MAP_LON_DEG)
    ax.set_ylim(*MAP_LAT_DEG)
    ax.set_title(f"都道府県別の将来人口増減 Projected change by prefecture, {base}–{target}")
    note = f"; hatched = not projected ({'、'.join(missing)})" if missing else ""
    add_source_note(fig, f"{projection_source(edition)}, sum of municipalities; "
                         f"outlines: 国土数値情報（行政区域データ）, デジタル庁{note}")
    fig.subplots_adjust(bottom=0.08, top=0.93)  # the map keeps its aspect: less empty margin
    return fig
