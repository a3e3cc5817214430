"""A chapter reruns when code it imports changes, and only then (runner's input hash)."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import pytest

from scityhelpers.book.run_plan import chapter_code_files
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.pipeline.staleness import PACKAGE_DIR, imported_modules


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
    assert _chapters_importing("chapters/wages/figures.py") == {"wages"}
    assert _chapters_importing("chapters/kpi/figures.py") == {"kpi"}
    assert (_chapters_importing("chapters/digital_productivity/figures.py")
            == {"digital_productivity"})


def test_shared_code_reruns_every_chapter_that_imports_it() -> None:
    assert _chapters_importing("book/facts.py") == set(CHAPTERS)
    assert "population" in _chapters_importing("chapters/population/compute.py")
    assert "programmes" in _chapters_importing("chapters/population/compute.py")  # imported there


def test_data_files_count_for_the_chapters_whose_code_reads_them() -> None:
    # the name variants sit in reference/resources: every chapter importing a reference module
    # sees an edit of the CSV; a chapter's fact declarations count for the chapters importing
    # that chapter's code only
    variants = PACKAGE_DIR / "reference" / "resources" / "municipal_name_variants.csv"
    for chapter in CHAPTERS.values():
        files = _code_files(chapter.name)
        reads_reference = any(p.parent.name == "reference" for p in files)
        assert (variants in files) == reads_reference
        declared = {p.parent.name for p in files if p.name == "facts.csv"}
        assert chapter.name in declared
        assert chapter.name == "wages" or "wages" not in declared
    assert _chapters_importing("reference/resources/municipal_name_variants.csv")


def test_imports_inside_functions_and_submodules_are_found() -> None:
    source = ("def f():\n    from scityhelpers.chapters.wages import figures as w\n"
              "import scityhelpers.book.facts\nimport pandas\n")
    assert imported_modules(source) == {"scityhelpers.chapters.wages",
                                        "scityhelpers.chapters.wages.figures",
                                        "scityhelpers.book.facts"}


def test_a_file_is_parsed_again_when_it_changed_and_not_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.pipeline import staleness

    monkeypatch.setattr(staleness, "PARSED", staleness.ParsedImports(tmp_path / "parsed.json"))
    module = tmp_path / "chapter.py"
    module.write_text("import scityhelpers.book.facts\n", encoding="utf-8")
    parsed: list[str] = []
    original = staleness._package_names
    monkeypatch.setattr(staleness, "_package_names",
                        lambda source: parsed.append(source) or original(source))
    assert staleness.file_imports(module) == {"scityhelpers.book.facts"}
    assert staleness.file_imports(module) == {"scityhelpers.book.facts"}
    assert len(parsed) == 1  # unchanged: not parsed again
    module.write_text("import scityhelpers.chapters.parameters  # edited\n", encoding="utf-8")
    assert staleness.file_imports(module) == {"scityhelpers.chapters.parameters"}
    assert len(parsed) == 2


def test_a_parse_is_kept_for_later_processes_by_the_texts_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.pipeline import staleness

    cache = tmp_path / "__pycache__" / "parsed.json"
    source = "def f():\n    from scityhelpers.chapters.wages import figures\n"
    first = staleness.ParsedImports(cache)
    names = first.names(source)
    assert "scityhelpers.chapters.wages.figures" in names
    first.save()

    def no_parse(text: str) -> set[str]:
        raise AssertionError(f"parsed again: {text!r}")

    monkeypatch.setattr(staleness, "_package_names", no_parse)
    assert staleness.ParsedImports(cache).names(source) == names  # a later process: no parse
    with pytest.raises(AssertionError):  # an edited text is parsed
        staleness.ParsedImports(cache).names(source + "# edited\n")


def test_a_damaged_parse_cache_is_parsed_again_not_trusted(tmp_path: Path) -> None:
    from scityhelpers.pipeline import staleness

    cache = tmp_path / "parsed.json"
    source = "import scityhelpers.book.facts\n"
    for damaged in ('{"truncated', '["not", "a mapping"]',
                    json.dumps({hashlib.sha256(source.encode()).hexdigest(): [1, 2]})):
        cache.write_text(damaged, encoding="utf-8")
        assert staleness.ParsedImports(cache).names(source) == ["scityhelpers.book.facts"]
