"""The browser every browser test uses: a setting, and the served site.

Which Chromium is the ``SCITY_BROWSER`` setting (see the README, "Browser tests"):

- unset or empty: Debian's ``/usr/bin/chromium`` (``make browser-deps`` installs it with apt);
- ``playwright``: Playwright's own download (``python -m playwright install --with-deps
  chromium``), what the GitHub workflow uses;
- any other value: the path of a Chromium-family executable (e.g. ``/usr/bin/google-chrome``).

The fixtures ``site`` (``_build/html`` served on 127.0.0.1) and ``browser`` are registered in
``tests/conftest.py`` so that every browser test file launches the same, configured browser.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

BROWSER_ENV = "SCITY_BROWSER"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT_BUNDLED = "playwright"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


#: ``all``: a full-page screenshot of every page the page-by-page tests visit (for a
#: reviewer; about half a second a page). Otherwise only of a page a test fails on.
SCREENSHOTS_ENV = "SCITY_SCREENSHOTS"


def page_screenshot(page: Any, path: Path, *, failed: bool) -> None:
    """Save a full-page screenshot of ``page`` if the test failed on it, or all are wanted.

    CI uploads ``_build/screenshots`` when a test fails (README, "Browser tests").
    """
    if failed or os.environ.get(SCREENSHOTS_ENV, "").strip().lower() == "all":
        page.screenshot(path=str(path), full_page=True)


class BrowserNotFoundError(RuntimeError):
    """The browser selected by ``SCITY_BROWSER`` is not installed."""


def browser_launch_options(setting: str | None) -> dict[str, Any]:
    """Return Playwright ``chromium.launch`` keyword arguments for a ``SCITY_BROWSER`` value.

    ``None`` or ``""`` selects Debian's Chromium, ``"playwright"`` Playwright's bundled
    Chromium (no ``executable_path``), anything else is taken as an executable's path.
    Checks nothing on disk (see ``check_browser_installed``).
    """
    options: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS)}
    choice = (setting or "").strip() or DEBIAN_CHROMIUM
    if choice != PLAYWRIGHT_BUNDLED:
        options["executable_path"] = choice
    return options


def check_browser_installed(options: dict[str, Any]) -> None:
    """Raise ``BrowserNotFoundError`` if the selected executable is missing.

    Playwright's bundled browser is checked by Playwright itself at launch (see ``browser``).
    """
    path = options.get("executable_path")
    if path is None or os.access(path, os.X_OK):
        return
    hint = ("run `make browser-deps` (installs Debian's chromium and fonts-noto-cjk with apt)"
            if path == DEBIAN_CHROMIUM else
            f"install it, or point {BROWSER_ENV} at another Chromium executable")
    raise BrowserNotFoundError(
        f"{BROWSER_ENV} selects the browser {path}, which is not an executable file: {hint}; "
        f"or set {BROWSER_ENV}={PLAYWRIGHT_BUNDLED} and run "
        "`.venv/bin/python -m playwright install --with-deps chromium` (needs network)."
    )


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
    options = browser_launch_options(os.environ.get(BROWSER_ENV))
    check_browser_installed(options)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(**options)
        except PlaywrightError as error:
            if "executable_path" in options or "Executable doesn't exist" not in str(error):
                raise
            raise BrowserNotFoundError(
                f"{BROWSER_ENV}={PLAYWRIGHT_BUNDLED} selects Playwright's own Chromium, which is "
                "not downloaded: run `.venv/bin/python -m playwright install --with-deps "
                f"chromium` (needs network), or unset {BROWSER_ENV} to use Debian's chromium."
            ) from error
        yield chromium
        chromium.close()
