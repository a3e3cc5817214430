"""A download under every results table: its rows as CSV and its metadata as JSON.

A notebook glues each results table shown on a book page through :func:`glue_table`. The
glued HTML is the table's own, wrapped in ``<div class="scity-table" id="table-<chapter>-<key>">``
and ending with an empty ``<span class="scity-table-download" data-table="<chapter>/<key>">``.
In a ``scity run`` (``SCITY_FIGURES_DIR`` set) it also writes, next to the figures' files in
``<chapter>.figures/``:

* ``<key>.csv``: the table's rows in the order shown, UTF-8 with a byte-order mark;
* ``<key>.json``: title (ja/en), columns with their units where known, the row count, and
  the chapter's sources, notebook and parameters (as for a figure).

At build time, after :func:`scityhelpers.book.figure_export.publish_figure_downloads` copied and
zipped
the folders, :func:`add_links_under_tables` fills each empty span with its links.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scityhelpers.book.figure_export import (
    DOWNLOAD_WORDS,
    DOWNLOADS_DIR,
    provenance,
    rewrite_pages,
    run_target,
    split_title,
    write_csv,
    write_json,
)
from scityhelpers.errors import FigureDataError

if TYPE_CHECKING:  # imported where a notebook glues a table: the build only adds links
    import pandas as pd
    from IPython.display import HTML

log = logging.getLogger(__name__)

TABLE_CLASS = "scity-table"
LINK_CLASS = "scity-table-download"
TABLE_LICENCE = "CC BY 4.0 (table and its data file); each source's own licence for the data"
_UNIT_IN_HEADING = re.compile(r"\(([^()]+)\)\s*$")
#: an empty download span (a filled one is left alone: the build may run twice on a page)
_EMPTY_SPAN = re.compile(rf'<span class="{LINK_CLASS}" data-table="(?P<chapter>[a-z_0-9]+)/'
                         rf'(?P<key>[A-Za-z_0-9]+)"></span>')


def column_units(columns: list[str], units: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Each column with its unit: given in ``units``, else the heading's final "(…)", else ""."""
    found = []
    for column in columns:
        match = _UNIT_IN_HEADING.search(column)
        unit = (units or {}).get(column, match.group(1) if match else "")
        found.append({"name": column, "unit": unit})
    return found


def table_metadata(key: str, rows: pd.DataFrame, title: str, run: dict[str, Any],
                   units: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything a reader needs to cite and rebuild one results table."""
    return {"table": key, "title": split_title(title), "rows": len(rows),
            "columns": column_units([str(c) for c in rows.columns], units),
            **provenance(run, TABLE_LICENCE)}


def write_table_files(key: str, rows: pd.DataFrame, title: str, folder: Path,
                      run: dict[str, Any], units: dict[str, str] | None = None) -> list[Path]:
    """Write ``<key>.csv`` (UTF-8 with BOM) and ``<key>.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_csv(folder / f"{key}.csv", rows),
            write_json(folder / f"{key}.json", table_metadata(key, rows, title, run, units))]


def table_html(chapter: str, key: str, shown: str) -> str:
    """The table's HTML wrapped with its id and the empty span the build fills with links."""
    if not re.fullmatch(r"[a-z_0-9]+", chapter) or not re.fullmatch(r"[A-Za-z_0-9]+", key):
        raise FigureDataError(f"table {chapter}/{key}: chapter and key must be letters, digits "
                              "and underscores (they become an HTML id and a file name)")
    return (f'<div class="{TABLE_CLASS}" id="table-{chapter}-{key}">{shown}'
            f'<span class="{LINK_CLASS}" data-table="{chapter}/{key}"></span></div>')


def glue_table(key: str, rows: pd.DataFrame, shown: str | HTML, *, chapter: str, title: str,
               units: dict[str, str] | None = None) -> None:
    """Glue a results table's HTML and, in a ``scity run``, write its download files.

    Args:
        key: the glue key (also the files' name).
        rows: the table's rows in the order shown (written as the CSV).
        shown: the table's HTML as readers see it.
        chapter: the chapter whose notebook glues it (the folder of its files).
        title: bilingual title "日本語 English".
        units: unit of a column whose heading does not end with "(unit)".

    Outside ``scity run`` nothing is written (as for
    :func:`scityhelpers.book.figure_export.glue_figure`).
    """
    from IPython.display import HTML
    from myst_nb import glue

    text = shown.data if isinstance(shown, HTML) else shown
    wrapped = table_html(chapter, key, text)
    target = run_target()
    if target is not None:
        folder, run = target
        write_table_files(key, rows, title, folder, run, units)
    glue(key, HTML(wrapped), display=False)


# --------------------------------------------------------------------------- build time
def table_links(chapter: str, key: str, prefix: str, language: str = "en") -> str:
    """The filled download span under a table (``prefix`` leads from the page to the root)."""
    words = DOWNLOAD_WORDS[language]
    base = f"{prefix}{DOWNLOADS_DIR}/{chapter}"
    link = '<a href="{}" download>{}</a>'
    parts = [link.format(html.escape(f"{base}/{key}.csv"), words["data"]),
             link.format(html.escape(f"{base}/{key}.json"), words["metadata"]),
             link.format(html.escape(f"{base}.zip"), words["all_zip"])]
    return (f'<span class="{LINK_CLASS}" data-table="{chapter}/{key}">'
            f'{words["download"]}{" · ".join(parts)}</span>')


def add_links_under_tables(html_dir: Path, site_root: Path | None = None,
                           language: str = "en") -> int:
    """Fill the download span under every glued results table whose CSV is in the site.

    ``site_root`` is the folder holding ``downloads/`` when ``html_dir`` is inside it (the
    日本語版 in ``ja/`` links to the English site's files); by default ``html_dir`` itself.
    Returns the number of spans filled. A span whose files are missing stays empty (the
    tests look for it).
    """
    root = site_root or html_dir

    def _fill(match: re.Match[str], prefix: str) -> str | None:
        chapter, key = match.group("chapter"), match.group("key")
        if not (root / DOWNLOADS_DIR / chapter / f"{key}.csv").is_file():
            log.warning("table %s/%s: no %s.csv in the site; run `scity run --only %s`",
                        chapter, key, key, chapter)
            return None
        return table_links(chapter, key, prefix, language)

    filled = rewrite_pages(html_dir, root, _EMPTY_SPAN, _fill)
    log.info("table downloads: %d links added", filled)
    return filled
