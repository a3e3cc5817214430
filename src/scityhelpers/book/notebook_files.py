"""Reading executed notebooks as plain JSON, with errors that say how to restore them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scityhelpers.errors import NotebookUnreadableError
from scityhelpers.paths import project_root


def notebook_cells(path: Path) -> list[dict]:
    """A notebook's cells as plain JSON (nbformat's validation is slow on large notebooks).

    Raises:
        NotebookUnreadableError: the file is missing, not JSON, or has no cells.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except FileNotFoundError as error:
        raise NotebookUnreadableError(
            f"{path} does not exist; restore it with `git checkout -- {_project_relative(path)}`."
        ) from error
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise NotebookUnreadableError(
            f"{path} is not a readable notebook ({type(error).__name__}: {error}); it may be "
            f"truncated or hand-edited. Restore the committed copy with "
            f"`git checkout -- {_project_relative(path)}`."
        ) from error


def _project_relative(path: Path) -> str:
    """``path`` relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(path)


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (notebooks store it as a list of lines or a string)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
