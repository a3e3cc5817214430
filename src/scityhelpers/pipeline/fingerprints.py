"""A tidy table's fingerprint, read from its ``.meta.json`` without importing pandas.

Planning a run, deciding whether a build or the explorer is up to date, and reusing a run
record only need to know whether a table changed: the hashes recorded when
:mod:`scityhelpers.pipeline.tidy` built it. Keeping this apart from the table code keeps
pandas and pandera (about 0.6 s) out of a no-op ``scity run``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from scityhelpers.errors import TidyMissingError
from scityhelpers.paths import tidy_dir


def meta_path(table: str) -> Path:
    """``data/tidy/<table>.meta.json``: what the table was built from, and its content hash."""
    return tidy_dir() / f"{table}.meta.json"


def fingerprint(table: str) -> str:
    """Return a short hash of a built table's content and of the raw files it was made from.

    The raw hashes are included because a table can carry raw files it does not parse into
    rows (e.g. the boundary TopoJSON read by the maps).

    Raises:
        TidyMissingError: the table is not built; run ``scity data pull``.
    """
    meta = meta_path(table)
    if not meta.is_file():
        raise TidyMissingError(f"tidy table {table!r} is not built; run `scity data pull`.")
    record = json.loads(meta.read_text(encoding="utf-8"))
    payload = json.dumps([record["content_sha256"], record["raw_sha256"]], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def fingerprint_or_absent(table: str) -> str:
    """Like :func:`fingerprint`, but ``"absent"`` for an optional table not built (live-only)."""
    try:
        return fingerprint(table)
    except TidyMissingError:
        return "absent"
