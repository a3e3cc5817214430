"""Digital Garden City Nation (デジタル田園都市国家構想) KPIs: targets and reported actuals.

A committed reference table: one row per (KPI, reported actual), the target repeated on every
row of its KPI, each actual with the page it was read from. Targets stay as published text
(several targets per KPI are separated by ``;`` and some are words: 十数か所, 完成); actuals are
numbers in the KPI's ``unit`` or empty where no official figure was found.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._reference import numbers, read_reference_csv

SOURCE_ID = "kpi"
FILE_KPIS = "digital_garden_city_kpis.csv"
KPI_COLUMNS = ["kpi_id", "kpi", "kpi_en", "unit", "target_value", "target_year",
               "target_source", "actual_value", "actual_as_of", "actual_source_url",
               "actual_source_title", "note"]
KPI_ID_PATTERN = r"^K\d{2}$"


def build_kpis(files: RawFiles) -> pd.DataFrame:
    """Build ``kpis``: source columns, ``actual_value`` as a number (NaN = none found)."""
    path = files[FILE_KPIS]
    raw = read_reference_csv(path, KPI_COLUMNS, SOURCE_ID)
    actual = numbers(raw["actual_value"], "actual_value", path)
    has_actual = actual.notna()
    if (raw.loc[has_actual, "actual_source_url"] == "").any():
        raise SourceSchemaError(f"{path}: an actual value has no source URL.")
    return raw.assign(actual_value=actual)[KPI_COLUMNS]


KPIS_SCHEMA = pa.DataFrameSchema(
    {
        "kpi_id": pa.Column(str, pa.Check.str_matches(KPI_ID_PATTERN)),
        **{c: pa.Column(str) for c in KPI_COLUMNS[1:7]},
        "actual_value": pa.Column(float, pa.Check.ge(0), nullable=True),
        **{c: pa.Column(str) for c in KPI_COLUMNS[8:]},
    },
    unique=["kpi_id", "actual_as_of", "actual_value", "actual_source_url"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(name="kpis", build=build_kpis, schema=KPIS_SCHEMA,
              description="Digital Garden City Nation KPIs: targets and reported actuals"),
)
