"""Programmes: where the government selects — counts, selection rates, coverage, overlap.

Four selection lists: SDGs未来都市 (Cabinet Office, by fiscal year), 脱炭素先行地域 (Ministry
of the Environment, by round), スーパーシティ / デジタル田園健康特区 (2022-03-10) and, as a
comparison, the EU Mission "100 Climate-Neutral and Smart Cities". The lists are compiled from
secondary pages and some selections are only partly named, so every table carries its
completeness (bodies named / officially announced, from
:func:`scityhelpers.reference.programme_completeness.completeness`).

Two uses of the lists, two rules:

* **coverage** (by prefecture, by size class, overlap) counts every named body — a lower
  bound where a selection is incomplete;
* **selected vs the rest** (population, projected change, ageing) uses only selections in
  which every announced body is accounted for: a partial list compiled from news pages
  over-represents places the news covers, which would bias exactly the comparison made.
  Bodies known only from partial selections are left out of both groups.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scityhelpers.chapters.parameters import Param
from scityhelpers.chapters.programmes.rounds import (  # noqa: F401  (re-exported for the notebook)
    COMPLETENESS_PROGRAMMES,
    COMPLETENESS_WORDS,
    FISCAL_YEAR_START_MONTH,
    _completeness_of,
    as_of_years,
    briefing_sdgs_totals,
    completeness_label,
    completeness_note,
    completeness_up_to,
    cumulative_net_of_withdrawals,
    decarb_round_table,
    fiscal_year,
    pooled_selection_rate,
    round_facts,
    round_fiscal_years,
    sdgs_year_table,
)
from scityhelpers.stats.rank_tests import RankComparison, compare

# The briefing's figures (yearly SDGs counts, decarbonization rounds) come from the reference
# table briefing_figures through scityhelpers.reference.briefing.BriefingFigures.
#: programme keys used in every table, with their display names
PROGRAMMES = {
    "sdgs": "SDGs未来都市 SDGs Future Cities",
    "decarb": "脱炭素先行地域 Decarbonization Leading Areas",
    "zones": "スーパーシティ・デジタル田園健康特区 Super City / health zones",
}
#: 2020 census population classes (persons; lower bound inclusive)
SIZE_EDGES = (0, 10_000, 50_000, 100_000, 300_000, 1_000_000, np.inf)
SIZE_LABELS = ("<1万 (<10k)", "1–5万 (10–50k)", "5–10万 (50–100k)", "10–30万 (100–300k)",
               "30–100万 (300k–1M)", "100万+ (1M+)")
TABLES = ("sdgs_future_cities", "sdgs_by_year", "decarbonization_areas",
          "decarbonization_rounds", "special_zones", "eu_mission_cities", "municipalities",
          "census2020_municipal", "municipal_projection")


# -- time ----------------------------------------------------------------------------------
def selections(sdgs: pd.DataFrame, decarb: pd.DataFrame, zones: pd.DataFrame,
               rounds: pd.DataFrame, completeness: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """One row per named body per selection up to ``as_of`` (code5, programme, selection).

    ``is_complete_selection`` is True when every announced body of that selection is
    accounted for (named, or a known unnamed row as in SDGs FY2021): such selections can be
    compared with the rest without the bias of a news-compiled partial list.
    """
    sdgs_known = _completeness_of(completeness, "SDGs未来都市")
    decarb_known = _completeness_of(completeness, "脱炭素先行地域")
    accounted = lambda k: (k["known"] + k["unnamed"] >= k["announced"]).fillna(False)  # noqa: E731
    named_sdgs = sdgs[sdgs["is_resolved"] & (sdgs["fiscal_year"] <= as_of)]
    round_years = round_fiscal_years(rounds)
    named_decarb = decarb[decarb["round"].map(round_years) <= as_of]
    zone_year = fiscal_year(zones["decided"])
    parts = [
        pd.DataFrame({"code5": named_sdgs["code5"], "programme": "sdgs",
                      "selection": "FY" + named_sdgs["fiscal_year"].astype(str),
                      "is_complete_selection": named_sdgs["fiscal_year"].map(
                          accounted(sdgs_known)).astype(bool)}),
        pd.DataFrame({"code5": named_decarb["code5"], "programme": "decarb",
                      "selection": "round " + named_decarb["round"].astype(str),
                      "is_complete_selection": named_decarb["round"].map(
                          accounted(decarb_known)).astype(bool)}),
        pd.DataFrame({"code5": zones.loc[zone_year <= as_of, "code5"], "programme": "zones",
                      "selection": "2022-03-10", "is_complete_selection": True}),
    ]
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["programme", "selection", "code5"]).reset_index(drop=True)


def membership(selected: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """One row per selected body: name, level and whether it is in each programme."""
    flags = (selected.assign(flag=True)
             .pivot_table(index="code5", columns="programme", values="flag", aggfunc="any")
             .reindex(columns=list(PROGRAMMES)).fillna(False).astype(bool))
    flags.columns = [f"in_{c}" for c in flags.columns]
    names = municipalities.set_index("code5")[["pref_code", "pref_name", "name", "level"]]
    return names.join(flags, how="inner").reset_index().sort_values("code5",
                                                                     ignore_index=True)


def overlap_table(members: pd.DataFrame) -> pd.DataFrame:
    """Bodies by combination of programmes (each body counted once, in its combination)."""
    flag_columns = [f"in_{c}" for c in PROGRAMMES]
    combos = members.groupby(flag_columns).size().rename("bodies").reset_index()
    short = {"in_sdgs": "SDGs", "in_decarb": "脱炭素 decarb", "in_zones": "特区 zones"}
    combos["combination"] = [" × ".join(short[c] for c in flag_columns if row[c])
                             for _, row in combos.iterrows()]
    combos["programmes"] = combos[flag_columns].sum(axis=1)
    combos = combos.sort_values(["programmes", "bodies"], ascending=[True, False])
    return combos[["combination", *flag_columns, "bodies"]].reset_index(drop=True)


def share_also_in(members: pd.DataFrame, programme: str, other: str) -> float:
    """Share (%) of the bodies in ``programme`` that are also in ``other``."""
    rows = members[members[f"in_{programme}"]]
    return float(rows[f"in_{other}"].mean() * 100)


# -- municipal profile ---------------------------------------------------------------------
def municipal_profile(municipalities: pd.DataFrame, census: pd.DataFrame,
                      projection: pd.DataFrame) -> pd.DataFrame:
    """Every municipality (not prefectures, wards or the Northern-Territories villages).

    Columns: 2020 census population (persons) and share aged 65+ (% of the total, which
    includes people of unknown age), size class, and the IPSS projected change (%) from 2020
    to the projection's last year (missing where the edition has no municipal figures, e.g.
    Fukushima in the 2018 edition).
    """
    base = municipalities[(municipalities["level"] == "municipality")
                          & ~municipalities["is_hoppo"]]
    profile = base[["code5", "pref_code", "pref_name", "name", "type"]].merge(
        census[["code5", "population_2020_persons", "age65plus_2020_persons"]],
        on="code5", how="left", validate="1:1")
    population = profile["population_2020_persons"].astype("Float64")
    profile["share_65plus_pct"] = profile["age65plus_2020_persons"] / population * 100
    profile["size_class"] = pd.cut(population.astype(float), SIZE_EDGES, right=False,
                                   labels=SIZE_LABELS)
    last_year = int(projection["year"].max())
    wide = projection.pivot_table(index="code5", columns="year", values="population_persons")
    change = (wide[last_year] / wide[2020] - 1) * 100
    profile["projected_change_pct"] = profile["code5"].map(change)
    return profile.drop(columns="age65plus_2020_persons").sort_values("code5",
                                                                      ignore_index=True)


def coverage_by_size(profile: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per 2020 size class: municipalities, and number and share (%) in each programme."""
    flagged = profile.merge(members[["code5", *[f"in_{c}" for c in PROGRAMMES]]],
                            on="code5", how="left")
    flags = [f"in_{c}" for c in PROGRAMMES]
    flagged[flags] = flagged[flags].fillna(False).astype(bool)
    flagged["in_any"] = flagged[flags].any(axis=1)
    grouped = flagged.dropna(subset=["size_class"]).groupby("size_class", observed=False)
    table = grouped.size().rename("municipalities").to_frame()
    for key in ["sdgs", "decarb", "any"]:
        table[f"{key}_selected"] = grouped[f"in_{key}"].sum()
        table[f"{key}_share_pct"] = table[f"{key}_selected"] / table["municipalities"] * 100
    return table.reset_index()


def coverage_by_prefecture(profile: pd.DataFrame, members: pd.DataFrame,
                           municipalities: pd.DataFrame) -> pd.DataFrame:
    """Per prefecture: municipalities selected (SDGs or decarbonization) and their share (%).

    ``prefecture_selected`` says whether the prefecture itself was selected as a body.
    """
    selected = members.loc[members["in_sdgs"] | members["in_decarb"], "code5"]
    flagged = profile.assign(is_selected=profile["code5"].isin(selected))
    table = flagged.groupby(["pref_code", "pref_name"]).agg(
        municipalities=("code5", "size"), selected=("is_selected", "sum")).reset_index()
    table["share_pct"] = table["selected"] / table["municipalities"] * 100
    prefectures = municipalities.loc[municipalities["level"] == "prefecture", "code5"]
    selected_prefectures = set(prefectures) & set(selected)
    table["prefecture_selected"] = (table["pref_code"] + "000").isin(selected_prefectures)
    return table.sort_values("pref_code", ignore_index=True)


# -- selected vs the rest ------------------------------------------------------------------
#: measure → (column, transform for the comparison, how the shift is reported)
MEASURES = {
    "population_2020": ("population_2020_persons", "log", "ratio (×)"),
    "projected_change": ("projected_change_pct", "identity", "percentage points"),
    "share_65plus": ("share_65plus_pct", "identity", "percentage points"),
}


def comparison_groups(profile: pd.DataFrame, selected: pd.DataFrame) -> pd.Series:
    """Label each municipality ``selected`` / ``others`` / ``excluded`` (partial lists only).

    ``selected``: named in at least one complete selection; ``excluded``: named only in
    incomplete selections (kept out of both groups); ``others``: in no list.
    """
    complete = set(selected.loc[selected["is_complete_selection"], "code5"])
    anywhere = set(selected["code5"])
    return pd.Series(np.select([profile["code5"].isin(complete),
                                profile["code5"].isin(anywhere)],
                               ["selected", "excluded"], "others"),
                     index=profile.index, name="group")


def compare_selected(profile: pd.DataFrame, groups: pd.Series) -> dict[str, RankComparison]:
    """Mann–Whitney comparisons of selected vs other municipalities, one per measure.

    Population is compared on log₁₀ (the Hodges–Lehmann shift becomes a ratio after
    exponentiation in :func:`comparison_table`); the other measures in percent.
    """
    results = {}
    for key, (column, transform, _) in MEASURES.items():
        values = profile[column].astype(float)
        if transform == "log":
            values = np.log10(values)
        results[key] = compare(values[groups == "selected"].to_numpy(),
                               values[groups == "others"].to_numpy())
    return results


def group_medians(profile: pd.DataFrame, groups: pd.Series, column: str) -> tuple[float, float]:
    """Medians of ``column`` for the selected and the other municipalities (data units)."""
    values = profile[column].astype(float)
    return (float(values[groups == "selected"].median()),
            float(values[groups == "others"].median()))


def comparison_table(profile: pd.DataFrame, groups: pd.Series,
                     results: dict[str, RankComparison]) -> pd.DataFrame:
    """The comparisons as a table: medians, U test, rank-biserial r, Hodges–Lehmann shift.

    Medians are in the data's units (persons, %); the shift of population is a ratio.
    """
    rows = []
    for key, fit in results.items():
        column, transform, unit = MEASURES[key]
        back = (lambda v: 10 ** v) if transform == "log" else (lambda v: v)  # noqa: E731
        median_selected, median_others = group_medians(profile, groups, column)
        rows.append({
            "measure": column, "n_selected": fit.n_first, "n_others": fit.n_second,
            "median_selected": median_selected, "median_others": median_others,
            "rank_biserial_r": fit.rank_biserial, "p_value": fit.p_value,
            "hl_shift": back(fit.hl_shift), "hl_ci95_low": back(fit.hl_low),
            "hl_ci95_high": back(fit.hl_high), "shift_unit": unit,
        })
    return pd.DataFrame(rows)


def unlisted_upper_bound(completeness: pd.DataFrame, as_of: int,
                         round_years: pd.Series) -> int:
    """Selections announced but not named up to ``as_of`` (SDGs cities + lead proposals).

    At most this many selected bodies hide among the "others", plus unnamed co-proposers.
    """
    table = completeness_up_to(completeness, as_of, round_years)
    table = table[table["key"].isin(["sdgs", "decarb"])]
    return int((table["announced"] - table["known"]).fillna(0).clip(lower=0).sum())


# -- EU comparison -------------------------------------------------------------------------
def eu_by_country(eu: pd.DataFrame) -> pd.DataFrame:
    """Mission cities per country and group, most first."""
    table = eu.groupby(["group", "country"]).size().rename("cities").reset_index()
    return table.sort_values(["group", "cities", "country"], ascending=[False, False, True],
                             ignore_index=True)


# -- parameters ----------------------------------------------------------------------------
def _table(name: str) -> pd.DataFrame:
    from scityhelpers.pipeline.tidy import load

    return load(name)


def _projection_editions() -> list[int]:
    from scityhelpers.reference.projections import available_editions

    return available_editions()


PARAMS = (
    Param("as_of", int,
          "fiscal-year cut-off: selections announced up to this fiscal year (April–March)",
          allowed=lambda v: as_of_years(_table("sdgs_by_year"),
                                        _table("decarbonization_rounds"))),
    Param("projection_edition", int,
          "IPSS municipal projection edition for the projected change (2018: to 2045)",
          allowed=lambda v: _projection_editions()),
)


def comparison_facts(comparison: pd.DataFrame) -> dict[str, Any]:
    """The selected-vs-others comparison of each measure in :data:`MEASURES`, as facts.

    Keyed ``<measure>_<what>``: medians (in the measure's unit), rank-biserial r, p-value and
    the Hodges–Lehmann shift with its 95% interval (in the measure's unit); the chapter's
    facts.csv chooses which are published.
    """
    facts: dict[str, Any] = {}
    for key, row in zip(MEASURES, comparison.itertuples(), strict=True):
        facts[f"{key}_median_selected"] = float(row.median_selected)
        facts[f"{key}_median_others"] = float(row.median_others)
        facts[f"{key}_r"] = float(row.rank_biserial_r)
        facts[f"{key}_p"] = float(row.p_value)
        facts[f"{key}_hl"] = float(row.hl_shift)
        facts[f"{key}_hl_low"] = float(row.hl_ci95_low)
        facts[f"{key}_hl_high"] = float(row.hl_ci95_high)
    return facts
