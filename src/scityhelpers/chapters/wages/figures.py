"""Wage figures: the ranking bar chart and the long-run indexed lines."""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from scityhelpers.chapters.plotting import (
    OTHER_COLOUR,
    add_source_note,
    attach_data,
    colour_for,
    new_figure,
)

#: why countries are coloured: the briefing compares Japan with Korea and with 「欧米」
#: (the US and Germany stand for it here), so those are the chapter's default highlights
HIGHLIGHT_REASON = ("色付き coloured: the countries the briefing compares Japan with\n"
                    "(韓国 Korea; 欧米 represented by the US and Germany)")
SOURCE_LINE = "OECD, Average annual wages (DSD_EARNINGS@AV_AN_WAGE), USD PPP, constant prices"


def ranking_bars(table: pd.DataFrame, year: int, price_base_year: int,
                 highlight: list[str]) -> Figure:
    """Horizontal bars of every ranked member, highlighted countries in colour."""
    ranked = table.dropna(subset=["rank"]).sort_values("rank")
    fig, ax = new_figure((7.5, 7.0))
    attach_data(fig, ranked)
    colours = [colour_for(c) if c in highlight else OTHER_COLOUR for c in ranked["iso3"]]
    labels = [f"{r}. {en} {ja}" for r, en, ja in
              zip(ranked["rank"], ranked["country"], ranked["country_ja"], strict=True)]
    ax.barh(labels, ranked["wage_usd_ppp"] / 1000, color=colours)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel(f"平均賃金 Average annual wage (thousand USD PPP, {price_base_year} prices)")
    ax.set_title(f"OECD平均賃金ランキング Average wages, {year}")
    ax.text(0.98, 0.02, HIGHLIGHT_REASON, transform=ax.transAxes, ha="right", va="bottom",
            fontsize=7.5, color="#333333",
            bbox={"facecolor": "white", "edgecolor": "#cccccc", "boxstyle": "round"})
    return add_source_note(fig, f"{SOURCE_LINE} ({price_base_year} edition)")


def indexed_lines(indexed: pd.DataFrame, start: int, price_base_year: int) -> Figure:
    """Real average wage indexed to ``start`` = 100, one line per country."""
    fig, ax = new_figure()
    attach_data(fig, indexed)
    palette = {c: colour_for(i) for c, i in
               indexed[["country", "iso3"]].drop_duplicates().itertuples(index=False)}
    sns.lineplot(data=indexed, x="year", y="index_start_100", hue="country", palette=palette,
                 ax=ax, linewidth=2)
    ax.axhline(100, color="#333333", linewidth=0.8)
    ax.set_xlabel("年 Year")
    ax.set_ylabel(f"実質平均賃金指数 Real average wage ({start} = 100)")
    ax.set_title(f"実質平均賃金の推移 Real average wages since {start}")
    ax.legend(title=None, frameon=False)
    return add_source_note(fig, f"{SOURCE_LINE} ({price_base_year} edition)")


PRODUCTIVITY_SOURCE = ("OECD Productivity Database (DF_PDB_LV), GDP per hour worked, USD PPP, "
                       "constant 2020 prices; OECD average wages")


def wage_productivity_lines(frame: pd.DataFrame, country: str, start: int) -> Figure:
    """Real wage vs GDP per hour worked for one country, both indexed to ``start``."""
    fig, ax = new_figure()
    attach_data(fig, frame)
    sns.lineplot(data=frame, x="year", y="index_start_100", hue="measure", style="measure",
                 palette=["#bc002d", "#333333"], ax=ax, linewidth=2)
    ax.axhline(100, color="#999999", linewidth=0.8)
    ax.set_xlabel("年 Year")
    ax.set_ylabel(f"指数 Index ({start} = 100)")
    ax.set_title(f"{country}: 賃金と労働生産性 Wages and productivity since {start}")
    ax.legend(title=None, frameon=False)
    return add_source_note(fig, PRODUCTIVITY_SOURCE)
