"""Rank change between OECD editions and the productivity gap: decomposition rules and real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scityhelpers import load
from scityhelpers.chapters.wages import compute as wages
from scityhelpers.chapters.wages import productivity


def _editions(old: dict[str, float], new: dict[str, float]) -> pd.DataFrame:
    rows = [(iso3, 2022, value, base) for base, values in ((2022, old), (2025, new))
            for iso3, value in values.items()]
    return pd.DataFrame(rows, columns=["iso3", "year", "wage_usd_ppp", "price_base_year"])


def test_rank_change_separates_revisions_from_members_added() -> None:
    # Japan 3rd of 3 in the old edition; KOR revised below it (−1 rank); USA added above (+1)
    old = {"DEU": 50.0, "KOR": 45.0, "JPN": 40.0}
    new = {"DEU": 60.0, "KOR": 47.0, "JPN": 48.0, "USA": 70.0}
    change = wages.rank_change(_editions(old, new), "JPN", 2022, 2022, 2025)
    assert (change["rank_old"], change["rank_new_same_members"], change["rank_new"]) == (3, 2, 3)
    assert change["passed"] == "KOR"
    assert change["passed_by"] == ""
    assert (change["n_added"], change["n_added_above"], change["added_above"]) == (1, 1, "USA")
    assert change["median_ratio"] == pytest.approx(1.2)


def test_rank_change_facts_split_the_move_into_its_two_effects() -> None:
    old = {"DEU": 50.0, "KOR": 45.0, "JPN": 40.0}
    new = {"DEU": 60.0, "KOR": 47.0, "JPN": 48.0, "USA": 70.0}
    facts = wages.rank_change_facts(wages.rank_change(_editions(old, new), "JPN", 2022, 2022,
                                                      2025))
    assert (facts["rc_revision_effect"], facts["rc_added_effect"]) == (-1, 1)
    assert facts["rc_revision_effect"] + facts["rc_added_effect"] == (
        facts["rc_rank_new"] - facts["rc_rank_old"])
    assert (facts["rc_passed"], facts["rc_passed_by"]) == ("KOR", "none")


def test_uniform_rescaling_moves_no_rank() -> None:
    old = {"DEU": 50.0, "KOR": 45.0, "JPN": 40.0}
    change = wages.rank_change(_editions(old, {k: v * 1.23 for k, v in old.items()}), "JPN",
                               2022, 2022, 2025)
    assert change["rank_old"] == change["rank_new"] == 3
    assert change["ratio_p10"] == pytest.approx(change["ratio_p90"])


def test_real_rank_change_of_japan(pulled: Path) -> None:
    change = wages.rank_change(load("wages"), "JPN", 2022, wages.BRIEFING_PRICE_BASE_YEAR, 2025)
    # the briefing's figure (25th) in the 2022-price edition, 34 members with a 2022 value
    # (international/SOURCES.md); none of the members added in the current edition ranks
    # above Japan, so the whole move comes from revisions of existing members
    assert (change["rank_old"], change["n_old"]) == (25, 34)
    assert change["n_added_above"] == 0
    assert change["rank_new"] == change["rank_new_same_members"]


def test_gap_widens_only_when_behind_and_further_behind() -> None:
    table = pd.DataFrame({"iso3": ["JPN", "USA", "KOR"] * 2, "year": [2011] * 3 + [2022] * 3,
                          "gdp_per_hour_usd_ppp": [40.0, 60.0, 30.0, 44.0, 70.0, 43.0]})
    gaps = productivity.gap_change(table, "JPN", {"usa": ("USA",), "korea": ("KOR",)},
                                   2011, 2022).set_index("comparator")
    assert gaps.loc["usa", "is_widening"]  # −33% → −37%
    assert not gaps.loc["korea", "is_widening"]  # Japan ahead, then only slightly ahead
    assert gaps.loc["korea", "gap_start_pct"] == pytest.approx(100 / 3)


def test_first_common_year_skips_missing_years() -> None:
    table = pd.DataFrame({"iso3": ["JPN", "JPN", "JPN", "KOR", "KOR"],
                          "year": [2009, 2010, 2011, 2010, 2011],
                          "gdp_per_hour_usd_ppp": [1.0, 1.0, 1.0, 1.0, 1.0]})
    assert productivity.first_common_year(table, ["JPN", "KOR"], 2011) == 2010


def test_gap_facts_name_each_comparator() -> None:
    table = pd.DataFrame({"iso3": ["JPN", "USA", "KOR"] * 2, "year": [2011] * 3 + [2022] * 3,
                          "gdp_per_hour_usd_ppp": [40.0, 60.0, 30.0, 44.0, 70.0, 43.0]})
    gaps = productivity.gap_change(table, "JPN", {"usa": ("USA",), "korea": ("KOR",)},
                                   2011, 2022)
    facts = productivity.gap_facts(gaps)
    assert (facts["gap_usa_is_widening"], facts["gap_korea_is_widening"]) == (1, 0)
    assert facts["gap_korea_start_pct"] == pytest.approx(100 / 3)
    assert len(facts) == 8
