"""World Bank WDI: both bulk variants and the API layout from real values; paging replayed."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import requests
import responses
from responses import matchers

from scityhelpers.errors import FetchError, RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.manifest import get_source
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import worldbank

INTERNET = "worldbank/API_IT.NET.USER.ZS_excerpt.csv"  # no metadata lines above the header
MOBILE = "worldbank/API_IT.CEL.SETS.P2_excerpt.csv"  # 4 metadata lines, trailing comma
GDP = "worldbank/API_NY.GDP.PCAP.PP.KD_excerpt.csv"
METADATA = "worldbank/Metadata_Country_NY.GDP.PCAP.PP.KD_excerpt.csv"
PAGES = ("worldbank/api_it_net_user_zs_page1of2.json", "worldbank/api_it_net_user_zs_page2of2.json")
API_ERROR = "worldbank/api_error_invalid_value.json"
API_BASE = "https://api.worldbank.org/v2/country/all/indicator/IT.NET.USER.ZS"
INTERNET_FILE = "API_IT.NET.USER.ZS_DS2_en_csv_v2_2160.csv"
PULLED_SOURCES = (worldbank.SOURCE_ID,)


@pytest.fixture
def metadata(fixtures: Path) -> pd.DataFrame:
    path = fixtures / METADATA
    return worldbank.parse_country_metadata(worldbank.read_country_metadata(path), path)


def _values(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index(["iso3", "year"])["value"]


def _page_response(fixtures: Path, page: int) -> None:
    responses.get(
        API_BASE,
        body=(fixtures / PAGES[page - 1]).read_bytes(),
        content_type="application/json",
        match=[matchers.query_param_matcher({"format": "json", "date": "1990:2025",
                                             "per_page": "3", "page": str(page)})],
    )


def test_bulk_csv_without_metadata_lines(fixtures: Path) -> None:
    table = worldbank.parse_indicator_file(fixtures / INTERNET, "IT.NET.USER.ZS")
    values = _values(table)
    assert values[("JPN", 2022)] == pytest.approx(84.9234)
    assert ("JPN", 2023) not in values.index  # no 2023 value for Japan in this edition
    assert values[("KOR", 2023)] == pytest.approx(97.416)


def test_bulk_csv_with_metadata_lines_and_trailing_comma(fixtures: Path) -> None:
    mobile = _values(worldbank.parse_indicator_file(fixtures / MOBILE, "IT.CEL.SETS.P2"))
    assert mobile[("JPN", 2022)] == pytest.approx(167.5231573)  # above 100: several SIMs
    gdp = _values(worldbank.parse_indicator_file(fixtures / GDP, "NY.GDP.PCAP.PP.KD"))
    assert gdp[("KOR", 2024)] == pytest.approx(55070.9386194121)


def test_aggregates_and_unclassified_are_dropped(fixtures: Path, metadata: pd.DataFrame) -> None:
    table = worldbank.parse_indicator_file(fixtures / GDP, "NY.GDP.PCAP.PP.KD")
    assert sorted(set(table["iso3"])) == ["JPN", "KOR", "WLD"]  # INX's row is empty
    table.loc[table.index[0], "iso3"] = "INX"  # "Not classified" is in no metadata file
    economies = worldbank.keep_economies(table, metadata, GDP)
    assert sorted(set(economies["iso3"])) == ["JPN", "KOR"]


def test_code_missing_from_metadata_is_refused(fixtures: Path, metadata: pd.DataFrame) -> None:
    table = worldbank.parse_indicator_file(fixtures / GDP, "NY.GDP.PCAP.PP.KD")
    table.loc[table.index[0], "iso3"] = "XKX"
    with pytest.raises(SourceSchemaError, match=r"unexpected economy code.*\['XKX'\]"):
        worldbank.keep_economies(table, metadata, GDP)


def test_other_indicator_in_file_is_refused(fixtures: Path) -> None:
    with pytest.raises(SourceSchemaError, match=r"unexpected indicator code \['IT.CEL.SETS.P2'\]"):
        worldbank.parse_indicator_file(fixtures / MOBILE, "IT.NET.USER.ZS")


def test_renamed_id_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(GDP)
    path.write_bytes(path.read_bytes().replace(b'"Country Code"', b'"Economy Code"', 1))
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['Country Code'\]"):
        worldbank.parse_indicator_file(path, "NY.GDP.PCAP.PP.KD")


def test_missing_header_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(INTERNET)
    path.write_bytes(path.read_bytes().replace(b"Country Name", b"Economy", 1))
    with pytest.raises(SourceSchemaError, match="no 'Country Name' header"):
        worldbank.parse_indicator_file(path, "IT.NET.USER.ZS")


def test_metadata_without_region_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(METADATA)
    path.write_bytes(path.read_bytes().replace(b'"Region"', b'"WB Region"', 1))
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['Region'\]"):
        worldbank.parse_country_metadata(worldbank.read_country_metadata(path), path)


def test_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file(INTERNET_FILE)
    with pytest.raises(RawFileCorruptError, match="scity data pull worldbank"):
        worldbank.parse_indicator_file(path, "IT.NET.USER.ZS")


@responses.activate
def test_fetcher_follows_pages_and_writes_one_document(fixtures: Path, tmp_path: Path,
                                                      metadata: pd.DataFrame) -> None:
    _page_response(fixtures, 1)
    _page_response(fixtures, 2)
    dest = tmp_path / INTERNET_FILE
    worldbank.fetch_api_pages(worldbank.api_url("IT.NET.USER.ZS", per_page=3), dest,
                              requests.Session())
    assert len(responses.calls) == 2
    assert [p.name for p in tmp_path.iterdir()] == [INTERNET_FILE]  # page files cleaned up
    live = worldbank.parse_indicator_file(dest, "IT.NET.USER.ZS")  # chosen by structure
    live = worldbank.keep_economies(live, metadata, dest)  # World (WLD) dropped
    assert len(live) == 4
    # the live layout gives the same numbers as the mirror's bulk CSV
    bulk = _values(worldbank.parse_indicator_file(fixtures / INTERNET, "IT.NET.USER.ZS"))
    for (iso3, year), value in _values(live).items():
        assert value == bulk[(iso3, year)]
    validate_table(live.reset_index(drop=True), worldbank.WB_INDICATORS_SCHEMA, "wb_indicators")


@responses.activate
def test_error_payload_is_a_clear_fetch_error(fixtures: Path, tmp_path: Path) -> None:
    responses.get(API_BASE, body=(fixtures / API_ERROR).read_bytes(),
                  content_type="application/json")
    dest = tmp_path / INTERNET_FILE
    with pytest.raises(FetchError, match=r"answered with an error \(120 Invalid value"):
        worldbank.fetch_api_pages(worldbank.api_url("IT.NET.USER.ZS"), dest, requests.Session())
    assert not dest.exists()


@responses.activate
def test_failing_second_page_writes_nothing(fixtures: Path, tmp_path: Path) -> None:
    _page_response(fixtures, 1)
    responses.get(API_BASE, status=404, match=[matchers.query_param_matcher(
        {"format": "json", "date": "1990:2025", "per_page": "3", "page": "2"})])
    dest = tmp_path / INTERNET_FILE
    with pytest.raises(FetchError, match="HTTP 404"):
        worldbank.fetch_api_pages(worldbank.api_url("IT.NET.USER.ZS", per_page=3), dest,
                                  requests.Session())
    assert list(tmp_path.iterdir()) == []


def test_document_missing_a_page_is_corrupt(fixtures: Path) -> None:
    first_page_only = json.loads((fixtures / PAGES[0]).read_text(encoding="utf-8"))
    with pytest.raises(RawFileCorruptError, match="announced 5 records, the file holds 3"):
        worldbank.parse_api_json(first_page_only, "IT.NET.USER.ZS", "page1.json")


def test_truncated_api_document_is_corrupt(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(PAGES[0])
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(RawFileCorruptError):
        worldbank.parse_indicator_file(path, "IT.NET.USER.ZS")


@responses.activate
def test_metadata_fetched_from_the_bulk_zip(fixtures: Path, tmp_path: Path) -> None:
    raw = get_source(worldbank.SOURCE_ID).file(
        "Metadata_Country_API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_33608.csv")
    excerpt = (fixtures / METADATA).read_bytes()
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        # a later release numbers its members differently; the data file is skipped
        archive.writestr("Metadata_Country_API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_40001.csv",
                         excerpt)
        archive.writestr("API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_40001.csv",
                         (fixtures / GDP).read_bytes())
    responses.get(raw.url, body=bundle.getvalue(), content_type="application/zip")
    dest = worldbank.fetch(raw, tmp_path / raw.name, requests.Session())
    assert dest.read_bytes() == excerpt
    assert [p.name for p in tmp_path.iterdir()] == [raw.name]


@responses.activate
def test_bulk_download_that_is_not_a_zip_is_a_fetch_error(tmp_path: Path) -> None:
    raw = get_source(worldbank.SOURCE_ID).file(
        "Metadata_Country_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160.csv")
    responses.get(raw.url, body=b"<html>maintenance</html>", content_type="text/html")
    with pytest.raises(FetchError, match="not a zip"):
        worldbank.fetch(raw, tmp_path / raw.name, requests.Session())
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_fetch_dispatches_indicator_files_to_the_api(fixtures: Path, tmp_path: Path) -> None:
    raw = get_source(worldbank.SOURCE_ID).file(INTERNET_FILE)
    raw = replace(raw, url=worldbank.api_url("IT.NET.USER.ZS", per_page=3))
    _page_response(fixtures, 1)
    _page_response(fixtures, 2)
    dest = worldbank.fetch(raw, tmp_path / raw.name, requests.Session())
    assert len(json.loads(dest.read_bytes())[1]) == 5


def test_real_tables_pin_published_figures(pulled_sources: Path) -> None:
    from scityhelpers import load

    values = load("wb_indicators").set_index(["indicator_code", "iso3", "year"])["value"]
    # international/SOURCES.md §5, §8, §9 spot values (WDI bulk downloads)
    assert values[("IT.NET.USER.ZS", "JPN", 2022)] == pytest.approx(84.92, abs=0.005)
    assert values[("IT.NET.USER.ZS", "KOR", 2023)] == pytest.approx(97.42, abs=0.005)
    assert values[("IT.CEL.SETS.P2", "JPN", 2020)] == pytest.approx(155.7, abs=0.05)
    assert values[("IT.CEL.SETS.P2", "JPN", 2022)] == pytest.approx(167.5, abs=0.05)
    assert values[("IT.CEL.SETS.P2", "KOR", 2022)] == pytest.approx(148.6, abs=0.05)
    assert values[("IT.CEL.SETS.P2", "USA", 2022)] == pytest.approx(110.2, abs=0.05)
    assert values[("NY.GDP.PCAP.PP.KD", "JPN", 2020)] == pytest.approx(44_213, abs=0.5)
    assert values[("NY.GDP.PCAP.PP.KD", "JPN", 2024)] == pytest.approx(47_480, abs=0.5)
    assert values[("NY.GDP.PCAP.PP.KD", "KOR", 2024)] == pytest.approx(55_071, abs=0.5)
    assert values[("NY.GDP.PCAP.PP.KD", "USA", 2024)] == pytest.approx(75_698, abs=0.5)
    assert values[("NY.GDP.PCAP.PP.KD", "DEU", 2024)] == pytest.approx(62_655, abs=0.5)
    assert "OED" not in set(values.index.get_level_values("iso3"))  # aggregates dropped
    countries = load("wb_countries").set_index("iso3")
    assert len(countries) == 217  # 264 metadata rows minus 47 aggregates (SOURCES.md §9)
    assert countries.loc["KOR", ["region", "income_group"]].tolist() == [
        "East Asia & Pacific", "High income"]
