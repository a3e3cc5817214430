"""総務省 code list + OtterSou: parsed from real excerpts; drift, corruption, bad codes caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.reference.municipalities import jis_check_digit
from scityhelpers.sources import soumu_codes

XLSX = "soumu_codes/codes_excerpt.xlsx"
TSV = "soumu_codes/ottersou_excerpt.tsv"
PULLED_SOURCES = ("soumu_codes", "estat_municipal_changes")


def _files(fixtures: Path, xlsx: Path | None = None, tsv: Path | None = None) -> dict:
    return {soumu_codes.FILE_CODES: xlsx or fixtures / XLSX,
            soumu_codes.FILE_OTTERSOU: tsv or fixtures / TSV}


def test_excerpt_is_parsed_with_types_readings_and_parents(fixtures: Path) -> None:
    codes = soumu_codes.build_municipalities(_files(fixtures)).set_index("code5")
    validate_table(codes.reset_index(), soumu_codes.MUNICIPALITIES_SCHEMA, "municipalities")
    assert codes.loc["39405", ["code6", "name", "type", "county_name"]].tolist() == [
        "394050", "梼原町", "町", "高岡郡"]  # 総務省 spelling kept, not OtterSou's 檮原町
    assert codes.loc["39405", "name_kana"] == "ユスハラチョウ"  # half-width ﾕｽﾊﾗﾁｮｳ → NFKC
    assert codes.loc["39405", "name_romaji"] == "Yusuhara Town"
    assert codes.loc["01101", ["name", "type", "level", "parent_code5"]].tolist() == [
        "札幌市中央区", "政令市の区", "designated_city_ward", "01100"]
    assert codes.loc["43105", "code6"] == "431052"  # stored as a number in the workbook
    assert codes.loc["13101", "type"] == "特別区"
    assert codes.loc["01100", ["type", "is_designated_city"]].tolist() == ["政令指定都市", True]
    assert codes.loc["01000", ["type", "level", "name"]].tolist() == ["都道府県", "prefecture",
                                                                       "北海道"]
    assert codes["is_hoppo"].sum() == 6
    assert codes.loc["01696", ["name", "county_name", "is_hoppo"]].tolist() == [
        "泊村", "国後郡", True]
    assert not codes.loc["01403", "is_hoppo"]


@pytest.mark.parametrize(("code5", "digit"), [
    ("13101", "6"), ("01100", "2"), ("39405", "0"), ("43105", "2"), ("01000", "6"),
])
def test_jis_check_digit_matches_published_codes(code5: str, digit: str) -> None:
    assert jis_check_digit(code5) == digit


def test_check_digit_mask_is_true_only_for_well_formed_codes_with_the_right_digit() -> None:
    import pandas as pd

    from scityhelpers.reference.municipal_names import check_digit_ok

    codes = pd.Series(["131016", "011002", "011003", "13101", "13101x", "1310166", None],
                      index=list("abcdefg"))
    assert check_digit_ok(codes).tolist() == [True, True, False, False, False, False, False]
    assert check_digit_ok(codes).index.tolist() == list("abcdefg")


def test_renamed_header_is_schema_drift(fixtures: Path, copy_fixture: Callable,
                                        edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(XLSX)
    edit_workbook(path, "A1", "コード", sheet=soumu_codes.SHEET_ALL)
    with pytest.raises(SourceSchemaError, match="団体コード"):
        soumu_codes.build_municipalities(_files(fixtures, xlsx=path))


def test_wrong_check_digit_is_refused(fixtures: Path, copy_fixture: Callable,
                                      edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(XLSX)
    edit_workbook(path, "A3", "011003", sheet=soumu_codes.SHEET_ALL)  # 札幌市 is 011002
    with pytest.raises(SourceSchemaError, match="check digit wrong for \\['011003'\\]"):
        soumu_codes.build_municipalities(_files(fixtures, xlsx=path))


def test_unknown_municipal_type_is_refused(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(XLSX)
    book = openpyxl.load_workbook(path)
    sheet = book[soumu_codes.SHEET_ALL]
    row = next(r for r in sheet.iter_rows() if r[2].value == "当別町")
    row[2].value = "当別郡"  # a name with no municipal suffix
    book.save(path)
    with pytest.raises(SourceSchemaError, match="municipal type"):
        soumu_codes.build_municipalities(_files(fixtures, xlsx=path))


def test_ottersou_type_disagreement_is_refused(fixtures: Path, copy_fixture: Callable) -> None:
    path = copy_fixture(TSV)
    text = path.read_text(encoding="utf-8").replace("Tobetsu Town\t当別\tとうべつ\tTobetsu\t3\t35",
                                                    "Tobetsu Town\t当別\tとうべつ\tTobetsu\t3\t32")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="01303"):
        soumu_codes.build_municipalities(_files(fixtures, tsv=path))


def test_truncated_workbook_is_a_corrupt_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "codes.xlsx"
    path.write_bytes((fixtures / XLSX).read_bytes()[:2000])
    with pytest.raises(RawFileCorruptError, match="scity data pull soumu_codes"):
        soumu_codes.build_municipalities(_files(fixtures, xlsx=path))


def test_undecodable_tsv_is_a_corrupt_file(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "ottersou.tsv"
    path.write_bytes((fixtures / TSV).read_text(encoding="utf-8").encode("cp932"))
    with pytest.raises(RawFileCorruptError, match="UTF-8"):
        soumu_codes.build_municipalities(_files(fixtures, tsv=path))


def test_real_list_has_the_published_counts(pulled_sources: Path) -> None:
    from scityhelpers import load

    codes = load("municipalities")
    counts = codes.groupby("type").size().to_dict()
    # japan/SOURCES.md §1 (総務省 R6.1.1): 1,747 municipalities = 792 市 (20 政令指定都市)
    # + 23 特別区 + 743 町 + 189 村; 47 prefectures; 171 wards
    assert counts == {"都道府県": 47, "政令指定都市": 20, "市": 772, "特別区": 23, "町": 743,
                      "村": 189, "政令市の区": 171}
    assert (codes["level"] == "municipality").sum() == 1_747
    assert codes.loc[codes["is_hoppo"], "code5"].tolist() == [
        "01695", "01696", "01697", "01698", "01699", "01700"]
    # every ward's parent is one of the 20 designated cities, 浜松市 has the 3 wards of 2024
    assert set(codes["parent_code5"].dropna()) == set(codes.loc[codes["is_designated_city"],
                                                                 "code5"])
    assert codes.loc[codes["parent_code5"] == "22130", "name"].tolist() == [
        "浜松市中央区", "浜松市浜名区", "浜松市天竜区"]


def test_real_list_agrees_with_the_mirror_derivation(pulled_sources: Path) -> None:
    from scityhelpers import load

    ours = load("municipalities").set_index("code5")
    theirs = pd.read_csv(mirror_dir() / "japan/tidy/municipalities_2024-01-01.csv",
                         dtype=str).set_index("code5")
    assert sorted(ours.index) == sorted(theirs.index)
    municipal = theirs["level"] != "prefecture"  # the mirror leaves prefecture names empty
    for column in ("code6", "type", "level", "name_romaji"):
        assert ours[column].equals(theirs.loc[ours.index, column]), column
    assert ours.loc[municipal[municipal].index, "name"].equals(theirs.loc[municipal, "name"])
    assert ours["parent_code5"].fillna("").equals(
        theirs.loc[ours.index, "parent_code5"].fillna(""))
