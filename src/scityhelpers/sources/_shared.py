"""Helpers shared by the source modules (not a source: the name starts with ``_``).

Reading raw bytes (and naming the repair command when they are unreadable), refusing a
download where no fixed URL serves the file, keeping country rows, and the schema columns every
country- or municipality-keyed table spells the same way.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import FetchError, RawFileCorruptError
from scityhelpers.pipeline.manifest import RawFile
from scityhelpers.pipeline.validate import (
    CODE5_PATTERN,
    CODE6_PATTERN,
    ISO3_PATTERN,
    PREF_CODE_PATTERN,
    require_known,
)

if TYPE_CHECKING:  # requests is imported where a file is downloaded
    import requests

    from scityhelpers.pipeline.snapshot import Fetcher

COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")

#: what pandas raises on bytes that are not a CSV in the expected encoding
CSV_READ_ERRORS = (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError)
#: what decoding and parsing a JSON document raises on broken bytes
JSON_READ_ERRORS = (UnicodeDecodeError, json.JSONDecodeError)
#: what ``pandas.read_excel`` (openpyxl) raises on a truncated or non-xlsx file
EXCEL_READ_ERRORS = (zipfile.BadZipFile, OSError, KeyError, ValueError)
#: the usual end of the repair advice: "rerun `scity data pull <source>` to restore a valid copy"
RESTORE_VALID_COPY = " to restore a valid copy"


# -- unreadable raw files -----------------------------------------------------------------

def corrupt_file_error(path: Path | str, source_id: str, error: Exception, *,
                       read_as: str | None, advice: str = "") -> RawFileCorruptError:
    """Return the ``RawFileCorruptError`` for a raw file that cannot be read at all.

    The message names the file, what it was read as, the low-level error and the command that
    restores the snapshot: ``<path>: cannot be read as <read_as> (<error>); rerun `scity data
    pull <source_id>`<advice>.``

    Args:
        path: the raw file.
        source_id: the manifest key of its source (for the repair command).
        error: the exception the reader raised (kept as the cause by the caller).
        read_as: what the file was read as (``"CSV"``, ``"a UTF-8 CSV"``); None leaves it out.
        advice: text after the command, e.g. :data:`RESTORE_VALID_COPY`.
    """
    as_what = f" as {read_as}" if read_as else ""
    return RawFileCorruptError(
        f"{path}: cannot be read{as_what} ({error}); rerun `scity data pull {source_id}`"
        f"{advice}."
    )


def read_raw_csv(path: Path, source_id: str, *, read_as: str | None = "CSV",
                 advice: str = RESTORE_VALID_COPY, encoding: str = "utf-8-sig",
                 sep: str = ",", header: int | None | str = "infer", dtype: Any = None,
                 usecols: list[str] | None = None, skiprows: int | None = None,
                 nrows: int | None = None, keep_default_na: bool = True) -> pd.DataFrame:
    """Read a raw CSV with :func:`pandas.read_csv`; unreadable bytes raise ``RawFileCorruptError``.

    The keyword arguments after ``advice`` are passed to pandas unchanged (their defaults are
    pandas' own, except ``encoding``: most raw files are UTF-8, some with a byte-order mark).
    ``read_as`` and ``advice`` shape the message (see :func:`corrupt_file_error`).
    """
    try:
        return pd.read_csv(path, encoding=encoding, sep=sep, header=header, dtype=dtype,
                           usecols=usecols, skiprows=skiprows, nrows=nrows,
                           keep_default_na=keep_default_na)
    except CSV_READ_ERRORS as error:
        raise corrupt_file_error(path, source_id, error, read_as=read_as,
                                 advice=advice) from error


def read_raw_json(path: Path, source_id: str, *, read_as: str | None,
                  advice: str = RESTORE_VALID_COPY, encoding: str = "utf-8-sig") -> Any:
    """Decode and parse a raw JSON document; broken bytes raise ``RawFileCorruptError``."""
    try:
        return json.loads(path.read_bytes().decode(encoding))
    except JSON_READ_ERRORS as error:
        raise corrupt_file_error(path, source_id, error, read_as=read_as,
                                 advice=advice) from error


def read_raw_excel(path: Path, source_id: str, *, read_as: str, advice: str = "",
                   sheet_name: str | int | list[str] = 0, header: int = 0,
                   dtype: Any = None) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """Read a raw xlsx workbook with openpyxl; a damaged file raises ``RawFileCorruptError``.

    ``sheet_name``, ``header`` and ``dtype`` are passed to :func:`pandas.read_excel` (a list of
    sheet names returns a dict of frames).
    """
    try:
        return pd.read_excel(path, sheet_name=sheet_name, header=header, dtype=dtype,
                             engine="openpyxl")
    except EXCEL_READ_ERRORS as error:
        raise corrupt_file_error(path, source_id, error, read_as=read_as,
                                 advice=advice) from error


# -- sources without a fixed download URL -------------------------------------------------

def refuse_download(source_id: str, raw: RawFile, how_published: str) -> NoReturn:
    """Raise ``FetchError``: the publisher offers no machine-readable file at a fixed URL.

    Such a source still names its official page as ``url`` in the manifest, but a plain GET
    of that page returns HTML, which ``scity data pull`` would report as a "new vintage" with
    another sha256. Refusing says instead where the file is published and how to restore it.

    Args:
        source_id: the manifest key of the source (for the repair command).
        raw: the raw file that was asked for.
        how_published: one sentence on where and in which form the publisher offers it.
    """
    raise FetchError(
        f"{raw.url} offers no machine-readable copy of {raw.name} at a fixed URL: "
        f"{how_published} Restore the file from the offline mirror ({raw.mirror}; set "
        f"SCITY_MIRROR) and rerun `scity data pull {source_id}`; a copy from elsewhere must "
        f"have sha256 {raw.sha256}."
    )


def refusing_fetch(source_id: str, how_published: str) -> Fetcher:
    """Return a source's ``fetch`` that always refuses (see :func:`refuse_download`).

    For sources published as PDF tables or behind a web page: the module sets
    ``fetch = refusing_fetch(SOURCE_ID, HOW_PUBLISHED)``.
    """

    def fetch(raw: RawFile, dest: Path, session: requests.Session) -> NoReturn:
        refuse_download(source_id, raw, how_published)

    fetch.__doc__ = f"Refuse: {how_published}"
    return fetch


# -- country rows ---------------------------------------------------------------------------

def require_country_codes(codes: pd.Series, aggregates: Iterable[str], where: Path | str) -> None:
    """Fail with ``SourceSchemaError`` on area codes that are neither ISO3 nor known aggregates.

    Publishers add groupings (``EA20``, ``G7``, ``OWID_KOS``) without notice; a code the
    parser has not been told how to treat must stop the build rather than pass as a country.
    """
    present = codes.dropna().astype(str).unique()
    allowed = [code for code in present if COUNTRY_CODE.match(code)] + list(aggregates)
    require_known(codes, allowed, "area code", where)


def keep_country_rows(raw: pd.DataFrame, code_column: str, value_column: str,
                      where: Path | str, *, kept: Iterable[str] = (),
                      dropped: Iterable[str] = ()) -> pd.DataFrame:
    """Return the rows of ISO3 areas (and the ``kept`` aggregates) that hold a value.

    Every code must be ISO3, ``kept`` or ``dropped`` (else ``SourceSchemaError``, see
    :func:`require_country_codes`); rows of ``dropped`` aggregates and rows without a value
    are left out.
    """
    dropped = list(dropped)
    require_country_codes(raw[code_column], [*kept, *dropped], where)
    return raw[~raw[code_column].isin(dropped) & raw[value_column].notna()]


# -- schema columns -------------------------------------------------------------------------

def iso3_column(*, unique: bool = False) -> pa.Column:
    """An ISO3 country code (or ``OECD``, the one aggregate kept)."""
    return pa.Column(str, pa.Check.str_matches(ISO3_PATTERN), unique=unique)


def year_column(first: int, last: int = 2100) -> pa.Column:
    """A calendar year from ``first`` to ``last``."""
    return pa.Column(int, pa.Check.in_range(first, last))


def code5_column(*, nullable: bool = False) -> pa.Column:
    """A 5-digit standard area code (no check digit)."""
    return pa.Column(str, pa.Check.str_matches(CODE5_PATTERN), nullable=nullable)


def code6_column(*, nullable: bool = False) -> pa.Column:
    """A 6-digit local-government code (with its JIS check digit)."""
    return pa.Column(str, pa.Check.str_matches(CODE6_PATTERN), nullable=nullable)


def pref_code_column() -> pa.Column:
    """A 2-digit prefecture code (``01``–``47``)."""
    return pa.Column(str, pa.Check.str_matches(PREF_CODE_PATTERN))
