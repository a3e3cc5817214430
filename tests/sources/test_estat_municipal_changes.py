"""e-Stat LOD municipal changes: parsed from a real excerpt; drift, corruption, new reasons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import estat_municipal_changes as changes_source

EXCERPT = "estat_municipal_changes/changes_excerpt.json"
PULLED_SOURCES = ("soumu_codes", "estat_municipal_changes")


def _parse(path: Path) -> pd.DataFrame:
    return changes_source.build_municipal_changes({changes_source.FILE_CHANGES: path})


def test_excerpt_is_flattened_one_row_per_pair(fixtures: Path) -> None:
    changes = _parse(fixtures / EXCERPT)
    validate_table(changes, changes_source.MUNICIPAL_CHANGES_SCHEMA, "municipal_changes")
    assert len(changes) == 32
    tomiya = changes[changes["old_code5"] == "04423"].iloc[0]
    assert (tomiya["date"], tomiya["reason_ja"], tomiya["new_code5"], tomiya["new_name"]) == (
        pd.Timestamp("2016-10-10"), "市制施行", "04216", "富谷市")
    # 上九一色村 was split between 甲府市 and 富士河口湖町: two rows
    split = changes[changes["old_code5"] == "19341"]
    assert split["new_code5"].tolist() == ["19201", "19430"]
    assert changes["date"].is_monotonic_increasing


def test_missing_event_field_is_schema_drift(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["changes"][3]["new"]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"event 3 lacks \['new'\]"):
        _parse(path)


def test_new_reason_is_refused(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["changes"][0]["reason"] = "establishmentOfSpecialCity"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="establishmentOfSpecialCity"):
        _parse(path)


def test_relabelled_reason_is_refused(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["reasons"]["absorption"] = "合併"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="reason labels"):
        _parse(path)


def test_truncated_json_is_a_corrupt_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    path.write_bytes((fixtures / EXCERPT).read_bytes()[:700])
    with pytest.raises(RawFileCorruptError, match="scity data pull estat_municipal_changes"):
        _parse(path)


def test_real_table_has_the_published_event_counts(pulled_sources: Path) -> None:
    from scityhelpers import load

    changes = load("municipal_changes")
    # japan/SOURCES.md §2: 2,248 events 1970-07-01 … 2024-01-01, 2,002 since 2000,
    # and the count per reason
    assert len(changes) == 2_248
    assert (changes["date"] >= "2000-01-01").sum() == 2_002
    assert (changes["date"].min(), changes["date"].max()) == (
        pd.Timestamp("1970-07-01"), pd.Timestamp("2024-01-01"))
    assert changes["reason_ja"].value_counts().to_dict() == {
        "新設合併": 1_472, "編入合併": 454, "郡の廃止": 171, "市制施行": 105,
        "政令指定都市施行": 14, "郡の区域変更": 11, "名称変更": 10, "区の再編": 8, "分割": 3}
    theirs = pd.read_csv(mirror_dir() / "japan/tidy/municipal_changes_1970-2024.csv", dtype=str)
    pairs = set(zip(changes["old_code5"], changes["new_code5"], strict=True))
    assert pairs == set(zip(theirs["old_code5"], theirs["new_code5"], strict=True))
