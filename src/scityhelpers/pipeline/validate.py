"""Checks shared by the parsers: expected raw columns and tidy schemas."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError, TidySchemaError

ISO3_PATTERN = r"^([A-Z]{3}|OECD)$"
CODE5_PATTERN = r"^\d{5}$"
CODE6_PATTERN = r"^\d{6}$"
PREF_CODE_PATTERN = r"^(0[1-9]|[1-3]\d|4[0-7])$"


def require_columns(frame: pd.DataFrame, expected: Iterable[str], where: Path | str) -> None:
    """Fail with ``SourceSchemaError`` if a raw table lacks columns the parser relies on.

    The message lists the missing columns and the ones present, so a renamed column at the
    source is easy to spot.
    """
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SourceSchemaError(
            f"{where}: missing column(s) {missing}; found {list(frame.columns)}. The source "
            "layout changed: update the parser in scityhelpers/sources/ and its test fixture."
        )


def require_known(values: pd.Series, allowed: Iterable[object], what: str,
                  where: Path | str) -> None:
    """Fail with ``SourceSchemaError`` on codes or categories the parser does not know."""
    unknown = sorted(set(values.dropna().unique()) - set(allowed), key=str)
    if unknown:
        raise SourceSchemaError(
            f"{where}: unexpected {what} {unknown}; known: {sorted(set(allowed), key=str)}. "
            "Decide how the new value should be treated and add it to the parser."
        )


def validate_table(frame: pd.DataFrame, schema: pa.DataFrameSchema, table: str) -> pd.DataFrame:
    """Validate ``frame`` lazily against ``schema``; raise ``TidySchemaError`` with examples."""
    try:
        return schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as error:
        cases = error.failure_cases
        summary = cases[["column", "check", "failure_case"]].head(10).to_string(index=False)
        raise TidySchemaError(
            f"tidy table {table!r} failed its schema ({len(cases)} failure(s)); first ones:\n"
            f"{summary}\nThe raw data changed in a way the parser does not handle."
        ) from error
