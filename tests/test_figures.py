"""A download under every figure: the plotted rows as CSV (UTF-8 with BOM), SVG, metadata."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from scityhelpers.book.figure_export import (
    CSV_ENCODING,
    LINK_CLASS,
    FigureDataError,
    glue_figure,
    split_title,
    write_figure_files,
)
from scityhelpers.book.page_checks import toc_files
from scityhelpers.chapters.wages import compute as wages
from scityhelpers.chapters.wages import figures as wage_plots
from scityhelpers.pipeline.tidy import load

RUN = {"chapter": "wages", "parameters": {"year": 2022}}
REPO_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="module")
def ranking(pulled: Path) -> pd.DataFrame:
    return wages.rank_table(load("wages"), 2022, 2025)


def test_split_title_separates_japanese_and_english() -> None:
    assert split_title("OECD平均賃金ランキング Average wages, 2022") == {
        "ja": "OECD平均賃金ランキング", "en": "Average wages, 2022"}
    assert split_title("日本 Japan: 賃金と労働生産性 Wages since 1991") == {
        "ja": "日本 Japan: 賃金と労働生産性", "en": "Wages since 1991"}


def test_attached_rows_are_the_bars_drawn(ranking: pd.DataFrame) -> None:
    fig = wage_plots.ranking_bars(ranking, 2022, 2025, ["JPN"])
    bars = fig.axes[0].patches
    widths = [bar.get_width() * 1000 for bar in bars]
    assert widths == pytest.approx(fig.scity_data["wage_usd_ppp"].tolist())
    assert len(bars) == ranking["rank"].notna().sum()
    plt.close(fig)


def test_files_round_trip_the_plotted_rows(ranking: pd.DataFrame, tmp_path: Path) -> None:
    fig = wage_plots.ranking_bars(ranking, 2022, 2025, ["JPN"])
    csv_path, svg_path, meta_path = write_figure_files("ranking_figure", fig, tmp_path, RUN)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    back = pd.read_csv(csv_path, encoding=CSV_ENCODING)
    pd.testing.assert_frame_equal(back, fig.scity_data.astype(back.dtypes.to_dict()),
                                  check_exact=False, rtol=1e-12)
    assert "アイスランド" in raw.decode(CSV_ENCODING)
    assert svg_path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["title"] == {"ja": "OECD平均賃金ランキング", "en": "Average wages, 2022"}
    assert any("USD PPP" in unit for unit in meta["units"])
    oecd = next(s for s in meta["sources"] if s["id"] == "oecd_wages")
    assert oecd["licence"]
    assert all(len(f["sha256"]) == 64 for f in oecd["files"])
    assert meta["parameters"] == {"year": 2022}
    plt.close(fig)


def test_a_glued_figure_is_drawn_once_glued_and_shown_from_the_same_bytes(
        ranking: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """The glue record and the cell's output share one rendering; the figure is then closed,
    so the inline backend does not draw it again at the end of the cell."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    from IPython.utils.capture import capture_output
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    monkeypatch.delenv("SCITY_FIGURES_DIR", raising=False)  # no download files here
    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})  # as in a kernel: figures display as PNG
    fig = wage_plots.ranking_bars(ranking, 2022, 2025, ["JPN"])
    draws: list[int] = []
    draw = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda canvas: draws.append(1) or draw(canvas))
    try:
        with capture_output() as captured:
            glue_figure("ranking_figure", fig)
    finally:
        shell.display_formatter.formatters["image/png"].pop(Figure)
    record, shown = captured.outputs
    prefix = record.metadata["scrapbook"]["mime_prefix"]
    assert record.metadata["scrapbook"]["name"] == "ranking_figure"
    assert record.data[prefix + "image/png"] == shown.data["image/png"]
    assert "scrapbook" not in shown.metadata  # the shown copy is no second record
    assert not plt.fignum_exists(fig.number)
    # one PNG: the tight bounding box costs a second draw (two PNGs took four)
    assert len(draws) == 2


def test_a_figure_without_data_is_refused() -> None:
    fig, _ = plt.subplots()
    with pytest.raises(FigureDataError, match="attach_data"):
        glue_figure("bare", fig)
    plt.close(fig)


# ------------------------------------------------------------------------ the built site
_FIGURE = re.compile(r'<img [^>]*src="[^"]*_images/[0-9a-f]{64}\.png"[^>]*>(\s*<span class="'
                     + LINK_CLASS + r'">(.*?)</span>)?', re.S)
_HREF = re.compile(r'href="([^"]+)"')


def test_every_figure_on_every_page_has_its_download(built_book: Path) -> None:
    checked = 0
    for doc in toc_files():
        page = built_book / f"{doc}.html"
        for match in _FIGURE.finditer(page.read_text(encoding="utf-8")):
            assert match.group(1), f"{doc}: a figure without its download line"
            assert match.group(2).startswith("Download: "), doc
            links = _HREF.findall(match.group(2))
            assert [Path(h).suffix for h in links] == [".csv", ".svg", ".json", ".zip"], doc
            for href in links:
                assert (page.parent / href).resolve().is_file(), f"{doc}: {href}"
            checked += 1
    assert checked >= 20  # every chapter's figures, in the essays and the notebooks


def test_every_figure_of_the_japanese_edition_has_its_download(built_book: Path) -> None:
    # the 日本語版 (ja/) shows the same figures and links to the English site's files
    checked = 0
    for page in sorted((built_book / "ja").glob("*/*.html")):
        for match in _FIGURE.finditer(page.read_text(encoding="utf-8")):
            assert match.group(1), f"{page.relative_to(built_book)}: a figure without its line"
            assert match.group(2).startswith("ダウンロード："), f"{page.name}: not in Japanese"
            assert "データ（CSV）" in match.group(2)
            assert "Download" not in match.group(2)
            links = _HREF.findall(match.group(2))
            assert [Path(h).suffix for h in links] == [".csv", ".svg", ".json", ".zip"]
            for href in links:
                assert (page.parent / href).resolve().is_file(), f"{page.name}: {href}"
            checked += 1
    assert checked >= 20


def test_published_csv_is_the_ranking_the_chapter_computes(built_book: Path) -> None:
    folder = built_book / "downloads" / "wages"
    meta = json.loads((folder / "ranking_figure.json").read_text(encoding="utf-8"))
    params = meta["parameters"]
    expected = wages.rank_table(load("wages"), params["year"], params["price_base_year"])
    expected = expected.dropna(subset=["rank"]).sort_values("rank").reset_index(drop=True)
    shown = pd.read_csv(folder / "ranking_figure.csv", encoding=CSV_ENCODING)
    assert shown["iso3"].tolist() == expected["iso3"].tolist()
    assert shown["wage_usd_ppp"].tolist() == pytest.approx(expected["wage_usd_ppp"].tolist())
    assert meta["rows"] == len(shown)


def test_chapter_zip_holds_every_figure_file(built_book: Path) -> None:
    folder = built_book / "downloads" / "population"
    with zipfile.ZipFile(io.BytesIO((folder.parent / "population.zip").read_bytes())) as zf:
        names = sorted(Path(n).name for n in zf.namelist())
    assert names == sorted(p.name for p in folder.iterdir())
    assert {Path(n).suffix for n in names} == {".csv", ".svg", ".json"}


def test_a_rebuild_copies_and_zips_only_the_chapters_whose_figures_changed(
        tmp_path: Path) -> None:
    from scityhelpers.book.figure_export import copy_chapter_figures

    site = tmp_path / "html"
    copy_chapter_figures(site)
    zips = {p.name: p.stat().st_mtime_ns for p in (site / "downloads").glob("*.zip")}
    assert "wages.zip" in zips
    copy = site / "downloads" / "wages"
    stale = copy / "ranking_figure.csv"
    stale.write_text("a copy left from an older run\n", encoding="utf-8")
    copy_chapter_figures(site)
    again = {p.name: p.stat().st_mtime_ns for p in (site / "downloads").glob("*.zip")}
    changed = {name for name in zips if again[name] != zips[name]}
    assert changed == {"wages.zip"}  # only the chapter whose copy differed was redone
    source = REPO_NOTEBOOKS / "wages.figures" / "ranking_figure.csv"
    assert stale.read_bytes() == source.read_bytes()
