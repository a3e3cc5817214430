"""2020 Census by prefecture (raw e-Stat CSV): real excerpt, drift, corruption, published total."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import census_prefectures

EXCERPT = "census_prefectures/feh_prefectures_excerpt.csv"
#: the 14 prefectures whose sums reproduce the 日本中央回廊 figures (japan_prefectures/SOURCES.md)
CORRIDOR = ["埼玉県", "千葉県", "東京都", "神奈川県", "山梨県", "長野県", "静岡県", "岐阜県",
            "愛知県", "三重県", "京都府", "大阪府", "兵庫県", "奈良県"]
PULLED_SOURCES = ("soumu_codes", "census_prefectures", "gross_prefectural_product")


def _parse(path: Path) -> pd.DataFrame:
    return census_prefectures.build_prefecture_population({census_prefectures.FILE_FEH: path})


def test_excerpt_keeps_the_47_prefectures(fixtures: Path) -> None:
    table = _parse(fixtures / EXCERPT)
    validate_table(table, census_prefectures.PREFECTURE_POPULATION_SCHEMA,
                   "prefecture_population_2020")
    assert len(table) == 47
    tokyo = table.set_index("pref_code").loc["13"]
    assert tokyo.tolist() == ["東京都", 14_047_594, 6_898_388, 7_149_206]
    assert table["population_total_persons"].sum() == 126_146_099


def test_renamed_column_is_schema_drift(copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("総数", "人口", 1),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"missing column\(s\) \['総数'\]"):
        _parse(path)


def test_prefectures_not_adding_up_to_the_nation_are_refused(copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(
        '13000,東京都,"14,047,594","6,898,388","7,149,206"',
        '13000,東京都,"14,047,595","6,898,389","7,149,206"'), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="do not add up"):
        _parse(path)


def test_unexpected_prefecture_code_is_refused(copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT)
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text + '48000,架空県,"1","1","0"\n', encoding="utf-8")
    with pytest.raises(SourceSchemaError, match=r"unexpected prefecture code \['48'\]"):
        _parse(path)


def test_undecodable_file_is_corrupt(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "feh.csv"
    path.write_bytes((fixtures / EXCERPT).read_text(encoding="utf-8-sig").encode("cp932"))
    with pytest.raises(RawFileCorruptError, match="scity data pull census_prefectures"):
        _parse(path)


def test_real_table_pins_the_published_totals(pulled_sources: Path) -> None:
    from scityhelpers import load

    population = load("prefecture_population_2020").set_index("prefecture")
    # 令和2年国勢調査 人口等基本集計 (2021-11-30): Japan 126,146,099
    assert population["population_total_persons"].sum() == 126_146_099
    # japan_prefectures/SOURCES.md, 日本中央回廊 check: 14 prefectures = 72.90 million
    assert round(population.loc[CORRIDOR, "population_total_persons"].sum() / 1e6, 2) == 72.90
    mirror = pd.read_csv(mirror_dir() / "japan_prefectures/population_census2020_by_prefecture.csv",
                         dtype={"pref_code": str}).set_index("prefecture")
    assert (population["population_total_persons"] == mirror.loc[population.index,
                                                                 "population_total"]).all()
