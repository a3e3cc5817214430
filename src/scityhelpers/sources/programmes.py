"""Programme selection lists (committed reference tables, one source URL per row).

SDGs未来都市 (Cabinet Office), 脱炭素先行地域 (Ministry of the Environment), スーパーシティ /
デジタル田園健康特区 (National Strategic Special Zones) and the EU Cities Mission. The lists
are compiled from secondary pages and are incomplete where the summary files say so: the
chapters report coverage with :func:`scityhelpers.reference.programme_completeness.completeness`,
never pad rows.

The SDGs未来都市 lists (two reference tables reconciled row by row, and the FY2024–2025
re-check) are parsed in :mod:`scityhelpers.sources._sdgs_future_cities`; this module reads the
files and builds every table.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_known
from scityhelpers.reference.municipalities import RESOLVER_TABLES
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._reference import (
    dates,
    read_reference_csv,
    resolve_codes,
    whole_numbers,
    yes_no,
)
from scityhelpers.sources._sdgs_future_cities import (
    BRIEFING_COLUMNS,
    BY_YEAR_COLUMNS,
    BY_YEAR_COUNTS,
    COUNT_COLUMN,
    FILE_SDGS,
    FILE_SDGS_BRIEFING,
    PROGRAMME_SDGS,
    SDGS_2024_2025_COLUMNS,
    SDGS_2024_2025_SCHEMA,
    SDGS_BY_YEAR_SCHEMA,
    SDGS_COLUMNS,
    SDGS_SCHEMA,
    TEXT_COLUMN,
    combine_sdgs,
    parse_briefing,
    parse_news_list,
    parse_sdgs_2024_2025,
)
from scityhelpers.sources._shared import code5_column, code6_column

log = logging.getLogger(__name__)

SOURCE_ID = "programmes"
FILE_SDGS_BY_YEAR = "sdgs_future_cities_by_year.csv"
FILE_DECARB = "decarbonization_leading_areas.csv"
FILE_DECARB_ROUNDS = "decarbonization_leading_areas_rounds.csv"
FILE_ZONES = "national_strategic_special_zones_supercity.csv"
FILE_EU = "eu_cities_mission.csv"
FILE_DECARB_MISSING = "decarbonization_leading_areas_missing_2026-11-29.csv"
FILE_SDGS_2024_2025 = "sdgs_future_cities_2024_2025.csv"
FILE_RENKEI = "renkei_chusu_toshiken_2023.csv"
FILE_RENKEI_COUNTS = "renkei_official_counts.csv"
RENKEI_COUNT_COLUMNS = ["as_of", "centre_cities", "areas", "municipalities", "counting",
                        "source_url", "note"]

PROGRAMME_DECARB = "脱炭素先行地域"
DECARB_ROLES = ("lead", "joint_lead", "co")
LEAD_ROLES = ("lead", "joint_lead")
ZONE_PROGRAMMES = ("スーパーシティ型国家戦略特別区域",
                   "デジタル田園健康特区(革新的事業連携型国家戦略特別区域)")
EU_GROUPS = ("EU_member_state", "associated_country")
#: bodies announced per zone type: 53rd 国家戦略特別区域諮問会議, 2022-03-10 (programmes/SOURCES.md)
ZONES_ANNOUNCED = dict(zip(ZONE_PROGRAMMES, (2, 3), strict=True))
#: Mission cities announced on 2022-04-28: 100 in EU member states, 12 in associated countries
#: (European Commission press release, programmes/SOURCES.md)
EU_ANNOUNCED = dict(zip(EU_GROUPS, (100, 12), strict=True))

DECARB_COLUMNS = ["programme", "round", "announced", "proposal_id", "prefecture",
                  "municipality", "is_prefecture", "role", "source_url", "note"]
ROUNDS_COLUMNS = ["programme", "round", "announced", "proposals_received", "bodies_submitting",
                  "proposals_selected", "lead_rows_in_table", "cumulative_selected",
                  "cumulative_prefectures", "cumulative_municipalities", "source_url", "note"]
ROUNDS_COUNTS = ROUNDS_COLUMNS[3:10]  # proposals_received … cumulative_municipalities
ZONES_COLUMNS = ["programme", "decided", "prefecture", "municipality", "source_url", "note"]
EU_COLUMNS = ["programme", "announced", "city", "country", "group", "source", "note"]
RENKEI_COLUMNS = ["area_name", "centre_city", "is_centre", "municipality_name", "prefecture",
                  "code", "as_of", "member_status", "source_url", "source_page_date", "note"]
IS_CENTRE = {"true": True, "false": False, "unknown": pd.NA}
#: member_status values of the 連携中枢都市圏 table (programmes/SOURCES.md, additions of
#: 2026-11-29); only ``confirmed`` rows are members on the target date by the sources' word
RENKEI_STATUSES = ("confirmed", "join_date_unknown", "pre_formation_list",
                   "prefectural_support_scheme", "planned_partner_2014_not_confirmed",
                   "centre_declared_2014_formation_not_confirmed")


def _read(files: RawFiles, name: str, columns: list[str]) -> tuple[pd.DataFrame, Path]:
    return read_reference_csv(files[name], columns, SOURCE_ID), files[name]


# -- SDGs未来都市 (parsers and schemas: _sdgs_future_cities) ----------------------------------
def build_sdgs_future_cities(files: RawFiles) -> pd.DataFrame:
    """Build ``sdgs_future_cities`` (one row per selected body and year, codes resolved)."""
    news_raw, news_path = _read(files, FILE_SDGS, SDGS_COLUMNS)
    briefing_raw, briefing_path = _read(files, FILE_SDGS_BRIEFING, BRIEFING_COLUMNS)
    news = parse_news_list(news_raw, news_path)
    briefing = parse_briefing(briefing_raw, briefing_path)
    return combine_sdgs(briefing, news, briefing_path.parent)


def build_sdgs_by_year(files: RawFiles) -> pd.DataFrame:
    """Build ``sdgs_by_year``: announced counts per fiscal year (blank = not found)."""
    raw, where = _read(files, FILE_SDGS_BY_YEAR, BY_YEAR_COLUMNS)
    require_known(raw["programme"], [PROGRAMME_SDGS], "programme", where)
    counts = {c: whole_numbers(raw[c], c, where) for c in BY_YEAR_COUNTS}
    return pd.DataFrame({
        "fiscal_year": whole_numbers(raw["fiscal_year"], "fiscal_year", where).astype(int),
        "announced": dates(raw["announced"], "announced", where),
        **counts,
        "source_url": raw["source_url"],
    })


def build_sdgs_2024_2025(files: RawFiles) -> pd.DataFrame:
    """Build ``sdgs_2024_2025``; every row must also be a row of ``sdgs_future_cities.csv``.

    SOURCES.md says no new body was found: the file re-checks and codes the rows already
    listed, so a body absent from the first list means one file was edited.
    """
    raw, where = _read(files, FILE_SDGS_2024_2025, SDGS_2024_2025_COLUMNS)
    table = parse_sdgs_2024_2025(raw, where)
    news_raw, _ = _read(files, FILE_SDGS, SDGS_COLUMNS)
    listed = set(zip(news_raw["fiscal_year"].astype(int), news_raw["municipality"], strict=True))
    absent = [(y, m) for y, m in zip(table["fiscal_year"], table["municipality"], strict=True)
              if (y, m) not in listed]
    if absent:
        raise SourceSchemaError(f"{where}: rows {absent} are not in {FILE_SDGS}; the file "
                                "should only re-check that list's FY2024-2025 rows.")
    return table


# -- 脱炭素先行地域 ----------------------------------------------------------------------------
def build_decarbonization_areas(files: RawFiles) -> pd.DataFrame:
    """Build ``decarbonization_areas`` (one row per named body per proposal, codes resolved).

    The rows found later (``decarbonization_leading_areas_missing_2026-11-29.csv``: lead
    proposers of rounds 3 and 7 missing from the first table) are appended; a proposal id in
    both files would mean one of them was edited, and stops the build.
    """
    first, where = _read(files, FILE_DECARB, DECARB_COLUMNS)
    later, later_where = _read(files, FILE_DECARB_MISSING, DECARB_COLUMNS)
    both = sorted(set(first["proposal_id"]) & set(later["proposal_id"]))
    if both:
        raise SourceSchemaError(f"{later_where}: proposal ids {both} are already in {FILE_DECARB}; "
                                "the additions file lists only proposals missing from it.")
    return parse_decarbonization_areas(pd.concat([first, later], ignore_index=True), where)


def parse_decarbonization_areas(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Type the 脱炭素先行地域 rows and resolve their names to codes."""
    require_known(raw["programme"], [PROGRAMME_DECARB], "programme", where)
    require_known(raw["role"], DECARB_ROLES, "role", where)
    codes = resolve_codes(raw, "municipality", "prefecture", where)
    return pd.DataFrame({
        "round": whole_numbers(raw["round"], "round", where).astype(int),
        "announced": dates(raw["announced"], "announced", where),
        "proposal_id": raw["proposal_id"],
        "prefecture": raw["prefecture"],
        "municipality": raw["municipality"],
        "code5": codes["code5"],
        "code6": codes["code6"],
        "is_prefecture": yes_no(raw["is_prefecture"], "is_prefecture", where),
        "role": raw["role"],
        "source_url": raw["source_url"],
        "note": raw["note"],
    })


def build_decarbonization_rounds(files: RawFiles) -> pd.DataFrame:
    """Build ``decarbonization_rounds``: announced counts per round (blank = not reported)."""
    raw, where = _read(files, FILE_DECARB_ROUNDS, ROUNDS_COLUMNS)
    require_known(raw["programme"], [PROGRAMME_DECARB], "programme", where)
    counts = {c: whole_numbers(raw[c], c, where) for c in ROUNDS_COUNTS}
    return pd.DataFrame({
        "round": whole_numbers(raw["round"], "round", where).astype(int),
        "announced": dates(raw["announced"], "announced", where),
        **counts,
        "source_url": raw["source_url"],
        "note": raw["note"],
    })


# -- 連携中枢都市圏 ----------------------------------------------------------------------------
def parse_renkei(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Type the 連携中枢都市圏 member list (延べ: a body in two areas has two rows).

    Printed 6-digit codes must match the names resolved with the row's prefecture.
    ``is_centre`` is NA (and ``centre_city`` empty) where the source does not say which body
    is the centre city.
    """
    require_known(raw["is_centre"], IS_CENTRE, "is_centre", where)
    require_known(raw["member_status"], RENKEI_STATUSES, "member_status", where)
    codes = resolve_codes(raw, "municipality_name", "prefecture", where)
    differ = raw["code"].ne(codes["code6"])
    if differ.any():
        raise SourceSchemaError(
            f"{where}: printed codes disagree with the resolved names: "
            f"{raw.loc[differ, ['municipality_name', 'code']].to_dict('records')}")
    return pd.DataFrame({
        "area_name": raw["area_name"],
        "centre_city": raw["centre_city"].replace("", None),
        "is_centre": raw["is_centre"].map(IS_CENTRE).astype("boolean"),
        "municipality": raw["municipality_name"],
        "prefecture": raw["prefecture"],
        "code5": codes["code5"],
        "code6": codes["code6"],
        "as_of": dates(raw["as_of"], "as_of", where),
        "member_status": raw["member_status"],
        "source_url": raw["source_url"],
        "source_page_date": dates(raw["source_page_date"], "source_page_date", where),
        "note": raw["note"],
    })


def build_renkei_areas(files: RawFiles) -> pd.DataFrame:
    """Build ``renkei_areas``: members of 連携中枢都市圏 on 2023-04-01 (partial, 34 areas)."""
    raw, where = _read(files, FILE_RENKEI, RENKEI_COLUMNS)
    return parse_renkei(raw, where)


def build_renkei_counts(files: RawFiles) -> pd.DataFrame:
    """Build ``renkei_official_counts``: official totals of 連携中枢都市圏 by date (延べ数)."""
    raw, where = _read(files, FILE_RENKEI_COUNTS, RENKEI_COUNT_COLUMNS)
    counts = {c: whole_numbers(raw[c], c, where) for c in RENKEI_COUNT_COLUMNS[1:4]}
    return pd.DataFrame({"as_of": dates(raw["as_of"], "as_of", where), **counts,
                         "counting": raw["counting"], "source_url": raw["source_url"],
                         "note": raw["note"]})


# -- special zones, EU Cities Mission ------------------------------------------------------
def build_special_zones(files: RawFiles) -> pd.DataFrame:
    """Build ``special_zones`` (Super City and Digital Garden Health zones, 2022-03-10)."""
    raw, where = _read(files, FILE_ZONES, ZONES_COLUMNS)
    require_known(raw["programme"], ZONE_PROGRAMMES, "programme", where)
    codes = resolve_codes(raw, "municipality", "prefecture", where)
    return pd.DataFrame({
        "programme": raw["programme"],
        "decided": dates(raw["decided"], "decided", where),
        "prefecture": raw["prefecture"],
        "municipality": raw["municipality"],
        "code5": codes["code5"],
        "code6": codes["code6"],
        "source_url": raw["source_url"],
        "note": raw["note"],
    })


def build_eu_mission_cities(files: RawFiles) -> pd.DataFrame:
    """Build ``eu_mission_cities`` (112 cities; names and countries as in the source)."""
    raw, where = _read(files, FILE_EU, EU_COLUMNS)
    require_known(raw["group"], EU_GROUPS, "group", where)
    return raw.assign(announced=dates(raw["announced"], "announced", where))[EU_COLUMNS]


# -- schemas -------------------------------------------------------------------------------
DECARB_SCHEMA = pa.DataFrameSchema(
    {
        "round": pa.Column(int, pa.Check.in_range(1, 50)),
        "announced": pa.Column("datetime64[ns]", nullable=True),
        "proposal_id": pa.Column(str, pa.Check.str_matches(r"^R\d+-p?\d+$")),
        "prefecture": TEXT_COLUMN,
        "municipality": TEXT_COLUMN,
        "code5": code5_column(),
        "code6": code6_column(),
        "is_prefecture": pa.Column(bool),
        "role": pa.Column(str, pa.Check.isin(DECARB_ROLES)),
        "source_url": TEXT_COLUMN,
        "note": TEXT_COLUMN,
    },
    unique=["proposal_id", "code5"],
    strict=True,
    coerce=True,
)

ROUNDS_SCHEMA = pa.DataFrameSchema(
    {
        "round": pa.Column(int, pa.Check.in_range(1, 50)),
        "announced": pa.Column("datetime64[ns]", nullable=True),
        **{c: COUNT_COLUMN for c in ROUNDS_COUNTS},
        "source_url": TEXT_COLUMN,
        "note": TEXT_COLUMN,
    },
    unique=["round"],
    strict=True,
    coerce=True,
)

ZONES_SCHEMA = pa.DataFrameSchema(
    {
        "programme": pa.Column(str, pa.Check.isin(ZONE_PROGRAMMES)),
        "decided": pa.Column("datetime64[ns]"),
        "prefecture": TEXT_COLUMN,
        "municipality": TEXT_COLUMN,
        "code5": code5_column(),
        "code6": code6_column(),
        "source_url": TEXT_COLUMN,
        "note": TEXT_COLUMN,
    },
    unique=["programme", "code5"],
    strict=True,
    coerce=True,
)

EU_SCHEMA = pa.DataFrameSchema(
    {
        "programme": TEXT_COLUMN,
        "announced": pa.Column("datetime64[ns]"),
        "city": TEXT_COLUMN,
        "country": TEXT_COLUMN,
        "group": pa.Column(str, pa.Check.isin(EU_GROUPS)),
        "source": TEXT_COLUMN,
        "note": TEXT_COLUMN,
    },
    unique=["city", "country"],
    strict=True,
    coerce=True,
)

RENKEI_SCHEMA = pa.DataFrameSchema(
    {
        "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "centre_city": pa.Column(str, nullable=True),
        "is_centre": pa.Column("boolean", nullable=True),
        "municipality": TEXT_COLUMN,
        "prefecture": TEXT_COLUMN,
        "code5": code5_column(),
        "code6": code6_column(),
        "as_of": pa.Column("datetime64[ns]"),
        "member_status": pa.Column(str, pa.Check.isin(RENKEI_STATUSES)),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "source_page_date": pa.Column("datetime64[ns]", nullable=True),
        "note": TEXT_COLUMN,
    },
    unique=["area_name", "code5"],
    strict=True,
    coerce=True,
)

RENKEI_COUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "as_of": pa.Column("datetime64[ns]"),
        **{c: pa.Column("Int64", pa.Check.ge(1)) for c in RENKEI_COUNT_COLUMNS[1:4]},
        "counting": TEXT_COLUMN,
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
        "note": TEXT_COLUMN,
    },
    unique=["as_of"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(name="sdgs_future_cities", build=build_sdgs_future_cities, schema=SDGS_SCHEMA,
              description="SDGs Future Cities FY2018-2025, one row per selected body (codes)",
              depends=RESOLVER_TABLES),
    TableSpec(name="sdgs_by_year", build=build_sdgs_by_year, schema=SDGS_BY_YEAR_SCHEMA,
              description="SDGs Future Cities: announced counts per fiscal year"),
    TableSpec(name="decarbonization_areas", build=build_decarbonization_areas,
              schema=DECARB_SCHEMA,
              description="Decarbonization Leading Areas rounds 1-7, named bodies (codes)",
              depends=RESOLVER_TABLES),
    TableSpec(name="decarbonization_rounds", build=build_decarbonization_rounds,
              schema=ROUNDS_SCHEMA,
              description="Decarbonization Leading Areas: announced counts per round"),
    TableSpec(name="special_zones", build=build_special_zones, schema=ZONES_SCHEMA,
              description="Super City and Digital Garden Health special zones (2022-03-10)",
              depends=RESOLVER_TABLES),
    TableSpec(name="eu_mission_cities", build=build_eu_mission_cities, schema=EU_SCHEMA,
              description="EU Mission 100 climate-neutral and smart cities (2022-04-28)"),
    TableSpec(name="sdgs_2024_2025", build=build_sdgs_2024_2025, schema=SDGS_2024_2025_SCHEMA,
              description="SDGs Future Cities FY2024-2025 with codes, re-checked 2026-11-29",
              depends=RESOLVER_TABLES),
    TableSpec(name="renkei_areas", build=build_renkei_areas, schema=RENKEI_SCHEMA,
              description="連携中枢都市圏 members on 2023-04-01 (partial: 34 of 38 areas)",
              depends=RESOLVER_TABLES),
    TableSpec(name="renkei_official_counts", build=build_renkei_counts,
              schema=RENKEI_COUNTS_SCHEMA,
              description="連携中枢都市圏: official counts by date (centres, areas, members)"),
)
