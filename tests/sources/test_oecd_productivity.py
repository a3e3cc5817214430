"""OECD productivity and hours: both GDP-per-hour layouts from real excerpts; drift caught."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import oecd_productivity

JSON_EXCERPT = "oecd_productivity/gdp_hour_jpn_kor_ltu_excerpt.json"
SDMX_EXCERPT = "oecd_productivity/pdb_lv_sdmx_excerpt.csv"
HOURS_EXCERPT = "oecd_productivity/hours_worked_excerpt.csv"
PULLED_SOURCES = (oecd_productivity.SOURCE_ID,)


def test_json_extract_layout(fixtures: Path) -> None:
    table = oecd_productivity.parse_gdp_hour_file(fixtures / JSON_EXCERPT)
    values = table.set_index(["iso3", "year"])["gdp_per_hour_usd_ppp"]
    assert values[("JPN", 2022)] == pytest.approx(50.58)
    assert values[("KOR", 2011)] == pytest.approx(37.74)  # KOR starts in 2011 in this extract
    assert table.loc[table["iso3"] == "KOR", "year"].min() == 2011
    assert set(table["price_base_year"]) == {2020}
    validate_table(table, oecd_productivity.PRODUCTIVITY_SCHEMA, "productivity")


def test_live_sdmx_layout_keeps_only_usd_ppp_constant_gdp_per_hour(fixtures: Path) -> None:
    table = oecd_productivity.parse_gdp_hour_file(fixtures / SDMX_EXCERPT)
    # of 6 real rows only LTU 2001 is GDPHRS/USD_PPP_H/Q/_T/A; CRI 2015 is the same unit at
    # current prices, SVK 2024 is constant prices in national currency
    assert table[["iso3", "year", "price_base_year"]].values.tolist() == [["LTU", 2001, 2020]]
    live_value = table["gdp_per_hour_usd_ppp"].iloc[0]
    assert live_value == pytest.approx(25.3631545506829)
    # the mirror's JSON extract was rounded from this same export
    extract = json.loads((fixtures / JSON_EXCERPT).read_text(encoding="utf-8"))
    assert dict(map(tuple, extract["LTU"]))[2001] == round(live_value, 2)


def test_live_layout_renamed_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(SDMX_EXCERPT)
    text = path.read_text(encoding="utf-8").replace("PRICE_BASE", "PRICE_BASIS", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['PRICE_BASE'\]"):
        oecd_productivity.parse_gdp_hour_file(path)


def test_live_layout_with_new_codes_is_refused(fixtures: Path) -> None:
    raw = pd.read_csv(fixtures / SDMX_EXCERPT)
    raw["UNIT_MEASURE"] = raw["UNIT_MEASURE"].replace("USD_PPP_H", "USD_PPP_HR")
    with pytest.raises(SourceSchemaError, match="no rows with"):
        oecd_productivity.parse_gdp_hour_sdmx(raw, "excerpt")


def test_live_layout_thousands_are_refused(fixtures: Path) -> None:
    raw = pd.read_csv(fixtures / SDMX_EXCERPT)
    raw["UNIT_MULT"] = 3
    with pytest.raises(SourceSchemaError, match="unit multiplier"):
        oecd_productivity.parse_gdp_hour_sdmx(raw, "excerpt")


def test_json_with_unknown_aggregate_is_refused(fixtures: Path) -> None:
    document = json.loads((fixtures / JSON_EXCERPT).read_text(encoding="utf-8"))
    document["EA20"] = [[2022, 70.1]]
    with pytest.raises(SourceSchemaError, match=r"unexpected area code \['EA20'\]"):
        oecd_productivity.parse_gdp_hour_json(document, "excerpt")


def test_json_in_another_shape_is_drift(fixtures: Path) -> None:
    document = json.loads((fixtures / JSON_EXCERPT).read_text(encoding="utf-8"))
    document["JPN"] = {"2022": 50.58}
    with pytest.raises(SourceSchemaError, match="expected a JSON object"):
        oecd_productivity.parse_gdp_hour_json(document, "excerpt")


def test_truncated_json_is_a_corrupt_file(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(JSON_EXCERPT)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(RawFileCorruptError, match="scity data pull oecd_productivity"):
        oecd_productivity.parse_gdp_hour_file(path)


def test_hours_legacy_layout(fixtures: Path) -> None:
    raw = oecd_productivity.read_csv(fixtures / HOURS_EXCERPT)  # BOM and CRLF in the excerpt
    hours = oecd_productivity.parse_hours_legacy(raw, HOURS_EXCERPT)
    values = hours.set_index(["iso3", "year"])["hours_per_worker"]
    assert values[("JPN", 2000)] == 1821
    assert values[("JPN", 2022)] == pytest.approx(1606.99536736683)
    assert values[("OECD", 2022)] == pytest.approx(1751.58246665657)
    assert "EU27" not in set(hours["iso3"])
    validate_table(hours, oecd_productivity.HOURS_WORKED_SCHEMA, "hours_worked")


def test_hours_with_other_measure_is_refused(fixtures: Path) -> None:
    raw = oecd_productivity.read_csv(fixtures / HOURS_EXCERPT)
    raw.loc[0, "MEASURE"] = "HR_EMP"
    with pytest.raises(SourceSchemaError, match=r"unexpected measure \['HR_EMP'\]"):
        oecd_productivity.parse_hours_legacy(raw, HOURS_EXCERPT)


def test_hours_with_new_aggregate_is_refused(fixtures: Path) -> None:
    raw = oecd_productivity.read_csv(fixtures / HOURS_EXCERPT)
    raw.loc[0, "LOCATION"] = "G-7"
    with pytest.raises(SourceSchemaError, match="unexpected area code"):
        oecd_productivity.parse_hours_legacy(raw, HOURS_EXCERPT)


def test_hours_in_new_explorer_layout_is_named_as_unsupported(fixtures: Path) -> None:
    raw = pd.read_csv(fixtures / SDMX_EXCERPT)  # any csvfilewithlabels export
    with pytest.raises(SourceSchemaError, match="DF_AVG_ANN_HRS_WKD"):
        oecd_productivity.parse_hours_legacy(raw, "live.csv")


def test_hours_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("hours.csv")
    with pytest.raises(RawFileCorruptError):
        oecd_productivity.read_csv(path)


def test_real_tables_pin_published_figures(pulled_sources: Path) -> None:
    from scityhelpers import load

    gdp_hour = load("productivity").set_index(["iso3", "year"])["gdp_per_hour_usd_ppp"]
    # international/SOURCES.md §3 spot values (USD per hour, 2020 prices and PPPs)
    assert gdp_hour[("JPN", 2022)] == pytest.approx(50.58)
    assert gdp_hour[("KOR", 2022)] == pytest.approx(50.09)
    assert gdp_hour[("USA", 2022)] == pytest.approx(82.33)
    assert gdp_hour.index.get_level_values("iso3").nunique() == 41  # 38 members + BGR HRV ROU
    hours = load("hours_worked").set_index(["iso3", "year"])["hours_per_worker"]
    # international/SOURCES.md §4 spot values (hours per worker per year)
    assert hours[("JPN", 2000)] == 1821
    assert hours[("JPN", 2019)] == 1644
    assert hours[("KOR", 2019)] == 1967
    assert hours[("KOR", 2022)] == 1901
