"""The built population page shows the chapter's key numbers, computed from the data."""

from __future__ import annotations

from pathlib import Path

from scityhelpers import load
from scityhelpers.book.page_checks import page_text
from scityhelpers.chapters.population import compute as population


def test_population_page_shows_the_interpolation_and_the_shares(built_book: Path) -> None:
    text = page_text(built_book / "book" / "population.html")
    estimate = population.interpolate_national(load("ipss2023_key_figures"), 2050)
    assert f"interpolated 2050 total is {estimate.value:.1f} million" in text
    assert "projects to 2045, not 2050" in text
    changes = population.municipal_change(load("municipal_projection"), 2045,
                                          load("population_2015_2020"))
    shares = population.decline_shares(changes, 30.0)
    assert f"{shares.area_pct:.1f} % of their land area" in text
    assert f"{shares.municipalities_pct:.1f} % of municipalities" in text
    assert "福島県 (all 59 municipalities" in text


def test_population_download_links_point_at_exported_tables(built_book: Path) -> None:
    from scityhelpers.paths import tidy_dir

    built = [t for t in population.TABLES if (tidy_dir() / f"{t}.parquet").is_file()]
    assert "municipal_projection" in built
    for table in built:
        assert (built_book / "data" / f"{table}.csv").stat().st_size > 1_000
    for table in set(population.TABLES) - set(built):  # live-only editions not fetched
        assert not (built_book / "data" / f"{table}.csv").exists()
