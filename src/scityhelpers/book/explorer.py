"""The municipality explorer: every municipality on one searchable page of the built book.

Readers look up their own place: one row per municipality (the 1,741 units of the municipal
models; a designated city is one row and its wards are searchable as part of it), with the
values the chapters use. The build writes the rows as a small script
(``_build/html/data/explorer.js`` assigning :data:`GLOBAL_NAME`) that ``book/_static/explorer.js``
renders; a script rather than a JSON file because browsers refuse ``fetch`` from ``file://``,
and the page must work offline from a copy of the site.

Search matches :func:`search_key` of the query against the row's key. The key folds what a
reader may type differently from the official spelling: width (NFKC), katakana vs hiragana,
case, macrons (``Chūō`` = ``chuo``) and separators (``Nan-yo`` = ``nanyo``). The script in
``book/_static/explorer.js`` implements the same folding; a browser test checks they agree.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from scityhelpers.pipeline.fetch import made_from, write_made_from

if TYPE_CHECKING:  # pandas is imported where a frame is built: a build that keeps
    import pandas as pd  # explorer.js as it is imports none of it

log = logging.getLogger(__name__)

#: tidy tables the explorer reads (for the data package and the build's staleness digest)
TABLES = ("municipalities", "population_2015_2020", "municipal_projection", "taxable_income",
          "local_gov_dx", "mynumber_card", "sdgs_future_cities", "decarbonization_areas")
DATA_FILE = "explorer.js"
GLOBAL_NAME = "SCITY_EXPLORER"
#: katakana ァ..ヶ sit exactly 0x60 code points above hiragana ぁ..ゖ
KATAKANA_FIRST, KATAKANA_LAST, KANA_OFFSET = 0x30A1, 0x30F6, 0x60
MACRONS = str.maketrans("āīūēōâîûêôĀĪŪĒŌÂÎÛÊÔ", "aiueoaiueoAIUEOAIUEO")
SEPARATORS = re.compile(r"[\s\-‐'’()・.]")
#: decimals kept in the published rows (display precision of each kind of value)
PCT_DECIMALS = 1
INCOME_DECIMALS = 0


def search_key(text: str) -> str:
    """Fold a name or query for matching: NFKC, katakana → hiragana, lower case, no macrons.

    Separators (spaces, hyphens, apostrophes, brackets, ・) are dropped, so ``ニセコ町``,
    ``にせこちょう`` and ``ﾆｾｺ`` all meet the same key for the kana part.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(chr(ord(ch) - KANA_OFFSET) if KATAKANA_FIRST <= ord(ch) <= KATAKANA_LAST
                     else ch for ch in folded)
    return SEPARATORS.sub("", folded.translate(MACRONS).lower())


def _row_search_key(names: list[str]) -> str:
    return "|".join(dict.fromkeys(search_key(n) for n in names if isinstance(n, str) and n))


def search_keys(units: pd.DataFrame, municipalities: pd.DataFrame) -> pd.Series:
    """Per unit: its code5/code6, kanji, kana and romaji names and those of its wards."""
    import pandas as pd

    wards = municipalities[municipalities["level"] == "designated_city_ward"]
    ward_names: dict[str, list[str]] = {}
    for ward in wards.itertuples():
        ward_names.setdefault(ward.parent_code5, []).extend(
            [ward.name, ward.name_kana, ward.name_romaji])
    keys = [_row_search_key([u.code5, u.code6, u.name, u.name_kana, u.name_romaji,
                             *ward_names.get(u.code5, [])])
            for u in units.itertuples()]
    return pd.Series(keys, index=units.index, name="search_key")


def _city_of(municipalities: pd.DataFrame) -> dict[str, str]:
    """code5 of a designated-city ward → code5 of its city (other codes map to themselves)."""
    wards = municipalities[municipalities["level"] == "designated_city_ward"]
    return dict(zip(wards["code5"], wards["parent_code5"], strict=True))


def sdgs_years(sdgs: pd.DataFrame, city_of: Mapping[str, str]) -> pd.Series:
    """code5 → sorted fiscal years of SDGs未来都市 selection (municipal, named rows only)."""
    rows = sdgs[~sdgs["is_prefecture"] & sdgs["is_resolved"] & sdgs["code5"].notna()]
    codes = rows["code5"].map(lambda c: city_of.get(c, c))
    years = rows["fiscal_year"].astype(int).groupby(codes).agg(lambda s: sorted(set(s)))
    return years.rename("sdgs_years")


def decarbonization_rounds(decarb: pd.DataFrame, city_of: Mapping[str, str]) -> pd.Series:
    """code5 → ``[round, year announced, role]`` of each 脱炭素先行地域 proposal it is in.

    The year is None when the reference table has no announcement date (round 7).
    """
    import pandas as pd

    rows = decarb[~decarb["is_prefecture"] & decarb["code5"].notna()].sort_values(
        ["round", "code5"])
    codes = rows["code5"].map(lambda c: city_of.get(c, c))
    entries = [[int(r), None if pd.isna(a) else int(pd.Timestamp(a).year), str(role)]
               for r, a, role in zip(rows["round"], rows["announced"], rows["role"],
                                     strict=True)]
    grouped: dict[str, list] = {}
    for code, entry in zip(codes, entries, strict=True):
        if entry not in grouped.setdefault(code, []):
            grouped[code].append(entry)
    return pd.Series(grouped, name="decarbonization_rounds", dtype=object)


def explorer_table(municipalities: pd.DataFrame, population: pd.DataFrame,
                   projection: pd.DataFrame, income: pd.DataFrame, indicators: pd.DataFrame,
                   sdgs: pd.DataFrame, decarb: pd.DataFrame) -> pd.DataFrame:
    """One row per municipal unit (1,741 in the 2024 code list), in code order.

    Units: persons; ``change_2015_2020_pct`` and ``projected_change_pct`` percent (projected:
    2020 to the projection's last year); income = taxable income per taxpayer, thousand yen;
    DX indicators as :data:`scityhelpers.chapters.municipal_models.compute.DX_INDICATORS` (shares
    in percent,
    flags 1/0). Missing stays missing (a municipality the projection edition does not cover,
    a DX survey not answered).
    """
    from scityhelpers.chapters.municipal_models.compute import (
        DX_INDICATORS,
        municipal_units,
        projected_change,
    )

    units = municipal_units(municipalities)
    codes = municipalities.set_index("code5")
    table = units.copy()
    for column in ("code6", "name_kana", "name_romaji"):
        table[column] = table["code5"].map(codes[column])
    pop = population.set_index("code5")
    for column in ("population_2015_persons", "population_2020_persons",
                   "change_2015_2020_pct"):
        table[column] = table["code5"].map(pop[column])
    table["projected_change_pct"] = table["code5"].map(projected_change(projection))
    table["income_per_taxpayer_thousand_yen"] = table["code5"].map(
        income.set_index("code5")["taxable_income_per_taxpayer_thousand_yen"])
    dx = indicators.set_index("code5")
    for column in DX_INDICATORS:
        table[column] = table["code5"].map(dx[column])
    city_of = _city_of(municipalities)
    table["sdgs_years"] = table["code5"].map(sdgs_years(sdgs, city_of))
    table["decarbonization_rounds"] = table["code5"].map(decarbonization_rounds(decarb, city_of))
    table["search_key"] = search_keys(table, municipalities)
    return table.reset_index(drop=True)


def _cell(value: object, decimals: int | None) -> object:
    """A JSON-ready cell: None for missing, rounded floats, plain ints/str/lists."""
    import pandas as pd

    if isinstance(value, list):
        return value
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | int) and not isinstance(value, str):
        number = float(value)
        if decimals is None and number.is_integer():
            return int(number)
        rounded = round(number, decimals if decimals is not None else 3)
        return int(rounded) if decimals == 0 else rounded
    if hasattr(value, "item"):  # numpy / pandas scalars
        return _cell(value.item(), decimals)
    return str(value)


def column_decimals(column: str) -> int | None:
    """Decimals published for a column: percentages 1, yen 0, counts and codes as they are."""
    if column.endswith("_pct"):
        return PCT_DECIMALS
    if column.endswith("_yen"):
        return INCOME_DECIMALS
    return None


def explorer_payload(table: pd.DataFrame, meta: Mapping[str, object]) -> dict:
    """Columns, column labels and rows (lists, not records: half the bytes) plus ``meta``."""
    from scityhelpers.chapters.municipal_models.compute import DX_INDICATORS

    columns = list(table.columns)
    rows = [[_cell(v, column_decimals(c)) for c, v in zip(columns, row, strict=True)]
            for row in table.itertuples(index=False)]
    for row in rows:
        for value in row:
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"explorer row {row[0]} has a non-finite value")
    return {"columns": columns, "labels": dict(DX_INDICATORS), "rows": rows, "meta": dict(meta)}


def load_explorer_table() -> tuple[pd.DataFrame, dict[str, object]]:
    """The explorer rows from the tidy tables, and what the page says about their vintages."""
    from scityhelpers.chapters.municipal_models.compute import dx_indicators
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.projections import (
        EDITION_TABLES,
        available_editions,
        load_projection,
    )

    editions = available_editions()
    if not editions:  # none built and current: load() raises saying which and what to run
        load(EDITION_TABLES[min(EDITION_TABLES)])
    edition = editions[-1]
    projection = load_projection(edition)
    income = load("taxable_income")
    table = explorer_table(load("municipalities"), load("population_2015_2020"), projection,
                           income, dx_indicators(load("local_gov_dx"), load("mynumber_card")),
                           load("sdgs_future_cities"), load("decarbonization_areas"))
    meta = {"projection_edition": edition, "projection_table": EDITION_TABLES[edition],
            "projection_from": 2020, "projection_to": int(projection["year"].max()),
            "income_year": int(income["income_year"].max()),
            "tables": list(TABLES)}
    return table, meta


#: beside the built site (not in it): the inputs digest of the ``explorer.js`` it holds
INPUTS_STAMP = ".explorer-inputs"


def explorer_inputs_digest() -> str:
    """Hash of what ``explorer.js`` is made from: its tidy tables and the code that reads them.

    The tables are :data:`TABLES` and every projection edition's table (by their tidy
    fingerprints, "absent" for one not built); the code is this module's import closure and
    the data beside it: the one staleness checksum (:mod:`scityhelpers.pipeline.staleness`).
    """
    from scityhelpers.pipeline.fingerprints import fingerprint_or_absent
    from scityhelpers.pipeline.staleness import code_checksum, step_checksum
    from scityhelpers.reference.projections import EDITION_TABLES

    tables = sorted(set(TABLES) | set(EDITION_TABLES.values()))
    return step_checksum(code_checksum(modules=[__name__]),
                         {table: fingerprint_or_absent(table) for table in tables})


def write_explorer_data(html_dir: Path) -> Path:
    """Write ``data/explorer.js`` into the built site (called by ``scity build``).

    Kept as it is when the site already holds one made from the same inputs (the stamp
    beside the site says so): the municipal models it draws on take seconds to import.
    """
    target = html_dir / "data" / DATA_FILE
    stamp = html_dir.parent / INPUTS_STAMP
    inputs = explorer_inputs_digest()
    if made_from(target, stamp, inputs):
        log.info("explorer: inputs unchanged, %s kept", target)
        return target
    table, meta = load_explorer_table()
    payload = json.dumps(explorer_payload(table, meta), ensure_ascii=False,
                         separators=(",", ":"), allow_nan=False)
    write_made_from(target, [f"window.{GLOBAL_NAME} = {payload};\n".encode()], stamp, inputs)
    log.info("explorer: %d municipalities, %d bytes", len(table), target.stat().st_size)
    return target
