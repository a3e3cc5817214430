"""The published site in a real browser: Debian's Chromium driven by Playwright.

Serves ``_build/html`` on 127.0.0.1, follows the table of contents to every page, checks that
figures load, that search finds "OECD" and that Japanese text is drawn with a CJK font.
Screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

pytestmark = pytest.mark.browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), "install Debian's chromium: `make browser-deps`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(built_book: Path) -> Path:
    folder = built_book.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _toc_links(browser: Browser, site: str) -> list[str]:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    page.wait_for_url("**/book/intro.html")  # index.html redirects to the root document
    hrefs = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal",
                                      "links => links.map(a => a.href)")
    page.close()
    # index.html only redirects to the root document, which is in the list under its own name
    return sorted({h.split("#")[0] for h in hrefs} - {f"{site}/index.html"})


def test_every_toc_page_opens_with_working_figures(browser: Browser, site: str,
                                                   screenshots: Path) -> None:
    links = _toc_links(browser, site)
    assert len(links) >= 4, links
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for link in links:
        response = page.goto(link)
        assert response is not None, link
        assert response.ok, link
        page.wait_for_load_state("load")
        broken = page.eval_on_selector_all(
            "article img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0))"
                           ".map(i => i.src)")
        assert broken == [], f"{link}: broken images {broken}"
        assert len(page.inner_text("article")) > 200, link
        name = link.split(site)[1].strip("/").replace("/", "_").replace(".html", "")
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    page.close()


def test_index_redirects_to_the_introduction(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    page.wait_for_url("**/book/intro.html")
    assert "scity" in page.title()
    page.close()


def test_wages_page_has_its_figures(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/book/wages.html")
    widths = page.eval_on_selector_all("article img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 2
    assert min(widths) > 300
    page.close()


def test_search_finds_oecd(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/search.html?q=OECD")
    page.wait_for_selector("#search-results li", timeout=15_000)
    results = page.inner_text("#search-results")
    assert "Wages" in results
    page.close()


def test_japanese_text_is_drawn_with_a_cjk_font(browser: Browser, site: str,
                                                screenshots: Path) -> None:
    page = browser.new_page()
    page.goto(f"{site}/book/intro.html")
    assert "スマートシティ" in page.inner_text("article")
    # a CJK glyph rendered with a real font is wider than the narrow fallback box
    widths = page.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '32px sans-serif';
        return [c.measureText('日本').width, c.measureText('\\u0378\\u0378').width];
    }""")
    assert widths[0] > widths[1]
    page.locator("article .admonition").first.screenshot(
        path=str(screenshots / "japanese_summary.png"))
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_claims_ledger_fits_and_scrolls_in_its_box(browser: Browser, site: str, width: int,
                                                   screenshots: Path) -> None:
    """The page never widens past the viewport; the ledger scrolls inside its own container,
    stays inside the article's text column, and its verdicts carry their CSS classes."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{site}/book/claims.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.eval_on_selector(".ledger-scroll", "e => e.getBoundingClientRect().toJSON()")
    article = page.eval_on_selector("article", "e => e.getBoundingClientRect().toJSON()")
    assert box["right"] <= article["right"] + 1
    assert box["right"] <= width
    classes = page.eval_on_selector_all(".claims-ledger .verdict", "s => s.map(e => e.className)")
    assert len(classes) == page.eval_on_selector_all(".claims-ledger tbody tr", "r => r.length")
    assert all(c.startswith("verdict verdict-") for c in classes)
    links = page.eval_on_selector_all(".claims-ledger th[scope=row] a",
                                      "a => a.map(e => e.getAttribute('href'))")
    assert all("#" in href for href in links)
    page.screenshot(path=str(screenshots / f"claims_{width}.png"), full_page=False)
    page.close()
