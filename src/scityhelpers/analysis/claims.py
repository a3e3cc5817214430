"""The claims-ledger chapter: parameters, tables read, and what it computes itself.

The verdict rules live in :mod:`scityhelpers.claims`; this module adds the one computation no
other chapter makes (the Japan Central Corridor sums) and declares the chapter's inputs.
"""

from __future__ import annotations

import pandas as pd

from scityhelpers.analysis.corridor import PREFERRED_SET, corridor_totals
from scityhelpers.params import Param

TABLES = ("seed_claims", "briefing_figures", "prefecture_population_2020", "gpp")


def _gpp_years() -> list[int]:
    from scityhelpers.tidy import load

    return sorted(load("gpp")["fiscal_year"].unique().tolist())


PARAMS = (
    Param("corridor_fiscal_year", int,
          "fiscal year of gross prefectural product compared with the briefing's ~360 tn yen",
          allowed=lambda v: _gpp_years()),
    Param("facts_dir", str,
          "folder of a what-if run whose facts records the ledger reads first (empty: the "
          "committed records in notebooks/); `scity run --out` sets it"),
)


def corridor_figures(population: pd.DataFrame, gpp: pd.DataFrame,
                     fiscal_year: int) -> dict[str, float]:
    """Population (million) and GPP (trillion yen, ``fiscal_year``) of the preferred set."""
    totals = corridor_totals(population, gpp).set_index("prefecture_set").loc[PREFERRED_SET]
    return {"corridor_population_million": float(totals["population_2020_million"]),
            "corridor_gpp_trillion_yen": float(totals[f"gpp_fy{fiscal_year}_trillion_yen"]),
            "corridor_gpp_fiscal_year": float(fiscal_year)}
