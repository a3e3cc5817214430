"""Population Census (国勢調査) 2015 and 2020 by municipality, and a 2015→2020 panel.

* 2020: total population (e-Stat table 0003445078, 表1-1-1) and population aged 65+ (0003445162,
  表2-7-1), as extracted from the e-Stat API by a public project, keyed to 2024 codes.
  Persons on 2020-10-01. The 65+ count covers persons of known age only (年齢「不詳」 is not
  allocated), so shares computed from it run about 0.6 points below the official
  不詳補完値-based ageing rate.
* 2015: the official e-Stat CSV of table 00100 (Shift_JIS), with every kind of row the
  statisticians publish — nation, prefectures, 市部/郡部, counties, municipalities, wards and
  the former (2000-vintage) municipalities inside merged ones. Persons on 2015-10-01, 2015
  boundaries and codes.
* ``population_2015_2020``: both censuses on today's codes; 2015 codes are carried forward
  through ``municipal_changes`` (04423 富谷町 → 04216 富谷市, 40305 那珂川町 → 40231 那珂川市).

Sum municipalities (``level == "municipality"``), never municipalities plus wards.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.reference.municipalities import RESOLVER_TABLES, MunicipalResolver
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import code5_column, corrupt_file_error, read_raw_csv

SOURCE_ID = "census"
URL_2020_TOTAL = "https://www.e-stat.go.jp/stat-search/database?statdisp_id=0003445078"
URL_2020_AGE = "https://www.e-stat.go.jp/stat-search/database?statdisp_id=0003445162"
URL_2015 = "https://www.e-stat.go.jp/stat-search/files?toukei=00200521"
FILE_2020_TOTAL = "census2020_population_estat0003445078.csv"
FILE_2020_AGE65 = "census2020_age65plus_estat0003445162.csv"
FILE_2015 = "census2015_estat_table00100_cp932.csv"
CENSUS_2015_DAY = date(2015, 10, 1)

TOTAL_COLUMNS = ["jisCode", "prefecture", "municipality", "population"]
AGE_COLUMNS = ["jisCode", "elderlyPopulation"]

ENCODING_2015 = "cp932"
TABLE_2015 = "00100"
#: e-Stat item codes of table 00100 → tidy column (the header's first line holds the codes)
ITEMS_2015 = {
    "020": "population_2015_persons",
    "106": "population_2010_persons",   # 2010 census re-tabulated on 2015 boundaries
    "103": "area_km2",
    "109": "households_2015_count",
    "110": "households_2010_count",
}
ROW_KINDS_2015 = ("national", "aggregate_shibu_gunbu", "prefecture", "special_wards_area",
                  "county_or_subprefecture", "designated_city", "designated_city_ward",
                  "municipality", "former_municipality_2000")
AREA_CODE_2015_PATTERN = r"^\d{4}[0-9A-Z]$"
#: "(旧 202 函館市)"; a municipality that moved prefecture carries its full code and its old
#: prefecture: "(旧 20431 長野県山口村)" (長野県山口村 → 岐阜県中津川市, 2005)
_FORMER = re.compile(r"^\(旧 (\d{3}|\d{5}) (.+)\)$")
_PREFECTURE_PREFIX = re.compile(r"^(北海道|東京都|京都府|大阪府|.{2,3}県)")
_COUNTY_SUFFIXES = ("郡", "振興局", "支庁")


# -- 2020 ---------------------------------------------------------------------------------

def read_csv_2020(path: Path) -> pd.DataFrame:
    """Read one of the UTF-8 e-Stat API extracts, codes as text."""
    return read_raw_csv(path, SOURCE_ID, read_as="a UTF-8 CSV", advice="", dtype=str,
                        keep_default_na=False)


def _counts(values: pd.Series, what: str, where: Path | str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[numbers.isna() | (numbers < 0)]
    if not bad.empty:
        raise SourceSchemaError(f"{where}: {what} not a non-negative count: {bad.tolist()[:5]}")
    return numbers.astype("int64")


def parse_census2020(total: pd.DataFrame, age65: pd.DataFrame, known_codes: set[str],
                     where: Path | str) -> pd.DataFrame:
    """Join total and 65+ on code; both files must list the same codes, all in today's list."""
    require_columns(total, TOTAL_COLUMNS, where)
    require_columns(age65, AGE_COLUMNS, where)
    require_known(total["jisCode"], known_codes, "municipal code", where)
    require_known(age65["jisCode"], known_codes, "municipal code", where)
    population = pd.DataFrame({
        "code5": total["jisCode"],
        "population_2020_persons": _counts(total["population"], "population", where)})
    elderly = pd.DataFrame({
        "code5": age65["jisCode"],
        "age65plus_2020_persons": _counts(age65["elderlyPopulation"], "65+ population", where)})
    try:
        merged = population.merge(elderly, on="code5", how="outer", validate="1:1",
                                  indicator=True)
    except pd.errors.MergeError as error:
        raise SourceSchemaError(f"{where}: a code appears twice ({error})") from error
    one_sided = merged.loc[merged["_merge"] != "both", "code5"]
    if not one_sided.empty:
        raise SourceSchemaError(
            f"{where}: codes in only one of the total/65+ files: {sorted(one_sided)[:10]}")
    return merged.drop(columns="_merge")


def build_census2020(files: RawFiles) -> pd.DataFrame:
    """One row per 2024 municipality and ward; empty where the census has no figure.

    Empty: the six Northern-Territories villages (not enumerated), 双葉町 07546 (enumerated
    population 0, dropped upstream as non-positive) and the three 浜松市 wards of 2024 (the
    census was tabulated on the old wards; the city total is present).
    """
    from scityhelpers.pipeline import tidy

    units = tidy.load("municipalities")
    units = units.loc[units["level"] != "prefecture", ["code5", "level"]]
    where = f"{files[FILE_2020_TOTAL].name} + {files[FILE_2020_AGE65].name}"
    counts = parse_census2020(read_csv_2020(files[FILE_2020_TOTAL]),
                              read_csv_2020(files[FILE_2020_AGE65]), set(units["code5"]), where)
    table = units.merge(counts, on="code5", how="left", validate="1:1")
    for column in ("population_2020_persons", "age65plus_2020_persons"):
        table[column] = table[column].astype("Int64")
    return table.sort_values("code5").reset_index(drop=True)


# -- 2015 ---------------------------------------------------------------------------------

def read_census2015(path: Path) -> tuple[list[str], list[list[str]]]:
    """Decode the Shift_JIS e-Stat CSV; return (item-code header, data rows).

    Layout: metadata lines (``"表番号：","00100"`` among them), a blank line, a line of item
    codes, a line of item names, then data. Undecodable bytes mean a damaged download.
    """
    try:
        text = path.read_bytes().decode(ENCODING_2015)
    except UnicodeDecodeError as error:
        raise corrupt_file_error(path, SOURCE_ID, error,
                                 read_as=f"{ENCODING_2015} text") from error
    lines = text.splitlines()
    if "" not in lines:
        raise SourceSchemaError(f"{path}: no blank line after the metadata block")
    blank = lines.index("")
    metadata = {row[0]: row[1:] for row in csv.reader(lines[:blank]) if row}
    if metadata.get("表番号：", [None])[0] != TABLE_2015:
        raise SourceSchemaError(
            f"{path}: expected e-Stat table {TABLE_2015}, metadata says {metadata.get('表番号：')}")
    rows = list(csv.reader(lines[blank + 1:]))
    if len(rows) < 3:
        raise RawFileCorruptError(f"{path}: no data rows after the header; rerun "
                                  f"`scity data pull {SOURCE_ID}`.")
    return rows[0], rows[2:]


def _row_kind(code: str, flag: str, name: str) -> str:
    """Classify a table-00100 row by its code, its ``*`` flag and its name.

    ``*`` marks rows overlapping others: 市部/郡部 subtotals and former municipalities sharing
    the number of today's one (their code ends in a letter, e.g. ``0120B``). In the 1xx code
    range, names ending in 市 are designated cities and, outside Tokyo, names ending in 区 their
    wards; Tokyo's 13100 is the 23 special wards together.
    """
    if _FORMER.match(name):
        return "former_municipality_2000"
    if flag == "*":
        return "aggregate_shibu_gunbu"
    if code == "00000":
        return "national"
    if code.endswith("000"):
        return "prefecture"
    if code == "13100":
        return "special_wards_area"
    if name.endswith(_COUNTY_SUFFIXES):
        return "county_or_subprefecture"
    if code[2] == "1" and name.endswith("市"):
        return "designated_city"
    if code[2] == "1" and code[:2] != "13" and name.endswith("区"):
        return "designated_city_ward"
    return "municipality"


def _former_code(area_code: str, number: str) -> str:
    return number if len(number) == 5 else area_code[:2] + number


def _former_name(former: re.Match[str]) -> str:
    if len(former.group(1)) == 5:  # moved prefecture: its old prefecture precedes the name
        return _PREFECTURE_PREFIX.sub("", former.group(2))
    return former.group(2)


def parse_census2015(items: list[str], rows: list[list[str]], where: Path | str
                     ) -> pd.DataFrame:
    """Turn the raw rows into one tidy row each, thousands separators removed.

    ``code5`` is the 5-digit code of the unit a row describes: for a former municipality,
    its own 2000-vintage code (prefecture + the number in ``(旧 202 函館市)``), so it repeats
    today's code when the numbers coincide; ``area_code`` (e-Stat's own) is the key.
    ``parent_code5`` links wards and former municipalities to the 2015 municipality above them.
    """
    missing = [code for code in ITEMS_2015 if code not in items]
    if missing:
        raise SourceSchemaError(f"{where}: item code(s) {missing} not in the header {items}")
    columns = {ITEMS_2015[code]: items.index(code) for code in ITEMS_2015}
    records, parent = [], None
    for row in rows:
        code, flag, raw_name = row[0], row[1], row[2]
        kind = _row_kind(code, flag, raw_name)
        former = _FORMER.match(raw_name)
        if kind in ("municipality", "designated_city"):
            parent = code
        record = {
            "area_code": code,
            "code5": _former_code(code, former.group(1)) if former else code,
            "name": _former_name(former) if former else raw_name,
            "row_kind": kind,
            "parent_code5": parent if kind in ("designated_city_ward",
                                               "former_municipality_2000") else None,
        }
        for column, position in columns.items():
            record[column] = row[position].replace(",", "")
        records.append(record)
    table = pd.DataFrame.from_records(records)
    for column in ITEMS_2015.values():
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.isna().any():
            bad = table.loc[numbers.isna(), ["area_code", column]].head(5).values.tolist()
            raise SourceSchemaError(f"{where}: non-numeric {column}: {bad}")
        table[column] = numbers if column == "area_km2" else numbers.astype("int64")
    return table


def build_census2015(files: RawFiles) -> pd.DataFrame:
    """All 4,505 rows of table 00100 (2015 codes and boundaries)."""
    path = files[FILE_2015]
    return parse_census2015(*read_census2015(path), path)


# -- 2015 → 2020 on today's codes -----------------------------------------------------------

def carry_forward_2015(census2015: pd.DataFrame, resolver: MunicipalResolver) -> pd.DataFrame:
    """Sum 2015 municipalities and wards onto today's codes.

    Each 2015 code follows the change history from census day. A unit that was later split
    (浜松市北区 → 中央区 + 浜名区, 2024) cannot be apportioned: every successor of a split
    gets no 2015 value rather than a partial one.
    """
    units = census2015[census2015["row_kind"].isin(
        ["municipality", "designated_city", "designated_city_ward"])]
    rows, split_targets = [], set()
    for unit in units.itertuples():
        targets = resolver.forward_codes(unit.code5, CENSUS_2015_DAY)
        if len(targets) > 1:
            split_targets.update(targets)
            continue
        rows.append((targets[0], unit.population_2015_persons, unit.area_km2))
    carried = pd.DataFrame(rows, columns=["code5", "population_2015_persons", "area_2015_km2"])
    carried = carried[~carried["code5"].isin(split_targets)]
    return carried.groupby("code5", as_index=False).sum()


def build_population_2015_2020(files: RawFiles) -> pd.DataFrame:
    """Both censuses per 2024 municipality and ward, with the 2015→2020 change in %."""
    from scityhelpers.pipeline import tidy

    resolver = MunicipalResolver.from_tables(tidy.load("municipalities"),
                                             tidy.load("municipal_changes"))
    census2020 = tidy.load("census2020_municipal")
    carried = carry_forward_2015(tidy.load("census2015_municipal"), resolver)
    unknown = sorted(set(carried["code5"]) - set(census2020["code5"]))
    if unknown:
        raise SourceSchemaError(f"2015 codes carried to codes not in today's list: {unknown}")
    panel = census2020.merge(carried, on="code5", how="left", validate="1:1")
    panel["population_2015_persons"] = panel["population_2015_persons"].astype("Int64")
    before = panel["population_2015_persons"].astype("Float64")
    after = panel["population_2020_persons"].astype("Float64")
    change = (after / before - 1) * 100
    panel["change_2015_2020_pct"] = change.where(before > 0)
    return panel[["code5", "level", "population_2015_persons", "area_2015_km2",
                  "population_2020_persons", "age65plus_2020_persons", "change_2015_2020_pct"]]


# -- schemas ----------------------------------------------------------------------------

_PERSONS = pa.Check.in_range(0, 15_000_000)
_LEVELS = ["municipality", "designated_city_ward"]

CENSUS2020_SCHEMA = pa.DataFrameSchema(
    {
        "code5": code5_column(),
        "level": pa.Column(str, pa.Check.isin(_LEVELS)),
        "population_2020_persons": pa.Column("Int64", _PERSONS, nullable=True),
        "age65plus_2020_persons": pa.Column("Int64", _PERSONS, nullable=True),
    },
    checks=pa.Check(lambda f: (f["age65plus_2020_persons"] <= f["population_2020_persons"])
                    .fillna(True).all(), error="65+ ≤ total"),
    unique=["code5"], strict=True, coerce=True,
)

CENSUS2015_SCHEMA = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(AREA_CODE_2015_PATTERN)),
        "code5": code5_column(),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "row_kind": pa.Column(str, pa.Check.isin(ROW_KINDS_2015)),
        "parent_code5": code5_column(nullable=True),
        "population_2015_persons": pa.Column(int, pa.Check.in_range(0, 130_000_000)),
        "population_2010_persons": pa.Column(int, pa.Check.in_range(0, 130_000_000)),
        "area_km2": pa.Column(float, pa.Check.in_range(0, 400_000)),
        "households_2015_count": pa.Column(int, pa.Check.ge(0)),
        "households_2010_count": pa.Column(int, pa.Check.ge(0)),
    },
    unique=["area_code"], strict=True, coerce=True,
)

PANEL_SCHEMA = pa.DataFrameSchema(
    {
        "code5": code5_column(),
        "level": pa.Column(str, pa.Check.isin(_LEVELS)),
        "population_2015_persons": pa.Column("Int64", _PERSONS, nullable=True),
        "area_2015_km2": pa.Column(float, pa.Check.in_range(0, 3_000), nullable=True),
        "population_2020_persons": pa.Column("Int64", _PERSONS, nullable=True),
        "age65plus_2020_persons": pa.Column("Int64", _PERSONS, nullable=True),
        "change_2015_2020_pct": pa.Column(float, pa.Check.ge(-100), nullable=True),
    },
    unique=["code5"], strict=True, coerce=True,
)

TABLES = (
    TableSpec(
        name="census2020_municipal",
        build=build_census2020,
        schema=CENSUS2020_SCHEMA,
        description="2020 Census population and population 65+ by 2024 municipality and ward",
        depends=("municipalities",),
    ),
    TableSpec(
        name="census2015_municipal",
        build=build_census2015,
        schema=CENSUS2015_SCHEMA,
        description="2015 Census table 00100: population, area, households, every row kind "
                    "(2015 codes)",
    ),
    TableSpec(
        name="population_2015_2020",
        build=build_population_2015_2020,
        schema=PANEL_SCHEMA,
        description="2015 and 2020 Census population on 2024 municipal codes, with % change",
        depends=(*RESOLVER_TABLES, "census2020_municipal", "census2015_municipal"),
    ),
)
