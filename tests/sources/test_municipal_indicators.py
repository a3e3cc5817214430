"""Municipal indicators: real excerpts of each file, drift, corruption, unknown codes, pins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.sources import _local_gov_dx as dx
from scityhelpers.sources import _municipal_checks as checks
from scityhelpers.sources import municipal_indicators as mi

FIX = "municipal_indicators"


def fiscal(path: Path) -> pd.DataFrame:
    return mi.parse_fiscal(mi.read_excel(path, mi.FISCAL_HEADER_ROW), path)


def tax(path: Path) -> pd.DataFrame:
    return mi.parse_tax(mi.read_excel(path, mi.TAX_HEADER_ROW), path)


def test_fiscal_excerpt(fixtures: Path) -> None:
    frame = fiscal(fixtures / FIX / "fiscal_excerpt.xlsx").set_index("code5")
    assert len(frame) == 7  # the 全国市町村平均 row is dropped
    assert frame.loc["01209", "real_debt_service_ratio_pct"] == pytest.approx(68.3)  # 夕張市
    assert frame.loc["23427", "fiscal_capacity_index"] == pytest.approx(2.10)  # 飛島村
    # '-' = no net future burden: NaN with the flag off, never 0 or missing data
    assert not frame.loc["23427", "has_future_burden"]
    assert pd.isna(frame.loc["23427", "future_burden_ratio_pct"])
    assert frame.loc["01209", "future_burden_ratio_pct"] == pytest.approx(274)


def test_fiscal_names_agree_with_codes(fixtures: Path, pulled: Path) -> None:
    path = fixtures / FIX / "fiscal_excerpt.xlsx"
    exact = checks.check_names_against_codes(fiscal(path), path)
    assert exact.sum() == 6  # 鰺ケ沢町 is written with ケ, the code list with ヶ


def test_fiscal_renamed_column_is_drift(copy_fixture: Callable[[str], Path],
                                        edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(f"{FIX}/fiscal_excerpt.xlsx")
    edit_workbook(path, "D2", "財政力指数（3か年平均）")
    with pytest.raises(SourceSchemaError, match="財政力指数"):
        fiscal(path)


def test_fiscal_text_in_a_ratio_is_refused(copy_fixture: Callable[[str], Path],
                                           edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(f"{FIX}/fiscal_excerpt.xlsx")
    edit_workbook(path, "E3", "-")  # '-' is meaningful only for 将来負担比率
    with pytest.raises(SourceSchemaError, match="経常収支比率"):
        fiscal(path)


def test_fiscal_unknown_code_is_refused(copy_fixture: Callable[[str], Path],
                                        edit_workbook: Callable[..., None], pulled: Path) -> None:
    path = copy_fixture(f"{FIX}/fiscal_excerpt.xlsx")
    edit_workbook(path, "A3", "019992")  # valid check digit, no such municipality
    frame = fiscal(path)
    with pytest.raises(SourceSchemaError, match="unexpected municipality code"):
        checks.check_names_against_codes(frame, path)


def test_a_wrong_check_digit_is_refused(copy_fixture: Callable[[str], Path],
                                        edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(f"{FIX}/fiscal_excerpt.xlsx")
    edit_workbook(path, "A3", "011003")
    with pytest.raises(SourceSchemaError, match="invalid 6-digit codes"):
        fiscal(path)


def test_tax_excerpt(fixtures: Path) -> None:
    frame = tax(fixtures / FIX / "tax_excerpt.xlsx").set_index("code5")
    assert len(frame) == 4  # 市町村民税 rows only
    assert frame.loc["01100", "taxpayers_persons"] == 874_563
    per_taxpayer = frame["taxable_income_per_taxpayer_thousand_yen"].round()
    # japan/SOURCES.md section 8: minimum 2,448 (西目屋村), maximum 17,808 (港区), 千円
    assert per_taxpayer["02343"] == 2_448
    assert per_taxpayer["13103"] == 17_808


def test_tax_in_yen_instead_of_thousands_is_refused(copy_fixture: Callable[[str], Path],
                                                    edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(f"{FIX}/tax_excerpt.xlsx")
    edit_workbook(path, "N4", "円")
    with pytest.raises(SourceSchemaError, match="課税対象所得.*'円'"):
        tax(path)


def test_tax_unknown_row_kind_is_refused(copy_fixture: Callable[[str], Path],
                                         edit_workbook: Callable[..., None]) -> None:
    path = copy_fixture(f"{FIX}/tax_excerpt.xlsx")
    edit_workbook(path, "E5", "特別区民税")
    with pytest.raises(SourceSchemaError, match="特別区民税"):
        tax(path)


def test_truncated_workbook_is_a_corrupt_file_error(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(f"{FIX}/tax_excerpt.xlsx")
    path.write_bytes(path.read_bytes()[:1_500])
    with pytest.raises(RawFileCorruptError, match="scity data pull municipal_indicators"):
        tax(path)


def test_mynumber_excerpt_fills_blank_codes_by_name(fixtures: Path, pulled: Path) -> None:
    path = fixtures / FIX / "mynumber_excerpt.csv"
    frame = mi.fill_blank_codes(mi.parse_mynumber(mi.read_csv(path), path), path)
    codes = frame.set_index("name_in_source")["code5"]
    assert codes["石狩郡当別町"] == "01303"  # 13030 in the file: zero restored
    assert codes["三宅村"] == "13381"  # blank in the file: japan/SOURCES.md gives 133817
    assert codes["八丈町"] == "13401"  # and 134015
    assert frame["is_code_from_name"].sum() == 2
    exact = checks.check_names_against_codes(frame, path)
    assert exact.sum() == len(frame) - 1  # 高岡郡檮原町: variant kanji


def test_mynumber_rate_out_of_step_means_moved_columns(copy_fixture: Callable[[str], Path]
                                                      ) -> None:
    path = copy_fixture(f"{FIX}/mynumber_excerpt.csv")
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",56.8,", ",65.8,"),
                    encoding="utf-8-sig")
    with pytest.raises(SourceSchemaError, match="published rate"):
        mi.parse_mynumber(mi.read_csv(path), path)


def test_mynumber_renamed_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(f"{FIX}/mynumber_excerpt.csv")
    path.write_text(path.read_text(encoding="utf-8-sig").replace("交付枚数\"", "交付件数\"", 1),
                    encoding="utf-8-sig")
    with pytest.raises(SourceSchemaError, match="交付枚数"):
        mi.parse_mynumber(mi.read_csv(path), path)


def test_mynumber_undecodable_bytes_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes("算出基準日,団体コード\n".encode("cp932") * 3)
    with pytest.raises(RawFileCorruptError):
        mi.read_csv(path)


def test_dx_values_are_typed(fixtures: Path) -> None:
    raw = mi.read_csv(fixtures / FIX / "dx_comparison_columns_excerpt.csv", header=None)
    body = dx._strip_labels(raw.iloc[1:]).set_index(1)
    flags = dx._flag(body.loc["CIOの任命", [2, 3]], "CIO", "excerpt")
    assert flags.tolist() == [True, False]  # 札幌市 実施, 函館市 未実施
    pct = dx._pct(body.loc["マイナンバーカードの保有状況", [2, 7]], "card", "excerpt")
    assert pct.tolist() == [72.0, 80.0]  # 札幌市 72%, 檮原町 80%
    assert dx._flag(pd.Series(["調査無し"]), "CIO", "x").isna().all()
    assert dx._pct(pd.Series(["%"]), "32", "x").isna().all()  # 0 of 0 procedures


def test_dx_new_value_is_refused() -> None:
    with pytest.raises(SourceSchemaError, match="一部実施"):
        dx._flag(pd.Series(["実施", "一部実施"]), "CIOの任命", "x")


def test_dx_columns_must_cover_every_municipality(fixtures: Path, pulled: Path) -> None:
    path = fixtures / FIX / "dx_comparison_columns_excerpt.csv"
    raw = mi.read_csv(path, header=None)
    with pytest.raises(SourceSchemaError, match="6 municipality columns, expected 1741"):
        dx.parse_dx_comparison(raw, path)


def test_dx_shifted_columns_are_caught_by_names(pulled: Path) -> None:
    from scityhelpers.pipeline.tidy import raw_files

    path = raw_files(mi.SOURCE_ID)[mi.FILE_DX]
    header = mi.read_csv(path, header=None).iloc[0]
    names = header.iloc[dx.FIRST_NAME_COLUMN:]
    shifted = pd.concat([header.iloc[:dx.FIRST_NAME_COLUMN],
                         pd.Series(names.to_numpy()[[1, 0, *range(2, len(names))]],
                                   index=names.index)])
    pairs = dx.names_by_position(shifted, path)
    with pytest.raises(SourceSchemaError, match="2 name.*disagree"):
        checks.check_names_against_codes(pairs, path)


def test_online_rates_excerpt(fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fixtures / FIX / "dx_online_rates_columns_excerpt.csv"
    raw = mi.read_csv(path, header=None)
    six = pd.DataFrame({"code5": ["01100", "01202", "01203", "01204", "01205", "39405"],
                        "code6": "x", "pref_name": "x"})
    monkeypatch.setattr(dx, "current_municipalities", lambda: six)
    frame = dx.parse_online_rates(raw, path).set_index(["code5", "procedure"])
    # 札幌市: 図書館の図書貸出予約等 88.8%, 文化・スポーツ施設等の利用予約等 99.9%
    assert frame.loc[("01100", "図書館の図書貸出予約等"), "online_application_share_pct"] == 88.8
    assert ("01203", "文化・スポーツ施設等の利用予約等") not in frame.index  # empty cell
    assert set(frame.reset_index()["procedure_group"]) <= set(dx.ONLINE_GROUPS)


def test_real_tables_pin_published_figures(pulled: Path) -> None:
    from scityhelpers import load

    # japan/SOURCES.md section 8, "Verification (pandas, 2026-11-25)"
    fiscal_table = load("fiscal_indicators")
    assert len(fiscal_table) == 1_741
    assert (~fiscal_table["has_future_burden"]).sum() == 816
    capacity = fiscal_table["fiscal_capacity_index"]
    assert (capacity.min(), capacity.median(), capacity.max()) == (0.06, 0.45, 2.10)
    assert fiscal_table["real_debt_service_ratio_pct"].max() == 68.3

    income = load("taxable_income")
    assert income["taxpayers_persons"].sum() == 57_151_834
    assert income["taxable_income_thousand_yen"].sum() == 224_819_386_035
    assert round(income["taxable_income_per_taxpayer_thousand_yen"].median()) == 3_181

    cards = load("mynumber_card")
    assert cards["population_persons"].sum() == 125_927_902
    assert cards["issued_cards"].sum() == 71_905_789
    assert round(100 * cards["issued_cards"].sum() / cards["population_persons"].sum(), 1) == 57.1
    assert cards["is_code_from_name"].sum() == 2

    dx = load("local_gov_dx")
    assert len(dx) == 1_741
    assert (int(dx["has_cio"].sum()), int(dx["has_ai"].sum()), int(dx["has_rpa"].sum())) == (
        1_270, 879, 720)
    holding = dx["mynumber_card_holding_pct"]
    assert (holding.median(), holding.min(), holding.max()) == (74, 50, 94)
    # positional join: 1,740 names identical, 1 kanji variant (檮原町)
    assert dx["is_exact_name_match"].sum() == 1_740
    assert dx.loc[~dx["is_exact_name_match"], "name_in_source"].tolist() == ["檮原町"]
    assert len(load("local_gov_online_application")) == 23_952  # filled cells
