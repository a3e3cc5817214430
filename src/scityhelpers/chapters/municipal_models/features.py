"""Municipal models: the units, their features, which selections are complete, the outcomes.

Units are today's municipalities without the six Northern-Territories villages (1,741);
features are size, ageing, projected decline, area, fiscal capability and income; outcomes are
``is_selected_<programme>`` (1/0/NA) from the selections whose every body is listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scityhelpers.sources.programmes import LEAD_ROLES  # lead and joint-lead proposers

PROGRAMMES = ("sdgs", "decarbonization", "either")
PROGRAMME_LABELS = {"sdgs": "SDGs未来都市 SDGs Future Cities",
                    "decarbonization": "脱炭素先行地域 Decarbonization Leading Areas (leads)",
                    "either": "either programme (SDGs未来都市 or 脱炭素先行地域 lead)"}
PROJECTION_BASE_YEAR = 2020  # projected change runs from 2020 to the edition's last year
CI_LEVEL = 0.95  # every interval of the chapter

#: municipal type (総務省 list) → dummy column; 市 (ordinary city) is the reference category
TYPE_DUMMIES = {"政令指定都市": "is_designated_city", "特別区": "is_special_ward",
                "町": "is_town", "村": "is_village"}
REFERENCE_TYPE = "市"

#: continuous features of the selection model, scaled per standard deviation
SELECTION_CONTINUOUS = ("log_population", "projected_change_pct", "share_65plus_pct",
                        "log_area", "fiscal_capacity_index", "log_income_per_taxpayer")
SELECTION_BINARY = (*TYPE_DUMMIES.values(), "is_prefectural_capital")
SELECTION_FEATURES = (*SELECTION_CONTINUOUS, *SELECTION_BINARY)
INCOME_CONTROLS = ("log_population", "share_65plus_pct", "projected_change_pct",
                   *TYPE_DUMMIES.values())

FEATURE_LABELS = {
    "log_population": "人口 log population 2020",
    "projected_change_pct": "推計人口増減率 projected change to last year (%)",
    "share_65plus_pct": "65歳以上割合 share aged 65+ (%)",
    "log_area": "面積 log area (km², 2015)",
    "fiscal_capacity_index": "財政力指数 fiscal capability index",
    "log_income_per_taxpayer": "課税対象所得 log income per taxpayer",
    "is_designated_city": "政令指定都市 designated city",
    "is_special_ward": "特別区 special ward",
    "is_town": "町 town",
    "is_village": "村 village",
    "is_prefectural_capital": "県庁所在地 prefectural capital",
}



# == units and features ======================================================================
def municipal_units(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Today's municipalities without the Northern-Territories villages (1,741), code order.

    Designated cities are whole cities (their wards are not units); the 23 special wards are.
    """
    units = municipalities[(municipalities["level"] == "municipality")
                           & ~municipalities["is_hoppo"]]
    columns = ["code5", "pref_code", "pref_name", "name", "type"]
    return units[columns].sort_values("code5").reset_index(drop=True)


def prefectural_capital_codes() -> frozenset[str]:
    """``code5`` of the 47 prefectural capitals (reference table ``prefectural_capitals``)."""
    from scityhelpers.pipeline.tidy import load

    return frozenset(load("prefectural_capitals")["code5"])


def projected_change(projection: pd.DataFrame, base_year: int = PROJECTION_BASE_YEAR
                     ) -> pd.Series:
    """Projected population change from ``base_year`` to the edition's last year, percent.

    Negative = shrinking. Municipalities the edition does not project (Fukushima in the 2018
    edition) are absent from the result, not zero.
    """
    last_year = int(projection["year"].max())
    wide = projection.pivot(index="code5", columns="year", values="population_persons")
    change = (wide[last_year] / wide[base_year] - 1) * 100
    return change.rename("projected_change_pct")


def municipal_features(units: pd.DataFrame, population: pd.DataFrame, projection: pd.DataFrame,
                       fiscal: pd.DataFrame, income: pd.DataFrame,
                       capitals: frozenset[str]) -> pd.DataFrame:
    """One row per unit: size, ageing, projected decline, area, fiscal capability, income.

    Units: persons; share and change in percent; area km² (2015 census, mapped to today's
    codes); income = taxable income per taxpayer (thousand yen, income of 2023). Logs are
    natural.
    Missing inputs stay missing (NaN); :func:`complete_rows` accounts for them.
    """
    frame = units.copy()
    pop = population.set_index("code5")
    persons = frame["code5"].map(pop["population_2020_persons"]).astype("Float64")
    persons = persons.where(persons > 0).astype(float)  # 双葉町: 0 enumerated in 2020
    frame["population_2020_persons"] = persons
    frame["log_population"] = np.log(persons)
    frame["share_65plus_pct"] = (frame["code5"].map(pop["age65plus_2020_persons"])
                                 .astype(float) / persons * 100)
    frame["log_area"] = np.log(frame["code5"].map(pop["area_2015_km2"]).astype(float))
    frame["projected_change_pct"] = frame["code5"].map(projected_change(projection))
    frame["fiscal_capacity_index"] = frame["code5"].map(
        fiscal.set_index("code5")["fiscal_capacity_index"])
    per_taxpayer = income.set_index("code5")["taxable_income_per_taxpayer_thousand_yen"]
    frame["income_per_taxpayer_thousand_yen"] = frame["code5"].map(per_taxpayer)
    frame["log_income_per_taxpayer"] = np.log(frame["income_per_taxpayer_thousand_yen"])
    for municipal_type, column in TYPE_DUMMIES.items():
        frame[column] = (frame["type"] == municipal_type).astype(float)
    frame["is_prefectural_capital"] = frame["code5"].isin(capitals).astype(float)
    return frame


# == which selections are complete ===========================================================
def selection_completeness(sdgs: pd.DataFrame, decarbonization: pd.DataFrame) -> pd.DataFrame:
    """The book's completeness rows (``reference.programme_completeness``), keyed for the models.

    ``sdgs`` and ``decarbonization`` are
    :func:`scityhelpers.reference.programme_completeness.sdgs_completeness` and
    :func:`~scityhelpers.reference.programme_completeness.decarbonization_completeness`. Adds
    ``is_listed``: every
    announced body is in the table, named or not (``known + unnamed == announced``). The models
    use listed selections: FY2021 of the SDGs list is listed but not complete (one body lost its
    name in the briefing); coding that one body "not selected" misclassifies at most one
    municipality, while dropping the year would misclassify the thirty named ones.
    """
    table = pd.concat([sdgs.assign(programme="sdgs"),
                       decarbonization.assign(programme="decarbonization")], ignore_index=True)
    table["selection"] = table["selection"].str.extract(r"(\d+)$", expand=False).astype(int)
    table["announced"] = table["announced"].astype("Int64")
    known = table["known"] + table["unnamed"]
    table["is_complete"] = ((table["known"] == table["announced"]).fillna(False).astype(bool)
                            & (table["unnamed"] == 0))
    table["is_listed"] = (known == table["announced"]).fillna(False).astype(bool)
    columns = ["programme", "selection", "announced", "known", "unnamed", "is_complete",
               "is_listed"]
    return table[columns].sort_values(["programme", "selection"]).reset_index(drop=True)


def complete_selections(completeness: pd.DataFrame, programme: str) -> list[int]:
    """Fiscal years (SDGs) or rounds (decarbonization) with every selected body listed."""
    rows = completeness[(completeness["programme"] == programme) & completeness["is_listed"]]
    return sorted(int(s) for s in rows["selection"])


#: how a municipality named only in incomplete selections is coded: left out of both groups
#: (the rule of every chapter: the programmes chapter's group comparison does the same) or,
#: as the alternative shown beside it, coded "not selected"
INCOMPLETE_RULES = ("exclude", "zero")


def selection_outcomes(units: pd.DataFrame, sdgs: pd.DataFrame, decarb: pd.DataFrame,
                       completeness: pd.DataFrame, incomplete: str = "exclude") -> pd.DataFrame:
    """``is_selected_<programme>`` (1/0/NA) for every unit, from complete selections.

    Bodies selected as a whole prefecture are not municipal selections and are ignored;
    decarbonization counts lead and joint-lead proposers only (co-proposers are named only in
    part in every round). A municipality named only in incomplete selections of a programme is
    NA for it (``incomplete="exclude"``, left out of both groups) or 0 (``"zero"``); "either"
    is 1 when one programme is 1, NA when neither is 1 and one is NA.

    Raises:
        ValueError: an unknown ``incomplete`` rule.
    """
    if incomplete not in INCOMPLETE_RULES:
        raise ValueError(f"incomplete must be one of {INCOMPLETE_RULES}, not {incomplete!r}")
    sdgs_years = complete_selections(completeness, "sdgs")
    decarb_rounds = complete_selections(completeness, "decarbonization")
    sdgs_named = sdgs[~sdgs["is_prefecture"] & sdgs["is_resolved"]]
    decarb_named = decarb[~decarb["is_prefecture"] & decarb["role"].isin(LEAD_ROLES)]
    outcome = units[["code5"]].copy()
    for name, named, in_complete in (
            ("sdgs", sdgs_named, sdgs_named["fiscal_year"].isin(sdgs_years)),
            ("decarbonization", decarb_named, decarb_named["round"].isin(decarb_rounds))):
        selected = outcome["code5"].isin(named.loc[in_complete, "code5"])
        only_incomplete = outcome["code5"].isin(named.loc[~in_complete, "code5"]) & ~selected
        column = selected.astype("Int64")
        if incomplete == "exclude":
            column[only_incomplete] = pd.NA
        outcome[outcome_column(name)] = column
    either = (outcome["is_selected_sdgs"] == 1) | (outcome["is_selected_decarbonization"] == 1)
    unknown = outcome[["is_selected_sdgs", "is_selected_decarbonization"]].isna().any(axis=1)
    outcome["is_selected_either"] = either.fillna(False).astype("Int64")
    outcome.loc[~either.fillna(False) & unknown, "is_selected_either"] = pd.NA
    return outcome


def outcome_column(programme: str) -> str:
    """Name of the 0/1 outcome column for a programme."""
    return f"is_selected_{programme}"

