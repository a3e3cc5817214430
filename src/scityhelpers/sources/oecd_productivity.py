"""OECD labour productivity: GDP per hour worked and average annual hours worked.

GDP per hour worked comes from the OECD Productivity Database (dataflow
``OECD.SDD.TPS:DSD_PDB@DF_PDB_LV``): US dollars per hour at constant prices and constant PPPs
of the base year (2020 in the mirrored copy). The mirror holds a JSON extract of the USD-PPP
constant-price block, rounded to 2 decimals; the live endpoint serves the full
``csvfilewithlabels`` export, so both layouts are parsed and chosen by the file's structure.

Hours are the legacy OECD indicator ``HRWKD`` (average annual hours actually worked per person
in employment). Its successor dataflow ``DF_AVG_ANN_HRS_WKD`` has another layout whose codes
were not available in a verified copy, so that layout is refused with a clear error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    iso3_column,
    keep_country_rows,
    read_raw_csv,
    read_raw_json,
    require_country_codes,
    year_column,
)

SOURCE_ID = "oecd_productivity"
PDB_DATAFLOW = "OECD.SDD.TPS,DSD_PDB@DF_PDB_LV,1.0"
PDB_URL = (
    f"https://sdmx.oecd.org/public/rest/data/{PDB_DATAFLOW}/all"
    "?startPeriod=1990&dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
)
HOURS_URL = (
    "https://sdmx.oecd.org/public/rest/data/OECD.ELS.SAE,DSD_HW@DF_AVG_ANN_HRS_WKD,1.0/all"
    "?startPeriod=1990&format=csvfilewithlabels"
)
FILE_GDP_HOUR = "conway1521_gdp_hour.json"
FILE_HOURS = "oecd_hrwkd_avg_annual_hours_worked_legacy_economist.csv"

#: The JSON extract carries no base year; it was filtered on BASE_PER 2020 (SOURCES.md §3).
JSON_PRICE_BASE_YEAR = 2020
#: Dimension values that select GDP per hour, total economy, USD PPP, constant prices, annual.
SDMX_SELECTION = {"MEASURE": "GDPHRS", "UNIT_MEASURE": "USD_PPP_H", "PRICE_BASE": "Q",
                  "ACTIVITY": "_T", "FREQ": "A"}
SDMX_COLUMNS = ["REF_AREA", *SDMX_SELECTION, "TIME_PERIOD", "OBS_VALUE", "UNIT_MULT",
                "BASE_PER"]
#: Aggregates kept in the tidy tables (the OECD average is a useful benchmark).
AGGREGATES_KEPT = ("OECD",)

#: Legacy HRWKD export: fixed codes whose change would change the measure.
HOURS_CODES = {"INDICATOR": ["HRWKD"], "SUBJECT": ["TOT"], "MEASURE": ["HR_WKD"],
               "FREQUENCY": ["A"]}
HOURS_COLUMNS = ["LOCATION", *HOURS_CODES, "TIME", "Value"]
#: Aggregates in the hours file that are dropped (not an ISO3 area, no counterpart elsewhere).
HOURS_AGGREGATES_DROPPED = ("EU27",)


def read_csv(path: Path) -> pd.DataFrame:
    """Read a raw CSV (UTF-8, optional BOM), turning unreadable bytes into an error."""
    return read_raw_csv(path, SOURCE_ID, read_as=None)


def read_json(path: Path) -> Any:
    """Read a raw JSON document, turning unreadable or broken bytes into an error."""
    return read_raw_json(path, SOURCE_ID, read_as=None)


def _is_json(path: Path) -> bool:
    """True if the file's first meaningful byte opens a JSON object (the mirror's extract)."""
    with path.open("rb") as handle:
        head = handle.read(64).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")


def parse_gdp_hour_json(document: Any, where: Path | str) -> pd.DataFrame:
    """Turn ``{ISO3: [[year, value], ...]}`` into rows (USD per hour, 2020 PPPs, 2 decimals)."""
    if not isinstance(document, dict) or not all(
        isinstance(series, list) and all(isinstance(p, list) and len(p) == 2 for p in series)
        for series in document.values()
    ):
        raise SourceSchemaError(
            f"{where}: expected a JSON object {{ISO3: [[year, value], ...]}}; the extract's "
            "layout changed: update scityhelpers/sources/oecd_productivity.py."
        )
    rows = [(iso3, year, value) for iso3, series in document.items() for year, value in series]
    frame = pd.DataFrame(rows, columns=["iso3", "year", "gdp_per_hour_usd_ppp"])
    require_country_codes(frame["iso3"], AGGREGATES_KEPT, where)
    return frame.assign(
        year=frame["year"].astype(int),
        gdp_per_hour_usd_ppp=frame["gdp_per_hour_usd_ppp"].astype(float),
        price_base_year=JSON_PRICE_BASE_YEAR,
    )


def parse_gdp_hour_sdmx(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep GDP per hour worked, USD PPP, constant prices from a ``csvfilewithlabels`` export.

    The live export holds every measure of the dataflow (GDP per person employed, national
    currency, current prices, ...); only ``SDMX_SELECTION`` gives the comparable series.
    Units, not thousands (``UNIT_MULT`` = 0); one base year for the whole block.
    """
    require_columns(raw, SDMX_COLUMNS, where)
    selected = pd.Series(True, index=raw.index)
    for column, code in SDMX_SELECTION.items():
        selected &= raw[column] == code
    rows = raw[selected & raw["OBS_VALUE"].notna()]
    if rows.empty:
        raise SourceSchemaError(
            f"{where}: no rows with {SDMX_SELECTION}; the dataflow's codes changed: update "
            "SDMX_SELECTION in scityhelpers/sources/oecd_productivity.py."
        )
    require_known(rows["UNIT_MULT"], [0], "unit multiplier", where)
    base_years = sorted(rows["BASE_PER"].dropna().astype(int).unique())
    if len(base_years) != 1:
        raise SourceSchemaError(f"{where}: expected one base year, found {base_years}")
    require_country_codes(rows["REF_AREA"], AGGREGATES_KEPT, where)
    return pd.DataFrame({
        "iso3": rows["REF_AREA"].astype(str),
        "year": rows["TIME_PERIOD"].astype(int),
        "gdp_per_hour_usd_ppp": rows["OBS_VALUE"].astype(float),
        "price_base_year": int(base_years[0]),
    })


def parse_gdp_hour_file(path: Path) -> pd.DataFrame:
    """Parse either layout, chosen by structure: JSON extract (mirror) or SDMX CSV (live)."""
    if _is_json(path):
        return parse_gdp_hour_json(read_json(path), path)
    return parse_gdp_hour_sdmx(read_csv(path), path)


def parse_hours_legacy(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Read the legacy ``HRWKD`` export: hours actually worked per person employed per year."""
    if "STRUCTURE" in raw.columns:
        raise SourceSchemaError(
            f"{where}: this is the new OECD Data Explorer layout (DF_AVG_ANN_HRS_WKD), which the "
            "parser does not know yet; write a parser for it from a checked excerpt."
        )
    require_columns(raw, HOURS_COLUMNS, where)
    for column, codes in HOURS_CODES.items():
        require_known(raw[column], codes, column.lower(), where)
    rows = keep_country_rows(raw, "LOCATION", "Value", where, kept=AGGREGATES_KEPT,
                             dropped=HOURS_AGGREGATES_DROPPED)
    return pd.DataFrame({
        "iso3": rows["LOCATION"].astype(str),
        "year": rows["TIME"].astype(int),
        "hours_per_worker": rows["Value"].astype(float),
    })


def build_productivity(files: RawFiles) -> pd.DataFrame:
    """GDP per hour worked by country and year, sorted."""
    frame = parse_gdp_hour_file(files[FILE_GDP_HOUR])
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


def build_hours_worked(files: RawFiles) -> pd.DataFrame:
    """Average annual hours worked per person employed by country and year, sorted."""
    frame = parse_hours_legacy(read_csv(files[FILE_HOURS]), files[FILE_HOURS])
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


PRODUCTIVITY_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(1950),
        "gdp_per_hour_usd_ppp": pa.Column(float, pa.Check.in_range(1, 250)),
        "price_base_year": pa.Column(int, pa.Check.in_range(2010, 2100)),
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

HOURS_WORKED_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(1950),
        "hours_per_worker": pa.Column(float, pa.Check.in_range(1_000, 3_500)),
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="productivity",
        build=build_productivity,
        schema=PRODUCTIVITY_SCHEMA,
        description="OECD GDP per hour worked, USD at constant prices and PPPs (base 2020)",
    ),
    TableSpec(
        name="hours_worked",
        build=build_hours_worked,
        schema=HOURS_WORKED_SCHEMA,
        description="OECD average annual hours actually worked per person employed (HRWKD)",
    ),
)
