"""Citable editions: one identifier in CITATION.cff, on every page, in the data, archived."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.book.edition import (
    EditionError,
    build_edition_archive,
    edition_id,
    footer_line,
    stamp_pages,
)
from scityhelpers.book.page_checks import toc_files
from scityhelpers.pipeline.tidy import load

FOOTER = '<div class="extra_footer">\n  <p>Text and figures: CC BY 4.0.</p>\n</div>'


def test_edition_comes_from_citation_cff(tmp_path: Path) -> None:
    assert edition_id().count(".") == 1
    (tmp_path / "CITATION.cff").write_text('version: "0.1.0"\n', encoding="utf-8")
    with pytest.raises(EditionError, match="<year>.<sequence>"):
        edition_id(tmp_path)
    (tmp_path / "CITATION.cff").write_text('version: "2031.4"\n', encoding="utf-8")
    assert edition_id(tmp_path) == "2031.4"


def test_stamping_is_idempotent_and_replaces_an_old_edition(tmp_path: Path) -> None:
    page = tmp_path / "book" / "p.html"
    page.parent.mkdir()
    page.write_text(f"<html>{FOOTER}</html>", encoding="utf-8")
    assert stamp_pages(tmp_path, "2026.1") == 1
    assert stamp_pages(tmp_path, "2026.1") == 0
    stamp_pages(tmp_path, "2026.2")
    text = page.read_text(encoding="utf-8")
    assert text.count('class="scity-edition"') == 1
    assert footer_line("2026.2") in text
    assert "2026.1" not in text


def test_every_page_shows_the_edition(built_book: Path) -> None:
    line = footer_line(edition_id())
    missing = [doc for doc in toc_files()
               if line not in (built_book / f"{doc}.html").read_text(encoding="utf-8")]
    assert missing == []
    package = json.loads((built_book / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == edition_id()


def test_edition_archive_holds_site_ledger_and_checksum(built_book: Path,
                                                        tmp_path: Path) -> None:
    path, digest = build_edition_archive(tmp_path)
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest
    assert (tmp_path / f"{path.name}.sha256").read_text(encoding="utf-8").split()[0] == digest
    prefix = f"scity-{edition_id()}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        ledger = pd.read_csv(io.BytesIO(archive.read(f"{prefix}/claims.csv")),
                             encoding="utf-8-sig")
    assert f"{prefix}/html/book/intro.html" in names
    assert f"{prefix}/html/data/datapackage.json" in names
    assert any(n.startswith(f"{prefix}/html/downloads/") and n.endswith(".zip") for n in names)
    assert len(ledger) == len(load("seed_claims"))
    assert ledger["verdict"].notna().all()
    again, _ = build_edition_archive(tmp_path / "again")
    assert again.read_bytes() == data  # the same edition gives the same archive
