"""IPSS 2023 result tables (live only): fetcher replayed with ``responses``, defensive parser.

No copy of the official workbooks exists offline, so there is no fixture: the parser is run
on a *layout probe* built here with openpyxl. The probe reproduces only the layout that
public code reading kekkahyo1.xlsx … 2_3.xlsx describes (header row ``コード``, years
``2020年``–``2050年`` in E–K, 市などの別 in column B); its numbers are made up and it is not,
and does not pretend to be, IPSS data — its sha256 never matches the published one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import requests
import responses
import yaml

from scityhelpers.errors import (
    FetchError,
    RawFileCorruptError,
    SnapshotChecksumError,
    SnapshotUnavailableError,
    SourceSchemaError,
)
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline.manifest import get_source, load_manifest
from scityhelpers.pipeline.snapshot import pull_file
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import ipss_projections_2023 as ipss23

URL = ipss23.BASE_URL + "kekkahyo1.xlsx"
REAL_MANIFEST = Path(__file__).resolve().parents[2] / "data" / "manifest.yml"
YEAR_LABELS = [f"{year}年" for year in ipss23.YEARS]
#: (code, 市などの別, prefecture, municipality, persons 2020…2050) — layout probe, made-up values
PROBE_REGIONS = [
    (1000, "a", "北海道", None),
    (1100, 1, "北海道", "札幌市"),
    (1101, 0, "北海道", "札幌市中央区"),
    (1202, 2, "北海道", "函館市"),
    (1303, 3, "北海道", "当別町"),
    (13101, 0, "東京都", "千代田区"),
    (40231, 2, "福岡県", "那珂川市"),
    (7999, 9, "福島県", "浜通り地域"),
]
PROBE_COUNTS = {"a": 1, "1": 1, "0": 2, "2": 2, "3": 1, "9": 1}


def probe_values(index: int, share: int) -> list[int]:
    """Persons per year: decreasing, split 1:6:3 between the three age groups."""
    total = [10_000 * (index + 1) - 100 * step for step in range(len(ipss23.YEARS))]
    return [t * share // 10 for t in total]



def layout_probe(path: Path, *, share: int | None = None, header: str = "コード",
                 years: list[str] | None = None, regions: list | None = None) -> Path:
    """Write a workbook in the documented kekkahyo layout (NOT IPSS data)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["layout probe for scityhelpers tests — not IPSS data"])
    sheet.append(["（注）"])
    sheet.append([])
    sheet.append([header, "市などの別", "都道府県", "市区町村", "推計人口", *[None] * 6, "指数"])
    labels = years or YEAR_LABELS
    sheet.append([None, None, None, None, *labels, *labels])
    for index, (code, kind, pref, name) in enumerate(regions or PROBE_REGIONS):
        values = probe_values(index, 10) if share is None else probe_values(index, share)
        sheet.append([code, kind, pref, name, *values, *[100.0] * len(values)])
    sheet.append(["（注）浜通り地域は13市町村の合計"])
    book.save(path)
    return path


def probe_bytes(tmp_path: Path) -> bytes:
    return layout_probe(tmp_path / "probe.xlsx").read_bytes()


def parse(path: Path) -> pd.DataFrame:
    return ipss23.parse_result_table(ipss23.read_workbook(path), path)


def test_probe_layout_is_read(tmp_path: Path) -> None:
    table = parse(layout_probe(tmp_path / "kekkahyo1.xlsx"))
    assert len(table) == len(PROBE_REGIONS) * 7
    assert table["code5"].iloc[0] == "01000"  # numeric codes get their leading zero back
    sapporo = table[(table["code5"] == "01100")].set_index("year")["persons"]
    assert sapporo[2020] == 20_000
    assert sapporo[2050] == 19_400
    assert set(table["kind"]) == set(PROBE_COUNTS)


def test_municipalities_are_selected_like_the_2018_edition(tmp_path: Path) -> None:
    kept = ipss23.select_municipalities(parse(layout_probe(tmp_path / "k.xlsx")))
    # designated city whole, cities, towns, Tokyo special wards; no prefecture, no
    # designated-city ward, no 浜通り region
    assert sorted(kept["code5"].unique()) == ["01100", "01202", "01303", "13101", "40231"]


def test_age_tables_must_add_up_after_the_census_year(tmp_path: Path) -> None:
    tables = {column: ipss23.select_municipalities(parse(layout_probe(
        tmp_path / f"{column}.xlsx", share=share)))
        for column, share in zip(ipss23.FILE_COLUMNS.values(), (None, 1, 6, 3), strict=True)}
    combined = ipss23.combine_tables(tables, tmp_path)
    assert (combined["age15_64_persons"] * 10 == combined["population_persons"] * 6).all()
    tables["age65plus_persons"].loc[tables["age65plus_persons"]["year"] == 2050, "persons"] += 1
    with pytest.raises(SourceSchemaError, match="do not add up"):
        ipss23.combine_tables(tables, tmp_path)


def test_build_on_the_probe_passes_the_schema(tmp_path: Path, pulled: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ipss23, "EXPECTED_KIND_COUNTS", PROBE_COUNTS)
    files = {name: layout_probe(tmp_path / name, share=share)
             for name, share in zip(ipss23.FILE_COLUMNS, (None, 1, 6, 3), strict=True)}
    frame = ipss23.build_municipal_projection_2023(files)
    spec = ipss23.TABLES[0]
    validate_table(frame, spec.schema, spec.name)
    assert frame["name"].tolist()[:2] == ["札幌市", "札幌市"]
    assert set(frame["edition"]) == {2023}
    assert set(frame["year"]) == set(ipss23.YEARS)


def test_coverage_other_than_published_is_refused(tmp_path: Path) -> None:
    table = parse(layout_probe(tmp_path / "k.xlsx"))
    with pytest.raises(SourceSchemaError, match="coverage changed"):
        ipss23.check_coverage(table, tmp_path)


def test_missing_header_cell_is_schema_drift(tmp_path: Path) -> None:
    with pytest.raises(SourceSchemaError, match="no header row starting with 'コード'"):
        parse(layout_probe(tmp_path / "k.xlsx", header="団体コード"))


def test_another_horizon_is_schema_drift(tmp_path: Path) -> None:
    years = [f"{year}年" for year in range(2015, 2050, 5)]
    with pytest.raises(SourceSchemaError, match="expected the years"):
        parse(layout_probe(tmp_path / "k.xlsx", years=years))


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    regions = [*PROBE_REGIONS, (99999, "b", "東京都", "新しい区分")]
    with pytest.raises(SourceSchemaError, match="市などの別 'b'"):
        parse(layout_probe(tmp_path / "k.xlsx", regions=regions))


def test_text_in_a_population_cell_is_refused(tmp_path: Path,
                                              edit_workbook: Callable[..., None]) -> None:
    path = layout_probe(tmp_path / "k.xlsx")
    edit_workbook(path, "G8", "-")
    with pytest.raises(SourceSchemaError, match="whole number of persons"):
        parse(path)


def test_truncated_workbook_is_a_corrupt_file_error(tmp_path: Path) -> None:
    path = tmp_path / "kekkahyo1.xlsx"
    path.write_bytes(probe_bytes(tmp_path)[:2_000])
    with pytest.raises(RawFileCorruptError, match="pull ipss_projections_2023"):
        ipss23.read_workbook(path)


def no_sleep(_: float) -> None:
    return None


def raw_record(name: str = "kekkahyo1.xlsx"):
    return load_manifest(REAL_MANIFEST).get(ipss23.SOURCE_ID).file(name)


@responses.activate
def test_fetch_writes_a_workbook(tmp_path: Path) -> None:
    body = probe_bytes(tmp_path)
    responses.get(URL, body=body, content_type="application/vnd.ms-excel")
    dest = ipss23.fetch(raw_record(), tmp_path / "dl" / "kekkahyo1.xlsx", requests.Session(),
                        sleep=no_sleep)
    assert dest.read_bytes() == body


@responses.activate
def test_fetch_refuses_an_html_page(tmp_path: Path) -> None:
    responses.get(URL, body="<html><body>ページが見つかりません</body></html>")
    dest = tmp_path / "dl" / "kekkahyo1.xlsx"
    with pytest.raises(FetchError, match="did not send an xlsx"):
        ipss23.fetch(raw_record(), dest, requests.Session(), sleep=no_sleep)
    assert not dest.exists()


@responses.activate
def test_fetch_retries_server_errors(tmp_path: Path) -> None:
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    responses.get(URL, body=probe_bytes(tmp_path))
    waits: list[float] = []
    ipss23.fetch(raw_record(), tmp_path / "dl" / "k.xlsx", requests.Session(),
                 sleep=waits.append)
    assert len(waits) == 2


@responses.activate
def test_fetch_gives_up_after_retries(tmp_path: Path) -> None:
    for _ in range(3):
        responses.get(URL, status=500)
    with pytest.raises(FetchError, match=r"after 3 attempt\(s\)"):
        ipss23.fetch(raw_record(), tmp_path / "dl" / "k.xlsx", requests.Session(), retries=2,
                     sleep=no_sleep)


@pytest.fixture
def live_only_project(tmp_project: Path) -> Path:
    """The temporary project with the real ``ipss_projections_2023`` manifest entry."""
    real = yaml.safe_load(REAL_MANIFEST.read_text(encoding="utf-8"))["sources"]
    manifest = tmp_project / "data" / "manifest.yml"
    manifest.write_text(yaml.safe_dump({"sources": {ipss23.SOURCE_ID: real[ipss23.SOURCE_ID]}},
                                       allow_unicode=True), encoding="utf-8")
    return tmp_project


@responses.activate
def test_bytes_other_than_published_raise_checksum_error(live_only_project: Path,
                                                         tmp_path: Path) -> None:
    source = get_source(ipss23.SOURCE_ID)
    raw = source.file("kekkahyo1.xlsx")
    responses.get(URL, body=probe_bytes(tmp_path))
    with pytest.raises(SnapshotChecksumError) as error:
        pull_file(source, raw, fetcher=ipss23.fetch, session=requests.Session())
    # japan/SOURCES.md section 7: sha256 of kekkahyo1.xlsx as published in 2026
    assert error.value.expected == ipss23.PUBLISHED_SHA256["kekkahyo1.xlsx"]
    assert Path(str(error.value.path)).is_file()  # the download is kept for inspection


def test_offline_pull_says_go_online(live_only_project: Path) -> None:
    source = get_source(ipss23.SOURCE_ID)
    with pytest.raises(SnapshotUnavailableError, match="go online"):
        pull_file(source, source.file("kekkahyo2_1.xlsx"), offline=True)


def test_manifest_records_published_hashes_and_live_only() -> None:
    source = load_manifest(REAL_MANIFEST)[ipss23.SOURCE_ID]
    assert source.extra.get("live_only") is True
    assert {raw.name: raw.sha256 for raw in source.files} == ipss23.PUBLISHED_SHA256
    assert all(raw.url == ipss23.BASE_URL + raw.name for raw in source.files)
    assert not any((mirror_dir() / raw.mirror).exists() for raw in source.files)


def test_probe_can_never_pass_as_the_published_workbook(tmp_path: Path) -> None:
    digest = hashlib.sha256(probe_bytes(tmp_path)).hexdigest()
    assert digest not in ipss23.PUBLISHED_SHA256.values()
