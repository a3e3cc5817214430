"""Which package files a chapter's results depend on: the modules it imports, transitively.

A chapter's notebook imports a few ``scityhelpers`` modules, which import others. Hashing the
whole package would rerun every chapter when one plot module changes; hashing only the import
closure of the notebook and of the chapter's analysis module reruns exactly the chapters that
can see the change. Imports are read with :mod:`ast` (lazy imports inside functions count),
never executed. Package data (``resources/``) is always included: every chapter may read it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

PACKAGE = "scityhelpers"
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_SUFFIXES = {".csv", ".yml"}


def module_file(module: str) -> Path | None:
    """The file of a ``scityhelpers`` module or package, or None if there is none."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(source: str) -> set[str]:
    """``scityhelpers`` modules named by the imports in ``source``.

    ``from a import b`` names ``a`` and, where ``b`` is a submodule, ``a.b``.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] == PACKAGE and module_file(n) is not None}


def file_imports(path: Path) -> frozenset[str]:
    """:func:`imported_modules` of a file, parsed again only when its size or mtime changed.

    Every chapter's closure walks many of the same modules; parsing each once per process
    keeps ``scity run`` on unchanged inputs fast.
    """
    stat = path.stat()
    return _file_imports_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _file_imports_cached(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    return frozenset(imported_modules(path.read_text(encoding="utf-8")))


def _with_parents(module: str) -> set[str]:
    """A module and the packages it sits in (importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def closure(sources: Iterable[str]) -> set[Path]:
    """Every package file reachable by imports from ``sources`` (Python source texts)."""
    todo = set().union(*(imported_modules(s) for s in sources)) if sources else set()
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        for name in _with_parents(module) - seen:
            seen.add(name)
            path = module_file(name)
            if path is not None:
                todo |= file_imports(path) - seen
    return {path for name in seen if (path := module_file(name)) is not None}


def data_files() -> set[Path]:
    """The package's data files (``resources/``): column maps, variants, fact declarations."""
    return {p for p in PACKAGE_DIR.rglob("*")
            if p.suffix in DATA_SUFFIXES and "__pycache__" not in p.parts}
