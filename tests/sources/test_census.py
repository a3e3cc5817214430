"""Census 2015 and 2020: real excerpts; drift, corruption, unknown codes; published totals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import census

EXCERPT_2015 = "census/census2015_table00100_excerpt_cp932.csv"
TOTAL_2020 = "census/census2020_population_excerpt_estat0003445078.csv"
AGE_2020 = "census/census2020_age65plus_excerpt_estat0003445162.csv"
KNOWN = {"01100", "01101", "01202", "04216", "13101", "22130", "39405"}


PULLED_SOURCES = ("soumu_codes", "estat_municipal_changes", "census")


def _parse_2015(path: Path) -> pd.DataFrame:
    return census.build_census2015({census.FILE_2015: path})


def _parse_2020(total: Path, age: Path, known: set[str] = KNOWN) -> pd.DataFrame:
    return census.parse_census2020(census.read_csv_2020(total), census.read_csv_2020(age),
                                   known, "test")


def test_2015_excerpt_row_kinds_and_values(fixtures: Path) -> None:
    table = _parse_2015(fixtures / EXCERPT_2015).set_index("area_code")
    validate_table(table.reset_index(), census.CENSUS2015_SCHEMA, "census2015_municipal")
    assert table.loc["00000", ["row_kind", "population_2015_persons"]].tolist() == [
        "national", 127_094_745]
    assert table.loc["00000", "area_km2"] == pytest.approx(377_970.75)
    kinds = table["row_kind"].to_dict()
    assert kinds["00001"] == "aggregate_shibu_gunbu"
    assert kinds["01100"] == "designated_city"
    assert kinds["01101"] == "designated_city_ward"
    assert kinds["01300"] == "county_or_subprefecture"   # 石狩振興局
    assert kinds["13100"] == "special_wards_area"
    assert kinds["13101"] == "municipality"               # a special ward is a municipality
    assert kinds["04423"] == "municipality"
    # former municipalities: a letter code when the number is today's (函館市), else the old code
    assert table.loc["0120B", ["code5", "name", "row_kind", "parent_code5"]].tolist() == [
        "01202", "函館市", "former_municipality_2000", "01202"]
    assert table.loc["01339", ["name", "parent_code5", "population_2015_persons"]].tolist() == [
        "戸井町", "01202", 2_677]
    # 長野県山口村 moved to 岐阜県中津川市 in 2005: full old code, prefecture stripped
    assert table.loc["20431", ["code5", "name", "parent_code5"]].tolist() == [
        "20431", "山口村", "21206"]
    assert table.loc["07546", "population_2015_persons"] == 0  # 双葉町, evacuated


def test_2015_missing_item_code_is_schema_drift(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT_2015)
    path.write_bytes(path.read_bytes().replace(b'"103"', b'"113"', 1))
    with pytest.raises(SourceSchemaError, match=r"item code\(s\) \['103'\]"):
        _parse_2015(path)


def test_2015_other_table_is_refused(copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT_2015)
    path.write_bytes(path.read_bytes().replace(b'"00100"', b'"00200"', 1))
    with pytest.raises(SourceSchemaError, match="expected e-Stat table 00100"):
        _parse_2015(path)


def test_2015_non_numeric_value_is_refused(copy_fixture: Callable) -> None:
    path = copy_fixture(EXCERPT_2015)
    path.write_bytes(path.read_bytes().replace(b'"58,406"', b'"X"', 1))  # 千代田区
    with pytest.raises(SourceSchemaError, match="13101"):
        _parse_2015(path)


def test_2015_undecodable_bytes_are_a_corrupt_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "census2015.csv"
    raw = (fixtures / EXCERPT_2015).read_bytes()
    path.write_bytes(raw[:300] + b"\x82\xff\xff" + raw[300:])  # an invalid Shift_JIS pair
    with pytest.raises(RawFileCorruptError, match="cp932"):
        _parse_2015(path)


def test_2015_utf8_reencoded_file_is_a_corrupt_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "census2015.csv"
    path.write_bytes((fixtures / EXCERPT_2015).read_bytes().decode("cp932").encode("utf-8"))
    with pytest.raises(RawFileCorruptError):
        _parse_2015(path)


def test_2020_excerpt_joins_total_and_65plus(fixtures: Path) -> None:
    table = _parse_2020(fixtures / TOTAL_2020, fixtures / AGE_2020).set_index("code5")
    assert table.loc["01100"].tolist() == [1_973_395, 541_242]      # 札幌市
    assert table.loc["39405", "population_2020_persons"] == 3_307    # 梼原町
    assert len(table) == 7


def test_2020_unknown_code_is_refused(fixtures: Path) -> None:
    with pytest.raises(SourceSchemaError, match=r"unexpected municipal code \['39405'\]"):
        _parse_2020(fixtures / TOTAL_2020, fixtures / AGE_2020, KNOWN - {"39405"})


def test_2020_renamed_column_is_schema_drift(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(AGE_2020)
    path.write_text(path.read_text(encoding="utf-8").replace("elderlyPopulation", "age65"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="elderlyPopulation"):
        _parse_2020(fixtures / TOTAL_2020, path)


def test_2020_code_in_one_file_only_is_refused(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(AGE_2020)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("39405")),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="only one of"):
        _parse_2020(fixtures / TOTAL_2020, path)


def test_2020_binary_garbage_is_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00" * 30)
    with pytest.raises(RawFileCorruptError, match="scity data pull census"):
        census.read_csv_2020(path)


def test_real_tables_pin_the_published_totals(pulled_sources: Path) -> None:
    from scityhelpers import load

    census2020 = load("census2020_municipal")
    municipal = census2020[census2020["level"] == "municipality"]
    # japan/SOURCES.md §6: Σ over the 1,747 municipalities (wards excluded) = 126,146,099,
    # the official 2020 total (総務省統計局, 令和2年国勢調査 人口等基本集計, 2021-11-30)
    assert municipal["population_2020_persons"].sum() == 126_146_099
    assert municipal["age65plus_2020_persons"].sum() == 35_335_805  # age-known 65+
    # wards add up to their cities, except 浜松市 whose 2024 wards were never tabulated
    wards = census2020.merge(load("municipalities")[["code5", "parent_code5"]], on="code5")
    by_city = wards.groupby("parent_code5")["population_2020_persons"].sum()
    city = municipal.set_index("code5")["population_2020_persons"]
    complete = by_city.index.drop("22130")
    assert (by_city[complete] == city[complete]).all()

    census2015 = load("census2015_municipal")
    kinds = census2015["row_kind"].value_counts().to_dict()
    # japan/SOURCES.md §3: 1,721 municipality + 20 designated_city = 1,741; 175 wards
    assert (kinds["municipality"], kinds["designated_city"], kinds["designated_city_ward"]) == (
        1_721, 20, 175)
    units2015 = census2015[census2015["row_kind"].isin(["municipality", "designated_city"])]
    # = the national row = the official 2015 total (平成27年国勢調査 人口等基本集計)
    assert units2015["population_2015_persons"].sum() == 127_094_745
    assert census2015.loc[census2015["area_code"] == "00000",
                          "population_2015_persons"].item() == 127_094_745


def test_panel_on_2024_codes_reproduces_the_published_counts(pulled_sources: Path) -> None:
    from scityhelpers import load

    panel = load("population_2015_2020").set_index("code5")
    municipal = panel[panel["level"] == "municipality"]
    assert municipal["population_2015_persons"].sum() == 127_094_745
    # the two code changes since 2015 are carried through the change history
    assert panel.loc["04216", "population_2015_persons"] == 51_591   # 富谷町 04423 in 2015
    assert panel.loc["40231", "population_2015_persons"] == 50_004   # 那珂川町 40305 in 2015
    both = municipal.dropna(subset=["population_2015_persons", "population_2020_persons"])
    # japan/SOURCES.md §6: 1,419 of 1,740 municipalities with both values declined
    assert len(both) == 1_740
    assert (both["population_2020_persons"] < both["population_2015_persons"]).sum() == 1_419
    # 浜松市北区 was split in 2024: its successors get no 2015 value, 天竜区 (unchanged) does
    assert panel.loc[["22138", "22139"], "population_2015_persons"].isna().all()
    assert panel.loc["22140", "population_2015_persons"] > 0


def test_real_tables_agree_with_the_mirror_derivations(pulled_sources: Path) -> None:
    from scityhelpers import load

    tidy = mirror_dir() / "japan" / "tidy"
    theirs2020 = pd.read_csv(tidy / "census2020_municipal.csv", dtype={"code5": str})
    ours2020 = load("census2020_municipal").set_index("code5")
    theirs2020 = theirs2020.set_index("code5").drop(index="07546")  # the mirror sets 双葉町 to 0
    assert ours2020.loc[theirs2020.index, "population_2020_persons"].astype("Float64").equals(
        theirs2020["pop_2020"].astype("Float64"))
    theirs2015 = pd.read_csv(tidy / "census2015_municipal_table00100.csv", dtype={"code5": str})
    theirs2015 = theirs2015[theirs2015["row_kind"].isin(["municipality", "designated_city"])]
    ours2015 = load("census2015_municipal")
    ours2015 = ours2015[ours2015["row_kind"].isin(["municipality", "designated_city"])]
    assert dict(zip(ours2015["code5"], ours2015["population_2015_persons"], strict=True)) == dict(
        zip(theirs2015["code5"], theirs2015["pop_2015"], strict=True))
