"""Penn World Table 10.01: output, persons engaged and hours, for GDP per hour worked.

PWT gives an hours-based productivity series where the OECD one is missing (Korea before 2011,
most members in 1990-94), but on another basis: output-side real GDP at chained PPPs in
million 2017 US dollars (``rgdpo``), persons engaged in millions (``emp``) and average annual
hours per person engaged (``avh``). GDP per hour worked = rgdpo / (emp × avh), in 2017 US
dollars per hour; compare its growth, not its level, with the OECD's 2020-PPP series.
Only country-years with all three inputs are kept (69 countries have ``avh``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.pipeline.validate import require_columns
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    iso3_column,
    read_raw_csv,
    refusing_fetch,
    require_country_codes,
    year_column,
)

SOURCE_ID = "pwt"
HOMEPAGE = "https://www.rug.nl/ggdc/productivity/pwt/"
FILE_PWT = "pwt101.csv"
#: raw column → tidy column (units in the name: million 2017 US$, millions, hours per year)
COLUMNS = {"countrycode": "iso3", "year": "year", "rgdpo": "rgdpo_musd_2017",
           "emp": "emp_millions", "avh": "avh_hours"}
#: million US$ / (million persons × hours) = US$ per hour
GDP_PER_HOUR = "gdp_per_hour_usd2017"
#: why there is nothing to download: PWT is distributed as Excel/Stata files from the GGDC page
HOW_PUBLISHED = (
    f"the GGDC distributes PWT 10.01 as Excel and Stata files via {HOMEPAGE}; this CSV is "
    "the Excel 'Data' sheet saved as CSV (GitHub jivizcaino/PWT10.1)."
)

fetch = refusing_fetch(SOURCE_ID, HOW_PUBLISHED)


def read_pwt(path: Path) -> pd.DataFrame:
    """Read only the columns productivity needs (the file has 52), checking the header first.

    Reading 5 of 52 columns keeps the 4 MB file's parse well under a second.
    """
    header = read_raw_csv(path, SOURCE_ID, nrows=0)
    require_columns(header, COLUMNS, path)
    return read_raw_csv(path, SOURCE_ID, usecols=list(COLUMNS), dtype={"countrycode": "string"})


def parse_pwt(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Keep country-years with output, employment and hours; derive GDP per hour worked."""
    require_columns(raw, COLUMNS, where)
    require_country_codes(raw["countrycode"], [], where)
    frame = raw.rename(columns=COLUMNS)[list(COLUMNS.values())]
    complete = frame.dropna(subset=["rgdpo_musd_2017", "emp_millions", "avh_hours"])
    return complete.assign(
        iso3=complete["iso3"].astype(str),
        year=complete["year"].astype(int),
        **{GDP_PER_HOUR: complete["rgdpo_musd_2017"]
           / (complete["emp_millions"] * complete["avh_hours"])},
    )


def build_pwt_productivity(files: RawFiles) -> pd.DataFrame:
    """PWT output, employment, hours and GDP per hour by country and year, sorted."""
    path = files[FILE_PWT]
    frame = parse_pwt(read_pwt(path), path)
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


PWT_PRODUCTIVITY_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "year": year_column(1950),
        "rgdpo_musd_2017": pa.Column(float, pa.Check.gt(0)),
        "emp_millions": pa.Column(float, pa.Check.gt(0)),
        "avh_hours": pa.Column(float, pa.Check.in_range(1_000, 3_500)),
        GDP_PER_HOUR: pa.Column(float, pa.Check.in_range(0.1, 250)),
    },
    unique=["iso3", "year"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="pwt_productivity",
        build=build_pwt_productivity,
        schema=PWT_PRODUCTIVITY_SCHEMA,
        description="Penn World Table 10.01: GDP per hour worked, 2017 US$ at PPPs, to 2019",
    ),
)
