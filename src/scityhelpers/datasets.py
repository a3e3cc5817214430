"""Whole-project data verbs behind ``scity data pull|verify|list``."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from rich.progress import Progress

from scityhelpers.manifest import load_manifest
from scityhelpers.paths import tidy_dir
from scityhelpers.snapshot import PullResult
from scityhelpers.tidy import build_table, pull_source

log = logging.getLogger(__name__)


def pull_all(*, sources: list[str] | None = None, offline: bool = False,
             force: bool = False, progress: bool = False) -> list[PullResult]:
    """Pull every raw file (snapshot → mirror → network) and build every tidy table.

    Offline, sources marked ``live_only: true`` in the manifest (no mirror copy exists) are
    skipped with a log line unless named in ``sources``; naming one offline raises the usual
    ``SnapshotUnavailableError`` that says to go online.
    """
    manifest = load_manifest()
    chosen = sources or sorted(manifest)
    if offline and not sources:
        live_only = [s for s in chosen if manifest[s].extra.get("live_only")]
        for source_id in live_only:
            log.info("offline: skipping live-only source %s; run `scity data pull %s` online "
                     "to fetch it", source_id, source_id)
        chosen = [s for s in chosen if s not in live_only]
    results: list[PullResult] = []
    tables = [table for source_id in chosen for table in manifest[source_id].tables]
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("pulling raw files", total=len(chosen) + len(tables))
        for source_id in chosen:
            results.extend(pull_source(source_id, offline=offline))
            bar.advance(task)
        bar.update(task, description="building tidy tables")
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

    from scityhelpers.manifest import get_source
    from scityhelpers.snapshot import refresh_source
    from scityhelpers.sources import source_module
    from scityhelpers.validate import validate_table

    module = source_module(source_id)

    def check(paths: dict[str, Path]) -> None:
        for spec in module.TABLES:
            frame: pd.DataFrame = spec.build(paths)
            validate_table(frame, spec.schema, spec.name)

    kwargs = {"fetcher": module.fetch} if hasattr(module, "fetch") else {}
    return refresh_source(get_source(source_id), check=check, **kwargs)
