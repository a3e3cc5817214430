"""KPI tracker: date and target parsing on the table's real strings, the status rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers import load
from scityhelpers.chapters.kpi import compute as kpi

COLLECTED = date(2026, 11, 25)


@pytest.mark.parametrize(("text", "expected"), [
    ("FY2019 end (2020-03-31)", date(2020, 3, 31)),
    ("FY2021", date(2022, 3, 31)),
    ("2022 survey (April 2022; reflects FY2021 practice) — elementary", date(2022, 4, 30)),
    ("FY2022 (as of 2023-04)", date(2023, 4, 30)),
    ("2023-06 (interview published 2023-06-20)", date(2023, 6, 20)),
    ("Round 1 (2022-04-26)", date(2022, 4, 26)),
    ("date not stated in the source excerpt (after a round adding 17 regions)", None),
])
def test_actual_dates_are_read_from_the_tables_text(text: str, expected: date | None) -> None:
    assert kpi.actual_date(text) == expected


def test_targets_keep_numbers_with_deadlines_in_order() -> None:
    targets = kpi.parse_targets("95;97;99", "FY2023;FY2025;FY2030")
    assert [(t.value, t.due) for t in targets] == [
        (95, date(2024, 3, 31)), (97, date(2026, 3, 31)), (99, date(2031, 3, 31))]
    assert kpi.parse_targets("十数か所;完成", "~5 years from 2022;FY2025") == []
    decarb = kpi.parse_targets("100 selected by FY2025; realised by FY2030", "FY2025;FY2030")
    assert [(t.value, t.due) for t in decarb] == [(100, date(2026, 3, 31))]
    assert kpi.parse_targets("700", "2025")[0].due == date(2025, 12, 31)
    assert kpi.parse_targets("2300000", "FY2022-FY2026")[0].due == date(2027, 3, 31)
    assert kpi.parse_targets("50;100+", "FY2025;FY2027")[1].value == 100


def test_nearest_target_is_the_next_one_due_or_the_last() -> None:
    targets = kpi.parse_targets("95;97;99", "FY2023;FY2025;FY2030")
    assert kpi.nearest_target(targets, date(2024, 3, 31)).value == 95
    assert kpi.nearest_target(targets, date(2024, 4, 1)).value == 97
    assert kpi.nearest_target(targets, date(2032, 1, 1)).value == 99


def _synthetic(values: list[float], dates: list[str], target: str = "100",
               year: str = "FY2025", kpi_id: str = "K90") -> pd.DataFrame:
    return pd.DataFrame({
        "kpi_id": kpi_id, "kpi": "テスト", "kpi_en": "test", "unit": "%",
        "target_value": target, "target_year": year, "target_source": "s",
        "actual_value": values, "actual_as_of": dates, "actual_source_url": "u",
        "actual_source_title": "t", "note": ""})


def test_linear_path_from_the_first_value_decides_the_status() -> None:
    # path from 0 (2022-03-31) to 100 (2026-03-31): half way on 2024-03-30 → 50 required
    behind = _synthetic([0.0, 45.0], ["FY2021 end (2022-03-31)", "(2024-03-30)"])
    ahead = _synthetic([0.0, 55.0], ["FY2021 end (2022-03-31)", "(2024-03-30)"])
    row = kpi.tracker(behind, COLLECTED, COLLECTED).iloc[0]
    assert row["status"] == "behind"
    assert row["required_pct"] == pytest.approx(50.0, abs=0.1)
    assert kpi.tracker(ahead, COLLECTED, COLLECTED).iloc[0]["status"] == "on track"


def test_single_value_is_judged_against_time_elapsed_since_the_strategy() -> None:
    elapsed = (date(2024, 6, 30) - kpi.STRATEGY_ADOPTED).days / (
        date(2026, 3, 31) - kpi.STRATEGY_ADOPTED).days * 100
    row = kpi.tracker(_synthetic([elapsed - 1], ["(2024-06-30)"]), COLLECTED,
                      COLLECTED).iloc[0]
    assert row["status"] == "behind"
    assert row["required_pct"] == pytest.approx(elapsed)


def test_reached_missed_no_data_and_cut_off() -> None:
    reached = _synthetic([101.0], ["(2023-01-31)"])
    missed = _synthetic([90.0], ["(2026-05-01)"])
    assert kpi.tracker(reached, COLLECTED, COLLECTED).iloc[0]["rule"] == "target reached"
    assert kpi.tracker(missed, COLLECTED, COLLECTED).iloc[0]["rule"] == "deadline passed"
    early = kpi.tracker(reached, date(2022, 12, 31), COLLECTED).iloc[0]
    assert early["status"] == "no data"
    assert early["target_value"] == 100


def test_undated_values_count_only_at_the_collection_date() -> None:
    undated = _synthetic([50.0], ["date not stated"])
    assert kpi.tracker(undated, date(2026, 1, 1), COLLECTED).iloc[0]["status"] == "no data"
    row = kpi.tracker(undated, COLLECTED, COLLECTED).iloc[0]
    assert row["actual_date"] == pd.Timestamp(COLLECTED)


def test_a_kpi_with_a_group_behind_is_behind() -> None:
    table = pd.DataFrame({"kpi_id": ["K03", "K03", "K08"],
                          "status": ["on track", "behind", "on track"]})
    assert kpi.kpi_status(table).to_dict() == {"K03": "behind", "K08": "on track"}
    assert kpi.status_counts(table) == {"on track": 1, "behind": 1, "not assessable": 0,
                                        "no data": 0}


def test_real_table_statuses(pulled: Path) -> None:
    # kpi/SOURCES.md: 15 KPIs; K04, K05, K10, K15 (and K09, qualitative only) have no actual
    table = kpi.tracker(load("kpis"), COLLECTED, COLLECTED).set_index("series")
    assert kpi.kpi_status(table.reset_index()).size == 15
    assert set(table.index[table["status"] == "no data"]) == {"K04", "K05", "K09", "K10",
                                                             "K15"}
    # 5G: 98.4% at FY2024 end (ケータイWatch) against 97% due FY2025
    assert table.loc["K08", "actual_value"] == 98.4
    assert table.loc["K08", "target_value"] == 97
    assert table.loc["K08", "status"] == "on track"
    assert table.loc["K12", "status"] == "not assessable"
    assert table.loc["K03 elementary", "status"] == "behind"
    assert table.loc["K01", "flag"] == "proxy"
    assert table.loc["K07", "flag"] == "series break"


def test_readable_numbers_have_no_exponent() -> None:
    assert kpi.readable_number(2_300_000.0) == "2,300,000"
    assert kpi.readable_number(99.84) == "99.84"
    assert kpi.readable_number(65.3) == "65.3"
    assert kpi.readable_number(float("nan")) == ""


def test_reader_table_has_every_series_in_words(pulled: Path) -> None:
    collected = kpi.collected_date()
    table = kpi.reader_table(kpi.tracker(load("kpis"), collected, collected))
    assert list(table.columns) == ["KPI", "指標 Indicator", "目標 Target",
                                   "最新実績 Latest actual", "進捗 Progress", "状況 Status"]
    cells = table.to_numpy().ravel().tolist()
    assert not any("e+" in cell for cell in cells)
    k10 = table.set_index("KPI").loc["K10"]
    # the strategy's digital-talent target: 230万人 by FY2026 (総合戦略 2022-12-23)
    assert k10["目標 Target"] == "2,300,000 人 by 2027-03-31"
    assert k10["最新実績 Latest actual"] == "none found"
    assert "K03 (elementary)" in set(table["KPI"])
