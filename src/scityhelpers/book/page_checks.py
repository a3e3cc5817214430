"""Checks of a built site: every page rendered, every glued value shown, every link resolves.

``scity build`` publishes a staged site only when :func:`site_problems` finds nothing; the
日本語版 is checked the same way beside the English site.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.paths import project_root
from scityhelpers.pipeline.yaml_text import load_yaml

log = logging.getLogger(__name__)


def toc_files() -> list[str]:
    """Every document of ``_toc.yml`` (root first), without suffix."""
    toc = load_yaml((project_root() / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files += [section["file"] for section in chapter.get("sections", [])]
    return files


GLUE_RECORD = "application/papermill.record/text/plain"


def glue_values(notebook: Path) -> dict[str, str]:
    """Return every value a notebook glued, as the text it would render (name → text)."""
    values: dict[str, str] = {}
    for cell in notebook_cells(notebook):
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook", {})
            data = output.get("data", {})
            is_figure = any(key.endswith("image/png") for key in data)
            if meta.get("name") and GLUE_RECORD in data and not is_figure:
                text = output["data"][GLUE_RECORD]
                values[meta["name"]] = "".join(text) if isinstance(text, list) else str(text)
    return values

_TAG = re.compile(r"<[^>]+>")
#: text that only appears when an object was glued instead of its value
UNRENDERED_MARKERS = ("<IPython.core.display", " object at 0x", "<pandas.io.formats.style")


def page_text(page: Path) -> str:
    """Visible text of a built page's main article (scripts and navigation stripped)."""
    document = page.read_text(encoding="utf-8")
    match = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>', document, re.S)
    body = match.group(1) if match else document
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(_TAG.sub(" ", body)).split())


@dataclass(frozen=True)
class PageProblem:
    """A built page that is missing, empty, or shows an unrendered glue."""

    page: str
    problem: str


def check_built_book(html_dir: Path) -> list[PageProblem]:
    """Check ``index.html`` and every toc page: present, with text, no unresolved glue."""
    problems = []
    if not (html_dir / "index.html").is_file():
        problems.append(PageProblem("index.html", "missing"))
    for doc in toc_files():
        page = html_dir / f"{doc}.html"
        if not page.is_file():
            problems.append(PageProblem(doc, "missing"))
            continue
        text = page_text(page)
        if len(text) < 200:
            problems.append(PageProblem(doc, f"nearly empty ({len(text)} characters)"))
        if "{glue" in text or ".ipynb::" in text:
            problems.append(PageProblem(doc, "contains an unrendered glue reference"))
        for marker in UNRENDERED_MARKERS:
            if marker in text:
                problems.append(PageProblem(doc, f"shows a raw Python repr ({marker!r})"))
    return problems

def site_problems(html_dir: Path) -> list[PageProblem]:
    """Every page check of a built site: pages present and full, links (glued values: Sphinx)."""
    # the glued values shown: checked by the Sphinx build itself (a warning fails it)
    problems = check_built_book(html_dir)
    problems += [PageProblem(page, f"broken link to {target}")
                 for page, target in broken_internal_links(html_dir)]
    return problems

# --------------------------------------------------------------------------- internal links
_LINK = re.compile(r'(?:href|src)="([^"#?]*)(?:[?#][^"]*)?"')
_EXTERNAL = ("http://", "https://", "mailto:", "data:", "javascript:", "//")


def broken_internal_links(html_dir: Path) -> list[tuple[str, str]]:
    """Every (page, target) where a local ``href``/``src`` points at a file that is not there.

    External links are not followed (the build machine is offline); fragments and queries are
    ignored. Run over every page of the site (search and index pages included); ``_static``
    holds theme templates, not pages.
    """
    broken = []
    exists: dict[str, bool] = {}  # most pages link the same theme files
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.relative_to(html_dir).parts:
            continue
        for target in set(_LINK.findall(page.read_text(encoding="utf-8", errors="replace"))):
            if not target or target.startswith(_EXTERNAL):
                continue
            # the site has no symbolic links: the path's text, normalised, is the file
            resolved = os.path.normpath(os.path.join(page.parent, target))
            if resolved not in exists:
                exists[resolved] = os.path.exists(resolved)
            if not exists[resolved]:
                broken.append((page.relative_to(html_dir).as_posix(), target))
    return broken


# --------------------------------------------------------------------------- glued values shown
_GLUE_TEXT = re.compile(r"\{glue:text\}`\.\./notebooks/([\w-]+)\.ipynb::(\w+)(?::([^`]*))?`")


_PASTED = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


def missing_glued_values(html_dir: Path, root: Path | None = None) -> list[PageProblem]:
    """Pages that do not show, in order, the values their ``{glue:text}`` roles glue.

    myst-nb renders each role as a ``pasted-text`` span, so the spans of a built page must
    equal the notebook's glued values formatted as the roles ask, one for one. ``root``: the
    book's source folder (``book/*.md``, ``notebooks/``), by default the project. Each
    edition's Sphinx build runs this check as it finishes (:mod:`scityhelpers.book.sphinxext`).
    """
    # myst-nb's own formatter, so the check agrees with what the role renders; imported here
    # because it pulls in Sphinx, which `scity run` (importing this module) does not need
    from myst_nb.core.variables import format_plain_text

    root = root or project_root()
    problems = []
    notebooks: dict[str, dict[str, str]] = {}
    for page in sorted((root / "book").glob("*.md")):
        built = html_dir / "book" / f"{page.stem}.html"
        refs = _GLUE_TEXT.findall(page.read_text(encoding="utf-8"))
        if not refs or not built.is_file():
            continue
        shown = [html.unescape(s) for s in _PASTED.findall(built.read_text(encoding="utf-8"))]
        if len(shown) != len(refs):
            problems.append(PageProblem(f"book/{page.stem}",
                                        f"shows {len(shown)} glued values, glues {len(refs)}"))
            continue
        for (notebook, key, fmt), text in zip(refs, shown, strict=True):
            if notebook not in notebooks:
                notebooks[notebook] = glue_values(root / "notebooks" / f"{notebook}.ipynb")
            values = notebooks[notebook]
            expected = format_plain_text(values[key], fmt or "s") if key in values else None
            if expected != text:
                problems.append(PageProblem(
                    f"book/{page.stem}",
                    f"shows {text!r} for {notebook}::{key}, the notebook gives {expected!r}"))
    return problems
