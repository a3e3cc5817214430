"""OECD average wages: both layouts parsed from real excerpts; drift and corruption caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import oecd_wages


def test_sdmx_labels_layout(fixtures: Path) -> None:
    wages = oecd_wages.parse_file(fixtures / "oecd_wages" / "sdmx_labels_excerpt.csv")
    assert set(wages["price_base_year"]) == {2022}  # blank BASE_PER rows inherit it
    japan = wages.set_index(["iso3", "year"]).loc[("JPN", 2022), "wage_usd_ppp"]
    korea = wages.set_index(["iso3", "year"]).loc[("KOR", 2022), "wage_usd_ppp"]
    # the figures the briefing quotes: 41.5K and 48.9K (USD PPP, 2022 prices)
    assert round(japan / 1000, 1) == 41.5
    assert round(korea / 1000, 1) == 48.9


def test_extract_layout(fixtures: Path) -> None:
    wages = oecd_wages.parse_file(fixtures / "oecd_wages" / "const2025_jpn_kor_excerpt.csv")
    assert set(wages["iso3"]) == {"JPN", "KOR"}
    assert set(wages["price_base_year"]) == {2025}
    validate_table(wages, oecd_wages.WAGES_SCHEMA, "wages")


def test_renamed_column_is_schema_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture("oecd_wages/sdmx_labels_excerpt.csv")
    text = path.read_text(encoding="utf-8").replace("OBS_VALUE", "OBS_VAL", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['OBS_VALUE'\]"):
        oecd_wages.parse_file(path)


def test_unknown_unit_multiplier_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture("oecd_wages/sdmx_labels_excerpt.csv")
    frame = pd.read_csv(path)
    frame["UNIT_MULT"] = 3  # thousands: values would be off by 1000
    with pytest.raises(SourceSchemaError, match="unit multiplier"):
        oecd_wages.parse_sdmx_labels(frame, path)


def test_binary_garbage_is_a_corrupt_file_error(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("wages.csv")
    with pytest.raises((RawFileCorruptError, SourceSchemaError)):
        oecd_wages.parse_file(path)


def test_real_table_pins_published_figures(pulled: Path) -> None:
    from scityhelpers import load

    wages = load("wages").set_index(["price_base_year", "iso3", "year"])["wage_usd_ppp"]
    # international/SOURCES.md, "Known figures" (second independent entry of the OECD export)
    assert wages[(2025, "JPN", 2022)] == pytest.approx(51_129.005)
    assert wages[(2025, "KOR", 2022)] == pytest.approx(58_696.806)
    assert wages[(2025, "OECD", 2022)] == pytest.approx(62_370.771)


def test_mixed_price_bases_are_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture("oecd_wages/sdmx_labels_excerpt.csv")
    frame = pd.read_csv(path)
    frame.loc[frame.index[0], "BASE_PER"] = 2021  # one row from another edition
    with pytest.raises(SourceSchemaError, match=r"found \[2021, 2022\]"):
        oecd_wages.parse_sdmx_labels(frame, path)
