"""The Japan Central Corridor (日本中央回廊): population and nominal output of its prefectures.

The briefing gives "about 360 trillion yen of GDP and about 73 million people" without naming
the prefectures summed. The sets below are the candidates compared in the mirror's
``japan_prefectures/SOURCES.md``; the 14-prefecture set (the three metropolitan areas plus the
maglev/Tokaido prefectures 山梨・長野・静岡) reproduces both figures — an inference from the
numbers, not a documented definition, and the chapter says so.
"""

from __future__ import annotations

import pandas as pd

THREE_METRO_AREAS = ("11", "12", "13", "14", "21", "23", "24", "26", "27", "28", "29")
CORRIDOR_SETS: dict[str, tuple[str, ...]] = {
    "14 prefectures (3 metro areas + 山梨・長野・静岡)":
        (*THREE_METRO_AREAS, "19", "20", "22"),
    "11 prefectures (3 metro areas only)": THREE_METRO_AREAS,
    "15 prefectures (the 14 + 滋賀)": (*THREE_METRO_AREAS, "19", "20", "22", "25"),
}
PREFERRED_SET = "14 prefectures (3 metro areas + 山梨・長野・静岡)"
MILLION = 1_000_000
TRILLION_YEN_IN_MILLION_YEN = 1_000_000


def corridor_totals(population: pd.DataFrame, gpp: pd.DataFrame) -> pd.DataFrame:
    """Population 2020 (million persons) and nominal GPP by fiscal year (trillion yen) per set.

    ``population``: tidy ``prefecture_population_2020``; ``gpp``: tidy ``gpp`` (million yen).
    """
    rows = []
    for name, codes in CORRIDOR_SETS.items():
        people = population.loc[population["pref_code"].isin(codes), "population_total_persons"]
        row = {"prefecture_set": name, "n_prefectures": len(codes),
               "population_2020_million": people.sum() / MILLION}
        output = gpp[gpp["pref_code"].isin(codes)].groupby("fiscal_year")
        for year, total in output["gpp_nominal_million_yen"].sum().items():
            row[f"gpp_fy{year}_trillion_yen"] = total / TRILLION_YEN_IN_MILLION_YEN
        rows.append(row)
    return pd.DataFrame(rows)
