"""Digital Agency TopoJSON outlines: excerpt index, drift, corruption, code-list agreement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import boundaries, soumu_codes

MUNICIPAL = "boundaries/municipality_area_excerpt.topojson"
PULLED_SOURCES = ("soumu_codes", "boundaries")


@pytest.fixture
def code_list(fixtures: Path) -> pd.DataFrame:
    """The 総務省 excerpt with exactly the municipalities of the TopoJSON excerpt."""
    return soumu_codes.build_municipalities({
        soumu_codes.FILE_CODES: fixtures / "soumu_codes/codes_excerpt.xlsx",
        soumu_codes.FILE_OTTERSOU: fixtures / "soumu_codes/ottersou_excerpt.tsv"})


def _index(path: Path) -> pd.DataFrame:
    return boundaries.parse_municipal_index(boundaries.read_topology(path), path)


def test_excerpt_index_matches_the_code_list(fixtures: Path, code_list: pd.DataFrame) -> None:
    index = _index(fixtures / MUNICIPAL)
    boundaries.check_against_code_list(index, code_list, MUNICIPAL)
    validate_table(index, boundaries.BOUNDARY_INDEX_SCHEMA, "municipal_boundary_index")
    by_code = index.set_index("code5")
    assert by_code.loc["39405", ["code6", "city_name", "county_name"]].tolist() == [
        "394050", "檮原町", "高岡郡"]  # the 総務省 writes 梼原町: matched after normalisation
    assert by_code["is_hoppo"].sum() == 6
    # 千代田区 (皇居) centroid, and 札幌市 in the Ishikari plain
    assert by_code.loc["13101", "centroid_lon_deg"] == pytest.approx(139.75, abs=0.02)
    assert by_code.loc["13101", "centroid_lat_deg"] == pytest.approx(35.69, abs=0.02)
    assert 141.0 < by_code.loc["01100", "centroid_lon_deg"] < 141.5


def test_missing_property_is_schema_drift(copy_fixture: Callable) -> None:
    path = copy_fixture(MUNICIPAL)
    topology = json.loads(path.read_text(encoding="utf-8"))
    (collection,) = topology["objects"].values()
    for geometry in collection["geometries"]:
        geometry["properties"]["code"] = geometry["properties"].pop("lg_code_5")
    path.write_text(json.dumps(topology, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="lg_code_5"):
        _index(path)


def test_geometry_for_an_unknown_code_is_refused(fixtures: Path, copy_fixture: Callable,
                                                 code_list: pd.DataFrame) -> None:
    path = copy_fixture(MUNICIPAL)
    topology = json.loads(path.read_text(encoding="utf-8"))
    (collection,) = topology["objects"].values()
    collection["geometries"][0]["properties"]["lg_code_5"] = "01199"
    path.write_text(json.dumps(topology, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"not in the 総務省 list: \['01199'\]"):
        boundaries.check_against_code_list(_index(path), code_list, path)


def test_mislabelled_geometry_is_refused(fixtures: Path, code_list: pd.DataFrame) -> None:
    index = _index(fixtures / MUNICIPAL)
    index.loc[index["code5"] == "13206", "city_name"] = "府中町"
    with pytest.raises(SourceSchemaError, match="13206"):
        boundaries.check_against_code_list(index, code_list, MUNICIPAL)


def test_truncated_file_is_corrupt(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "area.topojson"
    path.write_bytes((fixtures / MUNICIPAL).read_bytes()[:5000])
    with pytest.raises(RawFileCorruptError, match="scity data pull boundaries"):
        boundaries.read_topology(path)


def test_geojson_instead_of_topojson_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "area.topojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(RawFileCorruptError, match="not a TopoJSON"):
        boundaries.read_topology(path)


def test_real_index_covers_every_municipality(pulled_sources: Path) -> None:
    from scityhelpers import load

    index = load("municipal_boundary_index")
    municipalities = load("municipalities")
    # japan/SOURCES.md §6: 1,747 geometries, every code matching the list
    assert len(index) == 1_747
    assert set(index["code5"]) == set(
        municipalities.loc[municipalities["level"] == "municipality", "code5"])
    assert index.loc[index["is_hoppo"], "code5"].tolist() == [
        "01695", "01696", "01697", "01698", "01699", "01700"]
