"""Published figures that exist only in documents, and the briefing's claims C1–C13.

Committed reference tables. ``ipss2023_key_figures`` holds key numbers of the IPSS 2023
national projection (and of the 2017 edition) as published — rounded, in million persons or
percent, each with the page that quotes it; the full annual series (workbook 1-9.xlsx) is not
fetched; ``ipss2023_national_2050`` is the published 2050 total (results table 1-1).
``seed_claims`` restates the briefing's claims for the claims ledger: the first table (C1–C11)
with the additions of 2026-11-29 (a restated C8, new C12–C13), whose row stands where a claim
id is in both. ``briefing_eu_mission_cities`` is the list of city names the briefing prints
under its "71 European cities" heading, transcribed with the line it stands on.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from scityhelpers.pipeline.validate import require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._reference import numbers, read_reference_csv, whole_numbers

SOURCE_ID = "reference_figures"
FILE_KEY_FIGURES = "ipss2023_national_projection_key_figures.csv"
FILE_CLAIMS = "seed_claims.csv"
FILE_CLAIMS_ADDITIONS = "seed_claims_additions_2026-11-29.csv"
FILE_NATIONAL_2050 = "ipss2023_national_projection_2050.csv"
FILE_BRIEFING_EU = "briefing_eu_mission_cities.csv"
BRIEFING_EU_COLUMNS = ["city_in_briefing", "country_code", "table_row", "table_column",
                       "heading_ja", "section"]
FILE_BRIEFING_FIGURES = "briefing_figures.csv"
BRIEFING_FIGURE_COLUMNS = ["claim_id", "figure", "value", "unit", "rule", "quote_ja", "section"]
#: how a recomputed value is compared with the briefing's figure (rules in
#: scityhelpers.chapters.claims.ledger)
BRIEFING_RULES = ("relative", "count", "exact", "rounded_0.1")
KEY_FIGURE_COLUMNS = ["edition", "variant", "year", "measure", "value", "unit", "source_url",
                      "source_note"]
CLAIM_COLUMNS = ["claim_id", "topic", "claim_en", "figures_in_briefing", "how_to_check"]
UNITS = ("million persons", "percent", "year")
NATIONAL_2050_UNITS = ("thousand persons",)


def build_key_figures(files: RawFiles) -> pd.DataFrame:
    """Build ``ipss2023_key_figures``: ``value`` as a number in ``unit``.

    ``value`` is NaN where the figure is the year itself (unit ``year``).
    """
    path = files[FILE_KEY_FIGURES]
    raw = read_reference_csv(path, KEY_FIGURE_COLUMNS, SOURCE_ID)
    require_known(raw["unit"], UNITS, "unit", path)
    value = numbers(raw["value"], "value", path)
    return raw.assign(year=whole_numbers(raw["year"], "year", path).astype(int), value=value)


def build_national_2050(files: RawFiles) -> pd.DataFrame:
    """Build ``ipss2023_national_2050``: the published 2050 total, ``value`` in ``unit``."""
    path = files[FILE_NATIONAL_2050]
    raw = read_reference_csv(path, KEY_FIGURE_COLUMNS, SOURCE_ID)
    require_known(raw["unit"], NATIONAL_2050_UNITS, "unit", path)
    return raw.assign(year=whole_numbers(raw["year"], "year", path).astype(int),
                      value=numbers(raw["value"], "value", path))[KEY_FIGURE_COLUMNS]


def merge_claims(first: pd.DataFrame, additions: pd.DataFrame) -> pd.DataFrame:
    """The first claims table with the additions; an addition's row replaces a row of the same id.

    Sorted by the number in the claim id (C1, C2, …, C13).
    """
    kept = first[~first["claim_id"].isin(additions["claim_id"])]
    merged = pd.concat([kept, additions], ignore_index=True)[CLAIM_COLUMNS]
    order = merged["claim_id"].str[1:].astype(int)
    return merged.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def build_claims(files: RawFiles) -> pd.DataFrame:
    """Build ``seed_claims`` (text as written; the additions' rows stand where ids repeat)."""
    first = read_reference_csv(files[FILE_CLAIMS], CLAIM_COLUMNS, SOURCE_ID)
    additions = read_reference_csv(files[FILE_CLAIMS_ADDITIONS], CLAIM_COLUMNS, SOURCE_ID)
    return merge_claims(first, additions)


def build_briefing_eu_cities(files: RawFiles) -> pd.DataFrame:
    """Build ``briefing_eu_mission_cities``: the names the briefing lists, as printed."""
    path = files[FILE_BRIEFING_EU]
    raw = read_reference_csv(path, BRIEFING_EU_COLUMNS, SOURCE_ID)
    return raw.assign(table_row=whole_numbers(raw["table_row"], "table_row", path).astype(int),
                      table_column=whole_numbers(raw["table_column"], "table_column",
                                                 path).astype(int))[BRIEFING_EU_COLUMNS]


def build_briefing_figures(files: RawFiles) -> pd.DataFrame:
    """Build ``briefing_figures``: each number the briefing states, with its comparison rule.

    The one place the briefing's figures live: the claims ledger and the chapters read them
    from here, so no briefing figure is typed in code.
    """
    path = files[FILE_BRIEFING_FIGURES]
    raw = read_reference_csv(path, BRIEFING_FIGURE_COLUMNS, SOURCE_ID)
    require_known(raw["rule"], BRIEFING_RULES, "rule", path)
    return raw.assign(value=numbers(raw["value"], "value", path))[BRIEFING_FIGURE_COLUMNS]


KEY_FIGURES_SCHEMA = pa.DataFrameSchema(
    {
        "edition": pa.Column(str),
        "variant": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(2000, 2200)),
        "measure": pa.Column(str),
        "value": pa.Column(float, pa.Check.ge(0), nullable=True),
        "unit": pa.Column(str, pa.Check.isin(UNITS)),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "source_note": pa.Column(str),
    },
    unique=["edition", "variant", "year", "measure"],
    strict=True,
    coerce=True,
)

NATIONAL_2050_SCHEMA = pa.DataFrameSchema(
    {
        "edition": pa.Column(str),
        "variant": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(2000, 2200)),
        "measure": pa.Column(str),
        "value": pa.Column(float, pa.Check.gt(0)),
        "unit": pa.Column(str, pa.Check.isin(NATIONAL_2050_UNITS)),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "source_note": pa.Column(str),
    },
    unique=["edition", "variant", "year", "measure"],
    strict=True,
    coerce=True,
)

BRIEFING_EU_SCHEMA = pa.DataFrameSchema(
    {
        "city_in_briefing": pa.Column(str, pa.Check.str_length(min_value=1)),
        "country_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$")),
        "table_row": pa.Column(int, pa.Check.ge(1)),
        "table_column": pa.Column(int, pa.Check.in_range(1, 3)),
        "heading_ja": pa.Column(str, pa.Check.str_length(min_value=1)),
        "section": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    unique=["city_in_briefing", "country_code"],
    strict=True,
    coerce=True,
)

CLAIMS_SCHEMA = pa.DataFrameSchema(
    {
        "claim_id": pa.Column(str, pa.Check.str_matches(r"^C\d+$")),
        **{c: pa.Column(str) for c in CLAIM_COLUMNS[1:]},
    },
    unique=["claim_id"],
    strict=True,
    coerce=True,
)

BRIEFING_FIGURES_SCHEMA = pa.DataFrameSchema(
    {
        "claim_id": pa.Column(str, pa.Check.str_matches(r"^C\d+$")),
        "figure": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "value": pa.Column(float),
        "unit": pa.Column(str),
        "rule": pa.Column(str, pa.Check.isin(BRIEFING_RULES)),
        "quote_ja": pa.Column(str, pa.Check.str_length(min_value=1)),
        "section": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    unique=["claim_id", "figure"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(name="ipss2023_key_figures", build=build_key_figures, schema=KEY_FIGURES_SCHEMA,
              description="IPSS 2023 national projection: published key figures"),
    TableSpec(name="ipss2023_national_2050", build=build_national_2050,
              schema=NATIONAL_2050_SCHEMA,
              description="IPSS 2023 national projection: published 2050 total (table 1-1)"),
    TableSpec(name="seed_claims", build=build_claims, schema=CLAIMS_SCHEMA,
              description="The briefing's claims C1-C13 (additions of 2026-11-29 applied)"),
    TableSpec(name="briefing_eu_mission_cities", build=build_briefing_eu_cities,
              schema=BRIEFING_EU_SCHEMA,
              description="City names the briefing lists under its '71 European cities' heading"),
    TableSpec(name="briefing_figures", build=build_briefing_figures,
              schema=BRIEFING_FIGURES_SCHEMA,
              description="Every figure the briefing states, with its comparison rule"),
)
