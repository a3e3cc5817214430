"""The analytical chapters: notebook, parameters, tidy tables read, and the year parameter.

One registry, read by ``scity run`` (what to execute and validate), by ``scity build`` (which
pages to check) and by the tests (which notebooks nbval must cover).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from scityhelpers.errors import ParameterError
from scityhelpers.paths import project_root


@dataclass(frozen=True)
class Chapter:
    """An analytical chapter.

    Attributes:
        name: short id, also the notebook's file stem (``notebooks/<name>.ipynb``).
        module: the ``scityhelpers`` module declaring ``PARAMS`` and ``TABLES``.
        page: the prose page in ``book/`` that glues the notebook's numbers.
        year_param: the parameter ``scity run --year`` sets (None: the chapter has no year).
        reads_chapters: chapters whose glued values this one reads (run after them).
        relative_cost: how long the notebook takes to execute, relative to wages (measured
            on the 2-core machine); ``scity run`` starts the longest first, so that on few
            cores a long chapter does not start last.
    """

    name: str
    module: str
    page: str
    year_param: str | None = None
    reads_chapters: tuple[str, ...] = ()
    relative_cost: float = 1.0

    @property
    def notebook(self) -> Path:
        """Path of the committed, executed notebook."""
        return project_root() / "notebooks" / f"{self.name}.ipynb"

    def analysis(self) -> ModuleType:
        """Import the analysis module (PARAMS, TABLES)."""
        return importlib.import_module(self.module)

    def tables(self) -> tuple[str, ...]:
        """The tidy tables the chapter reads: its module's ``TABLES``.

        Read from the module's source when ``TABLES`` is a literal there or in the sibling
        module it is imported from (a split chapter), so that ``scity build`` (which needs
        only the names) does not import a model chapter with statsmodels and scikit-learn
        (seconds); imported otherwise.
        """
        found = _literal_tables(self.module)
        return found if found is not None else tuple(self.analysis().TABLES)


def _literal_tables(module: str, depth: int = 2) -> tuple[str, ...] | None:
    """``TABLES`` of ``module`` read from its source (following ``from x import TABLES``)."""
    spec = importlib.util.find_spec(module)
    if depth == 0 or spec is None or not (spec.origin or "").endswith(".py"):
        return None
    for node in ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "TABLES" for t in node.targets):
            try:
                return tuple(ast.literal_eval(node.value))
            except ValueError:
                return None
        if (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                and any(alias.name == "TABLES" and alias.asname in (None, "TABLES")
                        for alias in node.names)):
            return _literal_tables(node.module, depth - 1)
    return None


CHAPTERS: dict[str, Chapter] = {
    chapter.name: chapter
    for chapter in (
        Chapter("wages", "scityhelpers.chapters.wages.compute", "book/wages.md", year_param="year"),
        # projections: `--year` (a data year) does not apply; use -p target_year=…
        Chapter("population", "scityhelpers.chapters.population.compute", "book/population.md",
                relative_cost=1.2),
        Chapter("programmes", "scityhelpers.chapters.programmes.compute", "book/programmes.md"),
        Chapter("kpi", "scityhelpers.chapters.kpi.compute", "book/kpi.md", relative_cost=0.7),
        Chapter("digital_productivity", "scityhelpers.chapters.digital_productivity.compute",
                "book/digital_productivity.md", year_param="end_year", relative_cost=1.8),
        Chapter("municipal_models", "scityhelpers.chapters.municipal_models.compute",
                "book/municipal_models.md", relative_cost=3.3),
        Chapter("claims", "scityhelpers.chapters.claims.compute", "book/claims.md",
                reads_chapters=("wages", "population", "programmes", "kpi",
                                "digital_productivity")),
    )
}


def get_chapter(name: str) -> Chapter:
    """Return a chapter by name or raise ``ParameterError`` listing the chapters."""
    if name not in CHAPTERS:
        raise ParameterError(f"unknown chapter {name!r}; chapters: {', '.join(CHAPTERS)}")
    return CHAPTERS[name]
