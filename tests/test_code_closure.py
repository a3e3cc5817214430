"""A chapter reruns when code it imports changes, and only then (runner's input hash)."""

from __future__ import annotations

import functools
from pathlib import Path

from scityhelpers.chapters import CHAPTERS
from scityhelpers.code_closure import PACKAGE_DIR, imported_modules
from scityhelpers.runner import chapter_code_files


@functools.cache
def _code_files(name: str) -> frozenset[Path]:
    """``chapter_code_files`` of one chapter, computed once per session (it parses its closure)."""
    return frozenset(chapter_code_files(CHAPTERS[name]))


def _chapters_importing(relative: str) -> set[str]:
    target = PACKAGE_DIR / relative
    return {name for name in CHAPTERS if target in _code_files(name)}


def test_editing_one_plot_module_reruns_only_its_chapter() -> None:
    # the fault: every chapter hashed the whole package, so editing the wages plots reran all
    # seven notebooks; the claims ledger follows wages through its facts record, not its code
    assert _chapters_importing("plots/wages.py") == {"wages"}
    assert _chapters_importing("plots/kpi.py") == {"kpi"}
    assert _chapters_importing("plots/countries.py") == {"digital_productivity"}


def test_shared_code_reruns_every_chapter_that_imports_it() -> None:
    assert _chapters_importing("facts.py") == set(CHAPTERS)
    assert "population" in _chapters_importing("analysis/population.py")
    assert "programmes" in _chapters_importing("analysis/population.py")  # imported there


def test_package_data_counts_for_every_chapter() -> None:
    variants = PACKAGE_DIR / "resources" / "municipal_name_variants.csv"
    assert all(variants in _code_files(name) for name in CHAPTERS)


def test_imports_inside_functions_and_submodules_are_found() -> None:
    source = ("def f():\n    from scityhelpers.plots import wages as w\n"
              "import scityhelpers.facts\nimport pandas\n")
    assert imported_modules(source) == {"scityhelpers.plots", "scityhelpers.plots.wages",
                                        "scityhelpers.facts"}
