"""OECD Digital Government Index (DGI) 2023: six dimensions, composite score and rank.

The OECD publishes the index only as tables in a policy paper (PDF); the scores here were
extracted from those tables by the Blavatnik Index of Public Administration team, in long
format ``cc_iso3c, ref_year, variable, value``. Scores run from 0 to 1. The composite rank
covers the 33 OECD members surveyed; the 5 non-members (ARG, BRA, HRV, PER, ROU) have scores
but no rank, and 5 members (CHE, DEU, GRC, SVK, USA) did not take part.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.reference.countries import oecd_members
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import iso3_column, read_raw_csv, refusing_fetch

SOURCE_ID = "oecd_dgi"
PUBLICATION_URL = "https://doi.org/10.1787/1a89ed5e-en"
FILE_DGI_2023 = "oecd_digital_government_index_2023_bipa.csv"
RAW_COLUMNS = ["cc_iso3c", "ref_year", "variable", "value"]
#: The six DGI dimensions and the composite, as the extraction names them (scores 0-1).
DIMENSIONS = ("digital_design", "data_driven", "govt_as_platform", "open_default",
              "user_driven", "proactiveness", "composite_index")
RANK_VARIABLE = "composite_rank"
#: why there is nothing to download: the DGI is published as PDF tables, not as a data file
HOW_PUBLISHED = (
    f"the OECD publishes the 2023 DGI as tables in a PDF policy paper ({PUBLICATION_URL}); "
    "the CSV is the Blavatnik Index team's extraction (GitHub "
    "blavatnik-index/bipa2024_sourcedata, data_raw/OECD_DGI_2023/oecd_dgi_2023.csv)."
)

fetch = refusing_fetch(SOURCE_ID, HOW_PUBLISHED)


def read_csv(path: Path) -> pd.DataFrame:
    """Read the extraction (UTF-8 with BOM), turning unreadable bytes into an error."""
    return read_raw_csv(path, SOURCE_ID)


def parse_dgi(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Split the long extraction into dimension scores plus the composite rank as a column.

    The rank is not a score on the 0-1 scale, so it is carried as ``composite_rank`` (null for
    non-members, which the OECD does not rank) instead of as one more "dimension".
    """
    require_columns(raw, RAW_COLUMNS, where)
    require_known(raw["variable"], [*DIMENSIONS, RANK_VARIABLE], "DGI variable", where)
    ranks = raw[raw["variable"] == RANK_VARIABLE]
    require_known(ranks["cc_iso3c"], oecd_members(), "ranked country (OECD members only)", where)
    scores = raw[raw["variable"] != RANK_VARIABLE]
    rank_by_country = ranks.set_index(["cc_iso3c", "ref_year"])["value"]
    keys = pd.MultiIndex.from_frame(scores[["cc_iso3c", "ref_year"]])
    return pd.DataFrame({
        "iso3": scores["cc_iso3c"].astype(str).to_numpy(),
        "ref_year": scores["ref_year"].astype(int).to_numpy(),
        "dimension": scores["variable"].astype(str).to_numpy(),
        "score": scores["value"].astype(float).to_numpy(),
        "composite_rank": rank_by_country.reindex(keys).astype("Int64").array,
    })


def build_digital_government_index(files: RawFiles) -> pd.DataFrame:
    """DGI scores by country and dimension, sorted by composite rank then country."""
    path = files[FILE_DGI_2023]
    frame = parse_dgi(read_csv(path), path)
    return frame.sort_values(["ref_year", "composite_rank", "iso3", "dimension"],
                             na_position="last").reset_index(drop=True)


def _every_country_has_every_dimension(frame: pd.DataFrame) -> bool:
    counts = frame.groupby(["iso3", "ref_year"])["dimension"].nunique()
    return bool((counts == len(DIMENSIONS)).all())


def _ranks_follow_composite(frame: pd.DataFrame) -> bool:
    """A PDF extraction slip would show as a rank out of line with the composite score."""
    composite = frame[(frame["dimension"] == "composite_index") & frame["composite_rank"].notna()]
    ordered = composite.sort_values(["ref_year", "composite_rank"])
    return bool(ordered.groupby("ref_year")["score"].is_monotonic_decreasing.all())


DGI_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "ref_year": pa.Column(int, pa.Check.in_range(2019, 2100)),
        "dimension": pa.Column(str, pa.Check.isin(DIMENSIONS)),
        "score": pa.Column(float, pa.Check.in_range(0, 1)),
        "composite_rank": pa.Column("Int64", pa.Check.in_range(1, 38), nullable=True),
    },
    checks=[
        pa.Check(_every_country_has_every_dimension,
                 error="a country lacks one of the seven DGI scores"),
        pa.Check(_ranks_follow_composite,
                 error="composite_rank does not follow the composite_index score"),
    ],
    unique=["iso3", "ref_year", "dimension"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="digital_government_index",
        build=build_digital_government_index,
        schema=DGI_SCHEMA,
        description="OECD Digital Government Index 2023: six dimension scores, composite, rank",
    ),
)
