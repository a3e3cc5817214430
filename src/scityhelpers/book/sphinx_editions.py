"""Sphinx extension: the language switch and the PDF editions in every page's header.

Both editions load it (``extra_extensions`` in ``_config.yml``). Each page gets a header button
that opens the same page in the other language (English ``<page>.html`` ↔ Japanese
``ja/<page>.html``). The download menu lists the PDF editions when they have been made
(``_build/pdf/scity-{en,ja}.pdf``, by ``make pdf``); the Japanese build, which runs after the
English site is published, copies them to ``_build/html/pdf/`` (see
:func:`scityhelpers.book.pdf.copy_pdfs_into_site`). Both are script buttons, not links, because the
English site is built and its links checked before the Japanese edition and the PDF copies are
put beside it; the Japanese build checks that every page and PDF its buttons open exists.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

PDF_NAMES = {"en": "scity-en.pdf", "ja": "scity-ja.pdf"}
PDF_LABELS = {"en": "PDF (English)", "ja": "PDF（日本語版）"}


def _pdfs_present() -> list[str]:
    """Languages whose PDF edition has been made (``_build/pdf``, by ``scity pdf``)."""
    from scityhelpers.paths import build_dir

    folder = build_dir() / "pdf"
    return [lang for lang, name in PDF_NAMES.items() if (folder / name).is_file()]


def add_edition_buttons(app: Sphinx, pagename: str, templatename: str,
                        context: dict[str, Any], doctree: Any) -> None:
    """Append the language switch and the PDF links to the theme's header buttons."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    pathto = context["pathto"]
    is_ja = app.config.language == "ja"
    # the Japanese site is published in ja/ below the English one
    up = "../" if is_ja else ""
    other = f"../{pagename}.html" if is_ja else f"ja/{pagename}.html"
    url = pathto(other, 1)
    buttons.append({
        "type": "javascript",
        "javascript": f"window.location.href='{url}'",
        "text": "English" if is_ja else "日本語",
        "tooltip": "Read this page in English" if is_ja else "このページを日本語で読む",
        "icon": "fas fa-language",
        "label": "language-switch",
    })
    pdfs = app.config.scity_pdfs
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].extend({
                "type": "javascript",
                "javascript": f"window.open('{pathto(f'{up}pdf/{PDF_NAMES[lang]}', 1)}')",
                "text": PDF_LABELS[lang],
                "tooltip": PDF_LABELS[lang],
                "icon": "fas fa-book",
                "label": f"pdf-edition-{lang}",
            } for lang in pdfs)


def _set_pdfs(app: Sphinx, config: Any) -> None:
    config.scity_pdfs = _pdfs_present()
    # Sphinx does not track an extension's code: a change here must rewrite every page
    config.scity_editions_code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the header buttons (after sphinx-book-theme has made its own)."""
    # a config value, so that pages are rewritten when a PDF edition appears or goes
    app.add_config_value("scity_pdfs", [], "html")
    app.add_config_value("scity_editions_code", "", "html")
    app.connect("config-inited", _set_pdfs)
    app.connect("html-page-context", add_edition_buttons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
