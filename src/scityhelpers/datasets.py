"""Whole-project data verbs behind ``scity data pull|verify|list``."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from rich.progress import Progress

from scityhelpers.manifest import load_manifest
from scityhelpers.paths import tidy_dir
from scityhelpers.snapshot import PullResult
from scityhelpers.sources import table_specs
from scityhelpers.tidy import build_table, pull_source

log = logging.getLogger(__name__)


def pull_all(*, sources: list[str] | None = None, offline: bool = False,
             force: bool = False, progress: bool = False) -> list[PullResult]:
    """Pull every raw file (snapshot → mirror → network) and build every tidy table."""
    manifest = load_manifest()
    chosen = sources or sorted(manifest)
    results: list[PullResult] = []
    tables = [name for name, (source_id, _) in table_specs().items() if source_id in chosen]
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
