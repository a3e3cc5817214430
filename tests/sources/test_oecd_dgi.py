"""OECD Digital Government Index 2023: real excerpt parsed, drift and new codes refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import requests

from scityhelpers.errors import FetchError, RawFileCorruptError, SourceSchemaError, TidySchemaError
from scityhelpers.pipeline.manifest import get_source
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import oecd_dgi

EXCERPT = "oecd_dgi/dgi_2023_kor_jpn_bra_excerpt.csv"
PULLED_SOURCES = (oecd_dgi.SOURCE_ID,)


def _parse(path: Path):
    return oecd_dgi.parse_dgi(oecd_dgi.read_csv(path), path)


def test_excerpt_scores_and_rank(fixtures: Path) -> None:
    table = _parse(fixtures / EXCERPT).set_index(["iso3", "dimension"])
    assert table.loc[("KOR", "composite_index"), "score"] == pytest.approx(0.935)
    assert table.loc[("KOR", "data_driven"), "score"] == 1
    assert table.loc[("JPN", "composite_index"), "score"] == pytest.approx(0.483)
    assert table.loc[("JPN", "open_default"), "composite_rank"] == 31  # rank on every row
    assert pd.isna(table.loc[("BRA", "composite_index"), "composite_rank"])  # not a member
    assert "composite_rank" not in set(table.index.get_level_values("dimension"))
    validate_table(table.reset_index(), oecd_dgi.DGI_SCHEMA, "digital_government_index")


def test_renamed_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8-sig").replace('"variable"', '"indicator"'),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['variable'\]"):
        _parse(path)


def test_new_dimension_is_refused(fixtures: Path) -> None:
    raw = oecd_dgi.read_csv(fixtures / EXCERPT)
    raw.loc[0, "variable"] = "ai_readiness"
    with pytest.raises(SourceSchemaError, match=r"unexpected DGI variable \['ai_readiness'\]"):
        oecd_dgi.parse_dgi(raw, EXCERPT)


def test_rank_for_a_non_member_is_refused(fixtures: Path) -> None:
    raw = oecd_dgi.read_csv(fixtures / EXCERPT)
    rank_row = raw[(raw["cc_iso3c"] == "JPN") & (raw["variable"] == "composite_rank")].index
    raw.loc[rank_row, "cc_iso3c"] = "BRA"
    with pytest.raises(SourceSchemaError, match="ranked country"):
        oecd_dgi.parse_dgi(raw, EXCERPT)


def test_rank_out_of_line_with_score_fails_the_schema(fixtures: Path) -> None:
    table = _parse(fixtures / EXCERPT)
    table.loc[table["iso3"] == "JPN", "composite_rank"] = 1  # JPN (0.483) above KOR (0.935)
    table.loc[table["iso3"] == "KOR", "composite_rank"] = 2
    with pytest.raises(TidySchemaError, match="does not follow"):
        validate_table(table, oecd_dgi.DGI_SCHEMA, "digital_government_index")


def test_binary_garbage_is_a_corrupt_file(garbage_file: Callable[[str], Path]) -> None:
    path = garbage_file("dgi.csv")
    with pytest.raises(RawFileCorruptError, match="scity data pull oecd_dgi"):
        oecd_dgi.read_csv(path)


def test_fetch_refuses_and_names_the_publication(tmp_path: Path) -> None:
    raw = get_source(oecd_dgi.SOURCE_ID).file(oecd_dgi.FILE_DGI_2023)
    with pytest.raises(FetchError, match=r"doi\.org/10\.1787/1a89ed5e-en.*SCITY_MIRROR"):
        oecd_dgi.fetch(raw, tmp_path / raw.name, requests.Session())
    assert not (tmp_path / raw.name).exists()


def test_real_table_pins_published_ranks(pulled_sources: Path) -> None:
    from scityhelpers import load

    dgi = load("digital_government_index")
    composite = dgi[dgi["dimension"] == "composite_index"].set_index("iso3")
    # OECD (2024), 2023 OECD Digital Government Index, composite ranking (figure 1): Korea
    # first with 0.935, Denmark second, Japan 31st of 33 (values as extracted, SOURCES.md §7)
    assert composite.loc["KOR", "composite_rank"] == 1
    assert composite.loc["KOR", "score"] == pytest.approx(0.935)
    assert composite.loc["DNK", "composite_rank"] == 2
    assert composite.loc["JPN", "composite_rank"] == 31
    assert composite["composite_rank"].notna().sum() == 33
    assert len(composite) == 38
