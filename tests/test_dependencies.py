"""Declared dependencies match what the code imports (a small deptry-style check).

The package, its notebooks and its tests are parsed with ``ast``; every top-level import that is
neither the standard library nor ``scityhelpers`` is mapped to the distribution that provides it
(``importlib.metadata.packages_distributions``) and compared with ``pyproject.toml``.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OWN_PACKAGE = "scityhelpers"

#: Runtime dependencies that are used without being imported by name. Each needs a reason.
USED_WITHOUT_IMPORT = {
    "sphinxcontrib-bibtex": "Sphinx extension: _config.yml's bibtex_bibfiles (book/references.bib)",
    "pyarrow": "pandas' parquet engine for data/tidy/*.parquet (pd.read_parquet/to_parquet)",
    "ipykernel": "the python3 kernel papermill starts to execute the notebooks (execute.KERNEL)",
}

#: Test-extra packages that are tools run from the command line, not imported by a test.
TEST_TOOLS = {
    "ruff": "linter run by `make test` / `make lint`",
    "nbval": "pytest plugin enabled by --nbval in pyproject's addopts",
    "check-jsonschema": "run as `python -m check_jsonschema` by tests/test_publishing.py",
    "pytest-xdist": "pytest plugin: `make test` spreads the suite over the cores (-n auto)",
}


def normalise(name: str) -> str:
    """PEP 503 form of a distribution name (``PyYAML`` → ``pyyaml``, ``myst_nb`` → ``myst-nb``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    """Distribution name of a requirement string such as ``pandera[pandas]>=0.20,<1``."""
    return normalise(re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0])


def imported_modules(source: str) -> set[str]:
    """Top-level names of absolute imports in Python source, wherever they appear."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def notebook_sources(notebook: Path) -> Iterable[str]:
    """The code cells of a notebook, without IPython magics (which ``ast`` cannot parse)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            lines = "".join(cell["source"]).splitlines()
            yield "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def third_party_imports(paths: Iterable[Path]) -> set[str]:
    """Third-party top-level modules imported by the given ``.py`` and ``.ipynb`` files."""
    modules: set[str] = set()
    for path in paths:
        sources = notebook_sources(path) if path.suffix == ".ipynb" else [path.read_text("utf-8")]
        for source in sources:
            modules |= imported_modules(source)
    first_party = {OWN_PACKAGE, "tests"}  # the package and the test suite's own helpers
    return {m for m in modules if m not in sys.stdlib_module_names and m not in first_party}


@functools.cache
def _installed_providers() -> dict[str, list[str]]:
    """Top-level module → distributions, read once: it scans every installed distribution."""
    return packages_distributions()


def providers(module: str) -> set[str]:
    """Distributions (normalised) that install ``module``; empty if none is installed."""
    return {normalise(d) for d in _installed_providers().get(module, [])}


def undeclared(modules: set[str], declared: set[str]) -> dict[str, list[str]]:
    """Imported modules none of whose providing distributions is declared."""
    return {m: sorted(providers(m)) for m in sorted(modules) if not providers(m) & declared}


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _runtime() -> set[str]:
    return {requirement_name(s) for s in _project()["dependencies"]}


def _test_extra() -> set[str]:
    return {requirement_name(s) for s in _project()["optional-dependencies"]["test"]}


def _package_files() -> list[Path]:
    return [*(REPO / "src" / OWN_PACKAGE).rglob("*.py"), *(REPO / "notebooks").glob("*.ipynb")]


def _runtime_imports() -> set[str]:
    return third_party_imports(_package_files())


def test_every_package_and_notebook_import_is_a_declared_runtime_dependency() -> None:
    missing = undeclared(_runtime_imports(), _runtime())
    assert missing == {}, f"imported but not in [project].dependencies: {missing}"


def test_every_test_import_is_declared_in_runtime_or_test_extra() -> None:
    imports = third_party_imports((REPO / "tests").rglob("*.py"))
    missing = undeclared(imports, _runtime() | _test_extra())
    assert missing == {}, f"tests import packages not declared: {missing}"


def test_every_runtime_dependency_is_imported_or_listed_as_used_without_import() -> None:
    imported = set().union(*(providers(m) for m in _runtime_imports()))
    unused = _runtime() - imported - set(USED_WITHOUT_IMPORT)
    assert unused == set(), f"declared runtime dependencies never imported: {sorted(unused)}"


def test_used_without_import_list_holds_only_declared_unimported_packages() -> None:
    imported = set().union(*(providers(m) for m in _runtime_imports()))
    assert set(USED_WITHOUT_IMPORT) <= _runtime()
    assert set(USED_WITHOUT_IMPORT) & imported == set()  # an imported one must leave the list


def test_every_test_extra_is_imported_by_a_test_or_is_a_listed_tool() -> None:
    imports = third_party_imports((REPO / "tests").rglob("*.py"))
    imported = set().union(*(providers(m) for m in imports))
    unused = _test_extra() - imported - set(TEST_TOOLS)
    assert unused == set(), f"test extras never imported by a test: {sorted(unused)}"


def test_dev_tools_are_not_runtime_dependencies() -> None:
    assert _runtime() & _test_extra() == set()


def test_the_check_sees_an_undeclared_import() -> None:
    """The checker itself: a module imported only inside a function still counts."""
    modules = imported_modules("def f():\n    from scipy import stats\n    import os\n")
    assert modules == {"scipy", "os"}
    assert undeclared({"scipy"}, {"numpy"}) == {"scipy": ["scipy"]}
    assert undeclared({"yaml"}, {"pyyaml"}) == {}
