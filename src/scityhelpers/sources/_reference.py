"""Helpers shared by the committed reference tables (not a source: the name starts with ``_``).

Reference tables (``data/reference/*.csv``) are compiled by hand, one source URL per row, and
committed verbatim. Their parsers only type the columns and resolve municipality names to
codes; they never change a value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError, UnknownMunicipalityError
from scityhelpers.pipeline.validate import require_columns, require_known
from scityhelpers.sources._shared import CSV_READ_ERRORS

YES_NO = {"yes": True, "no": False}


def read_reference_csv(path: Path, columns: list[str], source_id: str) -> pd.DataFrame:
    """Read a committed reference CSV as text (blanks stay ``""``) and check its columns."""
    try:
        frame = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    except CSV_READ_ERRORS as error:
        raise RawFileCorruptError(
            f"{path}: cannot be read as UTF-8 CSV ({error}); it is committed with the "
            f"repository: restore it with `git checkout -- data/reference/{path.name}` and "
            f"rerun `scity data pull {source_id}`."
        ) from error
    require_columns(frame, columns, path)
    return frame


def yes_no(values: pd.Series, what: str, where: Path | str) -> pd.Series:
    """``yes``/``no`` → bool; anything else is refused."""
    require_known(values, YES_NO, what, where)
    return values.map(YES_NO).astype(bool)


def numbers(values: pd.Series, what: str, where: Path | str) -> pd.Series:
    """Text numbers → floats (blank = no figure found); other text is refused."""
    parsed = pd.to_numeric(values.replace("", None), errors="coerce")
    bad = values[parsed.isna() & (values != "")]
    if not bad.empty:
        raise SourceSchemaError(f"{where}: {what} holds non-numbers {sorted(set(bad))}.")
    return parsed.astype(float)


def whole_numbers(values: pd.Series, what: str, where: Path | str) -> pd.Series:
    """Text counts → nullable integers (blank = not reported); other text is refused."""
    numbers = pd.to_numeric(values.replace("", None), errors="coerce")
    bad = values[numbers.isna() & (values != "")]
    if not bad.empty or (numbers.dropna() % 1 != 0).any():
        raise SourceSchemaError(f"{where}: {what} holds non-integer values {sorted(set(bad))}.")
    return numbers.astype("Int64")


def dates(values: pd.Series, what: str, where: Path | str) -> pd.Series:
    """ISO dates → datetime (blank = not stated in the sources); other text is refused."""
    parsed = pd.to_datetime(values.replace("", None), format="%Y-%m-%d", errors="coerce")
    bad = values[parsed.isna() & (values != "")]
    if not bad.empty:
        raise SourceSchemaError(f"{where}: {what} holds non-ISO dates {sorted(set(bad))}.")
    return parsed


def resolve_codes(frame: pd.DataFrame, name_col: str, pref_col: str,
                  where: Path | str) -> pd.DataFrame:
    """Return ``code5`` and ``code6`` of every row's municipality (or prefecture).

    Names go through the project's one resolver (:mod:`scityhelpers.reference.municipalities`),
    with the
    row's prefecture; a name that does not resolve stops the build with every failing row.
    """
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.municipalities import resolve_frame

    try:
        code5 = resolve_frame(frame, name_col, pref_col)
    except UnknownMunicipalityError as error:
        raise SourceSchemaError(f"{where}: names that do not resolve:\n{error}") from error
    code6 = load("municipalities").set_index("code5")["code6"]
    return pd.DataFrame({"code5": code5, "code6": code5.map(code6)}, index=frame.index)
