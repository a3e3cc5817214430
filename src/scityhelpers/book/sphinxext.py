"""Sphinx extension for the book: numbered, captioned figures with real alt text; exact Japanese.

Registered in ``_config.yml`` (``sphinx.extra_extensions``). Three transforms:

- :class:`NumberGluedFigures` (read time): a cross-document ``{glue}`` block followed by a
  paragraph that is one italic line is wrapped in a ``figure`` whose caption is that line, with
  the anchor ``fig-<glue key>``. Sphinx's ``numfig`` then numbers it ("Figure 7") because the
  figure exists when the document is read; myst-nb fills in the image later, at write time.
- :class:`AltTextFromCaption` (post-transform, after myst-nb's glue replacement): every image
  gets alt text that states what it shows — the numbered caption on book pages, the same
  caption (looked up by glue key) on notebook pages — instead of its file path.
- :class:`JoinJapaneseLineBreaks` (read time): a line break in the MyST source between two
  Japanese characters renders as a space in HTML; quotations of the briefing must be exact,
  so such breaks are removed (a break next to a Latin character stays a space).

It also drops the ".md" entry of the download menu (:func:`drop_markdown_source_button`) and
offers ``{{ book_citation }}`` to pages, the suggested citation built from ``CITATION.cff``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

#: Japanese scripts and full-width punctuation: CJK symbols and punctuation, hiragana,
#: katakana, CJK ideographs (extension A and the basic block), full-width forms
CJK_CHARS = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
CJK_LINE_BREAK = re.compile(rf"(?<=[{CJK_CHARS}])[ \t]*\n[ \t]*(?=[{CJK_CHARS}])")
CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
GLUE_CALL = re.compile(r"""glue\(\s*["'](\w+)["']""")
FIGURE_CLASS = "scity-figure"
#: myst-nb's pending cross-document glue node (matched by class name: its module is private)
PENDING_GLUE = "PendingGlueReference"
CODE_NODES = (nodes.literal_block, nodes.literal, nodes.raw, nodes.comment)


def join_cjk_line_breaks(text: str) -> str:
    r"""Drop a line break (and the blanks around it) that sits between two Japanese characters.

    >>> join_cjk_line_breaks("居住地域の\n約5割")
    '居住地域の約5割'
    >>> join_cjk_line_breaks("the\n日本")
    'the\n日本'
    """
    return CJK_LINE_BREAK.sub("", text)


def _is_italic_line(node: nodes.Node | None) -> bool:
    return (isinstance(node, nodes.paragraph) and len(node.children) == 1
            and isinstance(node.children[0], nodes.emphasis))


def _next_element(node: nodes.Element) -> nodes.Node | None:
    parent = node.parent
    index = parent.index(node)
    return parent[index + 1] if index + 1 < len(parent) else None


def figure_anchor(glue_key: str) -> str:
    """Anchor of a glued figure: ``fig-`` + the glue key without its fig/figure affix.

    >>> figure_anchor("fig_kpi_progress"), figure_anchor("ranking_figure")
    ('fig-kpi-progress', 'fig-ranking')
    """
    stem = glue_key.removeprefix("fig_").removesuffix("_figure")
    return nodes.make_id(f"fig-{stem}")


class NumberGluedFigures(SphinxTransform):
    """Wrap each glued figure and its italic caption line in a numbered ``figure`` node."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        """Wrap every glued block that an italic caption line follows."""
        captions = _caption_store(self.env)
        for pending in list(self.document.findall(nodes.Element)):
            if type(pending).__name__ != PENDING_GLUE or pending.get("gtype") == "text":
                continue
            line = _next_element(pending)
            if not _is_italic_line(line):
                continue  # a glued table or a figure without a caption: left as it is
            key = pending["key"]
            figure = nodes.figure(classes=[FIGURE_CLASS], ids=[figure_anchor(key)])
            caption = nodes.caption("", *line.children[0].children)
            caption.source, caption.line = line.source, line.line
            pending.replace_self(figure)
            figure += pending
            figure += caption
            line.parent.remove(line)
            self.document.note_implicit_target(figure, figure)
            captions[key] = caption.astext().strip()


def _caption_store(env: Any) -> dict[str, str]:
    if not hasattr(env, "scity_figure_captions"):
        env.scity_figure_captions = {}
    return env.scity_figure_captions


class AltTextFromCaption(SphinxPostTransform):
    """Give every image alt text that says what it shows, never its file path."""

    default_priority = 20  # after myst-nb's ReplacePendingGlueReferences (5)

    def apply(self, **kwargs: Any) -> None:
        """Set alt text on figures from their caption, then on any image still without."""
        numbers = self.env.toc_fignumbers.get(self.env.docname, {}).get("figure", {})
        for figure in self.document.findall(nodes.figure):
            if FIGURE_CLASS not in figure["classes"]:
                continue
            number = numbers.get(figure["ids"][0])
            prefix = f"Figure {'.'.join(map(str, number))}: " if number else ""
            text = _without_source(figure.next_node(nodes.caption).astext())
            for image in figure.findall(nodes.image):
                image["alt"] = prefix + text
        captions = _caption_store(self.env)
        for image in self.document.findall(nodes.image):
            if image.get("alt") and image["alt"] != image.get("uri"):
                continue
            image["alt"] = _alt_from_cell(image, captions)


def _without_source(caption: str) -> str:
    """The caption's description: whitespace collapsed, the trailing "Source: …" dropped."""
    return " ".join(caption.split(" Source: ")[0].split("\nSource: ")[0].split())


def _alt_from_cell(image: nodes.image, captions: dict[str, str]) -> str:
    """Alt text of a figure in a notebook page: the book's caption for the key its cell glues."""
    cell = image.parent
    while cell is not None and "cell" not in cell.get("classes", ()):
        cell = cell.parent
    code = cell.next_node(nodes.literal_block) if cell is not None else None
    keys = GLUE_CALL.findall(code.astext()) if code is not None else []
    for key in keys:
        if key in captions:
            return _without_source(captions[key])
    return "Figure drawn by the code cell above (see the chapter page for its caption)"


class JoinJapaneseLineBreaks(SphinxTransform):
    r"""Remove source line breaks between Japanese characters (they render as spaces).

    myst-parser turns a soft line break into a Text node of its own (``"\\n"``), so a break is
    removed when the text before it ends, and the text after it starts, with a Japanese
    character; breaks inside one Text node (other parsers) are joined as well.
    """

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        """Drop soft breaks between Japanese characters outside code."""
        for text in list(self.document.findall(nodes.Text)):
            if _inside_code(text):
                continue
            if str(text).strip(" \t") == "\n":
                index = _index_by_identity(text)
                if _between_japanese(text.parent, index):
                    del text.parent[index]
            elif CJK_LINE_BREAK.search(text):
                text.parent[_index_by_identity(text)] = nodes.Text(
                    join_cjk_line_breaks(str(text)))


def _index_by_identity(node: nodes.Node) -> int:
    """Position of ``node`` in its parent (``list.index`` would match any equal Text)."""
    return next(i for i, child in enumerate(node.parent.children) if child is node)


def _between_japanese(parent: nodes.Element, index: int) -> bool:
    if index == 0 or index + 1 >= len(parent):
        return False
    before, after = parent[index - 1].astext(), parent[index + 1].astext()
    return bool(before and after and CJK_CHAR.fullmatch(before[-1])
                and CJK_CHAR.fullmatch(after[0]))


def _inside_code(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, CODE_NODES):
            return True
        parent = parent.parent
    return False


def drop_markdown_source_button(app: Sphinx, pagename: str, templatename: str,
                                context: dict[str, Any], doctree: Any) -> None:
    """Remove the ".md" entry of the theme's download menu on prose pages.

    The MyST source of a page shows ``{glue:text}`` placeholders, not the numbers, so it is no
    download for a reader; notebooks keep their ".ipynb" entry and every page keeps ".pdf".
    """
    if context.get("page_source_suffix") != ".md":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"] = [button for button in group["buttons"]
                                if button.get("label") != "download-source-button"]


CITATION_FILE = "CITATION.cff"


def suggested_citation(citation: dict[str, Any]) -> str:
    """A one-line citation (MyST) from the fields of a ``CITATION.cff`` mapping.

    >>> suggested_citation({"authors": [{"name": "scity contributors"}], "title": "scity",
    ...                     "version": "0.1.0", "date-released": "2026-11-25"})
    'scity contributors (2026). *scity* (version 0.1.0, released 2026-11-25). Data book and code.'
    """
    def _name(author: dict[str, str]) -> str:
        if "name" in author:
            return author["name"]
        return " ".join(part for part in (author.get("given-names"),
                                          author.get("family-names")) if part)

    authors = ", ".join(_name(author) for author in citation.get("authors", []))
    released = str(citation.get("date-released", ""))
    text = (f"{authors} ({released[:4]}). *{citation['title']}* (version "
            f"{citation.get('version', 'unversioned')}, released {released}). Data book and code.")
    if citation.get("url") or citation.get("repository-code"):
        text += f" <{citation.get('url') or citation['repository-code']}>"
    return text


def add_citation_substitution(app: Sphinx, config: Any) -> None:
    """Make ``{{ book_citation }}`` available to MyST pages, built from ``CITATION.cff``."""
    from scityhelpers.pipeline.yaml_text import load_yaml

    path = Path(app.srcdir) / CITATION_FILE
    citation = load_yaml(path.read_text(encoding="utf-8"))
    substitutions = dict(config.myst_substitutions or {})
    substitutions["book_citation"] = suggested_citation(citation)
    config.myst_substitutions = substitutions


def warn_unshown_glued_values(app: Sphinx, exception: Exception | None) -> None:
    """After an HTML site build, warn (an error under ``-W``) for each glued value a page lacks.

    The check (:func:`scityhelpers.book.page_checks.missing_glued_values`) reads the pages
    just written against the notebooks' glued values, formatted by myst-nb, which this
    process has loaded anyway; both editions run it on their own sources.
    """
    if exception is not None or app.builder.name != "html":  # not the PDF's single page
        return
    from sphinx.util import logging as sphinx_logging

    from scityhelpers.book.page_checks import missing_glued_values

    logger = sphinx_logging.getLogger(__name__)
    for problem in missing_glued_values(Path(app.outdir), root=Path(app.srcdir)):
        logger.warning("%s: %s", problem.page, problem.problem, type="scity", subtype="glue")


#: where each build keeps its compiled page templates (inside Sphinx's cache: a failed
#: build, whose cache is discarded, takes them along)
TEMPLATE_CACHE = "jinja-bytecode"


def cache_compiled_templates(app: Sphinx) -> None:
    """Keep the theme's compiled Jinja templates between builds of the same book.

    Sphinx compiles every page template from source in each process, a fifth of a second per
    build and edition. Jinja's bytecode cache stores each template's compiled code under a
    checksum of its source, so an edited template is compiled again.
    """
    from jinja2 import FileSystemBytecodeCache

    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None:  # a builder without HTML templates
        return
    folder = Path(app.doctreedir) / TEMPLATE_CACHE
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the transforms; the extension keeps no state that breaks parallel reads."""
    app.add_transform(NumberGluedFigures)
    app.add_transform(JoinJapaneseLineBreaks)
    app.add_post_transform(AltTextFromCaption)
    # after sphinx-book-theme's add_header_buttons (default priority 500)
    app.connect("html-page-context", drop_markdown_source_button, priority=900)
    app.connect("config-inited", add_citation_substitution)
    app.connect("build-finished", warn_unshown_glued_values)
    app.connect("builder-inited", cache_compiled_templates)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
