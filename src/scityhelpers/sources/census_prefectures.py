"""2020 Census population by prefecture, from the raw e-Stat download (FEH_00200521_…csv).

The file holds the nation, every prefecture, municipality, designated-city ward and former
municipality (rows named （旧：…）, overlapping their current municipality). Only the
prefecture rows (code ``NN000``) are kept here; the nation row is used as a check that the
47 prefectures add up to it. Persons on 2020-10-01.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import pref_code_column, read_raw_csv

SOURCE_ID = "census_prefectures"
URL = "https://www.e-stat.go.jp/stat-search/files?toukei=00200521"
FILE_FEH = "FEH_00200521_220610143730.csv"
#: header as e-Stat writes it (the second name holds full-width commas, not separators)
COL_CODE, COL_NAME, COL_TOTAL, COL_MALE, COL_FEMALE = (
    "コード", "全国，都道府県，市区町村", "総数", "男", "女")
NATION_CODE = "00000"
PREF_CODES = [f"{number:02d}" for number in range(1, 48)]


def read_feh(path: Path) -> pd.DataFrame:
    """Read the e-Stat CSV as text (UTF-8 with BOM); undecodable bytes are a corrupt file."""
    return read_raw_csv(path, SOURCE_ID, read_as="a UTF-8 CSV", advice="", dtype=str,
                        keep_default_na=False)


def _persons(values: pd.Series, where: Path | str) -> pd.Series:
    numbers = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    if numbers.isna().any():
        bad = values[numbers.isna()].tolist()[:5]
        raise SourceSchemaError(f"{where}: non-numeric counts {bad}")
    return numbers.astype("int64")


def parse_feh(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep the 47 prefecture rows; check male + female = total and Σ prefectures = nation."""
    require_columns(raw, [COL_CODE, COL_NAME, COL_TOTAL, COL_MALE, COL_FEMALE], where)
    code = raw[COL_CODE].str.strip()
    kept = raw[code.str.fullmatch(r"\d{2}000")]  # other rows may hold "-" (双葉町: nobody)
    counts = pd.DataFrame({
        "code": kept[COL_CODE].str.strip(),
        "prefecture": kept[COL_NAME].str.strip(),
        "population_total_persons": _persons(kept[COL_TOTAL], where),
        "population_male_persons": _persons(kept[COL_MALE], where),
        "population_female_persons": _persons(kept[COL_FEMALE], where),
    })
    prefectures = counts[counts["code"] != NATION_CODE]
    require_known(prefectures["code"].str[:2], PREF_CODES, "prefecture code", where)
    nation = counts[counts["code"] == NATION_CODE]
    if len(prefectures) != 47 or len(nation) != 1:
        raise SourceSchemaError(
            f"{where}: expected 47 prefecture rows and one nation row, found "
            f"{len(prefectures)} and {len(nation)}")
    columns = ["population_total_persons", "population_male_persons",
               "population_female_persons"]
    if (prefectures[columns].sum() != nation[columns].iloc[0]).any():
        raise SourceSchemaError(f"{where}: the prefectures do not add up to the nation row")
    table = prefectures.assign(pref_code=prefectures["code"].str[:2]).drop(columns="code")
    return table[["pref_code", "prefecture", *columns]].reset_index(drop=True)


def build_prefecture_population(files: RawFiles) -> pd.DataFrame:
    """Population, male and female of the 47 prefectures at the 2020 Census."""
    path = files[FILE_FEH]
    return parse_feh(read_feh(path), path)


_PERSONS = pa.Check.in_range(100_000, 20_000_000)

PREFECTURE_POPULATION_SCHEMA = pa.DataFrameSchema(
    {
        "pref_code": pref_code_column(),
        "prefecture": pa.Column(str, pa.Check.str_matches(r"^.+[都道府県]$")),
        "population_total_persons": pa.Column(int, _PERSONS),
        "population_male_persons": pa.Column(int, _PERSONS),
        "population_female_persons": pa.Column(int, _PERSONS),
    },
    checks=pa.Check(lambda f: (f["population_male_persons"] + f["population_female_persons"]
                               == f["population_total_persons"]).all(),
                    error="male + female = total"),
    unique=["pref_code"], strict=True, coerce=True,
)

TABLES = (
    TableSpec(
        name="prefecture_population_2020",
        build=build_prefecture_population,
        schema=PREFECTURE_POPULATION_SCHEMA,
        description="2020 Census population (total, male, female) of the 47 prefectures",
    ),
)
