"""What the built site offers readers who want the data, written after Jupyter Book ran.

``scity build`` calls :func:`publish_for_readers` once, right after the tidy tables were
exported as CSV; each piece lives in its own module.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scityhelpers.book.datapackage import write_data_package
from scityhelpers.book.edition import edition_id, stamp_pages
from scityhelpers.book.explorer import write_explorer_data
from scityhelpers.book.figure_export import publish_figure_downloads
from scityhelpers.book.table_export import add_links_under_tables

log = logging.getLogger(__name__)


def publish_for_readers(html_dir: Path) -> list[Path]:
    """Write the reader-facing data files into the built site; return the files written."""
    edition = edition_id()
    stamp_pages(html_dir, edition)
    written = [write_explorer_data(html_dir), write_data_package(html_dir, version=edition),
               *publish_figure_downloads(html_dir)]
    add_links_under_tables(html_dir)  # after the chapter folders were copied into the site
    return written
