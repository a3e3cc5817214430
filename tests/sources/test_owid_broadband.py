"""Fixed broadband (OWID export): country rows kept by ISO3 code; drift and new codes caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import owid_broadband

EXCERPT = "owid_broadband/broadband_jpn_kor_excerpt.csv"
PULLED_SOURCES = (owid_broadband.SOURCE_ID,)


def _parse(path: Path):
    return owid_broadband.parse_broadband(owid_broadband.read_csv(path), path)


def test_excerpt_keeps_countries_only(fixtures: Path) -> None:
    table = _parse(fixtures / EXCERPT)
    assert sorted(set(table["iso3"])) == ["JPN", "KOR"]  # EU, Faeroe Islands, OWID_WRL dropped
    values = table.set_index(["iso3", "year"])["fixed_broadband_per_100"]
    assert values[("KOR", 2020)] == pytest.approx(43.065514)
    assert values[("JPN", 2010)] == pytest.approx(26.620089)
    validate_table(table, owid_broadband.BROADBAND_SCHEMA, "broadband")


def test_renamed_value_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    text = path.read_text(encoding="utf-8").replace("(per 100 people)", "(per 100 inhabitants)")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="Fixed broadband subscriptions"):
        _parse(path)


def test_unknown_non_iso_code_is_refused(fixtures: Path) -> None:
    raw = owid_broadband.read_csv(fixtures / EXCERPT)
    raw.loc[raw["Entity"] == "European Union (27)", "Code"] = "EU27"
    with pytest.raises(SourceSchemaError, match=r"unexpected area code \['EU27'\]"):
        owid_broadband.parse_broadband(raw, EXCERPT)


def test_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("broadband.csv")
    with pytest.raises(RawFileCorruptError, match="scity data pull owid_broadband"):
        owid_broadband.read_csv(path)


def test_real_table_pins_published_figures(pulled_sources: Path) -> None:
    from scityhelpers import load

    values = load("broadband").set_index(["iso3", "year"])["fixed_broadband_per_100"]
    # international/SOURCES.md §10 spot values (subscriptions per 100 people)
    assert values[("JPN", 2010)] == pytest.approx(26.62, abs=0.005)
    assert values[("JPN", 2020)] == pytest.approx(35.13, abs=0.005)
    assert values[("JPN", 2021)] == pytest.approx(36.08, abs=0.005)
    assert values[("KOR", 2021)] == pytest.approx(44.27, abs=0.005)
    assert values[("USA", 2021)] == pytest.approx(37.70, abs=0.005)
    assert values[("DEU", 2021)] == pytest.approx(44.22, abs=0.005)
    assert ("FRA", 2021) not in values.index  # SOURCES.md: FRA, LUX, NOR lack 2021
    assert values.index.get_level_values("iso3").nunique() == 206
