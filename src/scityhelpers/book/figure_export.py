"""A download under every figure: the rows as plotted, the figure as SVG, and its metadata.

At run time a notebook glues each figure through :func:`glue_figure`, which also writes, when
``scity run`` asked for it (``SCITY_FIGURES_DIR``), three files per figure into
``<chapter>.figures/`` next to the executed notebook:

* ``<key>.csv``: the frame the plotting function attached
(:func:`scityhelpers.chapters.plotting.attach_data`),
  UTF-8 with a byte-order mark so that Excel in Japan opens it correctly;
* ``<key>.svg``: the same figure as a vector file;
* ``<key>.json``: title (ja/en), axis labels with their units, the source line, and for each
  source the chapter reads its licence, URLs, vintages and raw-file sha256, plus the notebook
  and the parameters of the run.

At build time :func:`publish_figure_downloads` copies the folders into ``<site>/downloads/``,
zips each chapter's folder, and adds the links under every figure on every page: a figure is
recognised by its PNG, which myst-nb names by the sha256 of its bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scityhelpers.errors import FigureDataError
from scityhelpers.pipeline.fetch import atomic_write
from scityhelpers.pipeline.staleness import file_stamp

if TYPE_CHECKING:  # pandas is imported where a frame is handled: `scity run` sets up a
    import pandas as pd  # kernel's environment from here before the kernel starts

log = logging.getLogger(__name__)

FIGURES_DIR_ENV = "SCITY_FIGURES_DIR"
RUN_ENV = "SCITY_RUN"
FOLDER_SUFFIX = ".figures"
DOWNLOADS_DIR = "downloads"
CSV_ENCODING = "utf-8-sig"
GLUE_PNG = "application/papermill.record/image/png"
#: a fixed timestamp for zip members, so the same files give the same archive
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
LINK_CLASS = "scity-figure-download"
FIGURE_LICENCE = "CC BY 4.0 (figure and its data file); each source's own licence for the data"


def folder_for(notebook: Path) -> Path:
    """``notebooks/wages.ipynb`` → ``notebooks/wages.figures``."""
    return notebook.with_name(notebook.stem + FOLDER_SUFFIX)


# --------------------------------------------------------------------------- run time
def _cjk(text: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in text)


def split_title(title: str) -> dict[str, str]:
    """A bilingual title "日本語 English" → {"ja": ..., "en": ...} (the book's title style)."""
    words = title.replace("\n", " ").split(" ")
    last_ja = max((i for i, w in enumerate(words) if _cjk(w)), default=-1)
    return {"ja": " ".join(words[:last_ja + 1]).strip(),
            "en": " ".join(words[last_ja + 1:]).strip()}


def figure_text(fig: Any) -> dict[str, Any]:
    """Titles, axis labels (they carry the units) and the source line of a figure."""
    axes = [{"title": ax.get_title(), "x_label": ax.get_xlabel(), "y_label": ax.get_ylabel()}
            for ax in fig.axes if ax.get_title() or ax.get_xlabel() or ax.get_ylabel()]
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    title = suptitle or next((a["title"] for a in axes if a["title"]), "")
    notes = [t.get_text() for t in fig.texts if t.get_text().startswith("出典")]
    units = sorted({label for a in axes for label in (a["x_label"], a["y_label"]) if label})
    return {"title": split_title(title), "axes": axes, "units": units,
            "source_note": notes[0] if notes else ""}


def chapter_sources(chapter: str) -> list[dict[str, Any]]:
    """Licence, URLs, vintages and raw sha256 of every source the chapter's tables come from."""
    from scityhelpers.chapters.registry import CHAPTERS
    from scityhelpers.pipeline.manifest import source_of_table

    sources = {}
    for table in CHAPTERS[chapter].analysis().TABLES:
        source = source_of_table(table)
        entry = sources.setdefault(source.id, {
            "id": source.id, "title": source.title, "publisher": source.publisher,
            "licence": source.licence, "licence_url": source.licence_url,
            "homepage": source.homepage, "tables": [],
            "files": [{"name": f.name, "url": f.url, "vintage": f.vintage, "sha256": f.sha256}
                      for f in source.files]})
        entry["tables"].append(table)
    return [sources[k] for k in sorted(sources)]


def provenance(run: dict[str, Any], licence: str) -> dict[str, Any]:
    """Notebook, parameters, licence and sources of one run: shared by figures and tables."""
    chapter = run["chapter"]
    return {"chapter": chapter, "notebook": f"notebooks/{chapter}.ipynb",
            "parameters": run.get("parameters", {}), "rebuild": f"scity run --only {chapter}",
            "licence": licence, "sources": chapter_sources(chapter),
            **({"edition": run["edition"]} if run.get("edition") else {})}


def figure_metadata(key: str, fig: Any, data: pd.DataFrame, run: dict[str, Any]) -> dict:
    """Everything a reader needs to cite and rebuild one figure's data."""
    return {"figure": key, **figure_text(fig), "columns": list(data.columns), "rows": len(data),
            **provenance(run, FIGURE_LICENCE)}


def write_csv(path: Path, data: pd.DataFrame) -> Path:
    """The frame as CSV without its index, UTF-8 with a BOM (Excel in Japan reads it)."""
    atomic_write(path, [data.to_csv(index=False).encode(CSV_ENCODING)])
    return path


def write_json(path: Path, meta: dict[str, Any]) -> Path:
    """Metadata as sorted, indented UTF-8 JSON (same metadata, same bytes)."""
    atomic_write(path, [json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True,
                                   default=str).encode("utf-8")])
    return path


def run_target() -> tuple[Path, dict[str, Any]] | None:
    """The folder and run description ``scity run`` gave the kernel, or None outside a run."""
    folder = os.environ.get(FIGURES_DIR_ENV)
    if not folder:
        return None
    return Path(folder), json.loads(os.environ.get(RUN_ENV, "{}"))


def plotted_data(fig: Any) -> pd.DataFrame:
    """The frame attached by the plotting function.

    Raises:
        FigureDataError: the plotting function did not call ``attach_data``.
    """
    import pandas as pd

    from scityhelpers.chapters.plotting import DATA_ATTRIBUTE

    data = getattr(fig, DATA_ATTRIBUTE, None)
    if not isinstance(data, pd.DataFrame):
        raise FigureDataError("this figure carries no plotted data: its plotting function in "
                              "the chapter's figures module must end with "
                              "`attach_data(fig, frame)`")
    return data


def write_figure_files(key: str, fig: Any, folder: Path, run: dict[str, Any]) -> list[Path]:
    """Write ``<key>.csv`` (UTF-8 with BOM), ``<key>.svg`` and ``<key>.json`` into ``folder``."""
    data = plotted_data(fig)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, svg_path, meta_path = (folder / f"{key}{ext}" for ext in (".csv", ".svg", ".json"))
    write_csv(csv_path, data)
    fig.savefig(svg_path, format="svg", metadata={"Date": None})
    write_json(meta_path, figure_metadata(key, fig, data, run))
    return [csv_path, svg_path, meta_path]


@dataclass(frozen=True)
class RenderedFigure:
    """A figure's display formats (PNG, text), rendered once, then glued and shown."""

    bundle: dict[str, Any]
    metadata: dict[str, Any]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        # copies: myst-nb's glue writes its record's name into the metadata it is given
        return dict(self.bundle), {k: dict(v) if isinstance(v, dict) else v
                                   for k, v in self.metadata.items()}


def glue_figure(key: str, fig: Any) -> None:
    """Glue a figure, show it in the cell, and, in a ``scity run``, write its download files.

    The figure is drawn once for both: myst-nb's glue record (``{glue:figure}`` in the essays)
    and the cell's output (the notebook's page) are the same PNG bytes, as the inline backend
    drew them a second time before; the figure is then closed, so the backend does not draw it
    again at the end of the cell. Outside ``scity run`` (nbval, plain papermill) no file is
    written: the executed record's files stay those of the last recorded run.
    """
    import matplotlib.pyplot as plt
    from IPython.core.formatters import format_display_data
    from IPython.display import display
    from myst_nb import glue

    plotted_data(fig)  # refuse a figure without data before gluing it
    target = run_target()
    if target is not None:
        write_figure_files(key, fig, *target)
    rendered = RenderedFigure(*format_display_data(fig))
    glue(key, rendered, display=False)
    display(rendered)
    plt.close(fig)


# --------------------------------------------------------------------------- build time
@dataclass(frozen=True)
class FigureFiles:
    """One figure's download files in the site (relative to the site root)."""

    chapter: str
    key: str

    def path(self, suffix: str) -> str:
        """Site-relative path of the figure's ``.csv``, ``.svg`` or ``.json``."""
        return f"{DOWNLOADS_DIR}/{self.chapter}/{self.key}{suffix}"

    @property
    def zip_path(self) -> str:
        """Site-relative path of the chapter's zip of every figure's files."""
        return f"{DOWNLOADS_DIR}/{self.chapter}.zip"


def figure_hashes(notebook: Path, chapter: str) -> dict[str, FigureFiles]:
    """sha256 of each glued figure's PNG (myst-nb's image name) → its download files."""
    from scityhelpers.book.notebook_files import notebook_cells

    found = {}
    for cell in notebook_cells(notebook):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {}).get(GLUE_PNG)
            if name and data:
                png = base64.b64decode("".join(data) if isinstance(data, list) else data)
                found[hashlib.sha256(png).hexdigest()] = FigureFiles(chapter, name)
    return found


def _zip_folder(folder: Path, target: Path) -> Path:
    """A zip of the folder's files in name order with a fixed date (same files, same bytes)."""
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(target)
    return target


def figure_files_by_hash() -> dict[str, FigureFiles]:
    """PNG sha256 → download files, for every chapter that has a figures folder.

    Both editions' builds ask; the notebooks are read and their images hashed once per
    process for as long as no notebook changed (size and modification time).
    """
    from scityhelpers.chapters.registry import CHAPTERS

    chapters = tuple((name, chapter.notebook, *file_stamp(chapter.notebook))
                     for name, chapter in sorted(CHAPTERS.items())
                     if folder_for(chapter.notebook).is_dir())
    return dict(_figure_files_by_hash(chapters))


@functools.lru_cache(maxsize=4)
def _figure_files_by_hash(chapters: tuple[tuple[str, Path, int, int], ...]
                          ) -> dict[str, FigureFiles]:
    figures: dict[str, FigureFiles] = {}
    for name, notebook, _, _ in chapters:
        figures.update(figure_hashes(notebook, name))
    return figures


def copy_chapter_figures(html_dir: Path) -> dict[str, FigureFiles]:
    """Copy each chapter's figure files into the site and zip them; return PNG hash → files."""
    from scityhelpers.chapters.registry import CHAPTERS

    out = html_dir / DOWNLOADS_DIR
    for name, chapter in sorted(CHAPTERS.items()):
        folder = folder_for(chapter.notebook)
        if not folder.is_dir():
            continue
        target = out / name
        if _copied_unchanged(folder, target) and (out / f"{name}.zip").is_file():
            continue  # a rebuild keeps the copy and zip of an unchanged chapter (staging)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        _zip_folder(target, out / f"{name}.zip")
    return figure_files_by_hash()


def _copied_unchanged(folder: Path, copy: Path) -> bool:
    """Whether ``copy`` holds exactly ``folder``'s files, same sizes and modification times.

    ``copytree`` keeps the times, and a run replaces a figure folder whole (new files, new
    times), so equal listings mean equal contents.
    """
    def listing(root: Path) -> dict[str, tuple[int, int]]:
        return {p.name: file_stamp(p) for p in root.iterdir()}

    return copy.is_dir() and listing(folder) == listing(copy)


_IMG = re.compile(r'<img [^>]*src="(?P<src>[^"]*_images/(?P<hash>[0-9a-f]{64})\.png)"[^>]*>'
                  rf'(?!\s*<span class="{LINK_CLASS}")')


#: the words of the download lines under figures and tables, per edition
DOWNLOAD_WORDS = {
    "en": {"download": "Download: ", "data": "data (CSV)", "metadata": "metadata (JSON)",
           "figures_zip": "all figures of this chapter (zip)",
           "all_zip": "all figures and tables of this chapter (zip)"},
    "ja": {"download": "ダウンロード：", "data": "データ（CSV）", "metadata": "メタデータ（JSON）",
           "figures_zip": "この章の全図（zip）", "all_zip": "この章の全図表（zip）"},
}


def download_links(files: FigureFiles, prefix: str, language: str = "en") -> str:
    """The HTML line under a figure (``prefix`` leads from the page to the site root)."""
    words = DOWNLOAD_WORDS[language]
    link = f'<a href="{prefix}{{}}" download>{{}}</a>'
    parts = [link.format(files.path(".csv"), words["data"]),
             link.format(files.path(".svg"), "SVG"),
             link.format(files.path(".json"), words["metadata"]),
             link.format(files.zip_path, words["figures_zip"])]
    return f'<span class="{LINK_CLASS}">{words["download"]}{" · ".join(parts)}</span>'


def add_links_under_figures(html_dir: Path, figures: dict[str, FigureFiles],
                            site_root: Path | None = None, language: str = "en") -> int:
    """Insert the download line after every figure image whose files exist; return the count.

    ``site_root`` is the folder holding ``downloads/`` when ``html_dir`` is inside it (the
    日本語版 in ``ja/`` links to the English site's files); by default ``html_dir`` itself.
    Idempotent: an image already followed by its line is left alone (Sphinx rewrites only the
    pages whose sources changed).
    """
    root = site_root or html_dir

    def _add(match: re.Match[str], prefix: str) -> str | None:
        files = figures.get(match.group("hash"))
        if files is None or not (root / files.path(".csv")).is_file():
            return None
        return match.group(0) + download_links(files, prefix, language)

    return rewrite_pages(html_dir, root, _IMG, _add)


def rewrite_pages(html_dir: Path, root: Path, pattern: re.Pattern[str],
                  replace: Callable[[re.Match[str], str], str | None]) -> int:
    """Apply ``replace`` to every match of ``pattern`` on every page; return the replacements.

    ``replace`` gets the match and the prefix leading from the page to ``root`` (the folder
    holding ``downloads/``) and returns the new text, or None to leave the match as it is.
    A page is written (atomically) only when it changed; ``_static`` holds no pages.
    """
    replaced = 0
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.relative_to(html_dir).parts:
            continue
        text = page.read_text(encoding="utf-8")
        prefix = "../" * (len(page.relative_to(root).parts) - 1)

        def _one(match: re.Match[str], prefix: str = prefix) -> str:
            nonlocal replaced
            new = replace(match, prefix)
            if new is None:
                return match.group(0)
            replaced += 1
            return new

        new_text = pattern.sub(_one, text)
        if new_text != text:
            atomic_write(page, [new_text.encode("utf-8")])
    return replaced


def publish_figure_downloads(html_dir: Path) -> list[Path]:
    """Copy the figure files, zip them per chapter, and link them under every figure."""
    figures = copy_chapter_figures(html_dir)
    added = add_links_under_figures(html_dir, figures)
    log.info("figure downloads: %d figures, %d links added", len(figures), added)
    return sorted((html_dir / DOWNLOADS_DIR).glob("*.zip"))
