"""IPSS regional population projections by municipality, 2018 edition (平成30年推計).

国立社会保障・人口問題研究所「日本の地域別将来推計人口（平成30(2018)年推計）」: persons by
municipality for 2015 (census) and 2020–2045 (projected, medium variant), in 5-year age groups.
The mirror holds a verbatim JSON re-publication of the official tables (one record per
municipality: ``PopulationList`` = 20 series × 7 years, series 0 the total, then 0–4 … 85–89,
90+). Fukushima's 59 municipalities were not projected individually in this edition and are
absent. Codes are those of early 2018 and are mapped forward to today's codes (40305 那珂川町 →
40231 那珂川市), so the table joins on the current code list.

The 2023 edition (2020–2050) is a separate, live-only source: see ``ipss_projections_2023``.
:mod:`scityhelpers.reference.projections` puts the editions side by side.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.reference.municipalities import RESOLVER_TABLES
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import code5_column, read_raw_json

log = logging.getLogger(__name__)

SOURCE_ID = "ipss_projections"
EDITION = 2018
FILE_PROJECTION = "ipss2018_regional_projection_municipal_Project.json"
#: date the codes of the 2018 edition are valid at (publication, 2018-03-30)
CODES_AS_OF = date(2018, 3, 30)
YEARS = (2015, 2020, 2025, 2030, 2035, 2040, 2045)
#: series 0 is the total; 1–19 are 0–4, 5–9, …, 85–89, 90+ (five-year age groups)
N_SERIES = 20
SERIES_0_14 = slice(1, 4)
SERIES_15_64 = slice(4, 14)
SERIES_65_PLUS = slice(14, 20)
#: the compiler's class: 1 designated city, 2 city, 3 town/village, 4 Tokyo special ward
KNOWN_TYPES = (1, 2, 3, 4)
RECORD_KEYS = ["Code", "Name", "Type", "PopulationList"]

#: columns of every edition's municipal projection table (persons, by today's code)
PROJECTION_COLUMNS = ["edition", "code5", "name", "name_in_edition", "year",
                      "population_persons", "age0_14_persons", "age15_64_persons",
                      "age65plus_persons"]


def read_json(path: Path) -> list[dict[str, Any]]:
    """Read the projection JSON (a list of municipality records)."""
    records = read_raw_json(path, SOURCE_ID, read_as="JSON")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise RawFileCorruptError(
            f"{path}: expected a JSON list of municipality records, found "
            f"{type(records).__name__}; rerun `scity data pull {SOURCE_ID}`."
        )
    return records


def _series_matrix(record: dict[str, Any], where: Path | str) -> list[list[int]]:
    """Return the 20 × 7 population matrix of one record, refusing any other shape."""
    series = record["PopulationList"]
    shape_ok = (isinstance(series, list) and len(series) == N_SERIES
                and all(isinstance(s, dict) and len(s.get("Population") or []) == len(YEARS)
                        for s in series))
    if not shape_ok:
        raise SourceSchemaError(
            f"{where}: municipality {record['Code']} {record['Name']}: expected "
            f"{N_SERIES} series × {len(YEARS)} years in PopulationList; the layout changed: "
            "update scityhelpers/sources/ipss_projections.py."
        )
    return [[int(v) for v in s["Population"]] for s in series]


def parse_projection(records: list[dict[str, Any]], where: Path | str) -> pd.DataFrame:
    """Turn the JSON records into one row per municipality × year (persons, 2018 codes).

    Broad age groups are summed from the five-year series (0–14 = series 1–3, 15–64 = 4–13,
    65+ = 14–19); they must add up to the published total exactly, else the series order has
    changed and the file is refused.
    """
    raw = pd.DataFrame.from_records(records)
    require_columns(raw, RECORD_KEYS, where)
    require_known(raw["Type"], KNOWN_TYPES, "municipality type", where)
    rows = []
    for record in records:
        matrix = _series_matrix(record, where)
        for i, year in enumerate(YEARS):
            column = [s[i] for s in matrix]
            rows.append({
                "code5": f"{int(record['Code']):05d}",
                "name_in_edition": str(record["Name"]),
                "year": year,
                "population_persons": column[0],
                "age0_14_persons": sum(column[SERIES_0_14]),
                "age15_64_persons": sum(column[SERIES_15_64]),
                "age65plus_persons": sum(column[SERIES_65_PLUS]),
            })
    frame = pd.DataFrame(rows)
    parts = frame[["age0_14_persons", "age15_64_persons", "age65plus_persons"]].sum(axis=1)
    off = frame[parts != frame["population_persons"]]
    if not off.empty:
        raise SourceSchemaError(
            f"{where}: age groups do not add up to the total for {len(off)} rows, e.g. "
            f"{off.head(3).to_dict('records')}; the series order changed."
        )
    if frame.duplicated(["code5", "year"]).any():
        raise SourceSchemaError(f"{where}: duplicate municipality codes in the projection.")
    return frame


def current_municipality_names() -> pd.Series:
    """Return today's municipality names by ``code5`` (no prefectures, no designated-city wards).

    Read from the tidy ``municipalities`` table, so every source checks its codes against the
    same list.
    """
    from scityhelpers.pipeline.tidy import load

    municipalities = load("municipalities")
    current = municipalities[municipalities["level"] == "municipality"]
    return current.set_index("code5")["name"]


def to_current_codes(frame: pd.DataFrame, as_of: date, where: Path | str) -> pd.DataFrame:
    """Map codes valid at ``as_of`` to today's codes and names; sum rows that merged since.

    Every resulting code must be a current municipality (``municipalities`` table), else the
    change history is missing an event and the build stops.
    """
    from scityhelpers.reference.municipalities import forward_code

    mapping = {code: forward_code(code, as_of) for code in frame["code5"].unique()}
    moved = {old: new for old, new in mapping.items() if old != new}
    if moved:
        log.info("%s: codes mapped forward from %s: %s", where, as_of, moved)
    names = current_municipality_names()
    require_known(pd.Series(list(mapping.values())), names.index, "current municipality code",
                  where)
    mapped = frame.assign(code5=frame["code5"].map(mapping))
    numeric = ["population_persons", "age0_14_persons", "age15_64_persons", "age65plus_persons"]
    merged = (mapped.groupby(["code5", "year"], as_index=False)
              .agg({"name_in_edition": "・".join, **dict.fromkeys(numeric, "sum")}))
    merged["name"] = merged["code5"].map(names)
    return merged


def build_municipal_projection(files: RawFiles) -> pd.DataFrame:
    """Build ``municipal_projection`` (edition 2018, persons, today's codes)."""
    path = files[FILE_PROJECTION]
    frame = to_current_codes(parse_projection(read_json(path), path), CODES_AS_OF, path)
    frame.insert(0, "edition", EDITION)
    return frame[PROJECTION_COLUMNS].sort_values(["code5", "year"]).reset_index(drop=True)


def projection_schema(edition: int, years: tuple[int, ...]) -> pa.DataFrameSchema:
    """Schema shared by the editions: persons ≥ 0, today's codes, the edition's years."""
    persons = pa.Check.in_range(0, 15_000_000)
    return pa.DataFrameSchema(
        {
            "edition": pa.Column(int, pa.Check.isin([edition])),
            "code5": code5_column(),
            "name": pa.Column(str),
            "name_in_edition": pa.Column(str),
            "year": pa.Column(int, pa.Check.isin(list(years))),
            "population_persons": pa.Column(int, persons),
            "age0_14_persons": pa.Column(int, persons),
            "age15_64_persons": pa.Column(int, persons),
            "age65plus_persons": pa.Column(int, persons),
        },
        checks=pa.Check(
            lambda df: df[["age0_14_persons", "age15_64_persons", "age65plus_persons"]]
            .sum(axis=1) <= df["population_persons"],
            error="age groups exceed the total",
        ),
        unique=["edition", "code5", "year"],
        strict=True,
        coerce=True,
    )


PROJECTION_SCHEMA = projection_schema(EDITION, YEARS)

TABLES = (
    TableSpec(
        name="municipal_projection",
        build=build_municipal_projection,
        schema=PROJECTION_SCHEMA,
        description="IPSS 2018 municipal population projection 2015-2045 (persons, today's codes)",
        depends=RESOLVER_TABLES,
    ),
)
