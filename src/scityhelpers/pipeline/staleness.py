"""One staleness checksum: is a result older than the code, data and parameters it comes from?

Three steps keep results: ``tidy`` (a table from a source's raw files), the runner (an executed
notebook from its tables and parameters) and the build (the site from notebooks and pages).
Each asks :func:`step_checksum` over what it actually depends on:

* **code**: the package files the step imports, transitively (read with :mod:`ast`, lazy
  imports inside functions count, never executed), plus the data files beside those modules
  (a chapter's ``facts.csv``, ``reference/resources/*.csv``). Hashing the whole package would
  rerun every chapter when one plot module changes; the import closure reruns exactly the steps
  that can see the change;
* **inputs**: content hashes of the files or tables it reads;
* **parameters**: the values it was run with.

File contents are re-read only when a file's size or modification time changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE = "scityhelpers"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
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

    ``from a import b`` names ``a`` and, where ``b`` is a submodule, ``a.b``. The text is
    parsed once (:data:`PARSED`); which names are modules is decided at each call.
    """
    return {n for n in PARSED.names(source) if module_file(n) is not None}


def _package_names(source: str) -> set[str]:
    """Every ``scityhelpers.…`` name the imports in ``source`` could mean (modules or not)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] == PACKAGE}


def file_stamp(path: Path) -> tuple[int, int]:
    """A file's (size in bytes, modification time in ns): what tells a changed file cheaply.

    Every writer here replaces a file whole (a new modification time), and ``copy2`` keeps
    the time, so equal stamps are taken for equal contents by the caches and copies that
    use it.
    """
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def file_imports(path: Path) -> frozenset[str]:
    """:func:`imported_modules` of a file, parsed again only when its size or mtime changed.

    Every step's closure walks many of the same modules; parsing each once per process keeps
    ``scity run`` on unchanged inputs fast, and :class:`ParsedImports` keeps the parse of an
    unchanged file between processes.
    """
    return _file_imports_cached(path, *file_stamp(path))


@lru_cache(maxsize=1024)
def _file_imports_cached(path: Path, size: int, mtime_ns: int) -> frozenset[str]:
    return frozenset(imported_modules(path.read_text(encoding="utf-8")))


class ParsedImports:
    """The package names each source text imports, by the text's sha256, kept in a file.

    Parsing the package's files is most of a staleness check (a fifth of a second per
    command); a text's names depend on the text alone, so they are kept beside the bytecode
    (``__pycache__``, a cache: deleting it costs one parse) and reused by every later
    process. Which names are modules is decided again at each use.
    """

    #: at most this many texts are kept (the oldest go first)
    LIMIT = 2000

    def __init__(self, path: Path) -> None:
        self.path = path
        self._known: dict[str, list[str]] | None = None
        self._added = False

    def names(self, source: str) -> list[str]:
        """The ``scityhelpers`` names ``source`` imports (parsed once per distinct text)."""
        if self._known is None:
            self._known = self._read()
        key = hashlib.sha256(source.encode("utf-8")).hexdigest()
        if key not in self._known:
            self._known[key] = sorted(_package_names(source))
            self._added = True
        return self._known[key]

    def save(self) -> None:
        """Write the parses added by this process (whole file, renamed into place)."""
        if not self._added or self._known is None:
            return
        kept = dict(list(self._known.items())[-self.LIMIT:])
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with suppress(OSError):  # a read-only install: parse again next time
            self.path.parent.mkdir(exist_ok=True)
            tmp.write_text(json.dumps(kept), encoding="utf-8")
            os.replace(tmp, self.path)
            self._added = False
        with suppress(OSError):
            tmp.unlink(missing_ok=True)

    def _read(self) -> dict[str, list[str]]:
        try:
            known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or damaged: start again
            return {}
        if not isinstance(known, dict):
            return {}
        return {k: v for k, v in known.items()
                if isinstance(v, list) and all(isinstance(n, str) for n in v)}


PARSED = ParsedImports(PACKAGE_DIR / "__pycache__" / "scity-imports.json")


def _with_parents(module: str) -> set[str]:
    """A module and the packages it sits in (importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def closure(sources: Iterable[str] = (), modules: Iterable[str] = ()) -> set[Path]:
    """Every package file reachable by imports from ``sources`` and ``modules``.

    ``sources`` are Python source texts; the named ``modules`` count themselves.
    """
    todo = set(modules).union(*(imported_modules(s) for s in sources))
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        for name in _with_parents(module) - seen:
            seen.add(name)
            path = module_file(name)
            if path is not None:
                todo |= file_imports(path) - seen
    PARSED.save()
    return {path for name in seen if (path := module_file(name)) is not None}


def data_files(modules: Iterable[Path]) -> set[Path]:
    """The package's data files read by ``modules`` (paths of package modules).

    A module's data sits beside it or in a ``resources/`` folder beside it: a chapter's
    ``facts.csv``, the resolvers' ``reference/resources/*.csv``.
    """
    folders = {m.parent for m in modules}
    return {p for folder in folders for pattern in ("*", "resources/*")
            for p in folder.glob(pattern) if p.suffix in DATA_SUFFIXES}


def code_files(sources: Iterable[str] = (), modules: Iterable[str] = ()) -> set[Path]:
    """The import closure of ``sources``/``modules`` and the data files beside it."""
    files = closure(sources, modules)
    return files | data_files(files)


def files_checksum(files: Iterable[Path]) -> str:
    """sha256 over the package-relative names and contents of ``files`` (hex)."""
    stamped = tuple((p, *file_stamp(p)) for p in sorted(set(files)))
    return _hash_stamped(stamped)


@lru_cache(maxsize=64)
def _hash_stamped(files: tuple[tuple[Path, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for path, _, _ in files:
        name = path.relative_to(PACKAGE_DIR) if path.is_relative_to(PACKAGE_DIR) else path
        digest.update(Path(name).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_checksum(sources: Iterable[str] = (), modules: Iterable[str] = ()) -> str:
    """Checksum of the code a step runs: :func:`code_files` of its sources and modules."""
    return files_checksum(code_files(sources, modules))


def step_checksum(code: str, inputs: Mapping[str, str] | None = None,
                  parameters: Mapping[str, Any] | None = None) -> str:
    """The one staleness checksum: code checksum + input hashes + parameters (hex sha256).

    A kept result is current when the checksum recorded with it equals this one.
    """
    record = {"code": code, "inputs": dict(inputs or {}), "parameters": dict(parameters or {})}
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()
