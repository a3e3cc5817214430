"""Nominal gross prefectural product (県内総生産, 生産側, 名目), FY2011–FY2022.

Cabinet Office (内閣府 経済社会総合研究所) 県民経済計算, 2008SNA 2015 base, the release covering
FY2011–FY2022, 主要系列表1 (``syuyo1.xlsx``). The copy read here is a third-party extraction of
that workbook flattened to CSV: values are unchanged, but it is not the official file. Million
yen at current prices, Japanese fiscal years (April–March). The total is not the sum of the
three industry groups (it adds taxes on imports and subtracts consumption tax on gross capital
formation), and every release revises past years.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import pref_code_column, read_raw_csv

SOURCE_ID = "gross_prefectural_product"
OFFICIAL_PAGE = ("https://www.esri.cao.go.jp/jp/sna/data/data_list/kenmin/files/contents/"
                 "main_2022.html")
OFFICIAL_FILE = ("https://www.esri.cao.go.jp/jp/sna/data/data_list/kenmin/files/contents/"
                 "tables/2022/syuyo1.xlsx")
FILE_GPP = "gross_prefectural_product_nominal_fy2011_2022.csv"
VALUE_COLUMNS = ["gpp_nominal_million_yen", "primary_industry_million_yen",
                 "secondary_industry_million_yen", "tertiary_industry_million_yen"]
COLUMNS = ["pref_code", "prefecture", "fiscal_year", *VALUE_COLUMNS]


def read_gpp(path: Path) -> pd.DataFrame:
    """Read the extraction as text (codes keep their leading zero)."""
    return read_raw_csv(path, SOURCE_ID, read_as="a UTF-8 CSV", advice="", encoding="utf-8",
                        dtype=str, keep_default_na=False)


def parse_gpp(raw: pd.DataFrame, prefectures: dict[str, str], where: Path | str
              ) -> pd.DataFrame:
    """Check codes against the 47 prefectures (name and code must agree) and every year complete.

    Args:
        raw: the CSV as text.
        prefectures: pref_code → prefecture name from the ``municipalities`` table.
        where: file name for messages.
    """
    require_columns(raw, COLUMNS, where)
    require_known(raw["pref_code"], prefectures, "prefecture code", where)
    wrong_name = raw[raw["prefecture"] != raw["pref_code"].map(prefectures)]
    if not wrong_name.empty:
        raise SourceSchemaError(f"{where}: prefecture names disagree with their codes: "
                                f"{wrong_name[['pref_code', 'prefecture']].values.tolist()[:5]}")
    table = raw[COLUMNS].copy()
    for column in ["fiscal_year", *VALUE_COLUMNS]:
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.isna().any():
            raise SourceSchemaError(f"{where}: non-numeric {column}: "
                                    f"{table.loc[numbers.isna(), column].tolist()[:5]}")
        table[column] = numbers.astype("int64")
    incomplete = table.groupby("fiscal_year")["pref_code"].nunique().loc[lambda s: s != 47]
    if not incomplete.empty:
        raise SourceSchemaError(f"{where}: years without all 47 prefectures: "
                                f"{incomplete.to_dict()}")
    return table.sort_values(["fiscal_year", "pref_code"]).reset_index(drop=True)


def build_gpp(files: RawFiles) -> pd.DataFrame:
    """47 prefectures × FY2011–2022, million yen, current prices."""
    from scityhelpers.pipeline import tidy

    units = tidy.load("municipalities")
    prefectures = units[units["level"] == "prefecture"].set_index("pref_code")["name"].to_dict()
    path = files[FILE_GPP]
    return parse_gpp(read_gpp(path), prefectures, path)


_MILLION_YEN = pa.Check.in_range(0, 200_000_000)

GPP_SCHEMA = pa.DataFrameSchema(
    {
        "pref_code": pref_code_column(),
        "prefecture": pa.Column(str, pa.Check.str_matches(r"^.+[都道府県]$")),
        "fiscal_year": pa.Column(int, pa.Check.in_range(2006, 2100)),
        "gpp_nominal_million_yen": pa.Column(int, pa.Check.in_range(1_000_000, 200_000_000)),
        "primary_industry_million_yen": pa.Column(int, _MILLION_YEN),
        "secondary_industry_million_yen": pa.Column(int, _MILLION_YEN),
        "tertiary_industry_million_yen": pa.Column(int, _MILLION_YEN),
    },
    unique=["pref_code", "fiscal_year"], strict=True, coerce=True,
)

TABLES = (
    TableSpec(
        name="gpp",
        build=build_gpp,
        schema=GPP_SCHEMA,
        description="Nominal gross prefectural product by industry group, FY2011-2022 "
                    "(Cabinet Office 県民経済計算, million yen)",
        depends=("municipalities",),
    ),
)
