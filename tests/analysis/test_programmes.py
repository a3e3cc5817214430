"""Programmes: fiscal years, counts against the briefing, groups, coverage (synthetic + real)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scityhelpers import load
from scityhelpers.chapters.programmes import compute as programmes
from scityhelpers.reference.briefing import load_briefing
from scityhelpers.reference.programme_completeness import completeness


def test_fiscal_year_starts_in_april() -> None:
    dates = pd.Series(pd.to_datetime(["2022-04-26", "2023-03-31", "2023-04-01", None]))
    assert programmes.fiscal_year(dates).tolist() == [2022, 2022, 2023, pd.NA]


def test_an_undated_round_takes_the_fiscal_year_of_the_last_dated_one() -> None:
    rounds = pd.DataFrame({"round": [1, 2, 3],
                           "announced": pd.to_datetime(["2022-04-26", "2025-05-09", None])})
    assert programmes.round_fiscal_years(rounds).to_dict() == {1: 2022, 2: 2025, 3: 2025}


def test_groups_keep_partial_selections_out_of_both_sides() -> None:
    profile = pd.DataFrame({"code5": ["01100", "01202", "01203", "01204"]})
    selected = pd.DataFrame({"code5": ["01100", "01202", "01100"],
                             "is_complete_selection": [True, False, False]})
    groups = programmes.comparison_groups(profile, selected)
    assert groups.tolist() == ["selected", "excluded", "others", "others"]


def test_coverage_by_size_counts_each_municipality_once() -> None:
    profile = pd.DataFrame({"code5": ["a", "b", "c", "d"],
                            "size_class": pd.Categorical(
                                [programmes.SIZE_LABELS[0]] * 3 + [programmes.SIZE_LABELS[-1]],
                                categories=programmes.SIZE_LABELS)})
    members = pd.DataFrame({"code5": ["a", "d"], "in_sdgs": [True, True],
                            "in_decarb": [True, False], "in_zones": [False, False]})
    table = programmes.coverage_by_size(profile, members).set_index("size_class")
    smallest, largest = programmes.SIZE_LABELS[0], programmes.SIZE_LABELS[-1]
    assert table.loc[smallest, "municipalities"] == 3
    assert table.loc[smallest, "any_selected"] == 1
    assert table.loc[smallest, "sdgs_share_pct"] == pytest.approx(100 / 3)
    assert table.loc[largest, "decarb_share_pct"] == 0
    assert table["municipalities"].sum() == 4


def test_overlap_partitions_the_members() -> None:
    members = pd.DataFrame({"code5": list("abcd"), "in_sdgs": [True, True, False, True],
                            "in_decarb": [True, False, True, True],
                            "in_zones": [False, False, False, True]})
    table = programmes.overlap_table(members).set_index("combination")
    assert table["bodies"].sum() == 4
    assert table.loc["SDGs × 脱炭素 decarb", "bodies"] == 1
    assert table.loc["SDGs × 脱炭素 decarb × 特区 zones", "bodies"] == 1


# -- the real lists (pinned counts and where they were published) ---------------------------
def test_briefing_sdgs_totals_match_the_announced_counts(pulled: Path) -> None:
    # 182 cities (183 local governments), 60 model projects: the briefing's slide
    # 【内閣府】SDGs未来都市 and programmes/SOURCES.md (cumulative 29, 60, 93, 124, 154, 182)
    briefing = load_briefing()
    totals = programmes.briefing_sdgs_totals(load("sdgs_by_year"), briefing)
    assert totals == {"cities": 182, "bodies": 183, "model_projects": 60,
                      "cumulative_cities": 182}
    assert totals["cities"] == briefing.count("C7", "cities_total")
    table = programmes.sdgs_year_table(load("sdgs_by_year"), completeness(), 2023, briefing)
    assert (table["briefing_cities"] == table["cities_selected"]).all()
    assert table.set_index("fiscal_year").loc[2021, "list_completeness"] == "30 / 31"


def test_decarbonization_rounds_match_the_briefing(pulled: Path) -> None:
    # 第1回 26 (79), 第2回 20 (50), 第3回 16 (58): briefing slide 【環境省】脱炭素先行地域
    rounds = load("decarbonization_rounds")
    briefing = load_briefing()
    table = programmes.decarb_round_table(rounds, completeness(), 2023, briefing).set_index(
        "round")
    assert briefing.decarb_rounds() == {1: (26, 79), 2: (20, 50), 3: (16, 58)}
    for number, (selected, received) in briefing.decarb_rounds().items():
        assert table.loc[number, "proposals_selected"] == selected
        assert table.loc[number, "proposals_received"] == received
    assert table.loc[1, "selection_rate_pct"] == pytest.approx(26 / 79 * 100)
    assert table.loc[3, "list_completeness"] == "16 / 16"  # with the additions of 2026-11-29
    assert programmes.as_of_years(load("sdgs_by_year"), rounds)[0] == 2022


def test_selections_mark_complete_selections(pulled: Path) -> None:
    rounds = load("decarbonization_rounds")
    selected = programmes.selections(load("sdgs_future_cities"), load("decarbonization_areas"),
                                     load("special_zones"), rounds, completeness(), 2025)
    complete = selected.groupby("selection")["is_complete_selection"].first()
    # SOURCES.md: leads complete in rounds 1, 2, 5, 6; FY2018-2023 accounted for (FY2021: one
    # unnamed row); FY2024-2025 partial
    # (round 3 complete since the additions of 2026-11-29)
    assert complete[["round 1", "round 2", "round 3", "round 5", "round 6", "FY2021"]].all()
    assert not complete[["round 4", "round 7", "FY2024", "FY2025"]].any()
    members = programmes.membership(selected, load("municipalities"))
    assert members["in_zones"].sum() == 5  # つくば, 大阪, 加賀, 茅野, 吉備中央 (2022-03-10)


def test_completeness_note_names_the_gaps(pulled: Path) -> None:
    years = programmes.round_fiscal_years(load("decarbonization_rounds"))
    note = programmes.completeness_note(completeness(), 2023, years)
    assert "SDGs未来都市: 181 of 182 cities named (incomplete: FY2021 30/31)" in note
    # round 3 is complete since the additions of 2026-11-29; round 4 still 9 of 12
    assert "脱炭素先行地域: 71 of 74 lead proposals named (incomplete: round 4 9/12)" in note
    assert programmes.unlisted_upper_bound(completeness(), 2022, years) == 1


def test_decarbonization_net_of_withdrawals(pulled: Path) -> None:
    net = programmes.cumulative_net_of_withdrawals(load("decarbonization_rounds"))
    # programmes/SOURCES.md: 26+20+16+12+9+7 = 90 selected by round 6, reported cumulative 88
    # (withdrawals); round 7 adds 12 and is reported as the plain sum, 102
    assert net == {"gross": 102, "withdrawn": 2, "net": 100, "reported": 102, "last_round": 7}


def test_a_later_plain_sum_does_not_undo_a_withdrawal() -> None:
    rounds = pd.DataFrame({"round": [1, 2, 3], "proposals_selected": [10, 5, 5],
                           "cumulative_selected": pd.array([10, 14, 20], dtype="Int64")})
    assert programmes.cumulative_net_of_withdrawals(rounds)["net"] == 19
