"""Penn World Table 10.01: GDP per hour from a real excerpt; drift, corruption, codes caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from scityhelpers.errors import FetchError, RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.manifest import get_source
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import pwt

EXCERPT = "pwt/pwt101_kor_jpn_usa_excerpt.csv"
PULLED_SOURCES = (pwt.SOURCE_ID,)


def _parse(path: Path):
    return pwt.parse_pwt(pwt.read_pwt(path), path)


def test_excerpt_gdp_per_hour(fixtures: Path) -> None:
    table = _parse(fixtures / EXCERPT).set_index(["iso3", "year"])
    assert ("AGO", 1950) not in table.index  # no output, employment or hours that year
    korea_1990 = table.loc[("KOR", 1990)]
    assert korea_1990["rgdpo_musd_2017"] == pytest.approx(593101.813)
    assert korea_1990["emp_millions"] == pytest.approx(18.206)
    assert korea_1990["avh_hours"] == pytest.approx(2674.142)
    assert korea_1990["gdp_per_hour_usd2017"] == pytest.approx(593101.813 / (18.206 * 2674.142))
    validate_table(table.reset_index(), pwt.PWT_PRODUCTIVITY_SCHEMA, "pwt_productivity")


def test_missing_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    text = path.read_text(encoding="utf-8-sig").replace(",avh,", ",avh_hours,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['avh'\]"):
        pwt.read_pwt(path)


def test_non_iso_country_code_is_refused(fixtures: Path) -> None:
    raw = pwt.read_pwt(fixtures / EXCERPT)
    raw.loc[raw.index[0], "countrycode"] = "XKX1"
    with pytest.raises(SourceSchemaError, match=r"unexpected area code \['XKX1'\]"):
        pwt.parse_pwt(raw, EXCERPT)


def test_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("pwt101.csv")
    with pytest.raises(RawFileCorruptError, match="scity data pull pwt"):
        pwt.read_pwt(path)


def test_empty_file_is_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "pwt101.csv"
    path.write_bytes(b"")
    with pytest.raises(RawFileCorruptError):
        pwt.read_pwt(path)


def test_fetch_refuses_and_names_the_homepage(tmp_path: Path) -> None:
    raw = get_source(pwt.SOURCE_ID).file(pwt.FILE_PWT)
    with pytest.raises(FetchError, match=r"rug\.nl/ggdc/productivity/pwt"):
        pwt.fetch(raw, tmp_path / raw.name, requests.Session())


def test_real_table_pins_published_figures(pulled_sources: Path) -> None:
    from scityhelpers import load

    per_hour = load("pwt_productivity").set_index(["iso3", "year"])["gdp_per_hour_usd2017"]
    # international/SOURCES.md §11 spot values (2017 US$ per hour, rgdpo/(emp*avh))
    assert per_hour[("KOR", 1990)] == pytest.approx(12.18, abs=0.01)
    assert per_hour[("KOR", 2000)] == pytest.approx(21.87, abs=0.01)
    assert per_hour[("KOR", 2010)] == pytest.approx(34.40, abs=0.01)
    assert per_hour[("KOR", 2019)] == pytest.approx(40.77, abs=0.01)
    assert per_hour[("JPN", 2000)] == pytest.approx(39.47, abs=0.01)
    assert per_hour[("JPN", 2019)] == pytest.approx(42.56, abs=0.01)
    assert per_hour[("USA", 2019)] == pytest.approx(73.70, abs=0.01)
    assert per_hour.index.get_level_values("iso3").nunique() == 69  # countries with avh
