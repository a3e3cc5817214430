"""UN EGDI: both layouts from real excerpts, names resolved through the one resolver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import requests

from scityhelpers.errors import (
    FetchError,
    RawFileCorruptError,
    SourceSchemaError,
    TidySchemaError,
    UnknownCountryError,
)
from scityhelpers.pipeline.manifest import get_source
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import un_egdi

UNU_2010 = "un_egdi/unu_egov_egdi_2010_excerpt.csv"
UNU_2018 = "un_egdi/unu_egov_egdi_2018_excerpt.csv"
DC_2022 = "un_egdi/EGOV_DATA_2022_excerpt.csv"
DC_2024 = "un_egdi/EGOV_DATA_2024_excerpt.csv"
PULLED_SOURCES = (un_egdi.SOURCE_ID,)


@pytest.fixture
def names_2018(fixtures: Path) -> dict[str, str]:
    return un_egdi.name_pairs([un_egdi.read_csv(fixtures / UNU_2018)])


def _by_iso3(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("iso3")


def test_unu_layout_rounds_float_noise(fixtures: Path) -> None:
    egdi = _by_iso3(un_egdi.parse_unu(un_egdi.read_csv(fixtures / UNU_2010), 2010, UNU_2010))
    assert egdi.loc["KOR", "egdi_rank"] == 1  # written 1.0 in the file
    assert egdi.loc["JPN", "epart"] == 0.75714  # 0.7571399999999999 in the file
    assert pd.isna(egdi.loc["SSD", "egdi"])  # South Sudan joined the UN in 2011
    assert egdi.loc["NRU", "egdi"] == 0  # a placeholder of the 2010 file, kept as published
    assert set(egdi["survey_year"]) == {2010}


def test_2022_names_resolve_with_pairs_from_older_files(fixtures: Path,
                                                        names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2022)
    egdi = _by_iso3(un_egdi.parse_datacentre(raw, 2022, DC_2022, names_2018))
    assert egdi.loc["JPN", "egdi_rank"] == 14
    assert egdi.loc["JPN", "egdi"] == pytest.approx(0.9002)
    assert egdi.loc["KOR", "egdi_rank"] == 3  # "Republic of Korea " (trailing space)
    assert egdi.loc["MKD", "egdi_rank"] == 80  # renamed since 2018: resolved by the country table
    assert egdi.loc["TUR", "egdi_rank"] == 48  # "Türkiye"


def test_2024_renamed_columns(fixtures: Path, names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2024)
    egdi = _by_iso3(un_egdi.parse_datacentre(raw, 2024, DC_2024, names_2018))
    assert egdi.loc["JPN", ["egdi_rank", "egdi"]].tolist() == [13, 0.9351]
    assert egdi.loc["KOR", "osi"] == 1
    assert egdi.loc["DNK", "tii"] == pytest.approx(0.99662)


def test_name_nobody_knows_is_an_unknown_country(fixtures: Path,
                                                  names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2022)
    raw.loc[0, "Country Name"] = "Republic of Atlantis "
    with pytest.raises(UnknownCountryError, match="Republic of Atlantis"):
        un_egdi.parse_datacentre(raw, 2022, DC_2022, names_2018)


def test_un_only_names_need_the_older_files_pairs(fixtures: Path,
                                                  names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2022)
    assert "IRQ" in set(un_egdi.parse_datacentre(raw, 2022, DC_2022, names_2018)["iso3"])
    with pytest.raises(UnknownCountryError, match="Iraq"):  # not in the country table
        un_egdi.parse_datacentre(raw, 2022, DC_2022, {})


def test_renamed_column_is_drift(copy_fixture: Callable[[str], Path],
                                 names_2018: dict[str, str]) -> None:
    path = copy_fixture(DC_2024)
    path.write_text(path.read_text(encoding="utf-8").replace("Tele_Infra", "Telecom_Infra"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['Tele_Infra'\]"):
        un_egdi.parse_datacentre(un_egdi.read_csv(path), 2024, path, names_2018)


def test_wrong_survey_year_is_refused(fixtures: Path, names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2024)
    with pytest.raises(SourceSchemaError, match="expected survey year 2022"):
        un_egdi.parse_datacentre(raw, 2022, DC_2024, names_2018)


def test_non_iso_code_in_unu_file_is_refused(fixtures: Path) -> None:
    raw = un_egdi.read_csv(fixtures / UNU_2018)
    raw.loc[0, "country-code"] = "XK"
    with pytest.raises(SourceSchemaError, match=r"unexpected area code \['XK'\]"):
        un_egdi.parse_unu(raw, 2018, UNU_2018)


def test_one_name_with_two_codes_is_refused(fixtures: Path) -> None:
    raw = un_egdi.read_csv(fixtures / UNU_2018)
    other = raw.copy()
    other.loc[other["country-code"] == "JPN", "country-code"] = "JAP"
    with pytest.raises(SourceSchemaError, match="Japan"):
        un_egdi.name_pairs([raw, other])


def test_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("EGOV_DATA_2022.csv")
    with pytest.raises(RawFileCorruptError, match="scity data pull un_egdi"):
        un_egdi.read_csv(path)


def test_schema_wants_every_member_state(fixtures: Path, names_2018: dict[str, str]) -> None:
    raw = un_egdi.read_csv(fixtures / DC_2022)
    excerpt = un_egdi.parse_datacentre(raw, 2022, DC_2022, names_2018)
    with pytest.raises(TidySchemaError, match="193 member states"):
        validate_table(excerpt, un_egdi.EGDI_SCHEMA, "egdi")


def test_fetch_refuses_and_names_the_data_centre(tmp_path: Path) -> None:
    raw = get_source(un_egdi.SOURCE_ID).file("EGOV_DATA_2024.csv")
    with pytest.raises(FetchError, match="Data-Center"):
        un_egdi.fetch(raw, tmp_path / raw.name, requests.Session())


def test_real_table_pins_published_ranks(pulled_sources: Path) -> None:
    from scityhelpers import load

    egdi = load("egdi").set_index(["survey_year", "iso3"])
    # international/SOURCES.md §6 spot values, as in the UN E-Government Surveys 2010-2024
    assert egdi.loc[(2022, "DNK"), "egdi_rank"] == 1
    assert egdi.loc[(2022, "KOR"), "egdi_rank"] == 3
    assert egdi.loc[(2022, "JPN"), "egdi_rank"] == 14
    assert egdi.loc[(2022, "JPN"), "egdi"] == pytest.approx(0.9002)
    assert egdi.loc[(2024, "DNK"), "egdi_rank"] == 1
    assert egdi.loc[(2024, "KOR"), "egdi_rank"] == 4
    assert egdi.loc[(2024, "JPN"), "egdi_rank"] == 13
    assert egdi.loc[(2024, "JPN"), "egdi"] == pytest.approx(0.9351)
    assert egdi.loc[(2018, "DNK"), "egdi_rank"] == 1
    assert egdi.loc[(2018, "KOR"), "egdi_rank"] == 3
    assert egdi.loc[(2018, "JPN"), "egdi_rank"] == 10
    assert egdi.loc[(2010, "KOR"), "egdi_rank"] == 1
    years = egdi.index.get_level_values("survey_year")
    assert sorted(set(years)) == [2010, 2012, 2014, 2016, 2018, 2022, 2024]
    assert len(egdi) == 7 * 193
