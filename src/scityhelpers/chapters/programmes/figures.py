"""Programme figures: counts against announcements, where selections fall, who is selected."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from scityhelpers.chapters.maps import plot_prefecture_choropleth
from scityhelpers.chapters.plotting import OTHER_COLOUR, add_source_note, attach_data, new_figure
from scityhelpers.chapters.population.figures import MAP_LAT_DEG, MAP_LON_DEG
from scityhelpers.chapters.programmes.compute import PROGRAMMES

SDGS_SOURCE = ("内閣府 地方創生推進事務局, SDGs未来都市 selection announcements "
               "(one per fiscal year); "
               "briefing section 【内閣府】SDGs未来都市")
DECARB_SOURCE = ("環境省, 脱炭素先行地域 selection results (press release of each round); "
                 "briefing section 【環境省】脱炭素先行地域")
SELECTIONS = "内閣府 SDGs未来都市 and 環境省 脱炭素先行地域 selection announcements"
PROFILE_SOURCE = (SELECTIONS + "; 総務省 国勢調査 2020; "
                  "国立社会保障・人口問題研究所 地域別将来推計人口 ({edition} edition)")
ANNOUNCED_COLOUR = "#c8d6e5"
NAMED_COLOUR = "#1f4e79"
BRIEFING_COLOUR = "#bc002d"
PROGRAMME_COLOURS = {"sdgs": "#1f77b4", "decarb": "#2b8a3e", "any": "#6b6b6b"}
GROUP_COLOURS = {"selected": "#1f4e79", "others": OTHER_COLOUR}


def sdgs_counts(year_table: pd.DataFrame) -> Figure:
    """Cities selected per fiscal year: announced, named in the list, and the briefing's."""
    fig, ax = new_figure()
    attach_data(fig, year_table)
    x = np.arange(len(year_table))
    ax.bar(x, year_table["cities_selected"].astype(float), color=ANNOUNCED_COLOUR,
           label="公表数 announced")
    ax.bar(x, year_table["named"], width=0.5, color=NAMED_COLOUR,
           label="リストで特定 named in the list")
    briefing = year_table["briefing_cities"].astype(float)
    ax.scatter(x, briefing, marker="_", s=500, color=BRIEFING_COLOUR, linewidths=2.5,
               zorder=3, label="資料の数 briefing")
    ax.set_xticks(x, [f"FY{y}" for y in year_table["fiscal_year"]])
    ax.set_ylabel("選定都市数 Cities selected")
    ax.set_title("SDGs未来都市 SDGs Future Cities selected per fiscal year")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return add_source_note(fig, SDGS_SOURCE)


def decarb_rounds(round_table: pd.DataFrame) -> Figure:
    """Proposals received and selected per round, with the selection rate above each pair."""
    fig, ax = new_figure()
    attach_data(fig, round_table)
    x = np.arange(len(round_table))
    received = round_table["proposals_received"].astype(float)
    ax.bar(x - 0.2, received, width=0.4, color=ANNOUNCED_COLOUR, label="応募提案 proposals")
    ax.bar(x + 0.2, round_table["proposals_selected"].astype(float), width=0.4,
           color="#2b8a3e", label="選定 selected")
    for xi, top, rate in zip(x, received, round_table["selection_rate_pct"], strict=True):
        ax.annotate(f"{rate:.0f}%", (xi, top), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=8)
    briefing = round_table["briefing_selected"].astype(float)
    ax.scatter(x + 0.2, briefing, marker="_", s=200, color=BRIEFING_COLOUR, linewidths=2.5,
               zorder=3, label="資料の数 briefing")
    ax.set_xticks(x, [f"第{r}回\n{fy}" for r, fy in
                      zip(round_table["round"], round_table["fiscal_year"], strict=True)])
    ax.set_xlabel("回 Round and fiscal year (% = selected / proposals)")
    ax.set_ylabel("提案数 Proposals")
    ax.set_title("脱炭素先行地域 Decarbonization Leading Areas: proposals and selections")
    ax.legend(frameon=False, fontsize=8)
    return add_source_note(fig, DECARB_SOURCE)


def prefecture_map(prefecture_table: pd.DataFrame, as_of: int) -> Figure:
    """Share of each prefecture's municipalities selected (SDGs or decarbonization)."""
    fig, ax = new_figure((6.8, 6.0))
    attach_data(fig, prefecture_table)
    values = prefecture_table.set_index("pref_code")["share_pct"]
    plot_prefecture_choropleth(values, ax, cmap="Blues",
                               label="選定された市区町村 Municipalities selected (%)")
    ax.set_xlim(*MAP_LON_DEG)  # main islands and Okinawa, as on the population map
    ax.set_ylim(*MAP_LAT_DEG)
    ax.set_title(f"SDGs未来都市・脱炭素先行地域 Selected municipalities, up to FY{as_of}",
                 fontsize=10)
    fig.subplots_adjust(left=0.0, right=0.95, top=0.95)
    return add_source_note(fig, "named bodies in the selection lists (a lower bound where a "
                                "selection is incomplete); 総務省 全国地方公共団体コード; "
                                "outlines: 国土数値情報 N03 (国土交通省) via デジタル庁")


def size_class_bars(size_table: pd.DataFrame) -> Figure:
    """Share (%) of municipalities selected in each 2020 population class, per programme."""
    long = size_table.melt(id_vars="size_class", value_vars=["sdgs_share_pct",
                                                             "decarb_share_pct"],
                           var_name="programme", value_name="share_pct")
    long["programme"] = long["programme"].str.removesuffix("_share_pct")
    long["label"] = long["programme"].map(PROGRAMMES)
    fig, ax = new_figure()
    attach_data(fig, long)
    palette = {PROGRAMMES[k]: PROGRAMME_COLOURS[k] for k in ("sdgs", "decarb")}
    sns.barplot(data=long, x="size_class", y="share_pct", hue="label", palette=palette, ax=ax)
    ax.set_xlabel("2020年人口規模 Population in 2020 (persons)")
    ax.set_ylabel("選定された割合 Municipalities selected (%)")
    ax.set_title("人口規模別の選定率 Larger places are selected far more often")
    ax.set_xticks(ax.get_xticks(), [t.get_text().replace(" (", "\n(")
                                    for t in ax.get_xticklabels()])
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(title=None, frameon=False, fontsize=8)
    return add_source_note(fig, SELECTIONS + "; 総務省 国勢調査 2020")


def selected_vs_others(profile: pd.DataFrame, groups: pd.Series, edition: int,
                       last_year: int) -> Figure:
    """Distributions of the three measures for selected and other municipalities."""
    data = profile.assign(group=groups.map({"selected": "選定 selected",
                                            "others": "その他 others"}))
    data = data.dropna(subset=["group"])
    panels = [("population_2020_persons", "2020年人口 Population 2020 (persons, log)"),
              ("projected_change_pct", f"推計人口の変化 Projected change 2020–{last_year} (%)"),
              ("share_65plus_pct", "65歳以上の割合 Aged 65+ in 2020 (%)")]
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 4.4))
    attach_data(fig, data)
    palette = {"選定 selected": GROUP_COLOURS["selected"], "その他 others": OTHER_COLOUR}
    for ax, (column, label) in zip(axes, panels, strict=True):
        sns.boxplot(data=data, x="group", y=column, hue="group", palette=palette, ax=ax,
                    fliersize=1.5, linewidth=0.8, legend=False)
        ax.set_xlabel("")
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
        if column == "population_2020_persons":
            ax.set_yscale("log")
    fig.suptitle("選定自治体とその他 Selected municipalities vs the rest", fontsize=11)
    fig.subplots_adjust(wspace=0.55, top=0.88)
    return add_source_note(fig, PROFILE_SOURCE.format(edition=edition)
                           + "; complete selections only")
