"""One country resolver: ISO3 codes, English/Japanese names and OECD membership.

Every international source joins on ISO3; sources that carry only names (UN EGDI 2022/2024)
resolve them here, so name quirks are handled in one place.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache
from importlib import resources

import pandas as pd

from scityhelpers.errors import UnknownCountryError

OECD_AGGREGATE = "OECD"


@lru_cache(maxsize=1)
def country_table() -> pd.DataFrame:
    """Return the packaged country table (iso3, name_en, name_ja, oecd_accession_year)."""
    with resources.files("scityhelpers.reference.resources").joinpath("countries.csv").open(
        encoding="utf-8"
    ) as handle:
        table = pd.read_csv(handle, dtype={"iso3": str, "aliases": str}, keep_default_na=False)
    table["oecd_accession_year"] = pd.to_numeric(table["oecd_accession_year"]).astype("Int64")
    return table


def oecd_members(year: int | None = None) -> list[str]:
    """Return ISO3 codes of OECD members (as of ``year`` if given), sorted."""
    table = country_table()
    members = table[table["oecd_accession_year"].notna()]
    if year is not None:
        members = members[members["oecd_accession_year"] <= year]
    return sorted(members["iso3"])


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in country_table().itertuples():
        for name in [row.iso3, row.name_en, row.name_ja, *filter(None, row.aliases.split("|"))]:
            index[_key(name.strip('"'))] = row.iso3
    return index


def to_iso3(name: str, extra: dict[str, str] | None = None) -> str:
    """Resolve a country name or code to ISO3 (NFKC, case- and space-insensitive).

    ``extra`` maps further names to ISO3 (e.g. a source's full country list).

    Raises:
        UnknownCountryError: with the closest known names.
    """
    index = {**_name_index(), **{_key(k): v for k, v in (extra or {}).items()}}
    key = _key(name)
    if key in index:
        return index[key]
    near = difflib.get_close_matches(key, list(index), n=3)
    raise UnknownCountryError(
        f"unknown country {name!r}; closest: {near or 'none'}. Add it as an alias in "
        "src/scityhelpers/reference/resources/countries.csv."
    )


def names(iso3: pd.Series, language: str = "en") -> pd.Series:
    """Map ISO3 codes to display names in ``en`` or ``ja`` (unknown codes stay as codes)."""
    column = {"en": "name_en", "ja": "name_ja"}[language]
    lookup = country_table().set_index("iso3")[column]
    return iso3.map(lookup).fillna(iso3)
