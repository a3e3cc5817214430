"""A chapter reruns when code it imports changes, and only then (runner's input hash)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers.chapters import CHAPTERS
from scityhelpers.code_closure import PACKAGE_DIR, imported_modules
from scityhelpers.runner import chapter_code_files


def _chapters_importing(relative: str) -> set[str]:
    target = PACKAGE_DIR / relative
    return {name for name, chapter in CHAPTERS.items() if target in chapter_code_files(chapter)}


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
    assert all(variants in chapter_code_files(c) for c in CHAPTERS.values())


def test_imports_inside_functions_and_submodules_are_found() -> None:
    source = ("def f():\n    from scityhelpers.plots import wages as w\n"
              "import scityhelpers.facts\nimport pandas\n")
    assert imported_modules(source) == {"scityhelpers.plots", "scityhelpers.plots.wages",
                                        "scityhelpers.facts"}


def test_a_file_is_parsed_again_when_it_changed_and_not_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers import code_closure

    module = tmp_path / "chapter.py"
    module.write_text("import scityhelpers.facts\n", encoding="utf-8")
    parsed: list[str] = []
    original = code_closure.imported_modules
    monkeypatch.setattr(code_closure, "imported_modules",
                        lambda source: parsed.append(source) or original(source))
    assert code_closure.file_imports(module) == {"scityhelpers.facts"}
    assert code_closure.file_imports(module) == {"scityhelpers.facts"}
    assert len(parsed) == 1  # unchanged: not parsed again
    module.write_text("import scityhelpers.params  # edited\n", encoding="utf-8")
    assert code_closure.file_imports(module) == {"scityhelpers.params"}
    assert len(parsed) == 2
