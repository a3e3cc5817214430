"""Helpers shared by the international sources (not a source: the name starts with ``_``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import pandas as pd

from scityhelpers.errors import FetchError
from scityhelpers.manifest import RawFile
from scityhelpers.validate import require_known

COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")


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


def require_country_codes(codes: pd.Series, aggregates: Iterable[str], where: Path | str) -> None:
    """Fail with ``SourceSchemaError`` on area codes that are neither ISO3 nor known aggregates.

    Publishers add groupings (``EA20``, ``G7``, ``OWID_KOS``) without notice; a code the
    parser has not been told how to treat must stop the build rather than pass as a country.
    """
    present = codes.dropna().astype(str).unique()
    allowed = [code for code in present if COUNTRY_CODE.match(code)] + list(aggregates)
    require_known(codes, allowed, "area code", where)
