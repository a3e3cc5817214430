"""OECD average annual wages (dataflow ``OECD.ELS.SAE:DSD_EARNINGS@AV_AN_WAGE``).

Two editions are kept side by side because the OECD rebases the series every year:
constant 2025 prices (1990–2025, the current release) and constant 2022 prices (2020–2022,
the spring-2024 release the briefing quoted). Ranks differ between them partly because the
older export holds fewer members for 2022.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.reference.countries import oecd_members
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import iso3_column, read_raw_csv, year_column

SOURCE_ID = "oecd_wages"
DATAFLOW = "OECD.ELS.SAE,DSD_EARNINGS@AV_AN_WAGE,1.0"
SDMX_URL = (
    f"https://sdmx.oecd.org/public/rest/data/{DATAFLOW}/all"
    "?startPeriod=1990&dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
)
MEASURE = "WG"  # average annual wages per full-time equivalent dependent employee
UNIT = "USD_PPP"
PRICE_BASE_CONSTANT = "Q"
FILE_CONST2025 = "oecd_av_an_wage_usd_ppp_const2025.csv"
FILE_CONST2022 = "OECD_AV_AN_WAGE_const2022_2020-2022_michal0091.csv"
#: raw file → price base year of its edition
EDITIONS = {FILE_CONST2025: 2025, FILE_CONST2022: 2022}
KNOWN_AREAS = [*oecd_members(), "OECD"]

EXTRACT_COLUMNS = ["ref_area", "measure", "year", "obs_value", "unit_measure", "price_base",
                   "base_per", "obs_status"]
SDMX_COLUMNS = ["REF_AREA", "MEASURE", "UNIT_MEASURE", "PRICE_BASE", "TIME_PERIOD",
                "OBS_VALUE", "BASE_PER", "OBS_STATUS", "UNIT_MULT"]


def read_csv(path: Path) -> pd.DataFrame:
    """Read a raw CSV, turning unreadable bytes into a ``RawFileCorruptError``."""
    return read_raw_csv(path, SOURCE_ID)


def parse_sdmx_labels(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep the USD-PPP constant-price wage rows of an OECD ``csvfilewithlabels`` export.

    The live export holds every unit and price base of the dataflow; only average wages in
    US dollars at PPPs and constant prices are comparable across countries. Units, not
    thousands (``UNIT_MULT`` = 0). Rows whose base period is blank inherit the edition's
    base year (the spring-2024 export leaves it blank for four CRI/COL rows).
    """
    require_columns(raw, SDMX_COLUMNS, where)
    rows = raw[(raw["MEASURE"] == MEASURE) & (raw["UNIT_MEASURE"] == UNIT)
               & (raw["PRICE_BASE"] == PRICE_BASE_CONSTANT)]
    if "AGGREGATION_OPERATION" in rows:
        rows = rows[rows["AGGREGATION_OPERATION"].fillna("MEAN") == "MEAN"]
    require_known(rows["UNIT_MULT"], [0], "unit multiplier", where)
    base_years = rows["BASE_PER"].dropna().astype(int).unique()
    if len(base_years) != 1:
        raise SourceSchemaError(
            f"{where}: expected one price base year in the USD-PPP constant-price block, found "
            f"{sorted(base_years.tolist())}; the export mixes editions — fetch it again or "
            "split it by BASE_PER in the parser."
        )
    return pd.DataFrame({
        "iso3": rows["REF_AREA"].astype(str),
        "year": rows["TIME_PERIOD"].astype(int),
        "wage_usd_ppp": rows["OBS_VALUE"].astype(float),
        "price_base_year": int(base_years[0]),
        "obs_status": rows["OBS_STATUS"].astype(str),
    })


def parse_extract(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Read the mirror's extract of the USD-PPP constant-price block (lower-case columns)."""
    require_columns(raw, EXTRACT_COLUMNS, where)
    require_known(raw["unit_measure"], [UNIT], "unit", where)
    require_known(raw["price_base"], [PRICE_BASE_CONSTANT], "price base", where)
    return pd.DataFrame({
        "iso3": raw["ref_area"].astype(str),
        "year": raw["year"].astype(int),
        "wage_usd_ppp": raw["obs_value"].astype(float),
        "price_base_year": raw["base_per"].astype(int),
        "obs_status": raw["obs_status"].astype(str),
    })


def parse_file(path: Path) -> pd.DataFrame:
    """Parse either layout, chosen by its header (the live endpoint serves the SDMX one)."""
    raw = read_csv(path)
    if "STRUCTURE" in raw.columns or "REF_AREA" in raw.columns:
        return parse_sdmx_labels(raw, path)
    return parse_extract(raw, path)


def build_wages(files: RawFiles) -> pd.DataFrame:
    """Stack both editions into one long table, sorted by edition, country, year."""
    frames = []
    for name in EDITIONS:
        frame = parse_file(files[name])
        require_known(frame["iso3"], KNOWN_AREAS, "reference area", files[name])
        frames.append(frame)
    wages = pd.concat(frames, ignore_index=True)
    return wages.sort_values(["price_base_year", "iso3", "year"]).reset_index(drop=True)


WAGES_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(1990),
        "wage_usd_ppp": pa.Column(float, pa.Check.in_range(1_000, 500_000)),
        "price_base_year": pa.Column(int, pa.Check.in_range(2010, 2100)),
        "obs_status": pa.Column(str, pa.Check.isin(["A", "E", "P", "B"])),
    },
    unique=["price_base_year", "iso3", "year"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="wages",
        build=build_wages,
        schema=WAGES_SCHEMA,
        description="OECD average annual wages, USD PPP at constant prices, by edition",
    ),
)
