"""The built book: every toc page present, non-empty, with the numbers computed from data."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from scityhelpers import load
from scityhelpers.book.change_report import EMPTY, Change, changes_page_markdown, compare_editions
from scityhelpers.book.data_sources_page import data_sources_markdown
from scityhelpers.book.page_checks import PageProblem, check_built_book, page_text, toc_files
from scityhelpers.chapters.wages import compute as wages

REPO = Path(__file__).resolve().parents[1]


def test_data_sources_page_is_current() -> None:
    committed = (REPO / "book" / "data_sources.md").read_text(encoding="utf-8")
    assert committed == data_sources_markdown(), "run `scity build` to regenerate it"


def test_every_toc_page_is_built_and_has_text(built_book: Path) -> None:
    assert check_built_book(built_book) == []
    assert len(toc_files()) >= 5


def test_wages_page_shows_rank_and_wage_from_the_data(built_book: Path) -> None:
    text = page_text(built_book / "book" / "wages.html")
    ranking = wages.rank_table(load("wages"), 2022, 2025)
    rank, wage = wages.rank_of(ranking, "JPN"), wages.wage_of(ranking, "JPN")
    assert f"Japan ranks {rank} th of 38" in text
    assert f"USD {wage:,.0f}" in text
    briefing = wages.rank_table(load("wages"), 2022, 2022)
    assert f"{wages.rank_of(briefing, 'JPN')} th of 34" in text


def test_download_links_point_at_exported_tables(built_book: Path) -> None:
    assert (built_book / "data" / "wages.csv").stat().st_size > 10_000


def test_check_flags_missing_and_empty_pages(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text(
        '<article class="bd-article"><p>tiny</p></article>', encoding="utf-8")
    problems = check_built_book(tmp_path)
    assert PageProblem("index.html", "missing") in problems
    assert any(p.page == "book/intro" and "nearly empty" in p.problem for p in problems)


def _fact(value: object, precision: str = "exact", unit: str = "rank") -> dict:
    return {"value": value, "unit": unit, "precision": precision}


def test_change_report_lists_old_and_new() -> None:
    before = {"facts": {"wages": {"japan_rank": _fact(24), "year": _fact(2022, unit="year")}}}
    after = {"facts": {"wages": {"japan_rank": _fact(23), "year": _fact(2021, unit="year")}}}
    changes = compare_editions(before, after)
    assert changes == [Change("fact", "wages", "japan_rank", 24, 23, "rank"),
                       Change("fact", "wages", "year", 2022, 2021, "year")]
    # _build/changes.md and the book page come from the one renderer
    assert "| wages | `japan_rank` | 24 | 23 | rank |" in changes_page_markdown(
        [asdict(c) for c in changes])
    assert EMPTY in changes_page_markdown([])


def test_float_noise_below_the_precision_is_not_a_change() -> None:
    # the failure this guards: another CPU's BLAS gave 0.10628497791387465 for
    # 0.1062849779138759, and the change report listed it as news
    value = 0.106
    before = {"facts": {"dp": {"fe_coef": _fact(value, "3", "log points")}}}
    after = {"facts": {"dp": {"fe_coef": _fact(value * (1 + 1e-12), "3", "log points")}}}
    assert compare_editions(before, after) == []


def test_a_change_at_the_precision_is_reported() -> None:
    before = {"facts": {"dp": {"fe_coef": _fact(0.106, "3", "log points")}}}
    after = {"facts": {"dp": {"fe_coef": _fact(0.107, "3", "log points")}}}
    assert [c.name for c in compare_editions(before, after)] == ["fe_coef"]


def test_flipped_verdicts_and_changed_raw_files_are_reported() -> None:
    before = {"facts": {"claims": {"verdict_c3": _fact("holds", "text", "verdict")}},
              "raw": {"oecd_wages/a.csv": "0" * 64}}
    after = {"facts": {"claims": {"verdict_c3": _fact("does not hold", "text", "verdict")}},
             "raw": {"oecd_wages/a.csv": "1" * 64, "oecd_wages/b.csv": "2" * 64}}
    changes = compare_editions(before, after)
    assert [(c.kind, c.name) for c in changes] == [("verdict", "verdict_c3"),
                                                   ("raw", "a.csv"), ("raw", "b.csv")]
    text = changes_page_markdown([asdict(c) for c in changes])
    assert "## Verdicts that flipped" in text
    assert "## Raw files whose sha256 changed" in text


@pytest.mark.parametrize("page", ["book/wages.html", "book/intro.html"])
def test_pages_render_japanese_text(built_book: Path, page: str) -> None:
    assert "日本" in page_text(built_book / page)


def test_no_broken_internal_links(built_book: Path) -> None:
    from scityhelpers.book.page_checks import broken_internal_links

    assert broken_internal_links(built_book) == []


def test_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    from scityhelpers.book.page_checks import broken_internal_links

    (tmp_path / "a.html").write_text('<a href="b.html#x">b</a> <img src="missing.png">'
                                     '<a href="https://example.org">e</a>', encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>b</p>", encoding="utf-8")
    assert broken_internal_links(tmp_path) == [("a.html", "missing.png")]


def test_every_glued_value_is_shown_on_its_page(built_book: Path) -> None:
    from scityhelpers.book.page_checks import missing_glued_values

    assert missing_glued_values(built_book) == []


def _shift_japan_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the wages notebook's glued Japan rank 10 places off what its page shows."""
    from scityhelpers.book import page_checks

    real = page_checks.glue_values

    def shifted(path: Path) -> dict[str, str]:
        values = real(path)
        if path.stem == "wages":
            values["japan_rank"] = str(int(values["japan_rank"]) + 10)
        return values

    monkeypatch.setattr(page_checks, "glue_values", shifted)


def test_glue_check_notices_a_value_the_page_does_not_show(
    built_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scityhelpers.book import page_checks as book

    _shift_japan_rank(monkeypatch)
    problems = book.missing_glued_values(built_book)
    assert any("wages::japan_rank" in p.problem for p in problems)


def test_the_sphinx_build_itself_warns_for_a_glued_value_a_page_lacks(
    built_book: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Both editions load the extension; under ``-W`` its warning fails the build."""
    import logging
    from types import SimpleNamespace

    from scityhelpers.book import sphinxext

    app = SimpleNamespace(builder=SimpleNamespace(name="html"), outdir=str(built_book),
                          srcdir=str(REPO))
    with caplog.at_level(logging.WARNING):
        sphinxext.warn_unshown_glued_values(app, None)  # type: ignore[arg-type]
        assert "wages::japan_rank" not in caplog.text  # the built book shows every value
        _shift_japan_rank(monkeypatch)
        sphinxext.warn_unshown_glued_values(app, None)  # type: ignore[arg-type]
    assert "book/wages: shows" in caplog.text
    assert "wages::japan_rank" in caplog.text


def test_every_chapter_links_the_tables_it_reads(built_book: Path) -> None:
    import re

    from scityhelpers.chapters.registry import CHAPTERS
    from scityhelpers.paths import tidy_dir

    for chapter in CHAPTERS.values():
        text = (REPO / chapter.page).read_text(encoding="utf-8")
        linked = set(re.findall(r'href="\.\./data/(\w+)\.csv"', text))
        built = {t for t in chapter.analysis().TABLES if (tidy_dir() / f"{t}.parquet").is_file()}
        assert built <= linked, f"{chapter.page} lacks download links for {built - linked}"


def test_claims_page_carries_the_csv_and_claim_reviews(built_book: Path) -> None:
    """The rendered claims page: a claims.csv download and one ClaimReview per ledger row."""
    import csv
    import io
    import json
    import re
    from urllib.parse import unquote

    page = (built_book / "book" / "claims.html").read_text(encoding="utf-8")
    link = re.search(r'download="claims.csv" href="data:text/csv;charset=utf-8,([^"]+)"', page)
    rows = list(csv.DictReader(io.StringIO(unquote(link.group(1)))))
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    reviews = [review for script in scripts for review in json.loads(script)]
    ledger_rows = re.findall(r'<th scope="row" id="claim-(c\d+)">', page)
    assert len(rows) == len(reviews) == len(ledger_rows) > 0
    assert {r["@type"] for r in reviews} == {"ClaimReview"}
    assert [r["reviewRating"]["alternateName"] for r in reviews] == [r["verdict"] for r in rows]
    assert [r["claim"].lower() for r in rows] == ledger_rows


def test_an_edited_static_file_reaches_the_site(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # the fault: Sphinx 7.4 kept the staged _static/scity.css from an earlier build, so a CSS
    # fix never reached readers; the copy must be current when Sphinx starts
    from scityhelpers.book import build as book

    source = tmp_path / "book" / "_static" / "scity.css"
    source.parent.mkdir(parents=True)
    source.write_text("/* new */", encoding="utf-8")
    stale = tmp_path / "_build" / "html" / "_static" / "scity.css"
    theirs = stale.with_name("mystnb.css")  # written by extensions: left alone
    stale.parent.mkdir(parents=True)
    stale.write_text("/* old */", encoding="utf-8")
    theirs.write_text("/* extension */", encoding="utf-8")
    seen: list[tuple[str, str]] = []

    class FakeProcess:  # jupyter-book, which records what the static folder held
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen.append((stale.read_text(encoding="utf-8"), theirs.read_text(encoding="utf-8")))

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(book.subprocess, "Popen", FakeProcess)
    book.run_jupyter_book(tmp_path)
    assert seen == [("/* new */", "/* extension */")]


def test_compiled_page_templates_are_kept_in_the_builds_own_cache(tmp_path: Path) -> None:
    """Kept in Sphinx's cache folder (discarded with it after a failed build), keyed by source."""
    from types import SimpleNamespace

    from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader

    from scityhelpers.book import sphinxext

    (tmp_path / "page.html").write_text("{{ title }}!", encoding="utf-8")
    environment = Environment(loader=FileSystemLoader(str(tmp_path)))
    app = SimpleNamespace(builder=SimpleNamespace(templates=SimpleNamespace(
        environment=environment)), doctreedir=str(tmp_path / ".doctrees"))
    sphinxext.cache_compiled_templates(app)  # type: ignore[arg-type]
    assert isinstance(environment.bytecode_cache, FileSystemBytecodeCache)
    assert environment.get_template("page.html").render(title="24th") == "24th!"
    assert list((tmp_path / ".doctrees" / sphinxext.TEMPLATE_CACHE).iterdir())  # compiled, kept
    bare = SimpleNamespace(builder=SimpleNamespace(), doctreedir=str(tmp_path / "other"))
    sphinxext.cache_compiled_templates(bare)  # type: ignore[arg-type]  # no templates: no cache
    assert not (tmp_path / "other").exists()
