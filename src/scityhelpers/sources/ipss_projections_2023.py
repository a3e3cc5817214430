"""IPSS regional population projections by municipality, 2023 edition (令和5年推計) — live only.

国立社会保障・人口問題研究所「日本の地域別将来推計人口（令和5(2023)年推計）」, released
2023-12-22: persons by region for 2020 (census) and 2025–2050 (medium variant). No public copy
of the official workbooks could be mirrored, so the raw files exist only once fetched from
IPSS; the manifest marks the source ``live_only`` and an offline ``scity data pull`` skips it.

Result tables 1 (total) and 2-1/2-2/2-3 (0–14, 15–64, 65+), one sheet each. Layout, as read by
several independent public projects (never checked here against real bytes): a title and notes,
a header row whose first cell is ``コード``, the next row with the years (``2020年`` …
``2050年``) from column E, then one row per region: code (number), 市などの別 (``a``
prefecture, ``1`` designated city as a whole, ``0`` ward of a designated city or Tokyo special
ward, ``2`` city, ``3`` town or village, ``9`` the 浜通り region of Fukushima, projected as one
region for its 13 municipalities), prefecture, municipality, persons for the seven years, then
the index (2020 = 100) for the same years. Every assumption is checked; any surprise raises
``SourceSchemaError``.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from scityhelpers.errors import FetchError, SourceSchemaError
from scityhelpers.pipeline.fetch import download
from scityhelpers.pipeline.manifest import RawFile
from scityhelpers.reference.municipalities import RESOLVER_TABLES
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import corrupt_file_error
from scityhelpers.sources.ipss_projections import (
    PROJECTION_COLUMNS,
    projection_schema,
    to_current_codes,
)

if TYPE_CHECKING:  # requests is imported where a file is downloaded
    import requests

log = logging.getLogger(__name__)

SOURCE_ID = "ipss_projections_2023"
EDITION = 2023
BASE_URL = "https://www.ipss.go.jp/pp-shicyoson/j/shicyoson23/2gaiyo_hyo/"
RESULTS_PAGE = BASE_URL + "gaiyo.asp"
#: raw file → the tidy column it fills (persons)
FILE_COLUMNS = {
    "kekkahyo1.xlsx": "population_persons",
    "kekkahyo2_1.xlsx": "age0_14_persons",
    "kekkahyo2_2.xlsx": "age15_64_persons",
    "kekkahyo2_3.xlsx": "age65plus_persons",
}
#: sha256 of the official workbooks as recorded by a public project in 2026
#: (japan/SOURCES.md section 7); the manifest holds the same values.
PUBLISHED_SHA256 = {
    "kekkahyo1.xlsx": "0497212ecdb5d2e0310485e0fad722ab11a4c7d17dc40bf727d40cbb9e948050",
    "kekkahyo2_1.xlsx": "596f10796a30f3239d89c1ea3a45af63531b67add1ef2122aaf7c4bd0fe87bd9",
    "kekkahyo2_2.xlsx": "93fd31930395095f3fa752c199c58e3870edc3eb1749e07156bd2550a61bdd5b",
    "kekkahyo2_3.xlsx": "743340979c17a938e2b4aa8def61296900c92e9d98d3ee8a306435b2128fdf42",
}
#: date the codes of the 2023 edition are valid at (release date)
CODES_AS_OF = date(2023, 12, 22)
YEARS = (2020, 2025, 2030, 2035, 2040, 2045, 2050)
BASE_YEAR = 2020  # census values: age groups may fall short of the total (age unknown)
HEADER_CELL = "コード"
HEADER_SEARCH_ROWS = 12
FIRST_VALUE_COLUMN = 4  # column E
KIND_PREFECTURE, KIND_WARD, KIND_DESIGNATED_CITY = "a", "0", "1"
KIND_CITY, KIND_TOWN_VILLAGE, KIND_HAMADORI = "2", "3", "9"
#: regions per 市などの別 as IPSS states the coverage: 47 prefectures, 20 designated cities,
#: 175 wards + 23 Tokyo special wards, 769 cities, 736 towns + 180 villages, 1 浜通り region
EXPECTED_KIND_COUNTS = {KIND_PREFECTURE: 47, KIND_DESIGNATED_CITY: 20, KIND_WARD: 198,
                        KIND_CITY: 769, KIND_TOWN_VILLAGE: 916, KIND_HAMADORI: 1}
TOKYO_SPECIAL_WARD_PREFIX = "131"  # 13101 千代田区 … 13123 江戸川区
N_TOKYO_SPECIAL_WARDS = 23
#: municipalities as the 2018 edition counts them: designated cities whole, Tokyo wards apart
MUNICIPAL_KINDS = (KIND_DESIGNATED_CITY, KIND_CITY, KIND_TOWN_VILLAGE)
XLSX_MAGIC = b"PK\x03\x04"


def fetch(raw: RawFile, dest: Path, session: requests.Session, *,
          retries: int = 4, sleep: Callable[[float], None] | None = None) -> Path:
    """Download one result workbook from IPSS and refuse anything that is not an xlsx.

    The IPSS server answers moved or missing files with an HTML page and status 200; such a
    body is deleted and reported as a ``FetchError``, so ``scity data pull`` lists it among its
    attempts instead of hashing an HTML page. The sha256 check against the published hash is
    done by :func:`scityhelpers.pipeline.snapshot.pull_file`.
    """
    download(raw.url, dest, session=session, retries=retries, sleep=sleep)
    with dest.open("rb") as handle:
        head = handle.read(len(XLSX_MAGIC))
    if head != XLSX_MAGIC:
        dest.unlink()
        raise FetchError(
            f"{raw.url}: the server did not send an xlsx workbook (starts with {head!r}); "
            f"the table may have moved: check {RESULTS_PAGE} and the URL in data/manifest.yml."
        )
    return dest


def read_workbook(path: Path) -> list[tuple[Any, ...]]:
    """Return the cell values of the workbook's only sheet, row by row.

    Read in normal (not read-only) mode: a public project reading IPSS's 2023 workbooks found
    shared strings misaligned in openpyxl's read-only mode. The tables have ~2,000 rows.
    """
    import openpyxl  # here: every build lists this module's tables, few read the workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise corrupt_file_error(path, SOURCE_ID, error, read_as="an xlsx workbook",
                                 advice=" online to download it again") from error
    try:
        if len(book.sheetnames) != 1:
            raise SourceSchemaError(
                f"{path}: expected one sheet, found {book.sheetnames}; the layout changed: "
                "update scityhelpers/sources/ipss_projections_2023.py."
            )
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: Any) -> str:
    """Cell value as stripped text; whole floats lose their ``.0`` (codes, kinds)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _find_header(rows: list[tuple[Any, ...]], where: Path | str) -> int:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if row and _text(row[0]) == HEADER_CELL:
            return index
    raise SourceSchemaError(
        f"{where}: no header row starting with {HEADER_CELL!r} in the first "
        f"{HEADER_SEARCH_ROWS} rows; the layout changed."
    )


def _year_columns(rows: list[tuple[Any, ...]], header: int, where: Path | str) -> int:
    """Return the row index holding the year labels ``2020年`` … ``2050年`` from column E."""
    for index in (header + 1, header):
        if index >= len(rows):
            continue
        cells = rows[index][FIRST_VALUE_COLUMN:FIRST_VALUE_COLUMN + len(YEARS)]
        found = [re.search(r"(\d{4})", _text(cell)) for cell in cells]
        years = tuple(int(m.group(1)) if m else None for m in found)
        if years == YEARS:
            return index
    seen = [_text(c) for c in rows[min(header + 1, len(rows) - 1)][FIRST_VALUE_COLUMN:]]
    raise SourceSchemaError(
        f"{where}: expected the years {list(YEARS)} in columns E–K next to the header; found "
        f"{seen[:len(YEARS)]}. The projection horizon or the layout changed."
    )


def _persons(value: Any, code: str, year: int, where: Path | str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or float(value) != int(value):
        raise SourceSchemaError(
            f"{where}: region {code}, {year}: expected a whole number of persons, found "
            f"{value!r}."
        )
    return int(value)


def parse_result_table(rows: list[tuple[Any, ...]], where: Path | str) -> pd.DataFrame:
    """Read one result table into rows (code5, kind, pref_name, name, year, persons).

    Rows whose first cell is not a number (notes, blank lines) are skipped; every other row
    must carry a known 市などの別 and seven whole numbers of persons.
    """
    years_row = _year_columns(rows, _find_header(rows, where), where)
    records = []
    for row in rows[years_row + 1:]:
        code = _text(row[0]) if row else ""
        if not code.isdigit():
            continue
        kind = _text(row[1]) if len(row) > 1 else ""
        if kind not in EXPECTED_KIND_COUNTS:
            raise SourceSchemaError(
                f"{where}: region {code} has 市などの別 {kind!r}; known: "
                f"{sorted(EXPECTED_KIND_COUNTS)}. Decide how it is counted and update the parser."
            )
        values = row[FIRST_VALUE_COLUMN:FIRST_VALUE_COLUMN + len(YEARS)]
        if len(values) < len(YEARS):
            raise SourceSchemaError(f"{where}: region {code} has fewer than {len(YEARS)} values.")
        for year, value in zip(YEARS, values, strict=True):
            records.append({"code5": code.zfill(5), "kind": kind, "pref_name": _text(row[2]),
                            "name": _text(row[3]), "year": year,
                            "persons": _persons(value, code, year, where)})
    table = pd.DataFrame.from_records(
        records, columns=["code5", "kind", "pref_name", "name", "year", "persons"])
    if table.empty:
        raise SourceSchemaError(f"{where}: no data rows below the header.")
    if table.duplicated(["code5", "year"]).any():
        raise SourceSchemaError(f"{where}: duplicate region codes.")
    return table


def check_coverage(table: pd.DataFrame, where: Path | str) -> None:
    """Refuse a table whose regions differ from IPSS's stated coverage (count per kind)."""
    counts = table.drop_duplicates("code5")["kind"].value_counts().to_dict()
    if counts != EXPECTED_KIND_COUNTS:
        raise SourceSchemaError(
            f"{where}: regions per 市などの別 {dict(sorted(counts.items()))}, expected "
            f"{EXPECTED_KIND_COUNTS}; the coverage changed."
        )


def select_municipalities(table: pd.DataFrame) -> pd.DataFrame:
    """Keep municipalities as the 2018 edition counts them, and only those.

    Designated cities whole (kind 1), cities, towns and villages, and the 23 Tokyo special
    wards (kind 0 with a 131xx code); prefectures, designated-city wards and the 浜通り region
    (13 municipalities projected together) are dropped, the last with a log line because its
    persons are then missing from any national sum.
    """
    is_special_ward = ((table["kind"] == KIND_WARD)
                       & table["code5"].str.startswith(TOKYO_SPECIAL_WARD_PREFIX))
    hamadori = table[table["kind"] == KIND_HAMADORI]
    for row in hamadori[hamadori["year"] == BASE_YEAR].itertuples():
        log.info("IPSS 2023: region %s (浜通り, 13 municipalities, %d persons in %d) is not "
                 "split by municipality and is left out of municipal_projection",
                 row.code5, row.persons, BASE_YEAR)
    kept = table[table["kind"].isin(MUNICIPAL_KINDS) | is_special_ward]
    return kept.reset_index(drop=True)


def combine_tables(tables: dict[str, pd.DataFrame], where: Path | str) -> pd.DataFrame:
    """Join the total and the three age tables, checking they describe the same regions.

    In projected years the three age groups add up to the total exactly; in the census year
    2020 they may fall short of it (persons of unknown age). Anything else is refused.
    """
    keys = ["code5", "year"]
    total = tables["population_persons"]
    combined = total.rename(columns={"persons": "population_persons"})
    for column, table in tables.items():
        if column == "population_persons":
            continue
        same = (table[["code5", "kind", "name", "year"]].reset_index(drop=True)
                .equals(total[["code5", "kind", "name", "year"]].reset_index(drop=True)))
        if not same:
            raise SourceSchemaError(
                f"{where}: the {column} table lists other regions (or another order) than the "
                "total table; the workbooks are from different releases."
            )
        combined = combined.merge(table[[*keys, "persons"]].rename(columns={"persons": column}),
                                  on=keys, validate="1:1")
    parts = combined[["age0_14_persons", "age15_64_persons", "age65plus_persons"]].sum(axis=1)
    bad = (parts > combined["population_persons"]) | (
        (combined["year"] != BASE_YEAR) & (parts != combined["population_persons"]))
    if bad.any():
        raise SourceSchemaError(
            f"{where}: age groups do not add up to the total for {int(bad.sum())} rows, e.g. "
            f"{combined[bad].head(3).to_dict('records')}."
        )
    return combined


def build_municipal_projection_2023(files: RawFiles) -> pd.DataFrame:
    """Build ``municipal_projection_2023`` (edition 2023, persons, today's codes)."""
    tables = {}
    for name, column in FILE_COLUMNS.items():
        table = parse_result_table(read_workbook(files[name]), files[name])
        check_coverage(table, files[name])
        tables[column] = select_municipalities(table)
    where = files["kekkahyo1.xlsx"].parent
    combined = combine_tables(tables, where)
    frame = combined.rename(columns={"name": "name_in_edition"})[
        ["code5", "name_in_edition", "year", "population_persons", "age0_14_persons",
         "age15_64_persons", "age65plus_persons"]]
    frame = to_current_codes(frame, CODES_AS_OF, where)
    frame.insert(0, "edition", EDITION)
    return frame[PROJECTION_COLUMNS].sort_values(["code5", "year"]).reset_index(drop=True)


TABLES = (
    TableSpec(
        name="municipal_projection_2023",
        build=build_municipal_projection_2023,
        schema=projection_schema(EDITION, YEARS),
        description="IPSS 2023 municipal population projection 2020-2050 (persons; live only)",
        depends=RESOLVER_TABLES,
    ),
)
