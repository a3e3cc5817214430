"""Every error class lives in scityhelpers.errors; the old import paths keep working."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scityhelpers import errors

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "scityhelpers"


def _exception_classes_outside_errors() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception"))
                    for base in node.bases):
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_no_error_class_is_defined_outside_errors_py() -> None:
    assert _exception_classes_outside_errors() == []


@pytest.mark.parametrize(("module", "name"), [
    ("scityhelpers.book.build", "BookBuildError"),
    ("scityhelpers.book.runner", "NotebookExecutionError"),
    ("scityhelpers.pipeline.tidy", "TidyMissingError"),
    ("scityhelpers.book.edition_ja", "TranslationError"),
    ("scityhelpers.book.pdf", "PdfError")])
def test_moved_errors_are_still_importable_from_their_old_module(module: str, name: str) -> None:
    import importlib

    moved = getattr(importlib.import_module(module), name)
    assert moved is getattr(errors, name)
    assert issubclass(moved, errors.ScityError)
