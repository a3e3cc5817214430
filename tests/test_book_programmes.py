"""The built programme and KPI pages show the chapters' key numbers, computed from the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scityhelpers import load
from scityhelpers.book.page_checks import page_text
from scityhelpers.chapters.kpi import compute as kpi
from scityhelpers.chapters.programmes import compute as programmes
from scityhelpers.reference.briefing import load_briefing


def test_programmes_page_shows_counts_and_medians(built_book: Path) -> None:
    text = page_text(built_book / "book" / "programmes.html")
    totals = programmes.briefing_sdgs_totals(load("sdgs_by_year"), load_briefing())
    assert f"announced {totals['cities']} cities ( {totals['bodies']} local governments)" in text
    assert "round 1 selected 26 of 79 proposals" in text
    assert "EU Cities Mission: 112 of 112 cities named (complete)" in text
    assert "List completeness up to FY" in text
    assert "median selected municipality had" in text


def test_kpi_page_shows_the_status_counts(built_book: Path) -> None:
    text = page_text(built_book / "book" / "kpi.html")
    collected = kpi.collected_date()
    counts = kpi.status_counts(kpi.tracker(load("kpis"), collected, collected))
    assert f"{counts['on track']} are on track" in text
    assert f"{counts['behind']} are behind" in text
    assert f"for {counts['no data']} no official actual was found" in text
    assert collected == date(2026, 11, 25)


def test_download_links_point_at_exported_tables(built_book: Path) -> None:
    for table in (*programmes.TABLES, *kpi.TABLES):
        assert (built_book / "data" / f"{table}.csv").stat().st_size > 500
