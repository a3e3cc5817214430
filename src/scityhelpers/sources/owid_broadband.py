"""Fixed broadband subscriptions per 100 people (ITU via World Bank WDI, OWID chart export).

The series is World Bank indicator ``IT.NET.BBND.P2`` (subscriptions with downstream speeds of
256 kbit/s or more), as exported by Our World in Data's chart. OWID uses its own country names
("South Korea"), so rows are keyed on the ISO3 ``Code``; rows without a code (World Bank
regions, income groups, the EU, and "Faeroe Islands") and OWID's own ``OWID_*`` codes (World)
are not countries and are dropped. The export stops in 2021.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.pipeline.validate import require_columns
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import iso3_column, keep_country_rows, read_raw_csv, year_column

SOURCE_ID = "owid_broadband"
CHART_CSV_URL = "https://ourworldindata.org/grapher/broadband-penetration-by-country.csv"
FILE_BROADBAND = "broadband-penetration-by-country.csv"
VALUE_COLUMN = "Fixed broadband subscriptions (per 100 people)"
RAW_COLUMNS = ["Entity", "Code", "Year", VALUE_COLUMN]
#: OWID's prefix for areas without an ISO code (``OWID_WRL`` = World).
OWID_CODE_PREFIX = "OWID_"


def read_csv(path: Path) -> pd.DataFrame:
    """Read the chart export, turning unreadable bytes into a ``RawFileCorruptError``."""
    return read_raw_csv(path, SOURCE_ID, dtype={"Code": "string"})


def parse_broadband(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep country rows (ISO3 ``Code``), subscriptions per 100 inhabitants."""
    require_columns(raw, RAW_COLUMNS, where)
    coded = raw[raw["Code"].notna()]
    owid_codes = [c for c in coded["Code"].unique() if c.startswith(OWID_CODE_PREFIX)]
    countries = keep_country_rows(coded, "Code", VALUE_COLUMN, where, dropped=owid_codes)
    return pd.DataFrame({
        "iso3": countries["Code"].astype(str),
        "year": countries["Year"].astype(int),
        "fixed_broadband_per_100": countries[VALUE_COLUMN].astype(float),
    })


def build_broadband(files: RawFiles) -> pd.DataFrame:
    """Fixed broadband subscriptions per 100 people by country and year, sorted."""
    path = files[FILE_BROADBAND]
    frame = parse_broadband(read_csv(path), path)
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


BROADBAND_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(1990),
        "fixed_broadband_per_100": pa.Column(float, pa.Check.in_range(0, 100)),
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="broadband",
        build=build_broadband,
        schema=BROADBAND_SCHEMA,
        description="Fixed broadband subscriptions per 100 people (ITU/World Bank via OWID)",
    ),
)
