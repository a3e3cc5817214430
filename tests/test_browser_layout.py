"""The site on a phone: at 390 px no page is wider than the viewport, figures are numbered and
their alt text says what they show.

The browser chosen by ``SCITY_BROWSER`` (fixtures ``site`` and ``browser`` from
``tests/browser_setting.py``) against ``_build/html`` served on 127.0.0.1. Every page is opened
once at 390 px for the width, alt-text and figure checks; its heights are written to
``_build/screenshots/page_heights.json`` for the record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_setting import SCREENSHOTS_ENV

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHAPTERS = ("wages", "population", "programmes", "kpi", "digital_productivity",
            "municipal_models", "municipal_income")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(built_book: Path) -> list[str]:
    """Every book and notebook page (paths relative to the site root)."""
    return sorted(str(p.relative_to(built_book)) for folder in ("book", "notebooks")
                  for p in (built_book / folder).glob("*.html"))


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, url
    page.wait_for_load_state("load")


#: each numbered figure of a page: its id, number, alt text and whether its image loaded
FIGURES = """figs => figs.map(f => ({
    id: f.id,
    number: (f.querySelector('.caption-number') || {}).textContent || '',
    alt: (f.querySelector('img') || {}).alt || '',
    loaded: !!f.querySelector('img') && f.querySelector('img').naturalWidth > 0}))"""


def _overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture(scope="module")
def phone_visits(browser: Browser, site: str, pages: list[str],
                 built_book: Path) -> dict[str, dict]:
    """Each page opened once at 390 px: how much wider than the viewport, its alt texts and
    its numbered figures.

    Page heights are written to ``_build/screenshots/page_heights.json`` for the record; at
    1280 px too with ``SCITY_SCREENSHOTS=all`` (a second visit of every page).
    """
    every = os.environ.get(SCREENSHOTS_ENV, "").strip().lower() == "all"
    phone = browser.new_page(viewport=PHONE)
    desktop = browser.new_page(viewport=DESKTOP) if every else None
    visits, heights = {}, {}
    for path in pages:
        _open(phone, f"{site}/{path}")
        visits[path] = {
            "overflow": _overflow(phone),
            "alts": phone.eval_on_selector_all("article img", "imgs => imgs.map(i => i.alt)"),
            "figures": phone.eval_on_selector_all("article figure.scity-figure", FIGURES)}
        heights[path] = {"390": phone.evaluate("() => document.documentElement.scrollHeight")}
        if desktop is not None:
            _open(desktop, f"{site}/{path}")
            heights[path]["1280"] = desktop.evaluate(
                "() => document.documentElement.scrollHeight")
    phone.close()
    if desktop is not None:
        desktop.close()
    folder = built_book.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    (folder / "page_heights.json").write_text(json.dumps(heights, indent=1, sort_keys=True),
                                              encoding="utf-8")
    return visits


def test_no_page_is_wider_than_a_phone(pages: list[str], phone_visits: dict[str, dict]) -> None:
    assert len(pages) >= 14
    assert sorted(phone_visits) == pages
    too_wide = {path: v["overflow"] for path, v in phone_visits.items() if v["overflow"] > 0}
    assert too_wide == {}


def test_wide_tables_scroll_inside_their_box_on_a_phone(browser: Browser, site: str) -> None:
    page = browser.new_page(viewport=PHONE)
    _open(page, f"{site}/book/kpi.html")
    table = page.locator("article table.scity-full").first
    box = page.evaluate("""() => {
        const t = document.querySelector('article table.scity-full');
        let box = t.parentElement;
        while (box && getComputedStyle(box).overflowX !== 'auto') box = box.parentElement;
        return {table: t.scrollWidth, box: box ? box.clientWidth : null};
    }""")
    assert table.is_visible()
    assert box["box"] is not None
    assert box["box"] <= PHONE["width"]
    page.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_figures_are_numbered_with_descriptive_alt_text(
        phone_visits: dict[str, dict], chapter: str) -> None:
    figures = phone_visits[f"book/{chapter}.html"]["figures"]  # as opened at 390 px
    assert figures, chapter
    for figure in figures:
        assert figure["id"].startswith("fig-"), figure
        assert figure["number"].startswith("Figure "), figure
        assert figure["loaded"], figure
        assert "_images/" not in figure["alt"], figure
        assert not figure["alt"].endswith(".png"), figure
        assert len(figure["alt"]) > 40, figure  # a sentence, not a label


def test_no_image_anywhere_has_a_file_path_as_alt_text(
        phone_visits: dict[str, dict]) -> None:
    bad = {}
    for path, visit in phone_visits.items():
        wrong = [alt for alt in visit["alts"]
                 if not alt or "_images/" in alt or alt.endswith(".png")]
        if wrong:
            bad[path] = wrong
    assert bad == {}
