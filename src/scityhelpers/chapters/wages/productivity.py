"""Labour productivity (GDP per hour worked) beside wages: ranks, gaps and growth.

GDP per hour worked is the OECD Productivity Database series in US dollars at constant 2020
prices and PPPs. The file holds no OECD aggregate, so "the OECD mean" here is the unweighted
mean of the members with a value that year — stated wherever it is used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scityhelpers.chapters.wages.compute import series as wage_series
from scityhelpers.reference.countries import names, oecd_members

#: The first year the OECD productivity series covers for most members.
PRODUCTIVITY_START = 1995


def latest_year_for(productivity: pd.DataFrame, iso3: str, year: int) -> int:
    """Latest year ≤ ``year`` in which ``iso3`` has a productivity value."""
    years = productivity.loc[(productivity["iso3"] == iso3) & (productivity["year"] <= year),
                             "year"]
    if years.empty:
        raise ValueError(f"no productivity value for {iso3} up to {year}")
    return int(years.max())


def rank_table(productivity: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rank OECD members by GDP per hour worked in ``year`` (1 = highest).

    Adds the gap to the unweighted member mean in percent (negative = below the mean).
    """
    rows = productivity[(productivity["year"] == year)
                        & productivity["iso3"].isin(oecd_members())].copy()
    rows = rows.sort_values(["gdp_per_hour_usd_ppp", "iso3"], ascending=[False, True])
    rows["rank"] = np.arange(1, len(rows) + 1)
    rows["n_ranked"] = len(rows)
    member_mean = rows["gdp_per_hour_usd_ppp"].mean()
    rows["gap_to_member_mean_pct"] = (rows["gdp_per_hour_usd_ppp"] / member_mean - 1) * 100
    rows["country"] = names(rows["iso3"], "en")
    rows["country_ja"] = names(rows["iso3"], "ja")
    return rows[["rank", "iso3", "country", "country_ja", "gdp_per_hour_usd_ppp",
                 "gap_to_member_mean_pct", "n_ranked"]].reset_index(drop=True)


def member_mean(productivity: pd.DataFrame, year: int) -> float:
    """Unweighted mean GDP per hour worked of the OECD members with a value in ``year``."""
    rows = productivity[(productivity["year"] == year)
                        & productivity["iso3"].isin(oecd_members())]
    return float(rows["gdp_per_hour_usd_ppp"].mean())


def gap_pct(table: pd.DataFrame, iso3: str, other: str) -> float:
    """How far ``iso3`` is above (+) or below (−) ``other`` in GDP per hour, in percent."""
    values = table.set_index("iso3")["gdp_per_hour_usd_ppp"]
    return float((values[iso3] / values[other] - 1) * 100)


def productivity_series(productivity: pd.DataFrame, iso3: str) -> pd.Series:
    """One country's GDP per hour worked by year (USD PPP, constant 2020 prices)."""
    rows = productivity[productivity["iso3"] == iso3]
    return rows.set_index("year")["gdp_per_hour_usd_ppp"].sort_index()


def cagr_pct(values: pd.Series, start: int, end: int) -> float:
    """Compound annual growth between two years of a series indexed by year, % per year."""
    return float(((values.loc[end] / values.loc[start]) ** (1 / (end - start)) - 1) * 100)


def wage_and_productivity(wages: pd.DataFrame, productivity: pd.DataFrame, iso3: str,
                          start: int, price_base_year: int) -> pd.DataFrame:
    """Real wage and GDP per hour, both indexed to ``start`` = 100, over their common years.

    Long table (year, measure, index_start_100) for one country; the gap between the two
    lines is the part of productivity growth that did not reach the average wage.
    """
    wage = wage_series(wages, iso3, price_base_year)
    output = productivity_series(productivity, iso3)
    common = wage.index.intersection(output.index)
    common = common[common >= start]
    frame = pd.DataFrame({
        "year": common,
        "実質平均賃金 real average wage": wage.loc[common].to_numpy() / wage.loc[common[0]] * 100,
        "時間当たりGDP GDP per hour worked":
            output.loc[common].to_numpy() / output.loc[common[0]] * 100,
    })
    return frame.melt(id_vars="year", var_name="measure", value_name="index_start_100")


def growth_comparison(wages: pd.DataFrame, productivity: pd.DataFrame, countries: list[str],
                      start: int, price_base_year: int) -> pd.DataFrame:
    """CAGR of the real wage and of GDP per hour over each country's common years, sorted."""
    rows = []
    for iso3 in countries:
        wage = wage_series(wages, iso3, price_base_year)
        output = productivity_series(productivity, iso3)
        common = wage.index.intersection(output.index)
        common = common[common >= start]
        if len(common) < 2:
            continue
        first, last = int(common[0]), int(common[-1])
        rows.append({"iso3": iso3, "from": first, "to": last,
                     "wage_cagr_pct": cagr_pct(wage, first, last),
                     "productivity_cagr_pct": cagr_pct(output, first, last)})
    table = pd.DataFrame(rows)
    table["gap_pp"] = table["productivity_cagr_pct"] - table["wage_cagr_pct"]
    table.insert(1, "country", names(table["iso3"], "en"))
    return table.sort_values("iso3").reset_index(drop=True)


#: comparators of C13 ("the gap to Europe, the US and Korea widens"): the briefing names no
#: European country, so Europe is the unweighted mean of its four largest economies (G7 members)
GAP_COMPARATORS: dict[str, tuple[str, ...]] = {
    "usa": ("USA",), "europe": ("DEU", "FRA", "GBR", "ITA"), "korea": ("KOR",)}


def gap_change(productivity: pd.DataFrame, iso3: str, comparators: dict[str, tuple[str, ...]],
               start: int, end: int) -> pd.DataFrame:
    """How far ``iso3`` stands above (+) or below (−) each comparator in ``start`` and ``end``.

    GDP per hour worked (USD PPP, constant prices); a comparator of several countries is their
    unweighted mean. Columns: comparator, ``gap_start_pct`` and ``gap_end_pct`` (``iso3`` /
    comparator − 1, in %), the compound growth of both (% a year) and ``is_widening``: True
    when ``iso3`` is behind at the end and further behind than at the start.

    Raises:
        KeyError: a country without a value in ``start`` or ``end``.
    """
    values = productivity.pivot_table(index="year", columns="iso3",
                                      values="gdp_per_hour_usd_ppp")
    own = values[iso3]
    rows = []
    for label, members in comparators.items():
        other = values[list(members)].loc[[start, end]]
        if other.isna().any().any() or own.loc[[start, end]].isna().any():
            raise KeyError(f"GDP per hour missing for {iso3} or {members} in {start} or {end}")
        other = other.mean(axis=1)
        gap_start = (own.loc[start] / other.loc[start] - 1) * 100
        gap_end = (own.loc[end] / other.loc[end] - 1) * 100
        rows.append({"comparator": label, "members": ", ".join(members),
                     "gap_start_pct": float(gap_start), "gap_end_pct": float(gap_end),
                     "own_cagr_pct": cagr_pct(own, start, end),
                     "comparator_cagr_pct": cagr_pct(other, start, end),
                     "is_widening": bool(gap_end < 0 and gap_end < gap_start)})
    return pd.DataFrame(rows)


def gap_facts(gaps: pd.DataFrame) -> dict[str, Any]:
    """The facts of a :func:`gap_change` table, keyed ``gap_<comparator>_<what>``.

    Gaps at the start and end (%), the comparator's compound growth (% a year) and whether the
    gap widened (1 or 0).
    """
    facts: dict[str, Any] = {}
    for row in gaps.itertuples():
        facts[f"gap_{row.comparator}_start_pct"] = row.gap_start_pct
        facts[f"gap_{row.comparator}_end_pct"] = row.gap_end_pct
        facts[f"gap_{row.comparator}_cagr_pct"] = row.comparator_cagr_pct
        facts[f"gap_{row.comparator}_is_widening"] = int(row.is_widening)
    return facts


def first_common_year(productivity: pd.DataFrame, countries: list[str], end: int) -> int:
    """First year from which every one of ``countries`` has GDP per hour through ``end``."""
    values = productivity.pivot_table(index="year", columns="iso3",
                                      values="gdp_per_hour_usd_ppp")[countries].loc[:end]
    gaps = values.index[values.isna().any(axis=1)]
    return int(values.index[0]) if gaps.empty else int(gaps.max() + 1)
