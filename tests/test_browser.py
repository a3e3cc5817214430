"""The published site in a real browser: a Chromium driven by Playwright.

Serves ``_build/html`` on 127.0.0.1, follows the table of contents to every page, checks that
figures load, that search finds "OECD" and that Japanese text is drawn with a CJK font.
A page a test fails on is saved to ``_build/screenshots/`` (every page with
``SCITY_SCREENSHOTS=all``).

Which Chromium is a setting, ``SCITY_BROWSER`` (see the README, "Browser tests"):

- unset or empty: Debian's ``/usr/bin/chromium`` (``make browser-deps`` installs it with apt);
- ``playwright``: Playwright's own download (``python -m playwright install --with-deps
  chromium``), what the GitHub workflow uses;
- any other value: the path of a Chromium-family executable (e.g. ``/usr/bin/google-chrome``).

Every wait below is on a state the page reports (the load event, each image's load or error
event, the search summary Sphinx writes when it has listed every result, ``document.fonts``),
never on a sleep, so a slow machine only makes the tests slower, not red.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_setting import (
    DEBIAN_CHROMIUM,
    SCREENSHOTS_ENV,
    BrowserNotFoundError,
    browser_launch_options,
    check_browser_installed,
    page_screenshot,
)

# Generous: a 2-core machine under load may take seconds to run Sphinx's search.
SETTLE_TIMEOUT_MS = 60_000
# What Sphinx 7.x searchtools.js writes into ``p.search-summary`` once the last result is
# listed (``_finishSearch``); before that the paragraph is empty.
SEARCH_FINISHED = re.compile(r"Search finished, found (\d+) page\(s\) matching the search query\.")
SEARCH_EMPTY = "Your search did not match any documents."


@pytest.fixture(scope="module")
def screenshots(built_book: Path) -> Path:
    folder = built_book.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _settled_images(page: Page) -> list[dict[str, Any]]:
    """Wait until every image in the article has loaded or failed; return src and width.

    The load event already covers eager images; this also covers lazy ones (made eager here)
    and anything a theme script inserts after load, by waiting on each image's own events.
    """
    return page.evaluate("""async () => {
        const imgs = [...document.querySelectorAll('article img')];
        await Promise.all(imgs.map(img => {
            img.loading = 'eager';
            if (img.complete) return null;
            return new Promise(done => {
                img.addEventListener('load', done, {once: true});
                img.addEventListener('error', done, {once: true});
            });
        }));
        return imgs.map(i => ({src: i.src, width: i.naturalWidth, ok: i.complete}));
    }""")


def _toc_links(browser: Browser, site: str) -> list[str]:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    page.wait_for_url("**/book/intro.html")  # index.html redirects to the root document
    hrefs = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal",
                                      "links => links.map(a => a.href)")
    page.close()
    # index.html only redirects to the root document, which is in the list under its own name
    return sorted({h.split("#")[0] for h in hrefs} - {f"{site}/index.html"})


def _search(page: Page, site: str, query: str) -> tuple[str, list[str]]:
    """Run Sphinx's search page for ``query``; return its summary and the listed page titles.

    Sphinx lists results one by one (a 5 ms timer per result) and writes the summary only
    after the last one, so the first ``li`` says nothing about the rest: wait for the summary.
    """
    page.goto(f"{site}/search.html?q={query}")
    summary = page.locator("#search-results p.search-summary")
    page.wait_for_function(
        """() => {
            const s = document.querySelector('#search-results p.search-summary');
            return s !== null && s.innerText.trim().length > 0;
        }""", timeout=SETTLE_TIMEOUT_MS)
    titles = page.locator("#search-results ul.search > li > a").all_inner_texts()
    return summary.inner_text().strip(), titles


@pytest.mark.browser
def test_every_toc_page_opens_with_working_figures(browser: Browser, site: str,
                                                   screenshots: Path) -> None:
    links = _toc_links(browser, site)
    assert len(links) >= 4, links
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for link in links:
        response = page.goto(link, wait_until="load")
        assert response is not None, link
        assert response.ok, link
        broken = [i["src"] for i in _settled_images(page) if not (i["ok"] and i["width"] > 0)]
        text_length = len(page.inner_text("article"))
        name = link.split(site)[1].strip("/").replace("/", "_").replace(".html", "")
        page_screenshot(page, screenshots / f"{name}.png",
                        failed=bool(broken) or text_length <= 200)
        assert broken == [], f"{link}: broken images {broken}"
        assert text_length > 200, link
    page.close()


@pytest.mark.browser
def test_index_redirects_to_the_introduction(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    page.wait_for_url("**/book/intro.html")
    assert "scity" in page.title()
    page.close()


@pytest.mark.browser
def test_wages_page_has_its_figures(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/book/wages.html", wait_until="load")
    widths = [i["width"] for i in _settled_images(page)]
    assert len(widths) >= 2
    assert min(widths) > 300
    page.close()


@pytest.mark.browser
def test_search_finds_oecd(browser: Browser, site: str) -> None:
    page = browser.new_page()
    summary, titles = _search(page, site, "OECD")
    finished = SEARCH_FINISHED.fullmatch(summary)
    assert finished is not None, summary
    assert len(titles) == int(finished.group(1)), (summary, titles)
    assert "Wages" in " | ".join(titles), titles
    page.close()


@pytest.mark.browser
def test_search_reports_no_match_for_an_absent_word(browser: Browser, site: str) -> None:
    page = browser.new_page()
    summary, titles = _search(page, site, "zzqxjvw")
    assert summary.startswith(SEARCH_EMPTY), summary
    assert titles == []
    page.close()


@pytest.mark.browser
def test_japanese_text_is_drawn_with_a_cjk_font(browser: Browser, site: str,
                                                screenshots: Path) -> None:
    page = browser.new_page()
    page.goto(f"{site}/book/intro.html", wait_until="load")
    assert "スマートシティ" in page.inner_text("article")
    # a CJK glyph rendered with a real font is wider than the narrow fallback box; measure
    # once every font the page asked for has loaded (document.fonts.ready)
    widths = page.evaluate("""async () => {
        await document.fonts.ready;
        const c = document.createElement('canvas').getContext('2d');
        c.font = '32px sans-serif';
        return [c.measureText('日本').width, c.measureText('\\u0378\\u0378').width];
    }""")
    assert widths[0] > widths[1]
    page.locator("article .admonition").first.screenshot(
        path=str(screenshots / "japanese_summary.png"))
    page.close()


def test_default_browser_is_debian_chromium() -> None:
    for setting in (None, "", "  "):
        options = browser_launch_options(setting)
        assert options["executable_path"] == DEBIAN_CHROMIUM
        assert "--no-sandbox" in options["args"]


def test_playwright_setting_launches_the_bundled_browser() -> None:
    assert "executable_path" not in browser_launch_options("playwright")


def test_a_path_setting_is_used_as_the_executable() -> None:
    options = browser_launch_options("/opt/google/chrome/chrome")
    assert options["executable_path"] == "/opt/google/chrome/chrome"


def test_a_missing_browser_says_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    with pytest.raises(BrowserNotFoundError, match=r"SCITY_BROWSER=playwright") as caught:
        check_browser_installed(browser_launch_options(str(missing)))
    assert str(missing) in str(caught.value)
    # the bundled browser is Playwright's business: nothing to check before launch
    check_browser_installed(browser_launch_options("playwright"))


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


def test_a_page_is_saved_when_a_test_fails_on_it_or_when_all_are_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[tuple[str, bool]] = []

    class Recorder:
        def screenshot(self, path: str, full_page: bool) -> None:
            taken.append((Path(path).name, full_page))

    monkeypatch.delenv(SCREENSHOTS_ENV, raising=False)
    page_screenshot(Recorder(), tmp_path / "fine.png", failed=False)
    page_screenshot(Recorder(), tmp_path / "broken.png", failed=True)
    monkeypatch.setenv(SCREENSHOTS_ENV, "all")
    page_screenshot(Recorder(), tmp_path / "every.png", failed=False)
    assert taken == [("broken.png", True), ("every.png", True)]
