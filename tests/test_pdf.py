"""The PDF editions (``scity pdf``): built here once, then read back with poppler's tools.

Building both PDFs costs about 12 s on the 2-core machine (two single-page builds side by side,
two prints side by side, one rebuild of the site to link them); deselect with ``-m "not pdf"``.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scityhelpers.book.edition_ja import JA_DIR
from scityhelpers.book.page_checks import glue_values
from tests.conftest import project_lock

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.pdf, pytest.mark.book]


@pytest.fixture(scope="module")
def pdfs(built_book: Path) -> dict[str, Path]:
    assert shutil.which("pdftotext"), "install Debian's poppler-utils: `make pdf-deps`"
    from scityhelpers.book.pdf import build_pdfs

    # build_pdfs republishes _build/html with the PDF links: not while another worker reads it
    with project_lock("site"):
        return build_pdfs()


def _text(pdf: Path) -> str:
    """The PDF's text (pdftotext), read once per file and version: half a second a call."""
    return _text_of(pdf, pdf.stat().st_mtime_ns)


@functools.lru_cache
def _text_of(pdf: Path, mtime_ns: int) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                            capture_output=True, text=True)
    return result.stdout


def _headings(page: Path) -> list[str]:
    return re.findall(r"^#{1,2} (.+)$", page.read_text(encoding="utf-8"), re.M)


def test_pdfs_are_written_where_the_readme_says(pdfs: dict[str, Path]) -> None:
    assert pdfs["en"] == REPO / "_build" / "pdf" / "scity-en.pdf"
    assert pdfs["ja"] == REPO / "_build" / "pdf" / "scity-ja.pdf"
    for pdf in pdfs.values():
        assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("page", ["wages", "population", "claims", "programmes"])
def test_japanese_pdf_has_the_japanese_headings(pdfs: dict[str, Path], page: str) -> None:
    text = " ".join(_text(pdfs["ja"]).split())
    headings = _headings(REPO / JA_DIR / f"{page}.md")
    assert headings
    for heading in headings:
        assert " ".join(heading.split()) in text, heading


@pytest.mark.parametrize("language", ["en", "ja"])
def test_pdf_has_the_glued_values(pdfs: dict[str, Path], language: str) -> None:
    """Values formatted as the pages glue them, read from the executed notebooks."""
    text = _text(pdfs[language])
    wages = glue_values(REPO / "notebooks" / "wages.ipynb")
    claims = glue_values(REPO / "notebooks" / "claims.ipynb")
    assert f"{float(wages['briefing_japan_wage']):,.0f}" in text  # 41,509 (USD PPP)
    assert f"{float(wages['japan_wage']):,.0f}" in text
    assert f"{float(claims['corridor_gpp_trillion_yen']):.1f}" in text
    # the claims ledger table (C1–C11) is printed
    assert all(f"C{n}" in text for n in range(1, 12))


def test_pdf_fonts_are_embedded(pdfs: dict[str, Path]) -> None:
    for pdf in pdfs.values():
        listing = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                                 text=True).stdout.splitlines()[2:]
        assert listing, pdf
        # columns: name, type, encoding, emb, sub, uni, object ID (two numbers): emb is 5th last
        not_embedded = [row for row in listing if row.split()[-5] != "yes"]
        assert not_embedded == [], f"{pdf}: {not_embedded}"


def test_pdf_has_a_table_of_contents_and_internal_links(pdfs: dict[str, Path]) -> None:
    for pdf in pdfs.values():
        data = pdf.read_bytes()
        assert data.count(b"/Dest") >= 17  # every toc entry jumps inside the document
        assert b"127.0.0.1" not in data  # no link to the print server survives
        assert b"/Outlines" in data  # bookmarks


def test_every_page_links_both_pdfs_from_its_download_menu(pdfs: dict[str, Path],
                                                           built_book: Path) -> None:
    for page, prefix in ((built_book / "book" / "wages.html", "../pdf/"),
                         (built_book / "ja" / "book" / "kpi.html", "../../pdf/"),
                         (built_book / "notebooks" / "claims.html", "../pdf/")):
        html = page.read_text(encoding="utf-8")
        for name in ("scity-en.pdf", "scity-ja.pdf"):
            assert f"window.open('{prefix}{name}')" in html, (page, name)
            assert (page.parent / prefix / name).resolve().is_file()


def test_pdf_has_every_figure_of_the_prose_pages(pdfs: dict[str, Path]) -> None:
    """At least one embedded image per figure glued into the prose (notebooks add more)."""
    figures = sum(len(re.findall(r"```\{glue\} (?:fig_\w+|\w+_figure)\n", page.read_text(
        encoding="utf-8"))) for page in (REPO / "book").glob("*.md"))
    assert figures >= 20
    for pdf in pdfs.values():
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True,
                                 capture_output=True, text=True).stdout.splitlines()[2:]
        assert len(listing) >= figures, pdf


@pytest.mark.parametrize("failure", ["raises", "writes too little", "no contents"])
def test_a_failed_print_keeps_the_previous_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               failure: str) -> None:
    """Chromium prints to a temporary file; only a checked print replaces the PDF."""
    from scityhelpers.book import pdf
    from scityhelpers.errors import PdfError

    target = tmp_path / "scity-en.pdf"
    previous = b"%PDF-1.7 the previous edition" + bytes(20_000)
    target.write_bytes(previous)

    def bad_print(folder: Path, printed: Path) -> int:
        if failure == "raises":
            printed.write_bytes(b"%PDF-1.7 half")
            raise RuntimeError("Chromium crashed")
        printed.write_bytes(b"%PDF-1.7 " + bytes(50 if failure == "writes too little" else 20_000))
        return 3 if failure == "no contents" else 20

    monkeypatch.setattr(pdf, "_print", bad_print)
    with pytest.raises((PdfError, RuntimeError)):
        pdf.print_pdf(tmp_path, target)
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scity-en.pdf"]  # no temporary left
