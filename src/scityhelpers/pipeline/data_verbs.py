"""Whole-project data verbs behind ``scity data pull|verify|list``."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from rich.progress import Progress

from scityhelpers.errors import FetchError, ScityError
from scityhelpers.paths import tidy_dir
from scityhelpers.pipeline.manifest import load_manifest
from scityhelpers.pipeline.snapshot import PullResult
from scityhelpers.pipeline.tidy import build_table, pull_source

log = logging.getLogger(__name__)


def _pull_optional(source_id: str, offline: bool) -> list[PullResult]:
    """Pull a live-only source that nobody asked for by name; failure is a warning.

    Such a source (the IPSS 2023 workbooks) has no mirror copy; without a network the book
    falls back to what the mirror holds and says so, so a failed download must not stop the
    pull of everything else.
    """
    if offline:
        log.info("offline: skipping live-only source %s; run `scity data pull %s` online "
                 "to fetch it", source_id, source_id)
        return []
    try:
        return pull_source(source_id, offline=False)
    except ScityError as error:
        log.warning("optional live-only source %s could not be fetched (%s); the book uses "
                    "the editions available offline. Retry with `scity data pull %s`.",
                    source_id, str(error).splitlines()[0], source_id)
        return []


def pull_all(*, sources: list[str] | None = None, offline: bool = False,
             force: bool = False, progress: bool = False) -> list[PullResult]:
    """Pull every raw file (snapshot → mirror → network) and build every tidy table.

    Sources marked ``live_only: true`` in the manifest (no mirror copy exists) are optional
    unless named in ``sources``: skipped offline, and a failed download is logged, not
    raised. Naming one explicitly raises the usual ``SnapshotUnavailableError`` (go online).
    """
    manifest = load_manifest()
    chosen = sources or sorted(manifest)
    optional = set() if sources else {s for s in chosen if manifest[s].extra.get("live_only")}
    results: list[PullResult] = []
    pulled: list[str] = []
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("pulling raw files", total=len(chosen))
        for source_id in chosen:
            if source_id in optional:
                fetched = _pull_optional(source_id, offline)
                if fetched:
                    pulled.append(source_id)
                results.extend(fetched)
            else:
                results.extend(pull_source(source_id, offline=offline))
                pulled.append(source_id)
            bar.advance(task)
        tables = [table for source_id in pulled for table in manifest[source_id].tables]
        bar.update(task, description="building tidy tables", total=len(chosen) + len(tables))
        for table in tables:
            build_table(table, force=force)
            bar.advance(task)
    return results


@dataclass(frozen=True)
class SourceSummary:
    """One line of ``scity data list``."""

    source_id: str
    title: str
    vintage: str
    licence: str
    files: int
    tables: dict[str, int | None]


def summarize() -> list[SourceSummary]:
    """Return each source with its vintage, licence and tidy row counts (None = not built)."""
    summaries = []
    for source in load_manifest().values():
        rows: dict[str, int | None] = {}
        for table in source.tables:
            meta = tidy_dir() / f"{table}.meta.json"
            rows[table] = (json.loads(meta.read_text(encoding="utf-8"))["rows"]
                           if meta.is_file() else None)
        vintages = sorted({raw.vintage for raw in source.files})
        summaries.append(SourceSummary(source.id, source.title, "; ".join(vintages),
                                       source.licence, len(source.files), rows))
    return sorted(summaries, key=lambda s: s.source_id)


def refresh(source_id: str) -> dict:
    """Fetch a source anew; adopt it only if every table still parses and validates."""
    from pathlib import Path

    import pandas as pd

    from scityhelpers.pipeline.manifest import get_source
    from scityhelpers.pipeline.snapshot import refresh_source
    from scityhelpers.pipeline.validate import validate_table
    from scityhelpers.sources import source_module

    module = source_module(source_id)

    def check(paths: dict[str, Path]) -> None:
        for spec in module.TABLES:
            frame: pd.DataFrame = spec.build(paths)
            validate_table(frame, spec.schema, spec.name)

    kwargs = {"fetcher": module.fetch} if hasattr(module, "fetch") else {}
    try:
        return refresh_source(get_source(source_id), check=check, **kwargs)
    except FetchError as error:
        raise FetchError(_refresh_failure(source_id, error)) from error


def _refresh_failure(source_id: str, error: FetchError) -> str:
    """A download error reworded for ``scity data refresh``, which never reads the mirror.

    The fetchers' messages end with advice for ``pull`` (use the mirror); that advice is
    wrong here, so sentences naming the mirror are dropped.
    """
    sentences = [s for s in re.split(r"(?<=[.;])\s+", str(error))
                 if "SCITY_MIRROR" not in s and "mirror" not in s.lower()]
    return (" ".join(sentences).rstrip(";") + f" `scity data refresh {source_id}` downloads "
            "from the publisher only; the current snapshot stays in use and nothing changed. "
            "Retry when the endpoint is reachable.")
