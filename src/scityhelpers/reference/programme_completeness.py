"""Programme selections and how complete the project's lists of them are.

The programme tables are compiled from secondary sources and some selections are only partly
known. Chapters must say so: :func:`completeness` compares, per programme and selection, the
bodies the project can name with the number officially announced (from the summary tables),
so a figure can show "12 of 24" instead of silently treating 12 as the whole.
"""

from __future__ import annotations

import pandas as pd

from scityhelpers.pipeline.tidy import load
from scityhelpers.sources.programmes import (
    EU_ANNOUNCED,
    LEAD_ROLES,
    PROGRAMME_DECARB,
    PROGRAMME_SDGS,
    ZONES_ANNOUNCED,
)

COMPLETENESS_COLUMNS = ["programme", "selection", "unit", "announced", "known", "unnamed",
                        "is_complete", "model_projects_announced", "model_projects_known",
                        "summary_table"]


def _count_cities(rows: pd.DataFrame) -> int:
    """Cities as the Cabinet Office counts them: a joint proposal (大阪府・大阪市) is one."""
    singles = rows["joint_group"].isna().sum()
    return int(singles + rows["joint_group"].dropna().nunique())


def sdgs_completeness() -> pd.DataFrame:
    """SDGs Future Cities per fiscal year: cities named vs selected, model projects known."""
    cities = load("sdgs_future_cities")
    by_year = load("sdgs_by_year").set_index("fiscal_year")
    rows = []
    for year, announced in by_year.iterrows():
        selected = cities[cities["fiscal_year"] == year]
        named = selected[selected["is_resolved"]]
        model = named[named["is_model_project"].fillna(False).astype(bool)]
        rows.append({
            "programme": PROGRAMME_SDGS, "selection": f"FY{year}", "unit": "cities",
            "announced": announced["cities_selected"], "known": _count_cities(named),
            "unnamed": int((~selected["is_resolved"]).sum()),
            "model_projects_announced": announced["model_projects"],
            "model_projects_known": _count_cities(model),
            "summary_table": "sdgs_by_year",
        })
    return pd.DataFrame(rows)


def decarbonization_completeness() -> pd.DataFrame:
    """Decarbonization Leading Areas per round: lead proposals named vs selected.

    Co-proposing bodies are incomplete in several rounds even where every lead is named; the
    per-round notes in ``decarbonization_rounds`` say which.
    """
    areas = load("decarbonization_areas")
    leads = areas[areas["role"].isin(LEAD_ROLES)]
    rows = []
    for _, announced in load("decarbonization_rounds").iterrows():
        round_no = announced["round"]
        rows.append({
            "programme": PROGRAMME_DECARB, "selection": f"round {round_no}",
            "unit": "proposals", "announced": announced["proposals_selected"],
            "known": int(leads.loc[leads["round"] == round_no, "proposal_id"].nunique()),
            "unnamed": 0, "summary_table": "decarbonization_rounds",
        })
    return pd.DataFrame(rows)


def zones_and_eu_completeness() -> pd.DataFrame:
    """Special zones and EU Mission cities (announced counts are constants of the source)."""
    zones = load("special_zones")["programme"].value_counts()
    eu = load("eu_mission_cities")["group"].value_counts()
    rows = [{"programme": programme, "selection": "2022-03-10", "unit": "municipalities",
             "announced": count, "known": int(zones.get(programme, 0)), "unnamed": 0,
             "summary_table": "sources.programmes.ZONES_ANNOUNCED"}
            for programme, count in ZONES_ANNOUNCED.items()]
    rows += [{"programme": "EU Cities Mission", "selection": f"2022-04-28 {group}",
              "unit": "cities", "announced": count, "known": int(eu.get(group, 0)),
              "unnamed": 0, "summary_table": "sources.programmes.EU_ANNOUNCED"}
             for group, count in EU_ANNOUNCED.items()]
    return pd.DataFrame(rows)


def completeness() -> pd.DataFrame:
    """Return one row per programme × selection: bodies known vs officially announced.

    Columns: ``announced`` (official count; NA where not found), ``known`` (named in the
    project's tables; cities count a joint proposal once, decarbonization counts lead
    proposals), ``unnamed`` (rows known to exist but without a name), ``is_complete``
    (every announced body is named), and for SDGs the model projects announced and known.
    """
    table = pd.concat([sdgs_completeness(), decarbonization_completeness(),
                       zones_and_eu_completeness()], ignore_index=True)
    for column in ("announced", "model_projects_announced", "model_projects_known"):
        table[column] = table[column].astype("Int64")
    table["is_complete"] = (table["known"] == table["announced"]).fillna(False).astype(bool)
    table["is_complete"] &= table["unnamed"] == 0
    return table[COMPLETENESS_COLUMNS]
