"""Notebooks as text: authors edit ``notebooks/<chapter>.py``, the ``.ipynb`` is the record.

Each chapter notebook has a *text twin* in jupytext's ``py:percent`` format beside it: the
cells only (``# %%`` code cells, ``# %% [markdown]`` prose cells, tags on the marker line), no
outputs and no notebook header, so a diff of the twin shows exactly what an author changed.
The ``.ipynb`` stays the executed record that nbval checks and the book renders.

``scity run`` first brings each notebook's cells up to date from its twin
(:func:`sync_from_text`): cell sources and tags come from the text; outputs, execution counts
and cell ids are kept from the matching cells of the notebook (matched by jupytext's own rules:
same content in order, then same content anywhere, then position), so an edited markdown cell
keeps the id its Japanese translation is keyed by. Papermill's ``injected-parameters`` cell is
not part of the twin and is kept where it was. The runner's input hash covers the notebook's
cell sources, so an edit to the twin reruns the chapter.

Why ``py:percent`` beside the notebook: Sphinx (Jupyter Book) reads ``.md`` and ``.ipynb``
sources only, so ``<chapter>.py`` is never a second document; pytest collects only
``test_*.py`` files and nbval only ``.ipynb``, so the twin is never collected.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from scityhelpers.book.notebook_files import cell_source, notebook_cells
from scityhelpers.errors import NotebookTextError
from scityhelpers.pipeline.fetch import atomic_write

if TYPE_CHECKING:
    from nbformat import NotebookNode

log = logging.getLogger(__name__)

TEXT_FORMAT = "py:percent"
TEXT_SUFFIX = ".py"
INJECTED_TAG = "injected-parameters"
PARAMETERS_TAG = "parameters"
#: the twin holds cells only: no notebook metadata header, tags as the only cell metadata
TEXT_OPTIONS = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "tags"}

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

#: notebook metadata: sha256 of the twin the notebook's cells were last synced from
TEXT_DIGEST_KEY = "scity_text_sha256"
#: in ``_build/``: per notebook, the digest of the twin and the notebook cells last found in step
SYNC_STAMPS = "notebook-text.json"

Signature = list[tuple[str, str, tuple[str, ...]]]


def twin_path(notebook: Path) -> Path:
    """Where a notebook's text twin lives: ``notebooks/<chapter>.py`` beside it."""
    return notebook.with_suffix(TEXT_SUFFIX)


def _tags(cell: NotebookNode | dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def authored_cells(notebook: NotebookNode | list[dict]) -> list:
    """The cells an author writes: all but papermill's ``injected-parameters`` cell."""
    cells = notebook if isinstance(notebook, list) else notebook.cells
    return [cell for cell in cells if INJECTED_TAG not in _tags(cell)]


def signature(cells: list) -> Signature:
    """What the twin and the notebook must agree on: each cell's type, source and tags."""
    return [(cell["cell_type"], cell_source(cell), tuple(_tags(cell))) for cell in cells]


def notebook_as_text(notebook: NotebookNode) -> str:
    """The twin's text for ``notebook``: its authored cells' sources and tags, nothing else."""
    import jupytext  # imported when a twin is read or written, not on every no-op run

    bare = nbformat.v4.new_notebook(metadata={"jupytext": dict(TEXT_OPTIONS)})
    for cell in authored_cells(notebook):
        make = (nbformat.v4.new_code_cell if cell["cell_type"] == "code"
                else nbformat.v4.new_markdown_cell)
        tags = _tags(cell)
        bare.cells.append(make(cell_source(cell), metadata={"tags": tags} if tags else {}))
    return jupytext.writes(bare, fmt=TEXT_FORMAT)


def text_cells(text: str, where: Path) -> list[NotebookNode]:
    """The cells of a twin's text (``where`` names it in errors).

    Raises:
        NotebookTextError: the text cannot be read as ``py:percent``.
    """
    import jupytext

    try:
        return jupytext.reads(text, fmt=TEXT_FORMAT).cells
    except Exception as error:  # jupytext raises several kinds; all mean "not readable"
        raise NotebookTextError(
            f"{where} is not a readable py:percent notebook ({type(error).__name__}: {error}); "
            "fix it, or restore it with `git checkout -- <file>`.") from error


def _new_cell(cell: NotebookNode) -> NotebookNode:
    """A cell written in the twin that has no counterpart in the notebook yet (a fresh id)."""
    make = (nbformat.v4.new_code_cell if cell["cell_type"] == "code"
            else nbformat.v4.new_markdown_cell)
    return make(cell_source(cell), metadata={"tags": _tags(cell)})


def merge_text(notebook: NotebookNode, cells: list[NotebookNode]) -> NotebookNode:
    """``notebook`` with the twin's ``cells``: sources and tags from the text, the rest kept.

    A text cell matched to a notebook cell keeps that cell's id, outputs, execution count and
    other metadata; an unmatched text cell is new (fresh id, no outputs); notebook cells the
    text no longer has are dropped. The ``injected-parameters`` cell stays right after the
    ``parameters`` cell.
    """
    from jupytext.combine import map_outputs_to_inputs

    old = authored_cells(notebook)
    matches = map_outputs_to_inputs(cells, old)
    merged = []
    for cell, index in zip(cells, matches, strict=True):
        if index is None:
            merged.append(_new_cell(cell))
            continue
        kept = copy.deepcopy(old[index])
        kept["source"] = cell_source(cell)
        kept.setdefault("metadata", {})["tags"] = _tags(cell)
        merged.append(kept)
    injected = [cell for cell in notebook.cells if INJECTED_TAG in _tags(cell)]
    if injected:
        after = next((i + 1 for i, cell in enumerate(merged) if PARAMETERS_TAG in _tags(cell)),
                     0)
        merged[after:after] = injected
    result = copy.deepcopy(notebook)
    result.cells = merged
    return result


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook (nbformat 4).

    Raises:
        NotebookUnreadableError: the file is missing or not a notebook, with the command that
            restores it.
    """
    notebook_cells(path)  # the readable-notebook check, with its restore command
    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


def new_notebook() -> NotebookNode:
    """An empty notebook for the project's kernel (a new chapter's, before its first run)."""
    return nbformat.v4.new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})


def read_twin(notebook: Path) -> list[NotebookNode]:
    """The cells of ``notebook``'s twin.

    Raises:
        NotebookTextError: the twin is missing (with the command that writes it) or unreadable.
    """
    twin = twin_path(notebook)
    if not twin.is_file():
        raise NotebookTextError(
            f"{notebook.name} has no text twin {twin.name}: authors edit the twin and "
            f"`scity run` copies its cells into the notebook. Write it from the notebook with "
            f"`scity notebook-text {notebook.stem}`.")
    return text_cells(twin.read_text(encoding="utf-8"), twin)


def in_step_digest(notebook: Path) -> str | None:
    """Digest of a twin's bytes, its notebook's authored cells and recorded twin digest.

    None if either file is missing or unreadable.

    Equal to the digest recorded at the last sync only if neither changed since, so the pair
    still agrees: ``scity run`` then skips parsing the twin (jupytext costs about a second).
    """
    twin = twin_path(notebook)
    try:
        record = json.loads(notebook.read_text(encoding="utf-8"))
        cells = signature(authored_cells(record["cells"]))
        recorded = record.get("metadata", {}).get(TEXT_DIGEST_KEY)
        digest = hashlib.sha256(twin.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # sync_from_text reads it again and says what is wrong
    digest.update(json.dumps([cells, recorded], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def sync_notebooks(notebooks: list[Path]) -> list[Path]:
    """Sync each notebook from its twin (:func:`sync_from_text`); return those that changed.

    Pairs whose digest (:func:`in_step_digest`) equals the one recorded in
    ``_build/notebook-text.json`` at their last sync are in step and are not parsed again.
    """
    from scityhelpers.paths import build_dir

    stamps_path = build_dir() / SYNC_STAMPS
    stamps = (json.loads(stamps_path.read_text(encoding="utf-8")) if stamps_path.is_file()
              else {})
    changed, before = [], dict(stamps)
    for notebook in notebooks:
        key = str(notebook.resolve())
        if stamps.get(key) is not None and stamps[key] == in_step_digest(notebook):
            continue
        if sync_from_text(notebook):
            changed.append(notebook)
            log.info("%s: cells updated from %s", notebook.name, twin_path(notebook).name)
        stamps[key] = in_step_digest(notebook)
    if stamps != before:
        atomic_write(stamps_path, [json.dumps(stamps, indent=1, sort_keys=True).encode()])
    return changed


def twin_digest(notebook: Path) -> str:
    """sha256 of the twin's bytes, recorded in the notebook it was last synced into."""
    return hashlib.sha256(twin_path(notebook).read_bytes()).hexdigest()


def _write_notebook(notebook: Path, record: NotebookNode) -> None:
    text = nbformat.writes(record)
    atomic_write(notebook, [(text if text.endswith("\n") else text + "\n").encode("utf-8")])


def sync_from_text(notebook: Path) -> bool:
    """Bring ``notebook``'s cells up to date from its twin; return whether its cells changed.

    The notebook records the digest of the twin it was last synced from (metadata
    ``scity_text_sha256``). Cells that differ while the twin is still the one recorded were
    changed in the notebook itself (in Jupyter, or by a merge): they are not overwritten; the
    error says how to keep or discard them. A new chapter's notebook is created from its twin.

    Raises:
        NotebookTextError: the twin is missing or unreadable, or the notebook's cells were
            edited directly.
    """
    cells = read_twin(notebook)
    digest = twin_digest(notebook)
    if not notebook.exists():
        created = merge_text(new_notebook(), cells)
        created.metadata[TEXT_DIGEST_KEY] = digest
        _write_notebook(notebook, created)
        return True
    record = read_notebook(notebook)
    agree = signature(cells) == signature(authored_cells(record))
    if not agree and record.metadata.get(TEXT_DIGEST_KEY) == digest:
        raise NotebookTextError(
            f"{notebook.name}'s cells differ from {twin_path(notebook).name}, which has not "
            f"changed since the notebook was synced from it: the notebook was edited directly "
            f"(in Jupyter, or by a merge) and a run would overwrite that. Keep the notebook's "
            f"cells with `scity notebook-text {notebook.stem}` (rewrites the twin), or discard "
            f"them with `git checkout -- notebooks/{notebook.name}`; then run again.")
    if agree and record.metadata.get(TEXT_DIGEST_KEY) == digest:
        return False
    updated = record if agree else merge_text(record, cells)
    updated.metadata[TEXT_DIGEST_KEY] = digest
    _write_notebook(notebook, updated)
    return not agree


def write_twin(notebook: Path) -> Path:
    """Write (or overwrite) ``notebook``'s twin from the notebook's cells; return its path."""
    twin = twin_path(notebook)
    atomic_write(twin, [notebook_as_text(read_notebook(notebook)).encode("utf-8")])
    return twin


def disagreements(notebook: Path) -> list[str]:
    """How a notebook and its twin differ, one line per differing cell (empty if they agree).

    Raises:
        NotebookTextError: the twin is missing or unreadable.
    """
    text = signature(read_twin(notebook))
    record = signature(authored_cells(read_notebook(notebook)))
    lines = []
    for number, (in_text, in_record) in enumerate(zip(text, record, strict=False), start=1):
        if in_text != in_record:
            what = next(name for name, a, b in zip(("type", "source", "tags"), in_text,
                                                    in_record, strict=True) if a != b)
            lines.append(f"cell {number}: {what} differs")
    if len(text) != len(record):
        lines.append(f"{len(text)} cells in {twin_path(notebook).name}, "
                     f"{len(record)} in {notebook.name}")
    return lines
