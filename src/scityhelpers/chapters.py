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

        Read from the module's source when ``TABLES`` is a literal, so that ``scity build``
        (which needs only the names) does not import a model chapter with statsmodels and
        scikit-learn (seconds); imported otherwise.
        """
        spec = importlib.util.find_spec(self.module)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == "TABLES" for t in targets):
                    try:
                        return tuple(ast.literal_eval(node.value))
                    except ValueError:
                        break
        return tuple(self.analysis().TABLES)


CHAPTERS: dict[str, Chapter] = {
    chapter.name: chapter
    for chapter in (
        Chapter("wages", "scityhelpers.analysis.wages", "book/wages.md", year_param="year"),
        # projections: `--year` (a data year) does not apply; use -p target_year=…
        Chapter("population", "scityhelpers.analysis.population", "book/population.md",
                relative_cost=1.2),
        Chapter("programmes", "scityhelpers.analysis.programmes", "book/programmes.md"),
        Chapter("kpi", "scityhelpers.analysis.kpi", "book/kpi.md", relative_cost=0.7),
        Chapter("digital_productivity", "scityhelpers.models.countries",
                "book/digital_productivity.md", year_param="end_year", relative_cost=1.8),
        Chapter("municipal_models", "scityhelpers.models.municipal", "book/municipal_models.md",
                relative_cost=3.3),
        Chapter("claims", "scityhelpers.analysis.claims", "book/claims.md",
                reads_chapters=("wages", "population", "programmes", "kpi",
                                "digital_productivity")),
    )
}


def get_chapter(name: str) -> Chapter:
    """Return a chapter by name or raise ``ParameterError`` listing the chapters."""
    if name not in CHAPTERS:
        raise ParameterError(f"unknown chapter {name!r}; chapters: {', '.join(CHAPTERS)}")
    return CHAPTERS[name]
