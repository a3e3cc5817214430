"""``scity build``: the data-sources page, the Jupyter Book build, and checks of the result.

The book is built from the executed notebooks (``execute_notebooks: 'off'``) with ``-W -n
--keep-going``: any Sphinx warning or broken reference fails the build. Afterwards every page
of the table of contents must exist, be non-empty and show the values glued into it.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from scityhelpers.changes_page import write_changes_page
from scityhelpers.chapters import CHAPTERS
from scityhelpers.errors import (
    BookBuildError,  # importable from here too
    NotebookUnreadableError,
)
from scityhelpers.facts import FactSpec, facts_path, read_record
from scityhelpers.fetch import atomic_write
from scityhelpers.manifest import Source, load_manifest
from scityhelpers.paths import build_dir, project_root, tidy_dir

log = logging.getLogger(__name__)

DATA_SOURCES_PAGE = "book/data_sources.md"
GLUE_RECORD = "application/papermill.record/text/plain"
BASELINE_FILE = "edition-baseline.json"
CHANGES_FILE = "changes.md"
CHANGES_JSON_FILE = "changes.json"
#: facts of the claims ledger named ``verdict_<claim>`` are verdicts (reported as flips)
VERDICT_PREFIX = "verdict_"


# --------------------------------------------------------------------------- data sources page
def _size_text(n_bytes: int | None) -> str:
    """A raw file's size for a download label (``1.2 MB``)."""
    if not n_bytes:
        return "size not recorded"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} bytes"


def _official_page(homepage: str) -> str:
    """The manifest's homepage (a URL, maybe followed by a note) as a clickable link."""
    found = re.match(r"(https?://\S+)\s*(.*)", homepage)
    if not found:
        return homepage
    url, rest = found.groups()
    return f"[{url.split('://', 1)[1].rstrip('/')}]({url})" + (f" {rest}" if rest else "")


def _source_section(source: Source) -> list[str]:
    lines = [f"## {source.title}", "", f"`{source.id}` — {source.publisher}", ""]
    lines += [f"- **Licence:** {source.licence}"
              + (f" (<{source.licence_url}>)" if source.licence_url else "")]
    if source.homepage:
        lines.append(f"- **Official page:** {_official_page(source.homepage)}")
    if source.citation:
        lines.append(f"- **Cite as:** {source.citation}")
    lines.append(f"- **Tidy tables:** {', '.join(f'`{t}`' for t in source.tables)}")
    if source.caveats:
        lines.append(f"- **Caveats:** {' '.join(source.caveats.split())}")
    lines += ["", "| file | raw file | vintage | retrieved | rows | sha256 |",
              "|---|---|---|---|---|---|"]
    for raw in source.files:
        rows = "" if raw.rows is None else f"{raw.rows:,}"
        download = (f"[download ({_size_text(raw.bytes)})]({raw.url})"
                    if raw.url.startswith(("http://", "https://"))
                    else f"{raw.url} ({_size_text(raw.bytes)})")
        lines.append(f"| {raw.name} | {download} | {raw.vintage} | {raw.retrieved} | {rows} "
                     f"| `{raw.sha256[:16]}…` |")
    return [*lines, ""]


def data_sources_markdown() -> str:
    """Render the "Data sources" page from ``data/manifest.yml`` (deterministic).

    Official pages are links a reader can open; a raw file's link is labelled as a download
    with its size, because many endpoints start a (sometimes large) download rather than
    open a page.
    """
    sources = load_manifest()
    lines = [
        "# Data sources", "",
        "Generated from `data/manifest.yml` by `scity build`; do not edit by hand. Every raw "
        "file is checked against its sha256 before parsing (`scity data verify`). Each "
        "source's official page is linked; a \"download\" link fetches the raw file itself "
        "from the official endpoint (its size is given).", "",
        f"{len(sources)} sources, {sum(len(s.files) for s in sources.values())} raw files.", "",
    ]
    for source_id in sorted(sources):
        lines += _source_section(sources[source_id])
    return "\n".join(lines).rstrip() + "\n"


def write_data_sources_page() -> Path:
    """Write the data-sources page if its content changed (keeps Sphinx's cache warm)."""
    path = project_root() / DATA_SOURCES_PAGE
    text = data_sources_markdown()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write(path, [text.encode("utf-8")])
    return path


# --------------------------------------------------------------------------- glue values
def notebook_cells(path: Path) -> list[dict]:
    """A notebook's cells as plain JSON (nbformat's validation is slow on large notebooks).

    Raises:
        NotebookUnreadableError: the file is missing, not JSON, or has no cells.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except FileNotFoundError as error:
        raise NotebookUnreadableError(
            f"{path} does not exist; restore it with `git checkout -- {_project_relative(path)}`."
        ) from error
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise NotebookUnreadableError(
            f"{path} is not a readable notebook ({type(error).__name__}: {error}); it may be "
            f"truncated or hand-edited. Restore the committed copy with "
            f"`git checkout -- {_project_relative(path)}`."
        ) from error


def _project_relative(path: Path) -> str:
    """``path`` relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(path)


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


# --------------------------------------------------------------------------- change report
@dataclass(frozen=True)
class Change:
    """One thing that differs from the previous edition.

    Attributes:
        kind: ``fact`` (moved beyond its precision), ``verdict`` (a claim's verdict flipped)
            or ``raw`` (a raw file's sha256 changed, appeared or went).
        chapter: the chapter of a fact, or the source id of a raw file.
        name: the fact's name or the raw file's name.
        before: the previous value (None: it did not exist).
        after: the new value (None: it no longer exists).
        unit: the fact's unit (``sha256`` for raw files).
    """

    kind: str
    chapter: str
    name: str
    before: Any
    after: Any
    unit: str


def edition_state() -> dict[str, Any]:
    """What an edition publishes: every chapter's facts record and every raw file's sha256."""
    facts = {}
    for name, chapter in CHAPTERS.items():
        path = facts_path(chapter.notebook)
        if path.is_file():
            facts[name] = read_record(path)["facts"]
    raw = {f"{source.id}/{file.name}": file.sha256
           for source in load_manifest().values() for file in source.files}
    return {"facts": facts, "raw": raw}


def _fact_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes = []
    for chapter in sorted(set(before) | set(after)):
        old, new = before.get(chapter, {}), after.get(chapter, {})
        for name in sorted(set(old) | set(new)):
            described = new.get(name) or old[name]
            spec = FactSpec(name, described["unit"], described["precision"])
            old_value = old[name]["value"] if name in old else None
            new_value = new[name]["value"] if name in new else None
            if spec.differs(old_value, new_value):
                kind = "verdict" if name.startswith(VERDICT_PREFIX) else "fact"
                changes.append(Change(kind, chapter, name, old_value, new_value, spec.unit))
    return changes


def compare_editions(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Facts that moved beyond their precision, verdicts that flipped, raw files that changed."""
    changes = _fact_changes(before.get("facts", {}), after.get("facts", {}))
    old_raw, new_raw = before.get("raw", {}), after.get("raw", {})
    for key in sorted(set(old_raw) | set(new_raw)):
        if old_raw.get(key) != new_raw.get(key):
            source, _, name = key.partition("/")
            changes.append(Change("raw", source, name, old_raw.get(key), new_raw.get(key),
                                  "sha256"))
    return changes


_KIND_TITLES = {"verdict": "Verdicts that flipped",
                "fact": "Facts that moved beyond their precision",
                "raw": "Raw files whose sha256 changed"}


def changes_markdown(changes: list[Change]) -> str:
    """Render the change report as Markdown: verdicts, then facts, then raw files."""
    if not changes:
        return ("# What changed\n\nNothing: every fact equals the previous edition's at its "
                "stated precision, no verdict flipped and no raw file changed.\n")
    lines = ["# What changed", "", "Compared with the previous edition (the last checked "
             "build), at each fact's stated precision.", ""]
    for kind, title in _KIND_TITLES.items():
        chosen = [c for c in changes if c.kind == kind]
        if not chosen:
            continue
        lines += [f"## {title}", "", "| where | what | before | after | unit |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c.chapter} | `{c.name}` | {_shown(c.before)} | {_shown(c.after)} "
                  f"| {c.unit} |" for c in chosen]
        lines.append("")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return str(value)[:16] + "…" if isinstance(value, str) and len(value) == 64 else str(value)


def baseline_edition() -> dict[str, Any] | None:
    """The edition recorded at the last successful ``scity build`` (None if there was none)."""
    path = build_dir() / BASELINE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_baseline() -> Path:
    """Record the current edition as the baseline the next change report compares with."""
    path = build_dir() / BASELINE_FILE
    text = json.dumps(edition_state(), indent=1, sort_keys=True, ensure_ascii=False)
    atomic_write(path, [text.encode("utf-8")])
    return path


def write_change_report(before: dict[str, Any]) -> tuple[Path, list[Change]]:
    """Compare the current edition with ``before``; write ``changes.md`` and ``changes.json``."""
    changes = compare_editions(before, edition_state())
    path = build_dir() / CHANGES_FILE
    atomic_write(path, [changes_markdown(changes).encode("utf-8")])
    listing = json.dumps([asdict(c) for c in changes], indent=1, ensure_ascii=False)
    atomic_write(build_dir() / CHANGES_JSON_FILE, [listing.encode("utf-8")])
    return path, changes


# --------------------------------------------------------------------------- build and check
def toc_files() -> list[str]:
    """Every document of ``_toc.yml`` (root first), without suffix."""
    toc = yaml.safe_load((project_root() / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files += [section["file"] for section in chapter.get("sections", [])]
    return files


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


def start_jupyter_book(root: Path, builder: str = "html", path_output: Path | None = None,
                       cache: Path | None = None) -> RunningBuild:
    """Start ``jupyter-book build`` (warnings as errors) and return without waiting.

    ``path_output``: the folder whose ``_build`` receives the site (default: ``root``);
    ``cache``: the build's Sphinx cache, discarded if it fails or is abandoned.
    """
    executable = Path(sys.executable).with_name("jupyter-book")
    command = [str(executable), "build", str(root),
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
    """
    start_jupyter_book(root, builder, path_output).wait()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUILD_LOG = "build.log"


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


def build_inputs_digest(root: Path) -> str:
    """Hash of everything the site is made from: pages, notebooks, config, manifest, tables.

    The package's code counts too (the build writes the data-sources page, exports tables
    and checks pages with it), as do the versions of the tools that render the site; the
    package hash is the runner's (re-read only when a file's size or mtime changed).
    Equal digests mean a rebuild would produce the same site, so ``build`` can skip it.
    """
    from scityhelpers.runner import _package_hash

    digest = hashlib.sha256()
    digest.update(_package_hash().encode())
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
    named in ``carry_over`` (other editions, published by their own builds) are copied from
    the old site into the new one, so a later failure of their build leaves them as they were.
    """
    incoming = published.with_name(".html-incoming")
    previous = published.with_name(".html-previous")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)
    shutil.copytree(staged, incoming)
    for name in carry_over:
        if (published / name).is_dir() and not (incoming / name).exists():
            shutil.copytree(published / name, incoming / name)
    if published.exists():
        os.replace(published, previous)
    os.replace(incoming, published)
    shutil.rmtree(previous, ignore_errors=True)


def site_problems(html_dir: Path) -> list[PageProblem]:
    """Every page check of a built site: pages present and full, glued values shown, links."""
    problems = check_built_book(html_dir) + missing_glued_values(html_dir)
    problems += [PageProblem(page, f"broken link to {target}")
                 for page, target in broken_internal_links(html_dir)]
    return problems


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
        from scityhelpers.edition_ja import STAGE_DIR  # the 日本語版's source and cache

        shutil.rmtree(build_dir() / STAGE_DIR, ignore_errors=True)
        for legacy in (".doctrees", "jupyter_execute"):  # the layout before staging
            shutil.rmtree(build_dir() / legacy, ignore_errors=True)
    write_data_sources_page()
    write_changes_page()
    inputs = build_inputs_digest(root)
    if (not clean and (published / "index.html").is_file() and stamp.is_file()
            and stamp.read_text(encoding="utf-8") == inputs):
        log.info("the book is up to date (inputs unchanged since the last checked build)")
        return published / "index.html"
    for chapter in CHAPTERS.values():  # a clear message before Sphinx's own about bad JSON
        if chapter.notebook.is_file():
            notebook_cells(chapter.notebook)
    staged = staging_root() / "_build" / "html"
    touch_pages_with_new_glue(root, staged)
    # the 日本語版's Sphinx build reads only its own staged source: it runs beside the
    # English one (two cores), and is checked and published after the English site
    from scityhelpers.edition_ja import build_ja, start_ja_sphinx

    japanese = start_ja_sphinx()
    try:
        _build_english(root, staged, published)
    except BaseException:
        japanese.abandon()
        raise
    stamp.unlink(missing_ok=True)  # no stamp while the site is being replaced
    publish_site(staged, published)
    write_baseline()
    atomic_write(stamp, [inputs.encode("utf-8")])
    # the 日本語版: checked, then published to _build/html/ja (the previous edition, carried
    # over by publish_site, stays if this fails)
    build_ja(running=japanese)
    return published / "index.html"


def _build_english(root: Path, staged: Path, published: Path) -> None:
    """Build the English site in staging and check it; discard the staging on any problem.

    Raises:
        BookBuildError: the build failed or a page has problems (listed); nothing published.
    """
    from scityhelpers.downloads import publish_for_readers  # pandera: not for `scity run`

    try:
        run_jupyter_book(root, path_output=staging_root())
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
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.relative_to(html_dir).parts:
            continue
        for target in set(_LINK.findall(page.read_text(encoding="utf-8", errors="replace"))):
            if not target or target.startswith(_EXTERNAL):
                continue
            resolved = (page.parent / target).resolve()
            if not resolved.exists():
                broken.append((page.relative_to(html_dir).as_posix(), target))
    return broken


# --------------------------------------------------------------------------- glued values shown
_GLUE_TEXT = re.compile(r"\{glue:text\}`\.\./notebooks/([\w-]+)\.ipynb::(\w+)(?::([^`]*))?`")


_PASTED = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


def missing_glued_values(html_dir: Path) -> list[PageProblem]:
    """Pages that do not show, in order, the values their ``{glue:text}`` roles glue.

    myst-nb renders each role as a ``pasted-text`` span, so the spans of a built page must
    equal the notebook's glued values formatted as the roles ask, one for one.
    """
    # myst-nb's own formatter, so the check agrees with what the role renders; imported here
    # because it pulls in Sphinx, which `scity run` (importing this module) does not need
    from myst_nb.core.variables import format_plain_text

    root = project_root()
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
