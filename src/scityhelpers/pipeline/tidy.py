"""Tidy tables: build from raw snapshots, write parquet with provenance, load with checks."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from scityhelpers.errors import (  # TidyMissingError: importable from here too
    ManifestError,
    StaleTidyError,
    TidyCorruptError,
    TidyMissingError,
)
from scityhelpers.paths import tidy_dir
from scityhelpers.pipeline.fetch import atomic_write
from scityhelpers.pipeline.fingerprints import fingerprint, meta_path
from scityhelpers.pipeline.manifest import get_source
from scityhelpers.pipeline.snapshot import PullResult, pull_file, raw_path
from scityhelpers.pipeline.staleness import code_checksum, file_stamp
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import TableSpec, source_module, table_spec

log = logging.getLogger(__name__)


#: length of the hex content hash recorded in ``.meta.json``
CONTENT_SHA_CHARS = 16


def _parquet_path(table: str) -> Path:
    return tidy_dir() / f"{table}.parquet"


def expected_raw_hashes(source_id: str) -> dict[str, str]:
    """Return raw file name → sha256 as the manifest (plus refreshed vintages) records them."""
    return {raw.name: raw.sha256 for raw in get_source(source_id).files}


def pull_source(source_id: str, *, offline: bool = False) -> list[PullResult]:
    """Make sure every raw file of a source is present and valid (snapshot → mirror → network)."""
    source = get_source(source_id)
    fetcher = getattr(source_module(source_id), "fetch", None)
    kwargs = {"fetcher": fetcher} if fetcher else {}
    return [pull_file(source, raw, offline=offline, **kwargs) for raw in source.files]


def raw_files(source_id: str) -> dict[str, Path]:
    """Return the local paths of a source's raw files by manifest name."""
    source = get_source(source_id)
    return {raw.name: raw_path(source, raw) for raw in source.files}


def parser_hash(source_id: str) -> str:
    """Checksum of the code that turns a source's raw files into tables (first 16 hex digits).

    The source module's import closure and the data files beside it (the resolvers' name
    variants, the country table, the schemas in ``validate``): part of every table's
    provenance, so changing any of them makes the source's tables stale.
    """
    return code_checksum(modules=[source_module(source_id).__name__])[:16]


@lru_cache(maxsize=128)
def _content_sha_cached(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:CONTENT_SHA_CHARS]


def content_sha(table: str) -> str | None:
    """Short sha256 of a tidy table's parquet bytes now (None if the file is missing).

    Re-hashed only when the file's size or modification time changed.
    """
    path = _parquet_path(table)
    if not path.is_file():
        return None
    return _content_sha_cached(path, *file_stamp(path))


def recorded_content_sha(table: str) -> str | None:
    """The content hash written into ``.meta.json`` when the table was built (None: no record)."""
    meta = meta_path(table)
    if not meta.is_file():
        return None
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("content_sha256")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def content_intact(table: str) -> bool:
    """True if the table's parquet bytes are those recorded when it was built."""
    recorded = recorded_content_sha(table)
    return recorded is not None and content_sha(table) == recorded


@dataclass(frozen=True)
class TidyProblem:
    """A tidy table whose bytes or record do not match (found in ``scity data verify``)."""

    table: str
    source_id: str
    path: Path
    problem: str

    def message(self) -> str:
        """Say which table, what is wrong, and the command that rebuilds it."""
        return (f"tidy table {self.table} ({self.path}): {self.problem}; rebuild it with "
                f"`scity data pull {self.source_id}`")


def verify_tables() -> list[TidyProblem]:
    """Re-hash every built tidy table against its recorded content hash.

    A table that was never built is not a problem here (``scity data pull`` builds it);
    a parquet file without its record, or a record without its file, is.
    """
    from scityhelpers.pipeline.manifest import load_manifest

    problems = []
    for source in load_manifest().values():
        for table in source.tables:
            path, meta = _parquet_path(table), meta_path(table)
            if not path.is_file() and not meta.is_file():
                continue
            recorded, found = recorded_content_sha(table), content_sha(table)
            if found is None:
                problem = "missing, though its .meta.json is there"
            elif recorded is None:
                problem = f"its record {meta.name} is missing or unreadable"
            elif found != recorded:
                problem = f"content sha256 {found}, recorded {recorded} (damaged or edited)"
            else:
                continue
            problems.append(TidyProblem(table, source.id, path, problem))
    return problems


def _dependency_fingerprints(spec: TableSpec) -> dict[str, str]:
    return {dep: fingerprint(dep) for dep in spec.depends}


def is_current(table: str) -> bool:
    """True if the tidy table exists and was built from the raw files the manifest names."""
    meta_file = meta_path(table)
    if not meta_file.is_file() or not _parquet_path(table).is_file():
        return False
    if not content_intact(table):
        return False
    source_id, spec = table_spec(table)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    try:
        deps = _dependency_fingerprints(spec)
    except TidyMissingError:
        return False
    return (meta.get("raw_sha256") == expected_raw_hashes(source_id)
            and meta.get("parser_sha256") == parser_hash(source_id)
            and meta.get("depends") == deps)


def build_table(table: str, *, force: bool = False) -> Path:
    """Build one tidy table from its (already pulled) raw files, validate it and write it.

    The parquet file and its ``.meta.json`` (raw hashes, dependencies, rows) are written
    atomically, so a failing parser or schema leaves the previous table in place.
    """
    source_id, spec = table_spec(table)
    if not force and is_current(table):
        return _parquet_path(table)
    if _parquet_path(table).is_file() and not content_intact(table):
        log.warning("tidy table %s did not match the content hash recorded when it was built "
                    "(damaged or edited); rebuilding it from its raw files", table)
    for dep in spec.depends:
        build_table(dep)
    frame = validate_table(spec.build(raw_files(source_id)), spec.schema, table)
    frame = frame.reset_index(drop=True)
    buffer = frame.to_parquet(index=False)
    content_sha = hashlib.sha256(buffer).hexdigest()[:CONTENT_SHA_CHARS]
    atomic_write(_parquet_path(table), [buffer])
    meta = {
        "table": table,
        "source": source_id,
        "rows": len(frame),
        "columns": list(frame.columns),
        "raw_sha256": expected_raw_hashes(source_id),
        "parser_sha256": parser_hash(source_id),
        "depends": _dependency_fingerprints(spec),
        "content_sha256": content_sha,
    }
    atomic_write(meta_path(table), [json.dumps(meta, indent=1, ensure_ascii=False).encode()])
    _load_cached.cache_clear()
    log.info("built tidy table %s (%d rows)", table, len(frame))
    return _parquet_path(table)


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int) -> pd.DataFrame:
    return pd.read_parquet(path)


def load(table: str) -> pd.DataFrame:
    """Return a validated tidy table; refuse one that is missing or stale.

    Raises:
        TidyMissingError: the table was never built (run ``scity data pull``).
        TidyCorruptError: its bytes differ from the content hash recorded at build time.
        StaleTidyError: the manifest now names other raw bytes than the table was built from.
    """
    try:
        table_spec(table)
    except ManifestError as error:
        raise TidyMissingError(str(error)) from error
    path = _parquet_path(table)
    if not path.is_file() or not meta_path(table).is_file():
        raise TidyMissingError(f"tidy table {table!r} is not built; run `scity data pull`.")
    if not content_intact(table):
        source_id, _ = table_spec(table)
        raise TidyCorruptError(
            f"tidy table {table!r} ({path}) does not match the content sha256 recorded in "
            f"{meta_path(table).name} (damaged or edited); rebuild it with "
            f"`scity data pull {source_id}`."
        )
    if not is_current(table):
        raise StaleTidyError(
            f"tidy table {table!r} was built from raw files that no longer match "
            "data/manifest.yml, by an older parser, or from a table that has changed since; "
            "rebuild it with `scity data pull`."
        )
    return _load_cached(path, path.stat().st_mtime_ns).copy()
