"""Checks shared by the code-keyed municipal files: names against codes, numbers, 6-digit codes.

A file keyed by municipality code is only as good as its codes: the name printed beside each
code must resolve to that code (:func:`scityhelpers.reference.municipalities.resolve`), so a
shifted column or an unknown code stops the build instead of joining the wrong rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError, UnknownMunicipalityError
from scityhelpers.pipeline.validate import require_known
from scityhelpers.reference.municipal_names import check_digit_ok
from scityhelpers.sources._shared import code5_column, code6_column

#: the name columns of a code-keyed table: the name as printed, and whether it is official
NAME_COLUMNS = {"name_in_source": pa.Column(str), "is_exact_name_match": pa.Column(bool)}


def code_columns() -> dict[str, pa.Column]:
    """Schema columns ``code5`` and ``code6`` (5-digit code, 6-digit code with check digit)."""
    return {"code5": code5_column(),
            "code6": code6_column()}


def current_municipalities() -> pd.DataFrame:
    """Today's municipalities in code order (no wards, no Northern-Territories villages).

    These 1,741 are the bodies every file of this source covers.
    """
    from scityhelpers.pipeline.tidy import load

    units = load("municipalities")
    current = units[(units["level"] == "municipality") & ~units["is_hoppo"]]
    return current.sort_values("code5").reset_index(drop=True)


def check_names_against_codes(frame: pd.DataFrame, where: Path | str) -> pd.Series:
    """Check that each row's name resolves to its code; return True where spelled as officially.

    ``frame`` holds ``code5``, ``pref_name`` and ``name_in_source``. A name that resolves to
    another code (or to none) means a shifted column or an unknown code: ``SourceSchemaError``
    listing them. "Spelled as officially" means the 総務省 name, with or without its county
    (石狩郡当別町); variant kanji (檮原町) and ヶ/ケ count as variants.
    """
    from scityhelpers.reference.municipalities import default_resolver

    resolver = default_resolver()
    units = current_municipalities().set_index("code5")
    official = units["name"]
    with_county = units["county_name"].fillna("") + units["name"]
    require_known(frame["code5"], official.index, "municipality code", where)
    wrong = []
    for row in frame.itertuples():
        try:
            found = resolver.resolve(row.name_in_source, row.pref_name)
        except UnknownMunicipalityError as error:
            found = f"unresolved ({error})"
        if found != row.code5:
            wrong.append(f"{row.code5} {official[row.code5]} ≠ {row.name_in_source!r} → {found}")
    if wrong:
        raise SourceSchemaError(
            f"{where}: {len(wrong)} name(s) disagree with their code, e.g. {wrong[:5]}; the "
            "columns moved or the codes changed: check the file before updating the parser."
        )
    exact = (frame["name_in_source"].eq(frame["code5"].map(official))
             | frame["name_in_source"].eq(frame["code5"].map(with_county)))
    return exact.rename("is_exact_name_match")


def parse_numbers(values: pd.Series, column: str, where: Path | str,
                  allowed_text: tuple[str, ...] = ()) -> pd.Series:
    """Numeric values (float, unit as in the source); text other than ``allowed_text`` raises.

    ``allowed_text`` values become NaN; any other non-numeric text raises
    ``SourceSchemaError`` naming the column and the first offending values.
    """
    numeric = pd.to_numeric(values.where(~values.isin(allowed_text)), errors="coerce")
    bad = values[numeric.isna() & ~values.isin(allowed_text)]
    if not bad.empty:
        raise SourceSchemaError(
            f"{where}: column {column!r} holds non-numeric values {sorted(set(map(str, bad)))[:5]}"
            f"; only numbers{' and ' + repr(allowed_text) if allowed_text else ''} are expected."
        )
    return numeric.astype(float)


def code6_to_code5(codes: pd.Series, where: Path | str) -> pd.Series:
    """Drop the JIS check digit after checking it (a wrong one means a mistyped code)."""
    bad = codes[~check_digit_ok(codes)]
    if not bad.empty:
        raise SourceSchemaError(f"{where}: invalid 6-digit codes {sorted(bad)[:5]}.")
    return codes.str[:5]
