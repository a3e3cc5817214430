"""What ``scity run`` will do for each chapter, and whether its last result is still current.

A chapter's input hash (:func:`input_hash`) is the one staleness checksum
(:mod:`scityhelpers.pipeline.staleness`) over the code it imports, its notebook's cells, the
tidy tables it reads, the facts records of the chapters it reads and its parameters. A chapter
whose hash equals the one stored in ``<name>.run.json`` is skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scityhelpers.book.facts import facts_folders
from scityhelpers.book.notebook_files import cell_source, notebook_cells
from scityhelpers.chapters.parameters import validate
from scityhelpers.chapters.registry import Chapter
from scityhelpers.errors import (
    ParameterError,
)
from scityhelpers.pipeline.staleness import code_files, files_checksum, step_checksum

log = logging.getLogger(__name__)

#: the parameter through which a chapter that reads other chapters' facts finds them
FACTS_DIR_PARAM = "facts_dir"


@dataclass(frozen=True)
class RunPlan:
    """What ``scity run`` will do for one chapter."""

    chapter: Chapter
    parameters: dict[str, Any]
    input_hash: str
    output: Path
    skip: bool
    request_key: dict[str, Any] | None = None


def notebook_defaults(path: Path) -> dict[str, Any]:
    """Return the values assigned in the notebook's ``parameters`` cell (plus injected ones)."""
    values: dict[str, Any] = {}
    for cell in notebook_cells(path):
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            exec(compile(cell_source(cell), str(path), "exec"), {}, values)  # noqa: S102
    if not values:
        raise ParameterError(f"{path} has no cell tagged 'parameters'")
    return values


def chapter_code_files(chapter: Chapter) -> list[Path]:
    """The package files a chapter's results depend on.

    That is the import closure of its notebook's code cells and of its compute module, plus
    the data files beside those modules (the chapter's ``facts.csv``, ``reference/resources``).
    """
    sources = [cell_source(c) for c in notebook_cells(chapter.notebook) if c["cell_type"] == "code"]
    return sorted(code_files(sources, [chapter.module]))


def _code_hash(chapter: Chapter) -> str:
    """Hash of :func:`chapter_code_files`: editing a module reruns the chapters that import it."""
    return files_checksum(chapter_code_files(chapter))


def source_hash(path: Path) -> str:
    """Hash of a notebook's cell sources and tags, ignoring outputs and the injected cell."""
    digest = hashlib.sha256()
    for cell in notebook_cells(path):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        digest.update(cell["cell_type"].encode())
        digest.update(cell_source(cell).encode())
        digest.update(json.dumps(sorted(tags)).encode())
    return digest.hexdigest()


def input_hash(chapter: Chapter, parameters: dict[str, Any],
               out_dir: Path | None = None) -> str:
    """Everything the outputs depend on: notebook source, parameters, tables, package code."""
    from scityhelpers.pipeline.fingerprints import fingerprint_or_absent

    inputs = {"notebook": source_hash(chapter.notebook),
              **{f"table:{t}": fingerprint_or_absent(t) for t in chapter.tables()},
              **{f"facts:{c}": h for c, h in _reads_digest(chapter, out_dir).items()}}
    return step_checksum(_code_hash(chapter), inputs, parameters)


def _reads_digest(chapter: Chapter, out_dir: Path | None) -> dict[str, str]:
    """Hash of each facts record ``chapter`` reads (the one a run would use), or "absent"."""
    digests = {}
    for name in chapter.reads_chapters:
        paths = [folder / f"{name}.facts.json" for folder in facts_folders(out_dir)]
        found = next((p for p in paths if p.is_file()), None)
        digests[name] = (hashlib.sha256(found.read_bytes()).hexdigest() if found
                         else "absent")
    return digests


def _run_record_path(output: Path) -> Path:
    return output.with_suffix(".run.json")


def chapter_parameters(chapter: Chapter, overrides: dict[str, Any]) -> dict[str, Any]:
    """The parameters a run of ``chapter`` gets: its notebook's defaults with ``overrides``.

    Raises:
        ParameterError: an unknown name, a wrong type or a value out of range.
    """
    module = chapter.analysis()
    declared = {p.name for p in module.PARAMS}
    defaults = notebook_defaults(chapter.notebook)
    return validate(module.PARAMS, overrides,
                    {k: v for k, v in defaults.items() if k in declared})


def output_for(chapter: Chapter, out_dir: Path | None) -> Path:
    """Where a run of ``chapter`` writes its notebook: in place, or in the what-if ``out_dir``."""
    return (out_dir / chapter.notebook.name) if out_dir else chapter.notebook


def plan(chapter: Chapter, overrides: dict[str, Any], out_dir: Path | None,
         force: bool = False, request: dict[str, Any] | None = None) -> RunPlan:
    """Validate parameters and decide whether the chapter needs executing.

    Raises:
        ParameterError: before anything runs, listing valid names or values.
    """
    module = chapter.analysis()
    parameters = chapter_parameters(chapter, overrides)
    digest = input_hash(chapter, parameters, out_dir)
    output = output_for(chapter, out_dir)
    record = _run_record_path(output)
    previous = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    skip = (not force and output.is_file() and previous.get("input_hash") == digest
            and previous.get("output_sha256") == output_digest(output))
    key = (_request_key(chapter, request, list(module.TABLES), out_dir)
           if request is not None else None)
    return RunPlan(chapter, parameters, digest, output, skip, key)


def output_digest(output: Path) -> str:
    """sha256 of the executed notebook's bytes, as the run that wrote it recorded them.

    Cell sources alone do not identify a result: ``git checkout notebooks/`` restores the
    committed outputs (other parameters) with the same cells, and the run record, which git
    does not track, would otherwise call it this run's result.
    """
    return hashlib.sha256(output.read_bytes()).hexdigest()


def _request_key(chapter: Chapter, request: dict[str, Any], tables: list[str],
                 out_dir: Path | None) -> dict[str, Any]:
    """What a run was asked to do, with everything it read, before any validation.

    If a later request has the same key, nothing it depends on has changed, so the stored
    result can be reused without importing the chapter's analysis module (which loads
    statsmodels and scikit-learn: seconds on a no-op rerun).
    """
    from scityhelpers.pipeline.fingerprints import fingerprint_or_absent

    return {"notebook": source_hash(chapter.notebook), "package": _code_hash(chapter),
            "request": request, "tables": {t: fingerprint_or_absent(t) for t in tables},
            "reads": _reads_digest(chapter, out_dir)}


def unchanged_since_last_run(chapter: Chapter, request: dict[str, Any],
                             out_dir: Path | None) -> RunPlan | None:
    """A skipping plan if the same request ran before on the same inputs, else None."""
    output = output_for(chapter, out_dir)
    record_path = _run_record_path(output)
    if not output.is_file() or not record_path.is_file():
        return None
    record = json.loads(record_path.read_text(encoding="utf-8"))
    stored = record.get("request_key")
    if not stored or _request_key(chapter, request, list(stored["tables"]), out_dir) != stored:
        return None
    if record.get("output_sha256") != output_digest(output):
        return None  # the notebook was replaced since (git checkout, a copy): not this run's
    return RunPlan(chapter, record["parameters"], record["input_hash"], output, True, stored)
