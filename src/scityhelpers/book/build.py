"""``scity build``: the data-sources page, the Jupyter Book build, and checks of the result.

The book is built from the executed notebooks (``execute_notebooks: 'off'``) with ``-W -n
--keep-going``: any Sphinx warning or broken reference fails the build. Afterwards every page
of the table of contents must exist, be non-empty and show the values glued into it.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scityhelpers.book.change_report import write_baseline, write_changes_page
from scityhelpers.book.data_sources_page import write_data_sources_page
from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.book.page_checks import site_problems
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.errors import (
    BookBuildError,  # importable from here too
)
from scityhelpers.paths import build_dir, project_root, tidy_dir
from scityhelpers.pipeline.fetch import atomic_write, copy_if_changed, made_from

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- build and check
def export_tidy_csv(html_dir: Path) -> list[Path]:
    """Copy each chapter's tidy tables as CSV into the site (the "Download data" links).

    A CSV newer than its parquet table is kept (staging keeps the previous build's files),
    so pandas is loaded only when a table changed.
    """
    out_dir = html_dir / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    tables = sorted({t for ch in CHAPTERS.values() for t in ch.tables()})
    for table in tables:
        source = tidy_dir() / f"{table}.parquet"
        if not source.is_file():  # an optional live-only table not fetched on this machine
            log.info("no tidy table %s to export", table)
            continue
        target = out_dir / f"{table}.csv"
        if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
            import pandas as pd

            pd.read_parquet(source).to_csv(target, index=False)
        written.append(target)
    return written


#: the book's own static files (``html_static_path`` in ``_config.yml``)
STATIC_SOURCE = Path("book") / "_static"


def refresh_static_copies(static_source: Path, out: Path) -> None:
    """Make the built site's copies of the files in ``static_source`` equal to their source.

    Only an existing site is touched (a first build copies everything itself); the files are
    plain CSS/JS, copied byte for byte as Sphinx would.
    """
    if not (out / "_static").is_dir():
        return
    for path in static_source.rglob("*"):
        if path.is_file():
            copy_if_changed(path, out / "_static" / path.relative_to(static_source))


@dataclass
class RunningBuild:
    """A ``jupyter-book build`` started in the background; :meth:`wait` checks its result.

    Its output goes to a file beside the build (not a pipe, which would stall the build once
    full while this process does other work).
    """

    process: subprocess.Popen
    output: Path
    #: Sphinx's cache, discarded when the build fails or is stopped: its environment may
    #: record a page that warned as up to date, and the next build would not warn again
    cache: Path | None = None

    def wait(self) -> None:
        """Wait for the build; raise with its warnings on failure.

        Raises:
            BookBuildError: a Sphinx warning or error failed the build; the full log is in
                ``_build/build.log``.
        """
        returncode = self.process.wait()
        log_text = _ANSI.sub("", self.output.read_text(encoding="utf-8", errors="replace"))
        self.output.unlink(missing_ok=True)
        if returncode == 0:
            return
        if self.cache is not None:
            shutil.rmtree(self.cache, ignore_errors=True)
        log_file = build_dir() / BUILD_LOG
        atomic_write(log_file, [log_text.encode("utf-8")])
        found = [line.strip() for line in log_text.splitlines()
                 if any(word in line for word in ("WARNING", "ERROR", "Exception", "Error:"))]
        shown = "\n".join(f"  {line}" for line in (found or log_text.splitlines()[-15:]))
        raise BookBuildError(
            f"jupyter-book build failed (exit {returncode}); a Sphinx warning or a "
            f"notebook error fails the build:\n{shown}\nFull log: {log_file}"
        )

    def abandon(self) -> None:
        """Stop the build (another part of ``scity build`` failed) and forget its cache."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()
        self.output.unlink(missing_ok=True)
        if self.cache is not None:
            shutil.rmtree(self.cache, ignore_errors=True)


#: the module that runs ``jupyter-book``'s command line for :func:`start_jupyter_book`
SPHINX_PROCESS = "scityhelpers.book.sphinx_process"


def start_jupyter_book(root: Path, builder: str = "html", path_output: Path | None = None,
                       cache: Path | None = None) -> RunningBuild:
    """Start ``jupyter-book build`` (warnings as errors) and return without waiting.

    ``path_output``: the folder whose ``_build`` receives the site (default: ``root``);
    ``cache``: the build's Sphinx cache, discarded if it fails or is abandoned. It runs as
    a batch process (:mod:`scityhelpers.book.sphinx_process`): 1.16 s for a one-chapter
    rebuild where the plain ``jupyter-book`` command took 1.75 s.
    """
    refresh_static_copies(root / STATIC_SOURCE, (path_output or root) / "_build" / builder)
    command = [sys.executable, "-m", SPHINX_PROCESS, "build", str(root),
               "--builder", builder, "--warningiserror", "--nitpick", "--keep-going"]
    if path_output is not None:
        command += ["--path-output", str(path_output)]
    build_dir().mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".jupyter-book-", suffix=".log", dir=build_dir())
    output = Path(name)
    with os.fdopen(handle, "wb") as sink:
        process = subprocess.Popen(command, cwd=root, stdout=sink, stderr=subprocess.STDOUT)
    return RunningBuild(process, output, cache)


def run_jupyter_book(root: Path, builder: str = "html", path_output: Path | None = None) -> None:
    """Run ``jupyter-book build`` with warnings as errors; raise with its log on failure.

    ``path_output``: the folder whose ``_build`` receives the site (default: ``root``).
    The output's copies of the book's own static files (``book/_static``) are refreshed
    first: Sphinx 7.4's incremental build keeps a static file that is already there (and
    copies none when no page is out of date), so an edited ``book/_static/scity.css`` would
    otherwise never reach the site.
    """
    start_jupyter_book(root, builder, path_output).wait()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUILD_LOG = "build.log"


_NOTEBOOK_REF = re.compile(r"\.\./notebooks/([\w-]+)\.ipynb")


def touch_pages_with_new_glue(root: Path, html_dir: Path) -> list[Path]:
    """Mark prose pages stale when a notebook they glue from is newer than their HTML.

    Sphinx tracks a page's own source, not the notebooks its cross-document glue reads, so
    without this an incremental build would keep showing the previous run's numbers.
    """
    touched = []
    for page in sorted((root / "book").glob("*.md")):
        built = html_dir / "book" / f"{page.stem}.html"
        if not built.is_file():
            continue
        sources = {root / "notebooks" / f"{name}.ipynb"
                   for name in _NOTEBOOK_REF.findall(page.read_text(encoding="utf-8"))}
        if any(nb.is_file() and nb.stat().st_mtime > built.stat().st_mtime for nb in sources):
            page.touch()
            touched.append(page)
    return touched


BUILD_DIGEST_FILE = ".scity-build-digest"
#: jupyter-book's output folder for a build in progress (``--path-output``); it keeps Sphinx's
#: incremental cache between builds and is published only once every check has passed
STAGING_DIR = ".staging"
#: the tools whose version changes what the same sources render to
BUILD_TOOLS = ("jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme")


def _tool_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for tool in BUILD_TOOLS:
        try:
            found.append(f"{tool}=={version(tool)}")
        except PackageNotFoundError:
            found.append(f"{tool} absent")
    return ";".join(found)


#: the modules a book build runs: the build itself, the CLI and the Sphinx extensions
BUILD_MODULES = ("scityhelpers.cli", "scityhelpers.book.build", "scityhelpers.book.sphinxext",
                 "scityhelpers.book.sphinx_editions", "scityhelpers.book.edition_ja",
                 "scityhelpers.book.pdf")


def build_inputs_digest(root: Path) -> str:
    """Hash of everything the site is made from: pages, notebooks, config, manifest, tables.

    The code the build runs counts too (:data:`BUILD_MODULES` and what they import: it writes
    the data-sources page, exports tables and checks pages), as do the versions of the tools
    that render the site. Equal digests mean a rebuild would produce the same site, so
    ``build`` can skip it.
    """
    from scityhelpers.pipeline.staleness import code_checksum

    digest = hashlib.sha256()
    digest.update(code_checksum(modules=BUILD_MODULES).encode())
    digest.update(_tool_versions().encode())
    files = [root / "_config.yml", root / "_toc.yml", root / "data" / "manifest.yml",
             root / "CITATION.cff",
             *sorted((root / "book").rglob("*")), *sorted((root / "notebooks").glob("*.ipynb")),
             *sorted((root / "notebooks").glob("*.figures/*")),
             # facts records (issue 10) beside the notebooks; not the run records, which
             # change on every run without changing the site
             *sorted((root / "notebooks").glob("*.facts.json")),
             *sorted(tidy_dir().glob("*.meta.json"))]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def staging_root() -> Path:
    """Where ``jupyter-book`` builds before publishing (its html is ``<this>/_build/html``)."""
    return build_dir() / STAGING_DIR


def _discard_staging() -> None:
    """Forget the staging build, Sphinx's cache included.

    After a failed build Sphinx's environment may record a page that warned as up to date;
    the next incremental build would then not warn again and publish it. A full build costs
    seconds, so the cache goes.
    """
    shutil.rmtree(staging_root(), ignore_errors=True)


#: folders of the published site that other builds own (the Japanese edition, the PDF
#: copies): an English publish carries them over until their own build replaces them
CARRIED_OVER = ("ja", "pdf")


def publish_site(staged: Path, published: Path,
                 carry_over: tuple[str, ...] = CARRIED_OVER) -> None:
    """Replace ``published`` with a copy of ``staged``: copy beside it, then two renames.

    The copy (not a move) keeps the staging folder as Sphinx's incremental cache. Readers
    see the old site until the first rename and the new one after the second. The folders
    named in ``carry_over`` (other editions, published by their own builds) are taken over
    from the old site, so a later failure of their build leaves them as they were.

    A file the old site already holds unchanged is hard-linked from it rather than copied
    (:func:`copy_or_link_published`): most of a rebuild's site is unchanged.
    """
    incoming = published.with_name(".html-incoming")
    previous = published.with_name(".html-previous")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)
    shutil.copytree(staged, incoming,
                    copy_function=copy_or_link_published(staged, published))
    for name in carry_over:
        if (published / name).is_dir() and not (incoming / name).exists():
            shutil.copytree(published / name, incoming / name, copy_function=_link_or_copy)
    if published.exists():
        os.replace(published, previous)
    os.replace(incoming, published)
    shutil.rmtree(previous, ignore_errors=True)


def copy_or_link_published(source_root: Path, published: Path) -> Any:
    """A ``copytree`` copy function: link the published file if it equals the source file.

    "Equal" is same size and modification time: ``copy2`` keeps the time, and Sphinx and the
    post-processing rewrite a changed page (a new time). Only published files are linked,
    never the staging's: the next build writes into staging files in place, while the
    published site is only ever replaced by renames, so a linked file cannot change under
    the live site. Where linking fails (another file system), it copies.
    """
    from scityhelpers.pipeline.staleness import file_stamp

    def copy(source: str, target: str) -> str:
        old = published / os.path.relpath(source, source_root)
        with suppress(OSError):
            if file_stamp(Path(source)) == file_stamp(old):
                return _link_or_copy(str(old), target)
        return shutil.copy2(source, target)

    return copy


def _link_or_copy(published_file: str, target: str) -> str:
    """Hard-link a file of the published site to ``target``; copy it where links fail."""
    try:
        os.link(published_file, target)
    except OSError:
        shutil.copy2(published_file, target)
    return target


def _unchanged_note(published: Path) -> str:
    if (published / "index.html").is_file():
        return (f"Nothing was published: {published} still holds the last good build, "
                "unchanged.")
    return f"Nothing was published ({published} has no previous build)."


def build(*, clean: bool = False) -> Path:
    """Write the data page, build the book in staging, check it, then publish it.

    The site in ``_build/html`` is replaced only when ``jupyter-book`` succeeded (warnings
    are errors) and every page check passed; the build stamp and the recorded glue values
    are written only for such a site. ``clean`` discards Sphinx's cache first (a full
    build), never the published site.

    Raises:
        BookBuildError: build failure or any page problem (listed); the published site is
            left as it was.
    """
    root = project_root()
    published = build_dir() / "html"
    stamp = build_dir() / BUILD_DIGEST_FILE
    if clean:
        _discard_staging()
        from scityhelpers.book.edition_ja import STAGE_DIR  # the 日本語版's source and cache

        shutil.rmtree(build_dir() / STAGE_DIR, ignore_errors=True)
        for legacy in (".doctrees", "jupyter_execute"):  # the layout before staging
            shutil.rmtree(build_dir() / legacy, ignore_errors=True)
    write_data_sources_page()
    write_changes_page()
    inputs = build_inputs_digest(root)
    if not clean and made_from(published / "index.html", stamp, inputs):
        log.info("the book is up to date (inputs unchanged since the last checked build)")
        return published / "index.html"
    for chapter in CHAPTERS.values():  # a clear message before Sphinx's own about bad JSON
        if chapter.notebook.is_file():
            notebook_cells(chapter.notebook)
    staged = staging_root() / "_build" / "html"
    touch_pages_with_new_glue(root, staged)
    # the 日本語版's Sphinx build reads only its own staged source: it runs beside the
    # English one (two cores), and is checked and published after the English site
    from scityhelpers.book.edition_ja import build_ja, start_ja_sphinx

    # English first: it is on the critical path (checked and published before the Japanese)
    english = start_jupyter_book(root, path_output=staging_root())
    try:
        japanese = start_ja_sphinx()
    except BaseException:
        english.abandon()
        raise
    try:
        _build_english(english, staged, published)
        stamp.unlink(missing_ok=True)  # no stamp while the site is being replaced
        publish_site(staged, published)
        write_baseline()
        atomic_write(stamp, [inputs.encode("utf-8")])
        # the 日本語版: checked, then published to _build/html/ja (the previous edition,
        # carried over by publish_site, stays if this fails)
        build_ja(running=japanese)
    except BaseException:  # a failure or Ctrl-C: no Sphinx process outlives the command
        english.abandon()
        japanese.abandon()
        raise
    return published / "index.html"


#: what the checks and reader files after the Sphinx build import (pandera is the slow one);
#: not needed by ``scity run``, so not imported at module level
POST_BUILD_IMPORTS = ("scityhelpers.book.reader_downloads",)


def _import_in_background(modules: tuple[str, ...]) -> threading.Thread:
    """Import ``modules`` in a daemon thread and return it (join before using them).

    A module that fails to import here is imported again, in the caller's thread, where it
    is first used, and raises there.
    """
    def _import_all() -> None:
        for name in modules:
            with suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=_import_all, name="scity-preload", daemon=True)
    thread.start()
    return thread


def _build_english(running: RunningBuild, staged: Path, published: Path) -> None:
    """Finish the English build started in staging and check it; discard it on any problem.

    Raises:
        BookBuildError: the build failed or a page has problems (listed); nothing published.
    """
    # imported while Sphinx runs (a second on one core; the process only waits meanwhile)
    preload = _import_in_background(POST_BUILD_IMPORTS)
    try:
        running.wait()
        preload.join()
        from scityhelpers.book.reader_downloads import publish_for_readers

        export_tidy_csv(staged)
        publish_for_readers(staged)
        problems = site_problems(staged)
    except BookBuildError as error:
        _discard_staging()
        raise BookBuildError(f"{error}\n{_unchanged_note(published)}") from error
    if problems:
        _discard_staging()
        listed = "\n".join(f"  - {p.page}: {p.problem}" for p in problems)
        raise BookBuildError(f"the built book has problems:\n{listed}\n"
                             f"{_unchanged_note(published)}")


