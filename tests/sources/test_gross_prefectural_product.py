"""Gross prefectural product (Cabinet Office, via an extraction): excerpt, drift, corridor sums."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import gross_prefectural_product as gpp_source

EXCERPT = "gross_prefectural_product/gpp_fy2019_fy2022_excerpt.csv"
CORRIDOR = ["埼玉県", "千葉県", "東京都", "神奈川県", "山梨県", "長野県", "静岡県", "岐阜県",
            "愛知県", "三重県", "京都府", "大阪府", "兵庫県", "奈良県"]
PULLED_SOURCES = ("soumu_codes", "census_prefectures", "gross_prefectural_product")


@pytest.fixture
def prefectures(fixtures: Path) -> dict[str, str]:
    """pref_code → name, as in the municipalities table (read here from the excerpt itself)."""
    frame = pd.read_csv(fixtures / EXCERPT, dtype=str)
    return dict(zip(frame["pref_code"], frame["prefecture"], strict=False))


def _parse(path: Path, prefectures: dict[str, str]) -> pd.DataFrame:
    return gpp_source.parse_gpp(gpp_source.read_gpp(path), prefectures, path)


def test_excerpt_is_parsed(fixtures: Path, prefectures: dict[str, str]) -> None:
    table = _parse(fixtures / EXCERPT, prefectures)
    validate_table(table, gpp_source.GPP_SCHEMA, "gpp")
    assert len(table) == 94
    tokyo = table.set_index(["pref_code", "fiscal_year"]).loc[("13", 2019)]
    assert tokyo["gpp_nominal_million_yen"] == 114_536_971
    assert tokyo["primary_industry_million_yen"] == 48_838


def test_renamed_column_is_schema_drift(copy_fixture: Callable,
                                        prefectures: dict[str, str]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace("gpp_nominal_million_yen", "gdp", 1),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="gpp_nominal_million_yen"):
        _parse(path, prefectures)


def test_unknown_prefecture_code_is_refused(fixtures: Path, prefectures: dict[str, str]) -> None:
    known = {k: v for k, v in prefectures.items() if k != "47"}
    with pytest.raises(SourceSchemaError, match=r"unexpected prefecture code \['47'\]"):
        _parse(fixtures / EXCERPT, known)


def test_code_and_name_must_agree(fixtures: Path, prefectures: dict[str, str]) -> None:
    with pytest.raises(SourceSchemaError, match="disagree"):
        _parse(fixtures / EXCERPT, {**prefectures, "13": "東京府"})


def test_missing_prefecture_year_is_refused(copy_fixture: Callable,
                                            prefectures: dict[str, str]) -> None:
    path = copy_fixture(EXCERPT)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("13,東京都,2022")),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="without all 47"):
        _parse(path, prefectures)


def test_undecodable_file_is_corrupt(fixtures: Path, tmp_path: Path,
                                     prefectures: dict[str, str]) -> None:
    path = tmp_path / "gpp.csv"
    path.write_bytes((fixtures / EXCERPT).read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(RawFileCorruptError):
        _parse(path, prefectures)


def test_real_table_reproduces_the_corridor_figures(pulled_sources: Path) -> None:
    from scityhelpers import load

    gpp = load("gpp")
    assert len(gpp) == 564
    corridor = gpp[gpp["prefecture"].isin(CORRIDOR)].groupby("fiscal_year")[
        "gpp_nominal_million_yen"].sum() / 1e6
    # japan_prefectures/SOURCES.md, 日本中央回廊 table: 359.8 / 347.8 / 360.1 / 373.8 tn yen;
    # the published "about 360 trillion yen" (国土形成計画 2023 material) matches FY2019
    assert corridor.loc[2019:2022].round(1).tolist() == [359.8, 347.8, 360.1, 373.8]
    national = gpp.groupby("fiscal_year")["gpp_nominal_million_yen"].sum() / 1e6
    # same SOURCES.md: Σ 47 prefectures 524.1 (FY2011) … 595.9 tn yen (FY2022)
    assert national.loc[[2011, 2020, 2021, 2022]].round(1).tolist() == [524.1, 559.6, 579.1, 595.9]
