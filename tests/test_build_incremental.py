"""Issue 11 (speed): what ``scity build`` skips or runs beside each other, and that it stays safe.

Each skip is tested both ways: a changed input is redone, an unchanged one is not.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scityhelpers.book import build as book
from scityhelpers.book.build import BookBuildError, RunningBuild
from scityhelpers.chapters.registry import CHAPTERS


# --------------------------------------------------------------------------- chapter tables
def test_tables_read_from_source_equal_the_imported_tables() -> None:
    for chapter in CHAPTERS.values():
        assert chapter.tables() == tuple(chapter.analysis().TABLES), chapter.name


HEAVY = ("pandas", "pandera", "statsmodels", "sklearn")


def _modules_loaded_by(statements: str, extra: str = "set()") -> list[str]:
    """Run ``statements`` in a fresh interpreter; the heavy libraries (and ``extra``) it loaded."""
    code = (f"import sys; from scityhelpers.chapters.registry import CHAPTERS; {statements}; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
            f"or m in {extra}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return ast.literal_eval(out.stdout.strip())


def test_reading_the_tables_imports_no_chapter_module() -> None:
    assert _modules_loaded_by("[c.tables() for c in CHAPTERS.values()]",
                              extra="{c.module for c in CHAPTERS.values()}") == []


def test_loading_a_tidy_table_imports_no_http_library(pulled: Path) -> None:
    """What every notebook's kernel does first; requests (75 ms) is for a pull that goes online.

    The table's source module and the pull machinery are imported (to check the table is
    current), so each imports requests only where it downloads.
    """
    code = ("import sys; from scityhelpers.pipeline.tidy import load; "
            "assert len(load('wages')) > 1000; print('requests' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    assert out.stdout.strip() == "False"


def test_a_repeated_request_is_answered_without_pandas(pulled: Path) -> None:
    """The key a run record is checked against reads the tables' fingerprints, not the tables.

    The key itself is computed (a fresh clone has no run records, which would return early).
    """
    assert _modules_loaded_by(
        "from scityhelpers.book.run_plan import _request_key; "
        "keys = [_request_key(c, {'overrides': {}, 'year': None, 'chapters': []}, "
        "list(c.tables()), None) for c in CHAPTERS.values()]; "
        "assert sum(len(k['tables']) for k in keys) > 20, keys") == []


def test_the_build_step_for_readers_loads_no_data_library_until_a_table_changed(
        tmp_path: Path) -> None:
    """Imported beside Sphinx on every build; pandas and pandera come only with a change.

    Deciding that ``explorer.js`` and ``datapackage.json`` are up to date is part of every
    rebuild's critical path, so it must not import them either (the explorer's digest once
    imported the projections module, and with it pandas and pandera: half a second).
    """
    assert _modules_loaded_by("import scityhelpers.book.reader_downloads") == []
    assert _modules_loaded_by(
        "import pathlib; "
        "from scityhelpers.book.explorer import explorer_inputs_digest; "
        "from scityhelpers.book.datapackage import package_inputs_digest; "
        f"assert len(explorer_inputs_digest()) == 64; "
        f"assert len(package_inputs_digest(pathlib.Path({str(tmp_path)!r}))) == 64") == []


# --------------------------------------------------------------------------- tidy CSV export
def test_only_a_changed_tidy_table_is_exported_again(pulled: Path, tmp_path: Path) -> None:
    html = tmp_path / "html"
    first = {p.name for p in book.export_tidy_csv(html)}
    assert {"wages.csv", "productivity.csv"} <= first
    # the wages CSV older than its table (the table changed), productivity's newer (unchanged)
    data = html / "data"
    os.utime(data / "wages.csv", ns=(1_000_000_000, 1_000_000_000))
    later = (book.tidy_dir() / "productivity.parquet").stat().st_mtime_ns + 10**9
    (data / "productivity.csv").write_bytes(b"kept")
    os.utime(data / "productivity.csv", ns=(later, later))
    book.export_tidy_csv(html)
    assert (data / "wages.csv").stat().st_mtime_ns > 1_000_000_000  # rewritten
    assert (data / "wages.csv").read_text(encoding="utf-8").startswith("iso3,year,wage_usd_ppp")
    assert (data / "productivity.csv").read_bytes() == b"kept"  # not rewritten


# --------------------------------------------------------------------------- background builds
def _running(tmp_path: Path, code: str) -> tuple[RunningBuild, Path]:
    cache = tmp_path / "cache"
    (cache / ".doctrees").mkdir(parents=True)
    output = tmp_path / "out.log"
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", code], stdout=sink,
                                   stderr=subprocess.STDOUT)
    return RunningBuild(process, output, cache), cache


def test_a_failed_background_build_raises_its_warning_and_drops_its_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book, "build_dir", lambda: tmp_path / "_build")
    running, cache = _running(tmp_path, "print('page.md:3: WARNING: unknown document'); "
                                        "raise SystemExit(1)")
    with pytest.raises(BookBuildError, match="WARNING: unknown document"):
        running.wait()
    assert not cache.exists()  # the next build starts from nothing and warns again
    assert "unknown document" in (tmp_path / "_build" / book.BUILD_LOG).read_text()


def test_a_good_background_build_keeps_its_cache(tmp_path: Path) -> None:
    running, cache = _running(tmp_path, "print('build succeeded.')")
    running.wait()
    assert cache.is_dir()
    assert not running.output.exists()


def test_an_abandoned_background_build_is_stopped_and_forgets_its_cache(tmp_path: Path) -> None:
    running, cache = _running(tmp_path, "import time; time.sleep(60)")
    running.abandon()
    assert running.process.returncode is not None
    assert not cache.exists()


class _FakeBuild:
    """Stands for a started ``jupyter-book`` process; records being abandoned."""

    def __init__(self, name: str, order: list[str]) -> None:
        self.name, self.order = name, order

    def abandon(self) -> None:
        self.order.append(f"{self.name} abandoned")


def _fake_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, order: list[str],
                 ja_fails: bool = False) -> None:
    from scityhelpers.book import edition_ja

    def start_ja() -> _FakeBuild:
        order.append("ja started")
        if ja_fails:
            raise BookBuildError("staging the Japanese source failed")
        return _FakeBuild("ja", order)

    monkeypatch.setattr(book, "start_jupyter_book", lambda *_, **__: (
        order.append("english started") or _FakeBuild("english", order)))
    monkeypatch.setattr(edition_ja, "start_ja_sphinx", start_ja)
    monkeypatch.setattr(book, "build_dir", lambda: tmp_path / "_build")


def test_both_sphinx_builds_run_together_english_first(
        pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``build`` starts English (the critical path), then the 日本語版; a failure stops both.

    (Abandoning a build that has already finished only forgets its log: it is always safe.)
    """
    order: list[str] = []
    _fake_starts(monkeypatch, tmp_path, order)

    def english(running: _FakeBuild, *_: object) -> None:
        order.append(f"{running.name} checked")
        raise BookBuildError("english failed")

    monkeypatch.setattr(book, "_build_english", english)
    with pytest.raises(BookBuildError, match="english failed"):
        book.build()
    assert order == ["english started", "ja started", "english checked", "english abandoned",
                     "ja abandoned"]
    assert not (tmp_path / "_build" / "html").exists()  # nothing published


def test_a_japanese_build_that_cannot_start_stops_the_english_one(
        pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    _fake_starts(monkeypatch, tmp_path, order, ja_fails=True)
    with pytest.raises(BookBuildError, match="Japanese source failed"):
        book.build()
    assert order == ["english started", "ja started", "english abandoned"]
    assert not (tmp_path / "_build" / "html").exists()


# --------------------------------------------------------------------------- explorer data
def test_explorer_data_is_made_again_only_when_a_table_it_reads_changed(
        pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.book import explorer
    from scityhelpers.pipeline import fingerprints

    html = tmp_path / "html"
    target = explorer.write_explorer_data(html)
    made = target.read_bytes()
    assert made.startswith(f"window.{explorer.GLOBAL_NAME} = ".encode())

    def not_again() -> None:
        raise AssertionError("the explorer rows were made again from unchanged inputs")

    monkeypatch.setattr(explorer, "load_explorer_table", not_again)
    assert explorer.write_explorer_data(html).read_bytes() == made  # unchanged: kept

    real = fingerprints.fingerprint_or_absent
    monkeypatch.setattr(fingerprints, "fingerprint_or_absent",
                        lambda table: "changed" if table == "taxable_income" else real(table))
    with pytest.raises(AssertionError, match="made again"):
        explorer.write_explorer_data(html)  # a table it reads changed: made again
    monkeypatch.undo()
    target.unlink()
    assert explorer.write_explorer_data(html).read_bytes() == made  # missing file: made again


# --------------------------------------------------------------------------- publishing
def _site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_publish_links_unchanged_files_and_copies_changed_ones(tmp_path: Path) -> None:
    from scityhelpers.book.build import publish_site

    staged = _site(tmp_path / "staging", {"a.html": "same", "b.html": "24th", "c/d.png": "img"})
    published = tmp_path / "html"
    publish_site(staged, published, carry_over=("ja",))
    _site(published, {"ja/index.html": "日本語版"})  # the Japanese build's own publish
    unchanged_inode = (published / "a.html").stat().st_ino
    ja_inode = (published / "ja" / "index.html").stat().st_ino
    (staged / "b.html").write_text("25th", encoding="utf-8")  # same size, rewritten in place
    before = (published / "b.html").stat().st_mtime_ns
    os.utime(staged / "b.html", ns=(before + 10**9, before + 10**9))  # whatever the clock
    publish_site(staged, published, carry_over=("ja",))
    assert (published / "b.html").read_text(encoding="utf-8") == "25th"
    assert (published / "a.html").stat().st_ino == unchanged_inode
    assert (published / "c" / "d.png").read_text(encoding="utf-8") == "img"
    assert (published / "ja" / "index.html").stat().st_ino == ja_inode
    assert (published / "ja" / "index.html").read_text(encoding="utf-8") == "日本語版"
    # the next build writes into staging in place: the live site must not change with it
    (staged / "a.html").write_text("edit", encoding="utf-8")
    assert (published / "a.html").read_text(encoding="utf-8") == "same"
    assert not any(p.name.startswith(".html-") for p in tmp_path.iterdir())
    assert os.stat(published / "b.html").st_nlink == 1


def test_the_japanese_copy_links_files_of_the_published_edition_never_of_sphinx_output(
        tmp_path: Path) -> None:
    from scityhelpers.book.edition_ja import copy_built_edition

    out = _site(tmp_path / "ja-src", {"index.html": "第24位", "_images/f.png": "png"})
    published = tmp_path / "html" / "ja"
    copy_built_edition(out, tmp_path / "first", published)
    published.parent.mkdir()
    os.replace(tmp_path / "first", published)  # what build_ja does once the checks pass
    (out / "index.html").write_text("第25位", encoding="utf-8")  # Sphinx rewrote one page
    staging = tmp_path / "second"
    copy_built_edition(out, staging, published)
    assert (staging / "_images" / "f.png").stat().st_ino == (
        published / "_images" / "f.png").stat().st_ino  # unchanged: linked
    assert (staging / "index.html").read_text(encoding="utf-8") == "第25位"
    assert (published / "index.html").read_text(encoding="utf-8") == "第24位"
    # the next Sphinx build writes its output in place: neither copy may change with it
    (out / "_images" / "f.png").write_text("new", encoding="utf-8")
    assert (published / "_images" / "f.png").read_text(encoding="utf-8") == "png"
    assert (staging / "_images" / "f.png").read_text(encoding="utf-8") == "png"
