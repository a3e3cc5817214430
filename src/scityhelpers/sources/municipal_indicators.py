"""Municipal cross-sections: fiscal capacity, taxable income, My Number cards, local-government DX.

Five files behind the digital-maturity × productivity analysis, each with its own quirk:

* 総務省「地方公共団体の主要財政指標一覧」 FY2021 (6-digit codes): 将来負担比率 is ``-`` where a
  municipality has no future burden net of its available resources — not missing data.
* 総務省「市町村税課税状況等の調」 FY2024, table 11 (6-digit codes): two rows per municipality
  (市町村民税 / 道府県民税); the 市町村民税 rows give taxpayers and taxable income (千円) for
  income earned in calendar 2023.
* My Number card issuance on 2022-12-31, Code for Japan's CSV conversion of the 総務省 tables:
  codes written as integers (leading zero lost) and two codes blank (三宅村, 八丈町).
* デジタル庁 自治体DX dashboard (2024-07 release), two wide tables with **names only** in the
  first row: 1,741 columns in the order of the 全国地方公共団体コード. They are joined by
  position to today's 1,741 municipalities (Northern-Territories villages excluded, code
  order), then every name is checked through the resolver; a single disagreement means the
  column order moved and the build stops (parsing: :mod:`scityhelpers.sources._local_gov_dx`).

Every code-keyed file is checked the same way: the name beside each code must resolve to that
code (:func:`scityhelpers.reference.municipalities.resolve`), so a shifted column or an unknown code
stops the build (:mod:`scityhelpers.sources._municipal_checks`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.reference.municipalities import RESOLVER_TABLES
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._local_gov_dx import (
    LOCAL_GOV_DX_SCHEMA,
    ONLINE_SCHEMA,
    names_by_position,
    parse_dx_comparison,
    parse_online_rates,
)
from scityhelpers.sources._municipal_checks import (
    NAME_COLUMNS,
    check_names_against_codes,
    code6_to_code5,
    code_columns,
    current_municipalities,
    parse_numbers,
)
from scityhelpers.sources._shared import RESTORE_VALID_COPY, read_raw_csv, read_raw_excel

log = logging.getLogger(__name__)

SOURCE_ID = "municipal_indicators"
FILE_FISCAL = "soumu_major_fiscal_indicators_municipal_R3-FY2021.xlsx"
FILE_TAX = "soumu_municipal_tax_status_R6-FY2024_table11_J51-24-b.xlsx"
FILE_MYNUMBER = "mynumbercard_issuance_municipal_2022-12-31.csv"
FILE_DX = "digital_agency_local_gov_dx_municipal_comparison_2024-07.csv"
FILE_ONLINE = "digital_agency_local_gov_dx_online_application_rates_2024-07.csv"

# -- 主要財政指標 ------------------------------------------------------------------------------
FISCAL_YEAR = 2021
FISCAL_HEADER_ROW = 1  # row 1 title, row 2 column names
FISCAL_AVERAGE_LABEL = "全国市町村平均"
NO_FUTURE_BURDEN = "-"  # 将来負担比率: no burden net of available resources (ratio not shown)
FISCAL_COLUMNS = {
    "財政力指数": "fiscal_capacity_index",
    "経常収支比率": "current_balance_ratio_pct",
    "実質公債費比率": "real_debt_service_ratio_pct",
    "将来負担比率": "future_burden_ratio_pct",
    "ラスパイレス指数": "laspeyres_index",
}
COL_CODE, COL_PREF, COL_NAME = "団体コード", "都道府県名", "団体名"

# -- 課税状況 第11表 ---------------------------------------------------------------------------
TAX_YEAR = 2024
TAX_INCOME_YEAR = 2023  # FY2024 municipal tax is levied on income of calendar 2023
TAX_HEADER_ROW = 1  # row 1 title, row 2 names, row 3 item letters, row 4 units, data from row 5
TAX_ROW_MUNICIPAL = "市町村民税"
TAX_ROWS = ("市町村民税", "道府県民税")
COL_TAX_YEAR, COL_TAX_ROW = "年度", "表側"
COL_TAXPAYERS, COL_TAXABLE = "所得割の納税義務者数", "課税対象所得"
TAX_UNITS = {COL_TAXPAYERS: "人", COL_TAXABLE: "千円"}

# -- マイナンバーカード交付状況 -----------------------------------------------------------------
MYNUMBER_AS_OF = "2022/12/31"
MYNUMBER_POPULATION_AS_OF = "2022/01/01"
MYNUMBER_COLUMNS = ["算出基準日", "都道府県名", "市区町村名", "総数（人口）", "交付枚数",
                    "人口に対する交付枚数率", "人口算出基準日", "交付件数基準日", "団体コード"]
BLANK_CODES = ("", "<NA>")
RATE_TOLERANCE_PCT = 0.051  # the published rate is rounded to 0.1 %


# -- readers -------------------------------------------------------------------------------
def read_excel(path: Path, header: int) -> pd.DataFrame:
    """Read the only sheet of a 総務省 workbook as text-preserving objects (codes keep zeros)."""
    return read_raw_excel(path, SOURCE_ID, read_as="an xlsx workbook", advice=RESTORE_VALID_COPY,
                          header=header, dtype={COL_CODE: str, COL_TAX_YEAR: str})


def read_csv(path: Path, *, header: int | None = 0) -> pd.DataFrame:
    """Read a UTF-8 (BOM) CSV as strings, keeping blanks and ``<NA>`` as written."""
    return read_raw_csv(path, SOURCE_ID, read_as="UTF-8 CSV", dtype=str, header=header,
                        keep_default_na=False)


def _build_from_workbook(path: Path, header_row: int,
                         parse: Callable[[pd.DataFrame, Path], pd.DataFrame]) -> pd.DataFrame:
    """Parse a 総務省 workbook, check every name against its code and sort by code."""
    frame = parse(read_excel(path, header_row), path)
    frame["is_exact_name_match"] = check_names_against_codes(frame, path)
    return frame.sort_values("code5").reset_index(drop=True)


# -- 主要財政指標 ------------------------------------------------------------------------------
def parse_fiscal(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """One row per municipality: FY2021 fiscal indicators (index, % and Laspeyres index).

    ``future_burden_ratio_pct`` is NaN where 総務省 prints ``-`` (the burden is fully covered by
    available resources, so the ratio would be ≤ 0 and is not shown); ``has_future_burden`` is
    False exactly there. NaN in that column is therefore *not* missing data.
    """
    require_columns(raw, [COL_CODE, COL_PREF, COL_NAME, *FISCAL_COLUMNS], where)
    raw = raw.dropna(how="all", subset=[COL_CODE, COL_NAME, *FISCAL_COLUMNS])
    is_average = raw[COL_CODE].astype(str).str.strip() == FISCAL_AVERAGE_LABEL
    rows = raw[~is_average].copy()
    codes = rows[COL_CODE].astype(str).str.strip()
    frame = pd.DataFrame({
        "code5": code6_to_code5(codes, where).to_numpy(),
        "code6": codes.to_numpy(),
        "pref_name": rows[COL_PREF].astype(str).to_numpy(),
        "name_in_source": rows[COL_NAME].astype(str).to_numpy(),
        "fiscal_year": FISCAL_YEAR,
    })
    for source_column, column in FISCAL_COLUMNS.items():
        allowed = (NO_FUTURE_BURDEN,) if column == "future_burden_ratio_pct" else ()
        frame[column] = parse_numbers(rows[source_column].astype(object), source_column, where,
                                 allowed).to_numpy()
    frame["has_future_burden"] = ~rows["将来負担比率"].eq(NO_FUTURE_BURDEN).to_numpy()
    return frame


def build_fiscal_indicators(files: RawFiles) -> pd.DataFrame:
    """Build ``fiscal_indicators`` (FY2021, one row per municipality)."""
    return _build_from_workbook(files[FILE_FISCAL], FISCAL_HEADER_ROW, parse_fiscal)


# -- 課税状況 ---------------------------------------------------------------------------------
def parse_tax(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Taxpayers and taxable income (千円) per municipality from the 市町村民税 rows.

    The units row (人 / 千円) is checked: a workbook in 円 would make every income 1,000 times
    larger. ``taxable_income_per_taxpayer_thousand_yen`` = 課税対象所得 ÷ 所得割の納税義務者数,
    the definition of e-Stat 社会・人口統計体系 C120110 ÷ C120120.
    """
    require_columns(raw, [COL_TAX_YEAR, COL_CODE, COL_PREF, COL_NAME, COL_TAX_ROW,
                          COL_TAXPAYERS, COL_TAXABLE], where)
    units = raw.iloc[1]
    for column, unit in TAX_UNITS.items():
        if str(units[column]).strip() != unit:
            raise SourceSchemaError(
                f"{where}: column {column!r} is in {units[column]!r}, expected {unit!r}; "
                "convert the values before using them."
            )
    rows = raw.iloc[2:].dropna(how="all", subset=[COL_CODE, COL_TAX_ROW])
    require_known(rows[COL_TAX_ROW], TAX_ROWS, "表側 (tax) row", where)
    require_known(rows[COL_TAX_YEAR].astype(str), [str(TAX_YEAR)], "tax year", where)
    rows = rows[rows[COL_TAX_ROW] == TAX_ROW_MUNICIPAL]
    codes = rows[COL_CODE].astype(str).str.strip()
    taxpayers = parse_numbers(rows[COL_TAXPAYERS].astype(object), COL_TAXPAYERS, where)
    taxable = parse_numbers(rows[COL_TAXABLE].astype(object), COL_TAXABLE, where)
    frame = pd.DataFrame({
        "code5": code6_to_code5(codes, where).to_numpy(),
        "code6": codes.to_numpy(),
        "pref_name": rows[COL_PREF].astype(str).to_numpy(),
        "name_in_source": rows[COL_NAME].astype(str).to_numpy(),
        "tax_year": TAX_YEAR,
        "income_year": TAX_INCOME_YEAR,
        "taxpayers_persons": taxpayers.astype("int64").to_numpy(),
        "taxable_income_thousand_yen": taxable.astype("int64").to_numpy(),
    })
    frame["taxable_income_per_taxpayer_thousand_yen"] = (
        frame["taxable_income_thousand_yen"] / frame["taxpayers_persons"])
    if frame["code5"].duplicated().any():
        raise SourceSchemaError(f"{where}: a municipality has several {TAX_ROW_MUNICIPAL} rows.")
    return frame


def build_taxable_income(files: RawFiles) -> pd.DataFrame:
    """Build ``taxable_income`` (FY2024 assessment, income of 2023)."""
    return _build_from_workbook(files[FILE_TAX], TAX_HEADER_ROW, parse_tax)


# -- マイナンバーカード ------------------------------------------------------------------------
def parse_mynumber(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Cards issued and population per municipality; codes zero-padded, blanks kept blank.

    The rate is cards issued ÷ population (%, one decimal, as published) — not the holding
    rate published from 2023, which excludes expired and returned cards.
    """
    require_columns(raw, MYNUMBER_COLUMNS, where)
    require_known(raw["算出基準日"], [MYNUMBER_AS_OF], "reference date", where)
    require_known(raw["交付件数基準日"], [MYNUMBER_AS_OF], "issuance date", where)
    require_known(raw["人口算出基準日"], [MYNUMBER_POPULATION_AS_OF], "population date", where)
    codes = raw["団体コード"].str.strip()
    blank = codes.isin(BLANK_CODES)
    padded = codes.where(blank, codes.str.zfill(6))
    population = parse_numbers(raw["総数（人口）"], "総数（人口）", where)
    cards = parse_numbers(raw["交付枚数"], "交付枚数", where)
    rate = parse_numbers(raw["人口に対する交付枚数率"], "人口に対する交付枚数率", where)
    off = (100 * cards / population - rate).abs() > RATE_TOLERANCE_PCT
    if off.any():
        raise SourceSchemaError(
            f"{where}: {int(off.sum())} rows where 交付枚数 ÷ 総数 differs from the published "
            "rate; the columns moved."
        )
    return pd.DataFrame({
        "code6": padded.where(~blank, None),
        "pref_name": raw["都道府県名"],
        "name_in_source": raw["市区町村名"],
        "population_persons": population.astype("int64"),
        "issued_cards": cards.astype("int64"),
        "issuance_rate_pct": rate,
        "population_date": pd.Timestamp(MYNUMBER_POPULATION_AS_OF.replace("/", "-")),
        "cards_date": pd.Timestamp(MYNUMBER_AS_OF.replace("/", "-")),
    })


def fill_blank_codes(frame: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Give rows without a code the code their name resolves to (``is_code_from_name``)."""
    from scityhelpers.reference.municipalities import resolve_frame

    blank = frame["code6"].isna()
    frame = frame.assign(is_code_from_name=blank, code5=None)
    frame.loc[~blank, "code5"] = code6_to_code5(frame.loc[~blank, "code6"], where)
    if blank.any():
        resolved = resolve_frame(frame[blank], "name_in_source", "pref_name")
        frame.loc[blank, "code5"] = resolved
        log.info("%s: %d blank codes filled from names: %s", where, int(blank.sum()),
                 dict(zip(frame.loc[blank, "name_in_source"], resolved, strict=True)))
    code6 = current_municipalities().set_index("code5")["code6"]
    require_known(frame["code5"], code6.index, "municipality code", where)
    frame["code6"] = frame["code5"].map(code6)
    return frame


def build_mynumber_card(files: RawFiles) -> pd.DataFrame:
    """Build ``mynumber_card`` (cards issued by 2022-12-31, population on 2022-01-01)."""
    path = files[FILE_MYNUMBER]
    frame = fill_blank_codes(parse_mynumber(read_csv(path), path), path)
    frame["is_exact_name_match"] = check_names_against_codes(frame, path)
    twice = sorted(frame.loc[frame["code5"].duplicated(), "code5"])
    if twice:
        raise SourceSchemaError(f"{path}: codes {twice} appear twice.")
    return frame[list(MYNUMBER_SCHEMA.columns)].sort_values("code5").reset_index(drop=True)


def build_local_gov_dx(files: RawFiles) -> pd.DataFrame:
    """Build ``local_gov_dx`` (2024-07 release, one row per municipality)."""
    path = files[FILE_DX]
    frame = parse_dx_comparison(read_csv(path, header=None), path)
    frame.insert(4, "is_exact_name_match", check_names_against_codes(frame, path))
    log.info("%s: %d of %d names spelled as in the code list; variants: %s", path,
             int(frame["is_exact_name_match"].sum()), len(frame),
             frame.loc[~frame["is_exact_name_match"], "name_in_source"].tolist())
    return frame.drop(columns="pref_name")


def build_local_gov_online_application(files: RawFiles) -> pd.DataFrame:
    """Build ``local_gov_online_application`` (2024-07 release, long)."""
    path = files[FILE_ONLINE]
    raw = read_csv(path, header=None)
    check_names_against_codes(names_by_position(raw.iloc[0], path), path)
    frame = parse_online_rates(raw, path)
    return frame.sort_values(["code5", "procedure_group", "procedure"]).reset_index(drop=True)


# -- schemas -------------------------------------------------------------------------------
FISCAL_SCHEMA = pa.DataFrameSchema(
    {
        **code_columns(),
        "pref_name": pa.Column(str),
        **NAME_COLUMNS,
        "fiscal_year": pa.Column(int, pa.Check.isin([FISCAL_YEAR])),
        "fiscal_capacity_index": pa.Column(float, pa.Check.in_range(0, 5)),
        "current_balance_ratio_pct": pa.Column(float, pa.Check.in_range(0, 200)),
        "real_debt_service_ratio_pct": pa.Column(float, pa.Check.in_range(-50, 100)),
        "future_burden_ratio_pct": pa.Column(float, pa.Check.in_range(0, 1000), nullable=True),
        "has_future_burden": pa.Column(bool),
        "laspeyres_index": pa.Column(float, pa.Check.in_range(50, 150)),
    },
    checks=pa.Check(lambda df: df["future_burden_ratio_pct"].isna() == ~df["has_future_burden"],
                    error="future_burden_ratio_pct must be NaN exactly where there is no burden"),
    unique=["code5"],
    strict=True,
    coerce=True,
)

TAX_SCHEMA = pa.DataFrameSchema(
    {
        **code_columns(),
        "pref_name": pa.Column(str),
        "name_in_source": pa.Column(str),
        "tax_year": pa.Column(int, pa.Check.isin([TAX_YEAR])),
        "income_year": pa.Column(int, pa.Check.isin([TAX_INCOME_YEAR])),
        "taxpayers_persons": pa.Column(int, pa.Check.in_range(1, 10_000_000)),
        "taxable_income_thousand_yen": pa.Column(int, pa.Check.ge(0)),
        "taxable_income_per_taxpayer_thousand_yen": pa.Column(
            float, pa.Check.in_range(500, 50_000)),
        "is_exact_name_match": pa.Column(bool),
    },
    unique=["code5"],
    strict=True,
    coerce=True,
)

MYNUMBER_SCHEMA = pa.DataFrameSchema(
    {
        **code_columns(),
        "pref_name": pa.Column(str),
        **NAME_COLUMNS,
        "population_persons": pa.Column(int, pa.Check.in_range(1, 10_000_000)),
        "issued_cards": pa.Column(int, pa.Check.ge(0)),
        "issuance_rate_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "population_date": pa.Column("datetime64[ns]"),
        "cards_date": pa.Column("datetime64[ns]"),
        "is_code_from_name": pa.Column(bool),
    },
    unique=["code5"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(name="fiscal_indicators", build=build_fiscal_indicators, schema=FISCAL_SCHEMA,
              description="総務省 major fiscal indicators by municipality, FY2021 settlement",
              depends=RESOLVER_TABLES),
    TableSpec(name="taxable_income", build=build_taxable_income, schema=TAX_SCHEMA,
              description="Taxpayers and taxable income (千円) by municipality, FY2024 "
                          "(income of 2023)",
              depends=RESOLVER_TABLES),
    TableSpec(name="mynumber_card", build=build_mynumber_card, schema=MYNUMBER_SCHEMA,
              description="My Number cards issued by municipality on 2022-12-31 (Code for Japan)",
              depends=RESOLVER_TABLES),
    TableSpec(name="local_gov_dx", build=build_local_gov_dx, schema=LOCAL_GOV_DX_SCHEMA,
              description="デジタル庁 自治体DX indicators by municipality, 2024-07 release",
              depends=RESOLVER_TABLES),
    TableSpec(name="local_gov_online_application", build=build_local_gov_online_application,
              schema=ONLINE_SCHEMA,
              description="Share of applications made online, by municipality and procedure (%), "
                          "2024-07 release",
              depends=RESOLVER_TABLES),
)
