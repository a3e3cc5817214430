"""IPSS 2018 municipal projection: the JSON layout on a real excerpt, drift, corruption, pins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import ipss_projections as ipss

EXCERPT = "ipss_projections/project_excerpt.json"


def parsed(path: Path):
    return ipss.parse_projection(ipss.read_json(path), path)


def test_excerpt_parses_to_persons_by_year(fixtures: Path) -> None:
    frame = parsed(fixtures / EXCERPT).set_index(["code5", "year"])
    assert len(frame) == 4 * 7
    # 札幌市, values visible in the file: total 1,952,356 in 2015 and 1,805,120 in 2045
    assert frame.loc[("01100", 2015), "population_persons"] == 1_952_356
    assert frame.loc[("01100", 2045), "population_persons"] == 1_805_120
    # 0-14 = first three age series of 2015: 70,754 + 73,595 + 77,166
    assert frame.loc[("01100", 2015), "age0_14_persons"] == 70_754 + 73_595 + 77_166
    parts = frame[["age0_14_persons", "age15_64_persons", "age65plus_persons"]].sum(axis=1)
    assert (parts == frame["population_persons"]).all()
    assert frame.loc[("40305", 2015), "name_in_edition"] == "那珂川町"  # 2018 code, as published


def test_codes_are_mapped_forward_to_today(fixtures: Path, pulled: Path) -> None:
    path = fixtures / EXCERPT
    frame = ipss.to_current_codes(parsed(path), ipss.CODES_AS_OF, path)
    names = frame.drop_duplicates("code5").set_index("code5")
    assert "40305" not in names.index
    assert names.loc["40231", ["name", "name_in_edition"]].tolist() == ["那珂川市", "那珂川町"]
    frame.insert(0, "edition", ipss.EDITION)
    validate_table(frame[ipss.PROJECTION_COLUMNS], ipss.PROJECTION_SCHEMA, "municipal_projection")


def test_renamed_key_is_schema_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace('"Code"', '"AreaCode"'),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['Code'\]"):
        parsed(path)


def test_a_missing_age_series_is_schema_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    records = json.loads(path.read_text(encoding="utf-8"))
    records[1]["PopulationList"].pop()  # 19 series: 90+ dropped
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="千代田区.*20 series"):
        parsed(path)


def test_reordered_series_no_longer_add_up(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    records = json.loads(path.read_text(encoding="utf-8"))
    series = records[0]["PopulationList"]
    series[0], series[1] = series[1], series[0]  # total moved away from position 0
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="do not add up"):
        parsed(path)


def test_unknown_municipality_type_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    records = json.loads(path.read_text(encoding="utf-8"))
    records[2]["Type"] = 5
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="unexpected municipality type"):
        parsed(path)


def test_truncated_file_is_a_corrupt_file_error(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_bytes(path.read_bytes()[:700])
    with pytest.raises(RawFileCorruptError, match="scity data pull ipss_projections"):
        ipss.read_json(path)


def test_real_table_pins_published_totals(pulled: Path) -> None:
    from scityhelpers import load

    projection = load("municipal_projection")
    totals = projection.groupby("year")["population_persons"].sum()
    # japan/SOURCES.md section 6 (verification table): Σ 2045 = 105,106,282 without
    # Fukushima; Σ 2015 + Fukushima's census 2015 (1,914,039) = 127,094,745, the official
    # 2015 census total
    assert totals[2045] == 105_106_282
    assert totals[2015] + 1_914_039 == 127_094_745
    assert projection["code5"].nunique() == 1_682  # section 4: 1,682 municipalities
    assert not projection["code5"].str.startswith("07").any()  # Fukushima not projected
    parts = projection[["age0_14_persons", "age15_64_persons", "age65plus_persons"]].sum(axis=1)
    assert (parts == projection["population_persons"]).all()
    assert set(projection["edition"]) == {2018}
