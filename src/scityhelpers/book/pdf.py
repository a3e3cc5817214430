"""``scity pdf``: the PDF editions, ``_build/pdf/scity-en.pdf`` and ``_build/pdf/scity-ja.pdf``.

Each edition is built once more as a single HTML page (Sphinx ``singlehtml``, the same pages,
glue and figures as the site) and printed by Debian's Chromium through Playwright. Before
printing, a table of contents with links to every chapter and section is put at the top;
Chromium keeps those links and the external ones, writes a PDF outline (bookmarks) and embeds
the fonts it drew with (subsets of Noto CJK from ``fonts-noto-cjk`` for Japanese). The site is
then rebuilt so that every page's download menu opens them (the Japanese build copies them into
``_build/html/pdf``).
"""

from __future__ import annotations

import functools
import http.server
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from scityhelpers.errors import PdfError  # re-exported: defined in errors.py
from scityhelpers.paths import build_dir, project_root
from scityhelpers.pipeline.fetch import copy_if_changed, publish_temp_file

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PDF_NAMES = {"en": "scity-en.pdf", "ja": "scity-ja.pdf"}
#: print layout: no navigation, the article full width, figures kept whole; the theme's own
#: print contents (``#jb-print-toc``: every chapter and section, linked) on its own pages
PRINT_CSS = """
@page { size: A4; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .prev-next-area, .headerlink, .search-button, .theme-switch-button,
.bd-footer-content, #pst-back-to-top, .skip-link { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
img { max-width: 100% !important; break-inside: avoid; }
#jb-print-docs-body { break-after: page; }
"""
#: the print layout goes in, local links are made PDF-internal; returns how many links the
#: contents hold
PREPARE_SCRIPT = """(css) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  // links within the book become jumps inside the PDF; a link to another file of the site
  // (a CSV download, a page outside the book) would point at the print server: unlink it
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) continue;
    const target = decodeURIComponent(url.hash.slice(1));
    if (target && document.getElementById(target)) a.setAttribute('href', url.hash);
    else a.removeAttribute('href');
  }
  const toc = document.querySelector('#jb-print-toc');
  if (toc === null) return 0;
  return toc.querySelectorAll('a[href^="#"]').length;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a random port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def singlehtml_editions() -> dict[str, Path]:
    """Build both editions as single HTML pages, side by side; return their folders.

    Raises:
        BookBuildError: an edition did not build (the other build is stopped).
    """
    from scityhelpers.book.build import start_jupyter_book
    from scityhelpers.book.data_sources_page import write_data_sources_page
    from scityhelpers.book.edition_ja import build_ja, start_ja_sphinx

    write_data_sources_page()
    root = project_root()
    english = start_jupyter_book(root, "singlehtml")
    try:
        japanese = start_ja_sphinx("singlehtml")
    except BaseException:
        english.abandon()
        raise
    try:
        english.wait()
        return {"en": root / "_build" / "singlehtml",
                "ja": build_ja(builder="singlehtml", running=japanese)}
    except BaseException:
        english.abandon()
        japanese.abandon()
        raise


def root_document() -> str:
    """The root document of ``_toc.yml`` (``book/intro``): the single page's name."""
    from scityhelpers.pipeline.yaml_text import load_yaml

    toc = load_yaml((project_root() / "_toc.yml").read_text(encoding="utf-8"))
    return str(toc["root"])


def print_pdf(folder: Path, target: Path) -> int:
    """Print the single page in ``folder`` to ``target`` with a linked table of contents.

    Chromium writes a temporary file beside ``target``, which replaces it only once checked:
    a failed print leaves the previous PDF as it was.

    Returns:
        The number of entries in the table of contents.
    """
    if not CHROMIUM.is_file():
        raise PdfError(f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk "
                       "(`make browser-deps`), then rerun `make pdf`")
    target.parent.mkdir(parents=True, exist_ok=True)
    printed = target.with_name(f".{target.name}.part")
    try:
        entries = _print(folder, printed)
        if not printed.is_file() or printed.stat().st_size < 10_000:
            raise PdfError(f"Chromium wrote no usable PDF for {target} (kept as it was)")
        if entries < 10:
            raise PdfError(f"the table of contents of {target} has {entries} links; expected "
                           "one per chapter (is #jb-print-toc still in the theme's print "
                           "layout?); the previous PDF is kept")
        publish_temp_file(printed, target)
    finally:
        printed.unlink(missing_ok=True)
    return entries


def _print(folder: Path, target: Path) -> int:
    """Print the single page in ``folder`` to ``target``; the contents' number of links."""
    from playwright.sync_api import sync_playwright

    with _serve(folder) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        # offline: anything not served here (a CDN script) is refused at once, not awaited
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(site) else route.abort())
        # the single page is the root document (index.html only redirects to it)
        page.goto(f"{site}/{root_document()}.html", wait_until="load")
        entries = page.evaluate(PREPARE_SCRIPT, PRINT_CSS)
        page.emulate_media(media="print")
        page.pdf(path=str(target), format="A4", print_background=True, outline=True,
                 tagged=True, display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                 '<span class="pageNumber"></span> / '
                                 '<span class="totalPages"></span></div>',
                 margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        browser.close()
    return int(entries)


def build_pdfs(*, link_from_site: bool = True) -> dict[str, Path]:
    """Make both PDF editions in ``_build/pdf``; copy them into the site and rebuild it.

    Raises:
        PdfError: Chromium is missing or printed nothing.
        BookBuildError: an edition did not build.
    """
    from scityhelpers.book.build import BUILD_DIGEST_FILE, build

    started = time.monotonic()
    folders = singlehtml_editions()
    log.info("single-page builds: %.1f s", time.monotonic() - started)
    pdfs = {language: build_dir() / "pdf" / name for language, name in PDF_NAMES.items()}
    # each edition printed by its own Chromium, at the same time: a print is mostly one
    # renderer process, so two use the two cores (8.6 s one after the other, 5.9 s together)
    with ThreadPoolExecutor(max_workers=len(pdfs)) as pool:
        printing = {language: pool.submit(print_pdf, folders[language], target)
                    for language, target in pdfs.items()}
        for language, job in printing.items():
            entries = job.result()
            log.info("%s: %d contents entries, %.0f kB, %.1f s", pdfs[language], entries,
                     pdfs[language].stat().st_size / 1000, time.monotonic() - started)
    if link_from_site:
        # the download menus list the PDFs that exist: rebuild both editions' pages (the
        # Japanese build copies the PDFs into the site)
        (build_dir() / BUILD_DIGEST_FILE).unlink(missing_ok=True)
        build()
    return pdfs


def copy_pdfs_into_site() -> list[Path]:
    """Copy the PDF editions made by ``scity pdf`` into ``_build/html/pdf`` (if any).

    The live site is written into here, so each copy replaces its file whole (or not at all,
    when unchanged).
    """
    site_pdfs = build_dir() / "html" / "pdf"
    copied = []
    for name in PDF_NAMES.values():
        source = build_dir() / "pdf" / name
        if source.is_file():
            copy_if_changed(source, site_pdfs / name)  # whole, never half-written
            copied.append(site_pdfs / name)
    return copied
