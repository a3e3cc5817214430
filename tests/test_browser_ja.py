"""The Japanese edition (``_build/html/ja``) in a real browser (Chromium via Playwright).

The shared ``site`` and ``browser`` fixtures (``tests/browser_setting.py``, honouring
``SCITY_BROWSER``) serve the whole site on 127.0.0.1, so the language switch can be followed
between editions. A Japanese page a test fails on is saved to
``_build/screenshots/ja_*.png`` (every page with ``SCITY_SCREENSHOTS=all``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_setting import page_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def screenshots(built_book: Path) -> Path:
    folder = built_book.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _search(page: Page, url: str) -> str:
    """Open a search URL and return the results once Sphinx's search has finished."""
    page.goto(url)
    # _finishSearch sets the heading to the (translated) "Search Results"; before that it
    # reads "Searching"
    page.wait_for_function("""() => {
        const h = document.querySelector('#search-results h2');
        return h !== null && h.textContent === Documentation.gettext('Search Results');
    }""", timeout=30_000)
    return page.inner_text("#search-results")


def test_every_japanese_page_opens_in_japanese_with_working_figures(
        browser: Browser, site: str, screenshots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/ja/index.html")
    page.wait_for_url("**/ja/book/intro.html")
    hrefs = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal",
                                      "links => links.map(a => a.href)")
    links = sorted({h.split("#")[0] for h in hrefs} - {f"{site}/ja/index.html"})
    assert len(links) >= 17, links  # 11 prose pages and 7 notebooks, the root among them
    for link in links:
        response = page.goto(link)
        assert response is not None, link
        assert response.ok, link
        language = page.get_attribute("html", "lang")
        broken = page.eval_on_selector_all(
            "article img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0))"
                           ".map(i => i.src)")
        name = link.split(f"{site}/ja/")[1].replace("/", "_").replace(".html", "")
        page_screenshot(page, screenshots / f"ja_{name}.png",
                        failed=language != "ja" or bool(broken))
        assert language == "ja", link
        assert broken == [], f"{link}: broken images {broken}"
    page.close()


def test_japanese_search_finds_the_programmes_page(browser: Browser, site: str) -> None:
    page = browser.new_page()
    results = _search(page, f"{site}/ja/search.html?q=脱炭素")
    assert "施策：政府はどこを選定しているか" in results
    page.close()


def test_japanese_search_does_not_find_a_word_absent_from_the_book(browser: Browser,
                                                                   site: str) -> None:
    page = browser.new_page()
    results = _search(page, f"{site}/ja/search.html?q=量子コンピュータ")
    assert "施策" not in results
    page.close()


def test_language_switch_opens_the_same_page_in_the_other_edition(browser: Browser,
                                                                  site: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/book/wages.html")
    page.click("button.btn-language-switch")
    page.wait_for_url(f"{site}/ja/book/wages.html")
    assert "賃金と生産性" in page.inner_text("article h1")
    page.click("button.btn-language-switch")
    page.wait_for_url(f"{site}/book/wages.html")
    assert "Wages and productivity" in page.inner_text("article h1")
    page.close()


def test_japanese_text_and_figures_use_a_cjk_font(browser: Browser, site: str,
                                                  screenshots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/ja/book/population.html")
    # a CJK glyph drawn with the page's font is wider than the narrow fallback box
    widths = page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('article p')).font;
        const c = document.createElement('canvas').getContext('2d');
        c.font = font;
        const box = '\\u0378'.repeat(4);
        return [c.measureText('人口減少').width, c.measureText(box).width];
    }""")
    assert widths[0] > widths[1]
    page.locator("article img").first.screenshot(path=str(screenshots / "ja_population_figure.png"))
    page.close()


def test_japanese_explorer_loads_its_rows_and_finds_a_municipality_by_kana(
        browser: Browser, site: str) -> None:
    """The ja explorer page reads the same row data (one folder further up) and searches."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url)
            if response.status >= 400 else None)
    page.goto(f"{site}/ja/book/explorer.html")
    page.wait_for_selector("#scity-explorer[data-ready='true']", timeout=15_000)
    assert failed == []
    counts = page.inner_text("#explorer-count").replace(",", "").split(" / ")
    shown, total = (int(n) for n in counts)
    assert shown == total
    assert total > 1000  # every municipality of Japan
    page.fill("#explorer-search", "ゆすはら")
    names = page.eval_on_selector_all("#explorer-table tbody tr td[data-col='name']",
                                      "tds => tds.map(td => td.innerText)")
    assert len(names) == 1
    assert names[0].startswith("梼原町")
    page.close()
