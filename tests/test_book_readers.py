"""The built book as readers use it: numbered figures with real alt text, exact Japanese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docutils import nodes

from scityhelpers.book.sphinxext import join_cjk_line_breaks

CHAPTERS = ("wages", "population", "programmes", "kpi", "digital_productivity",
            "municipal_models", "municipal_income")
#: the briefing's sentences as the issue quotes them (each was split by a line break in the
#: MyST source, which rendered as a space)
QUOTATIONS = {
    "population": "「2050年には居住地域の約5割が少子高齢化地域となる」",
    "programmes": "2018年～2023年の累計で182都市",
    "intro": "「全国のスマートシティの現状と課題」（2023年）の主張を",
}


class _Images(HTMLParser):
    """Collect every <img> (alt, src) and every figure caption number of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.figure_ids: list[str] = []
        self.numbers: list[str] = []
        self._in_number = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        if tag == "figure" and "scity-figure" in (attributes.get("class") or ""):
            self.figure_ids.append(attributes.get("id") or "")
        self._in_number = tag == "span" and attributes.get("class") == "caption-number"

    def handle_data(self, data: str) -> None:
        if self._in_number:
            self.numbers.append(data.strip())
            self._in_number = False


def _parse(path: Path) -> _Images:
    parser = _Images()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_line_break_between_japanese_characters_is_dropped() -> None:
    assert join_cjk_line_breaks("居住地域の\n約5割") == "居住地域の約5割"
    assert join_cjk_line_breaks("計算され、\n新しい") == "計算され、新しい"
    # next to a Latin letter or a digit-free English word the break stays (it is a space)
    assert join_cjk_line_breaks("Japan\n日本") == "Japan\n日本"
    assert join_cjk_line_breaks("日本\nJapan") == "日本\nJapan"


@pytest.mark.parametrize("page", sorted(QUOTATIONS))
def test_briefing_quotations_render_without_inserted_spaces(built_book: Path,
                                                            page: str) -> None:
    html = (built_book / "book" / f"{page}.html").read_text(encoding="utf-8")
    assert QUOTATIONS[page] in html


def test_no_space_between_japanese_characters_from_a_line_break(built_book: Path) -> None:
    cjk = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
    broken = re.compile(f"[{cjk}]\n[{cjk}]")
    offenders = {page.name: broken.findall(page.read_text(encoding="utf-8"))
                 for page in (built_book / "book").glob("*.html")}
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_figure_is_numbered_with_an_anchor(built_book: Path,
                                                         chapter: str) -> None:
    page = _parse(built_book / "book" / f"{chapter}.html")
    source = (Path(__file__).resolve().parents[1] / "book" / f"{chapter}.md").read_text(
        encoding="utf-8")
    glued_figures = len(re.findall(r"```\{glue\} \w+\n:doc: [^\n]+\n```\n\n\*", source))
    assert glued_figures >= 1
    assert len(page.figure_ids) == glued_figures
    assert all(anchor.startswith("fig-") for anchor in page.figure_ids)
    assert all(re.fullmatch(r"Figure \d+", number) for number in page.numbers), page.numbers
    assert len(page.numbers) == glued_figures


def test_no_image_alt_text_is_a_file_path(built_book: Path) -> None:
    pages = [*(built_book / "book").glob("*.html"), *(built_book / "notebooks").glob("*.html")]
    images = [(page.name, image) for page in pages for image in _parse(page).images
              if "_images/" in (image.get("src") or "")]
    assert len(images) >= 2 * 24  # each chapter figure on its page and in its notebook
    bad = [(name, image.get("alt")) for name, image in images
           if not image.get("alt") or "_images/" in image["alt"] or image["alt"].endswith(".png")]
    assert bad == []
    book_alts = [image["alt"] for name, image in images if name.replace(".html", "")
                 in CHAPTERS and (image.get("alt") or "").startswith("Figure ")]
    assert len(book_alts) >= 24


def test_markdown_pages_offer_no_source_download(built_book: Path) -> None:
    assert "download-source-button" not in (built_book / "book" / "wages.html").read_text(
        encoding="utf-8")
    # notebooks keep their .ipynb download (the source of a notebook page)
    assert "download-source-button" in (built_book / "notebooks" / "wages.html").read_text(
        encoding="utf-8")


def test_caption_anchor_id_form() -> None:
    from scityhelpers.book.sphinxext import figure_anchor

    assert figure_anchor("fig_kpi_progress") == "fig-kpi-progress"
    assert figure_anchor("ranking_figure") == "fig-ranking"
    assert figure_anchor("fig_size_classes") == nodes.make_id("fig-size_classes")
