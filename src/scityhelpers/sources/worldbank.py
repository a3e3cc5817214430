"""World Bank World Development Indicators: Internet use, mobile subscriptions, GDP per capita.

Three indicators, each a WDI bulk CSV in the mirror (one row per economy or aggregate, one
column per year) and the World Bank API v2 JSON live (one record per economy-year, paged):

- ``IT.NET.USER.ZS``: individuals using the Internet, % of population (ITU);
- ``IT.CEL.SETS.P2``: mobile cellular subscriptions per 100 people (ITU; can exceed 100);
- ``NY.GDP.PCAP.PP.KD``: GDP per capita, PPP, constant 2021 international dollars.

The bulk files differ in small ways (the Internet-use copy has no 4 metadata lines above the
header; the others do, end each line with a comma and use CRLF), so the header line is found
rather than assumed. Aggregates (regions, income groups, "World") are dropped: an economy is a
code whose ``Region`` is filled in the country metadata; "Not classified" (``INX``) is in the
data but not in the metadata. Years are limited to 1990-2025, the range the live query asks.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import FetchError, RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.fetch import atomic_write, download
from scityhelpers.pipeline.manifest import RawFile
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    RESTORE_VALID_COPY,
    corrupt_file_error,
    iso3_column,
    read_raw_csv,
    read_raw_json,
    year_column,
)

if TYPE_CHECKING:  # requests is imported where a file is downloaded
    import requests

log = logging.getLogger(__name__)

SOURCE_ID = "worldbank"
FIRST_YEAR, LAST_YEAR = 1990, 2025
API_PER_PAGE = 20_000
API_URL = ("https://api.worldbank.org/v2/country/all/indicator/{code}"
           "?format=json&date={first}:{last}&per_page={per_page}")
BULK_URL = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"

#: raw data file → indicator code it must hold
INDICATOR_FILES = {
    "API_IT.NET.USER.ZS_DS2_en_csv_v2_2160.csv": "IT.NET.USER.ZS",
    "API_IT.CEL.SETS.P2_DS2_en_csv_v2_2987.csv": "IT.CEL.SETS.P2",
    "API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_33608.csv": "NY.GDP.PCAP.PP.KD",
}
PERCENT_INDICATORS = ("IT.NET.USER.ZS",)
#: country metadata, newest edition first: a code's region and income group come from the
#: first file that lists it (income groups are reclassified every July)
COUNTRY_METADATA_FILES = (
    "Metadata_Country_API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_33608.csv",
    "Metadata_Country_API_IT.NET.USER.ZS_DS2_en_csv_v2_2160.csv",
)
#: codes in the data files that are in no metadata file and are not economies
UNCLASSIFIED_CODES = ("INX",)

BULK_ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
METADATA_COLUMNS = {"Country Code": "iso3", "TableName": "name", "Region": "region",
                    "IncomeGroup": "income_group"}
API_ROW_KEYS = ("indicator", "countryiso3code", "date", "value")
YEAR_COLUMN = re.compile(r"^\d{4}$")
HEADER_SEARCH_LINES = 10


def api_url(code: str, per_page: int = API_PER_PAGE) -> str:
    """Return the API v2 query for one indicator, all economies, 1990-2025."""
    return API_URL.format(code=code, first=FIRST_YEAR, last=LAST_YEAR, per_page=per_page)


# ---------------------------------------------------------------- fetch (live endpoints)

def _api_error(document: Any) -> str | None:
    """Return the API's error text if ``document`` is its ``[{"message": [...]}]`` envelope."""
    if isinstance(document, list) and document and isinstance(document[0], dict) \
            and "message" in document[0]:
        messages = document[0]["message"] or [{}]
        return "; ".join(f"{m.get('id', '?')} {m.get('key', '')}: {m.get('value', '')}".strip()
                         for m in messages)
    return None


def _api_page(document: Any, url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split one API page into its paging metadata and its records, or raise ``FetchError``.

    The API reports bad requests (an unknown indicator, a malformed date) with HTTP 200 and an
    error envelope instead of data, so the body must be checked, not only the status.
    """
    error = _api_error(document)
    if error is not None:
        raise FetchError(
            f"{url}: the World Bank API answered with an error ({error}) instead of data; "
            "check the indicator code and query in data/manifest.yml against "
            "https://api.worldbank.org/v2/indicator."
        )
    if not (isinstance(document, list) and len(document) == 2
            and isinstance(document[0], dict) and isinstance(document[1], list | None)):
        raise FetchError(f"{url}: not a World Bank API v2 page ([metadata, records]); got "
                         f"{str(document)[:200]}")
    return document[0], document[1] or []


def fetch_api_pages(url: str, dest: Path, session: requests.Session) -> Path:
    """Download every page of an API v2 query and write them as one document, atomically.

    The document keeps the first page's metadata as served (its ``total`` lets the parser
    check that no record is missing) and all records in page order. Each page goes through
    :func:`scityhelpers.pipeline.fetch.download` (timeouts, retries); ``dest`` is only written once
    the last page has arrived.
    """
    records: list[dict[str, Any]] = []
    first_meta: dict[str, Any] | None = None
    page, pages = 1, 1
    while page <= pages:
        part = dest.parent / f".{dest.name}.page{page}.json"
        download(url, part, session=session, params={"page": str(page)})
        try:
            document = json.loads(part.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FetchError(f"{url} page {page}: the body is not JSON ({error})") from error
        finally:
            part.unlink(missing_ok=True)
        meta, page_records = _api_page(document, f"{url} (page {page})")
        first_meta = first_meta or meta
        pages = int(meta.get("pages") or 0)
        records.extend(page_records)
        log.info("World Bank API %s: page %d of %d, %d records", url, page, pages,
                 len(page_records))
        page += 1
    atomic_write(dest, [json.dumps([first_meta, records], ensure_ascii=False).encode("utf-8")])
    return dest


def fetch_bulk_member(raw: RawFile, dest: Path, session: requests.Session) -> Path:
    """Download a bulk zip and keep the one member matching ``raw.name`` (minus its version).

    The member's trailing number (``..._v2_33608.csv``) changes with every WDI release, so
    the member is matched on the name without it.
    """
    prefix = re.sub(r"\d+\.csv$", "", raw.name)
    archive = dest.parent / f".{dest.name}.zip"
    download(raw.url, archive, session=session)
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [n for n in bundle.namelist() if n.startswith(prefix) and n.endswith(".csv")]
            if len(members) != 1:
                raise FetchError(f"{raw.url}: expected one member {prefix}*.csv in the zip, "
                                 f"found {bundle.namelist()}")
            atomic_write(dest, [bundle.read(members[0])])
    except zipfile.BadZipFile as error:
        raise FetchError(f"{raw.url}: the download is not a zip archive ({error})") from error
    finally:
        archive.unlink(missing_ok=True)
    return dest


def fetch(raw: RawFile, dest: Path, session: requests.Session) -> Path:
    """Fetch one raw file: indicator data from the paged API, metadata from the bulk zip."""
    if "downloadformat=csv" in raw.url:
        return fetch_bulk_member(raw, dest, session)
    return fetch_api_pages(raw.url, dest, session)


# ---------------------------------------------------------------- read and parse

def _first_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()


def _header_line(path: Path) -> int:
    """Index of the ``Country Name`` header: 0 in the Internet-use copy, 4 in standard WDI."""
    try:
        lines = _first_bytes(path).decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise corrupt_file_error(path, SOURCE_ID, error, read_as=None,
                                 advice=RESTORE_VALID_COPY) from error
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if line.lstrip('"').startswith("Country Name"):
            return index
    raise SourceSchemaError(
        f"{path}: no 'Country Name' header in the first {HEADER_SEARCH_LINES} lines; the WDI "
        "bulk layout changed: update scityhelpers/sources/worldbank.py."
    )


def read_bulk_csv(path: Path) -> pd.DataFrame:
    """Read a WDI bulk CSV wherever its header line is."""
    return read_raw_csv(path, SOURCE_ID, read_as=None, skiprows=_header_line(path),
                        dtype={"Country Code": "string"})


def parse_bulk(raw: pd.DataFrame, indicator_code: str, where: Path | str) -> pd.DataFrame:
    """Turn the wide bulk layout (a column per year) into long rows with a value."""
    require_columns(raw, BULK_ID_COLUMNS, where)
    require_known(raw["Indicator Code"], [indicator_code], "indicator code", where)
    years = [c for c in raw.columns if YEAR_COLUMN.match(str(c))]
    extra = [c for c in raw.columns if c not in years and c not in BULK_ID_COLUMNS]
    filled = [c for c in extra if raw[c].notna().any()]
    if filled or not years:
        raise SourceSchemaError(
            f"{where}: expected year columns and at most an empty trailing column; found "
            f"{len(years)} year columns and filled extra columns {filled}."
        )
    long = raw.melt(id_vars=["Country Code"], value_vars=years, var_name="year",
                    value_name="value").dropna(subset=["value"])
    return pd.DataFrame({
        "iso3": long["Country Code"].astype(str),
        "year": long["year"].astype(int),
        "indicator_code": indicator_code,
        "value": long["value"].astype(float),
    })


def read_api_json(path: Path) -> Any:
    """Read a saved API v2 document, turning broken bytes into a ``RawFileCorruptError``."""
    return read_raw_json(path, SOURCE_ID, read_as=None)


def parse_api_json(document: Any, indicator_code: str, where: Path | str) -> pd.DataFrame:
    """Turn an API v2 document ``[metadata, records]`` into long rows with a value.

    Records with a null value or without an ISO3 code (the API's "Not classified") are
    dropped; the record count must equal the metadata's ``total`` (no page lost).
    """
    error = _api_error(document)
    if error is not None:
        raise SourceSchemaError(f"{where}: holds a World Bank API error ({error}), not data")
    if not (isinstance(document, list) and len(document) == 2 and isinstance(document[0], dict)
            and isinstance(document[1], list)):
        raise SourceSchemaError(f"{where}: expected [metadata, records] (World Bank API v2)")
    meta, records = document
    if int(meta.get("total", -1)) != len(records):
        raise RawFileCorruptError(
            f"{where}: the API announced {meta.get('total')} records, the file holds "
            f"{len(records)} (a page is missing); rerun `scity data refresh {SOURCE_ID}`."
        )
    frame = pd.DataFrame.from_records(records)
    require_columns(frame, API_ROW_KEYS, where)
    require_known(frame["indicator"].map(lambda i: i.get("id")), [indicator_code],
                  "indicator code", where)
    rows = frame[frame["value"].notna() & (frame["countryiso3code"].fillna("") != "")]
    return pd.DataFrame({
        "iso3": rows["countryiso3code"].astype(str),
        "year": rows["date"].astype(int),
        "indicator_code": indicator_code,
        "value": rows["value"].astype(float),
    })


def parse_indicator_file(path: Path, indicator_code: str) -> pd.DataFrame:
    """Parse either layout, chosen by structure: API v2 JSON (live) or bulk CSV (mirror)."""
    if _first_bytes(path).startswith(b"["):
        return parse_api_json(read_api_json(path), indicator_code, path)
    return parse_bulk(read_bulk_csv(path), indicator_code, path)


def read_country_metadata(path: Path) -> pd.DataFrame:
    """Read a ``Metadata_Country`` file (notes may span lines: a real CSV parser is needed)."""
    return read_raw_csv(path, SOURCE_ID, read_as=None, dtype="string")


def parse_country_metadata(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep code, name, region and income group; an empty region marks an aggregate."""
    require_columns(raw, METADATA_COLUMNS, where)
    frame = raw.rename(columns=METADATA_COLUMNS)[list(METADATA_COLUMNS.values())]
    return frame.replace({"": pd.NA})


def country_metadata(files: RawFiles) -> pd.DataFrame:
    """Merge the metadata files, the newest edition first, one row per code."""
    frames = [parse_country_metadata(read_country_metadata(files[name]), files[name])
              for name in COUNTRY_METADATA_FILES]
    return pd.concat(frames, ignore_index=True).drop_duplicates("iso3", keep="first")


def keep_economies(frame: pd.DataFrame, metadata: pd.DataFrame,
                   where: Path | str) -> pd.DataFrame:
    """Drop aggregates (empty region) and refuse codes the metadata has never seen."""
    require_known(frame["iso3"], [*metadata["iso3"], *UNCLASSIFIED_CODES],
                  "economy code (not in the country metadata)", where)
    economies = metadata.loc[metadata["region"].notna(), "iso3"]
    return frame[frame["iso3"].isin(economies)]


def build_wb_indicators(files: RawFiles) -> pd.DataFrame:
    """All three indicators for economies only, 1990-2025, long and sorted."""
    metadata = country_metadata(files)
    frames = []
    for name, code in INDICATOR_FILES.items():
        frame = keep_economies(parse_indicator_file(files[name], code), metadata, files[name])
        frames.append(frame[frame["year"].between(FIRST_YEAR, LAST_YEAR)])
    indicators = pd.concat(frames, ignore_index=True)
    return indicators.sort_values(["indicator_code", "iso3", "year"]).reset_index(drop=True)


def build_wb_countries(files: RawFiles) -> pd.DataFrame:
    """Economies with their World Bank region and income group (newest classification)."""
    metadata = country_metadata(files)
    economies = metadata[metadata["region"].notna()]
    return economies.sort_values("iso3").reset_index(drop=True)


# ---------------------------------------------------------------- schemas

def _percent_at_most_100(frame: pd.DataFrame) -> pd.Series:
    return ~(frame["indicator_code"].isin(PERCENT_INDICATORS) & (frame["value"] > 100))


WB_INDICATORS_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(FIRST_YEAR, LAST_YEAR),
        "indicator_code": pa.Column(str, pa.Check.isin(list(INDICATOR_FILES.values()))),
        "value": pa.Column(float, pa.Check.in_range(0, 500_000)),
    },
    checks=[pa.Check(_percent_at_most_100, error="a share in % of population exceeds 100")],
    unique=["indicator_code", "iso3", "year"],
    strict=True,
    coerce=True,
)

INCOME_GROUPS = ["Low income", "Lower middle income", "Upper middle income", "High income"]
WB_COUNTRIES_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(unique=True),
        "name": pa.Column(str),
        "region": pa.Column(str),
        "income_group": pa.Column(str, pa.Check.isin(INCOME_GROUPS), nullable=True),
    },
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="wb_indicators",
        build=build_wb_indicators,
        schema=WB_INDICATORS_SCHEMA,
        description="World Bank WDI: Internet users %, mobile subscriptions per 100, GDP per "
                    "capita PPP (2021 int. $), economies only, long",
    ),
    TableSpec(
        name="wb_countries",
        build=build_wb_countries,
        schema=WB_COUNTRIES_SCHEMA,
        description="World Bank economies with region and income group",
    ),
)
