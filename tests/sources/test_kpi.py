"""Digital Garden City KPIs: a real excerpt is typed, drift and bad values refused, rows pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import kpi

EXCERPT = "kpi/kpis_K01_K04_K14_excerpt.csv"


def build(path: Path):
    return kpi.build_kpis({kpi.FILE_KPIS: path})


def test_excerpt_types_actuals(fixtures: Path) -> None:
    table = validate_table(build(fixtures / EXCERPT), kpi.KPIS_SCHEMA, "kpis")
    k01 = table[table["kpi_id"] == "K01"]
    assert k01["actual_value"].tolist()[:3] == [654.0, 916.0, 1348.0]  # offices, FY2019-21
    assert k01["target_value"].iloc[0] == "1000;1200"  # several targets stay as published
    assert table.loc[table["kpi_id"] == "K04", "actual_value"].isna().all()  # none found


def test_text_in_actual_value_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace(",654,", ",約654,"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="約654"):
        build(path)


def test_renamed_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace("actual_as_of", "as_of", 1),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="actual_as_of"):
        build(path)


def test_binary_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / kpi.FILE_KPIS
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe" * 10)
    with pytest.raises(RawFileCorruptError):
        build(path)


def test_real_table(pulled: Path) -> None:
    from scityhelpers import load

    table = load("kpis")
    # kpi/SOURCES.md: 34 rows, 15 KPIs, 11 of them with at least one actual value, of which
    # K09 only a qualitative status (no number); K04, K05, K10, K15 none
    assert len(table) == 34
    assert table["kpi_id"].nunique() == 15
    numeric = set(table.loc[table["actual_value"].notna(), "kpi_id"])
    assert len(numeric | {"K09"}) == 11
    assert not numeric & {"K04", "K05", "K09", "K10", "K15"}
