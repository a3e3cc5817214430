"""The package's layout shows the stages a number passes through (issue 11), and stays so.

* every module is at most :data:`MAX_LINES` lines;
* the folders are the stages, in the order data flows, and a module imports at its top only
  from its own layer or an earlier one (a source parser never imports plotting or the book).
  The data layer's three folders use each other by nature: the tidy step runs the sources'
  parsers, which resolve names with the reference resolvers, which read tidy tables;
* no two modules share a name, except the per-chapter conventions (``compute``, ``figures``).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from scityhelpers.pipeline.staleness import PACKAGE_DIR, imported_modules

MAX_LINES = 450
#: the stage folders in the order a number passes through them; the top-level modules
#: (errors, paths, process) are shared by all, the CLI sits above everything
STAGES = ("pipeline", "sources", "reference", "stats", "chapters", "book")
#: the layer of each stage: raw → tidy data (0), estimators (1), chapters (2), book (3)
LAYER = {"pipeline": 0, "sources": 0, "reference": 0, "stats": 1, "chapters": 2, "book": 3}
SHARED = {"errors", "paths", "process", "__init__"}
#: module names every chapter folder repeats on purpose
CHAPTER_CONVENTIONS = {"__init__", "compute", "figures"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def _stage(module: str) -> str | None:
    """The stage folder of a dotted ``scityhelpers`` module (None: a shared top-level one)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else None


def _import_edges() -> list[tuple[str, str, str]]:
    """(file, its stage, imported module) for every package import at the top of a module.

    Imports inside functions are lazy on purpose (a step that needs a later stage's helper
    only when it runs) and are not edges of the layout.
    """
    edges = []
    for path in _modules():
        relative = path.relative_to(PACKAGE_DIR)
        if len(relative.parts) < 2:  # cli.py, errors.py, paths.py
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        for module in imported_modules(ast.unparse(ast.Module(body=top, type_ignores=[]))):
            edges.append((relative.as_posix(), relative.parts[0], module))
    return edges


def test_no_module_is_longer_than_the_limit() -> None:
    long = {p.relative_to(PACKAGE_DIR).as_posix(): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules along their seams (limit {MAX_LINES} lines)"


def test_the_top_level_holds_only_the_stages_and_the_shared_modules() -> None:
    top = {p.stem if p.is_file() else p.name for p in PACKAGE_DIR.iterdir()
           if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").is_file())}
    assert top == set(STAGES) | SHARED | {"cli"}


def test_a_module_imports_only_its_own_or_an_earlier_layer() -> None:
    edges = _import_edges()
    later = [f"{path} ({stage}) imports {module}" for path, stage, module in edges
             if (target := _stage(module)) is not None and LAYER[target] > LAYER[stage]]
    assert len(edges) > 100  # the check reads the real imports
    assert later == [], ("a module imports a later stage: move the shared code to the earlier "
                         "stage or import it inside the function that needs it")


def test_module_names_are_not_repeated_outside_the_chapter_conventions() -> None:
    names = Counter(p.stem for p in _modules() if p.stem not in CHAPTER_CONVENTIONS)
    assert {name: n for name, n in names.items() if n > 1} == {}


def test_the_stage_check_sees_a_source_importing_plotting() -> None:
    # the fault the layout removed: sources/boundaries.py → geo.py → matplotlib (a later stage)
    assert _stage("scityhelpers.chapters.maps") == "chapters"
    assert LAYER["chapters"] > LAYER["sources"]
    assert _stage("scityhelpers.errors") is None
    assert set(LAYER) == set(STAGES)
