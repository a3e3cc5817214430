"""SDGs未来都市 lists: the briefing's FY2018–2023 table, the news-compiled list, FY2024–2025.

``sdgs_future_cities`` combines two reference tables, as their SOURCES.md prescribes: the
complete FY2018–2023 list reconstructed from the briefing (183 rows, one FY2021 row with no
name) and the news-compiled list for FY2024–2025 and for the model-project flags. The two
agree on every FY2018–2023 row; :func:`combine_sdgs` refuses them if they ever disagree.
The builders that read the files are in :mod:`scityhelpers.sources.programmes`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_known
from scityhelpers.sources._reference import dates, resolve_codes, whole_numbers, yes_no
from scityhelpers.sources._shared import code5_column, code6_column

log = logging.getLogger(__name__)

#: the two reference tables combined into ``sdgs_future_cities`` (named in its rows)
FILE_SDGS = "sdgs_future_cities.csv"
FILE_SDGS_BRIEFING = "sdgs_future_cities_2018_2023_briefing.csv"
PROGRAMME_SDGS = "SDGs未来都市"
#: the briefing table covers these years completely; the news list adds later years
BRIEFING_YEARS = range(2018, 2024)
#: the official list the briefing cites (Cabinet Office, not retrieved)
BRIEFING_SOURCE_URL = "https://www.chisou.go.jp/tiiki/kankyo/teian/2023sdgs_pdf/05_puresuissiki.pdf"
MODEL_PROJECT = {"yes": True, "no": False, "unknown": pd.NA}
SDGS_COLUMNS = ["programme", "fiscal_year", "announced", "prefecture", "municipality",
                "is_prefecture", "joint_group", "model_project", "source_url", "note"]
BRIEFING_COLUMNS = ["fiscal_year", "prefecture", "municipality", "code", "is_prefecture",
                    "joint_group", "text_in_briefing", "correction", "confirmed_by"]
BY_YEAR_COLUMNS = ["programme", "fiscal_year", "announced", "cities_selected",
                   "municipalities_selected", "model_projects", "applicants",
                   "cumulative_cities", "cumulative_municipalities", "rows_in_table",
                   "source_url"]
BY_YEAR_COUNTS = BY_YEAR_COLUMNS[3:10]  # cities_selected … rows_in_table (counts)
SDGS_2024_2025_COLUMNS = ["programme", "fiscal_year", "announced", "prefecture", "municipality",
                          "is_prefecture", "code", "model_project", "verified_2026_11_29",
                          "source_url", "note"]
#: FY2025 adds ``none_announced``: the Cabinet Office page names no model-project category
MODEL_PROJECT_2024_2025 = {**MODEL_PROJECT, "none_announced": False}


# -- parsers ---------------------------------------------------------------------------------
def parse_news_list(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Type the news-compiled list and resolve its names (model flags: yes/no/unknown → NA)."""
    require_known(raw["programme"], [PROGRAMME_SDGS], "programme", where)
    require_known(raw["model_project"], MODEL_PROJECT, "model_project", where)
    codes = resolve_codes(raw, "municipality", "prefecture", where)
    return pd.DataFrame({
        "fiscal_year": whole_numbers(raw["fiscal_year"], "fiscal_year", where).astype(int),
        "prefecture": raw["prefecture"],
        "municipality": raw["municipality"],
        "code5": codes["code5"],
        "code6": codes["code6"],
        "is_prefecture": yes_no(raw["is_prefecture"], "is_prefecture", where),
        "joint_group": raw["joint_group"].replace("", None),
        "is_model_project": raw["model_project"].map(MODEL_PROJECT).astype("boolean"),
        "is_resolved": True,
        "source_table": FILE_SDGS,
        "source_url": raw["source_url"],
        "note": raw["note"],
    })


def parse_briefing(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Type the FY2018–2023 list; resolve names and check them against its printed codes.

    The one row whose name was lost in the briefing (FY2021) keeps empty codes and
    ``is_resolved`` False: it is counted, never guessed.
    """
    named = raw["municipality"] != ""
    codes = resolve_codes(raw[named], "municipality", "prefecture", where)
    printed = raw.loc[named, "code"]
    differ = printed.ne(codes["code6"])
    if differ.any():
        raise SourceSchemaError(
            f"{where}: printed codes disagree with the resolved names: "
            f"{raw.loc[differ[differ].index, ['municipality', 'code']].to_dict('records')}"
        )
    if (raw.loc[~named, "code"] != "").any():
        raise SourceSchemaError(f"{where}: a row without a name carries a code.")
    log.info("%s: %d row(s) without a name kept unresolved", where, int((~named).sum()))
    return pd.DataFrame({
        "fiscal_year": whole_numbers(raw["fiscal_year"], "fiscal_year", where).astype(int),
        "prefecture": raw["prefecture"],
        "municipality": raw["municipality"],
        "code5": codes["code5"].reindex(raw.index),
        "code6": codes["code6"].reindex(raw.index),
        "is_prefecture": yes_no(raw["is_prefecture"], "is_prefecture", where),
        "joint_group": raw["joint_group"].replace("", None),
        "is_resolved": named,
        "source_table": FILE_SDGS_BRIEFING,
        "source_url": raw["confirmed_by"].replace("", BRIEFING_SOURCE_URL),
        "note": raw["correction"],
    })


def combine_sdgs(briefing: pd.DataFrame, news: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Briefing rows for FY2018–2023 (with the news list's model flags), news rows after.

    Every news row of FY2018–2023 must be a briefing row (same year and code): the two
    tables were reconciled, and a disagreement means one of them was edited.
    """
    early = news[news["fiscal_year"].isin(BRIEFING_YEARS)]
    keys = ["fiscal_year", "code5"]
    matched = early.merge(briefing[keys], on=keys, how="left", indicator=True)
    orphans = matched[matched["_merge"] == "left_only"]
    if not orphans.empty:
        raise SourceSchemaError(
            f"{where}: rows of {FILE_SDGS} missing from {FILE_SDGS_BRIEFING}: "
            f"{orphans[['fiscal_year', 'municipality']].to_dict('records')}"
        )
    flags = early[[*keys, "is_model_project"]]
    flagged = briefing.merge(flags, on=keys, how="left", validate="m:1")
    flagged["is_model_project"] = flagged["is_model_project"].astype("boolean")
    late = news[~news["fiscal_year"].isin(BRIEFING_YEARS)]
    combined = pd.concat([flagged[late.columns], late], ignore_index=True)
    return combined.sort_values(["fiscal_year", "code5"], na_position="last",
                                kind="stable").reset_index(drop=True)


def parse_sdgs_2024_2025(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Type the FY2024–2025 list; its printed codes must match the resolved names.

    ``model_project`` ``none_announced`` (FY2025: no model-project category on the Cabinet
    Office page) becomes False; ``unknown`` stays NA.
    """
    require_known(raw["programme"], [PROGRAMME_SDGS], "programme", where)
    require_known(raw["model_project"], MODEL_PROJECT_2024_2025, "model_project", where)
    codes = resolve_codes(raw, "municipality", "prefecture", where)
    differ = raw["code"].ne(codes["code6"])
    if differ.any():
        raise SourceSchemaError(f"{where}: printed codes disagree with the resolved names: "
                                f"{raw.loc[differ, ['municipality', 'code']].to_dict('records')}")
    return pd.DataFrame({
        "fiscal_year": whole_numbers(raw["fiscal_year"], "fiscal_year", where).astype(int),
        "announced": dates(raw["announced"], "announced", where),
        "prefecture": raw["prefecture"],
        "municipality": raw["municipality"],
        "code5": codes["code5"],
        "code6": codes["code6"],
        "is_prefecture": yes_no(raw["is_prefecture"], "is_prefecture", where),
        "is_model_project": raw["model_project"].map(MODEL_PROJECT_2024_2025).astype("boolean"),
        "is_verified_2026_11_29": yes_no(raw["verified_2026_11_29"], "verified_2026_11_29", where),
        "source_url": raw["source_url"],
        "note": raw["note"],
    })


# -- schemas -------------------------------------------------------------------------------
#: a count that may be blank (not found / not reported); shared by the count tables
COUNT_COLUMN = pa.Column("Int64", pa.Check.ge(0), nullable=True)
TEXT_COLUMN = pa.Column(str)

SDGS_SCHEMA = pa.DataFrameSchema(
    {
        "fiscal_year": pa.Column(int, pa.Check.in_range(2018, 2100)),
        "prefecture": TEXT_COLUMN,
        "municipality": TEXT_COLUMN,
        "code5": code5_column(nullable=True),
        "code6": code6_column(nullable=True),
        "is_prefecture": pa.Column(bool),
        "joint_group": pa.Column(str, nullable=True),
        "is_model_project": pa.Column("boolean", nullable=True),
        "is_resolved": pa.Column(bool),
        "source_table": pa.Column(str, pa.Check.isin([FILE_SDGS, FILE_SDGS_BRIEFING])),
        "source_url": TEXT_COLUMN,
        "note": TEXT_COLUMN,
    },
    checks=pa.Check(lambda df: df["code5"].notna() == df["is_resolved"],
                    error="code5 is empty exactly for unresolved rows"),
    unique=["fiscal_year", "code5"],
    strict=True,
    coerce=True,
)

SDGS_BY_YEAR_SCHEMA = pa.DataFrameSchema(
    {
        "fiscal_year": pa.Column(int, pa.Check.in_range(2018, 2100)),
        "announced": pa.Column("datetime64[ns]", nullable=True),
        **{c: COUNT_COLUMN for c in BY_YEAR_COUNTS},
        "source_url": TEXT_COLUMN,
    },
    unique=["fiscal_year"],
    strict=True,
    coerce=True,
)

SDGS_2024_2025_SCHEMA = pa.DataFrameSchema(
    {
        "fiscal_year": pa.Column(int, pa.Check.isin([2024, 2025])),
        "announced": pa.Column("datetime64[ns]"),
        "prefecture": TEXT_COLUMN,
        "municipality": TEXT_COLUMN,
        "code5": code5_column(),
        "code6": code6_column(),
        "is_prefecture": pa.Column(bool),
        "is_model_project": pa.Column("boolean", nullable=True),
        "is_verified_2026_11_29": pa.Column(bool),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "note": TEXT_COLUMN,
    },
    unique=["fiscal_year", "code5"],
    strict=True,
    coerce=True,
)
