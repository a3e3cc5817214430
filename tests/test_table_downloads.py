"""A download under every results table: its rows as CSV (UTF-8 with BOM) and its metadata."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.book.figure_export import CSV_ENCODING, FigureDataError
from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.book.reader_tables import ranked_details, ranked_rows
from scityhelpers.book.table_export import (
    LINK_CLASS,
    TABLE_CLASS,
    add_links_under_tables,
    column_units,
    table_html,
    write_table_files,
)
from scityhelpers.chapters.kpi import compute as kpi
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.pipeline.tidy import load

REPO = Path(__file__).resolve().parents[1]
RUN = {"chapter": "kpi", "parameters": {"as_of": "2026-11-25"}}
HTML_RECORD = "application/papermill.record/text/html"
#: the results tables the book's chapter pages show (chapter, glue key)
RESULTS_TABLES = {("claims", "ledger_table"), ("kpi", "kpi_table"),
                  ("population", "map_table"), ("programmes", "map_table")}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding=CSV_ENCODING, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------------ pieces
def test_ranked_rows_are_the_rows_the_details_box_shows() -> None:
    frame = pd.DataFrame({"pref_code": ["01", "02", "03", "04"],
                          "pref_name": ["北海道", "青森県", "岩手県", "宮城県"],
                          "change_pct": [-25.58, None, -30.1, -25.58]})
    rows = ranked_rows(frame, "change_pct", "増減率 Change (%)")
    assert rows["都道府県 Prefecture"].tolist() == ["北海道", "宮城県", "岩手県", "青森県"]
    assert rows["順位 Rank"].tolist()[:3] == [1, 2, 3]
    assert pd.isna(rows["順位 Rank"].iloc[3])
    shown = ranked_details(frame, "change_pct", "増減率 Change (%)", "{:+.1f}", "s").data
    names = re.findall(r"<td>([^<\d]+県|北海道)</td>", shown)
    assert names == rows["都道府県 Prefecture"].tolist()
    assert "<td>-30.1</td>" in shown
    assert "<td>no data</td>" in shown


def test_units_come_from_headings_unless_given() -> None:
    assert column_units(["増減率 Change (%)", "KPI", "進捗 Progress"],
                        {"進捗 Progress": "% of target"}) == [
        {"name": "増減率 Change (%)", "unit": "%"}, {"name": "KPI", "unit": ""},
        {"name": "進捗 Progress", "unit": "% of target"}]


def test_table_html_carries_its_key_and_refuses_odd_names() -> None:
    wrapped = table_html("population", "map_table", "<table></table>")
    assert wrapped.startswith(f'<div class="{TABLE_CLASS}" id="table-population-map_table">')
    assert f'<span class="{LINK_CLASS}" data-table="population/map_table"></span></div>' in wrapped
    with pytest.raises(FigureDataError, match="underscores"):
        table_html("population", "map table", "<table></table>")


def test_files_round_trip_the_kpi_table(pulled: Path, tmp_path: Path) -> None:
    tracker = kpi.tracker(load("kpis"), date(2026, 11, 25), kpi.collected_date())
    rows = kpi.reader_table(tracker)
    csv_path, meta_path = write_table_files("kpi_table", rows, "KPIの進捗 KPI progress",
                                            tmp_path, RUN, {"進捗 Progress": "% of target"})
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    pd.testing.assert_frame_equal(_read(csv_path), rows.fillna("").astype(str))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["title"] == {"ja": "KPIの進捗", "en": "KPI progress"}
    assert meta["rows"] == len(rows)
    assert meta["parameters"] == RUN["parameters"]
    assert {"name": "進捗 Progress", "unit": "% of target"} in meta["columns"]
    assert meta["sources"]
    assert all(len(f["sha256"]) == 64 for s in meta["sources"] for f in s["files"])


def test_links_fill_only_tables_whose_files_exist(tmp_path: Path) -> None:
    (tmp_path / "downloads" / "kpi").mkdir(parents=True)
    (tmp_path / "downloads" / "kpi" / "kpi_table.csv").write_text("a\n", encoding="utf-8")
    page = tmp_path / "book" / "kpi.html"
    page.parent.mkdir()
    page.write_text(table_html("kpi", "kpi_table", "<table></table>")
                    + table_html("kpi", "other_table", "<table></table>"), encoding="utf-8")
    assert add_links_under_tables(tmp_path) == 1
    text = page.read_text(encoding="utf-8")
    assert 'href="../downloads/kpi/kpi_table.csv" download' in text
    assert 'data-table="kpi/other_table"></span>' in text  # no files: left empty
    assert add_links_under_tables(tmp_path) == 0  # a filled line is not added twice
    assert text == page.read_text(encoding="utf-8")


# ------------------------------------------------------------------------ executed notebooks
def _glued_html(chapter: str) -> dict[str, str]:
    found = {}
    for cell in notebook_cells(CHAPTERS[chapter].notebook):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(HTML_RECORD)
            if name and text:
                found[name] = "".join(text) if isinstance(text, list) else text
    return found


def test_every_glued_html_table_goes_through_glue_table() -> None:
    tables = set()
    for chapter in CHAPTERS:
        for key, text in _glued_html(chapter).items():
            if "<table" in text:
                assert text.startswith(f'<div class="{TABLE_CLASS}" id="table-{chapter}-{key}">'),\
                    f"{chapter}/{key}: a glued table without its download (use glue_table)"
                tables.add((chapter, key))
    assert tables == RESULTS_TABLES


# ------------------------------------------------------------------------ the built site
_GLUE_DIRECTIVE = re.compile(r"```\{glue\} (\w+)\n:doc: \.\./notebooks/(\w+)\.ipynb")
_HREF = re.compile(r'href="([^"]+)"')


def test_every_results_table_on_every_page_has_its_download(built_book: Path) -> None:
    shown = set()
    for md in sorted((REPO / "book").glob("*.md")):
        for key, chapter in _GLUE_DIRECTIVE.findall(md.read_text(encoding="utf-8")):
            if (chapter, key) not in RESULTS_TABLES:
                continue
            page = built_book / "book" / f"{md.stem}.html"
            text = page.read_text(encoding="utf-8")
            line = re.search(rf'id="table-{chapter}-{key}">.*?<span class="{LINK_CLASS}" '
                             rf'data-table="{chapter}/{key}">(.*?)</span>', text, re.S)
            assert line, f"{md.stem}: {chapter}/{key} is not on the page"
            assert line.group(1), f"{md.stem}: {chapter}/{key} without its download"
            links = _HREF.findall(line.group(1))
            assert [Path(h).suffix for h in links] == [".csv", ".json", ".zip"], md.stem
            for href in links:
                assert (page.parent / href).resolve().is_file(), f"{md.stem}: {href}"
            shown.add((chapter, key))
    assert shown == RESULTS_TABLES
    filled = 0
    for page in built_book.rglob("*.html"):  # every page, the 日本語版 in ja/ too
        text = page.read_text(encoding="utf-8")
        spans = re.findall(rf'<span class="{LINK_CLASS}" data-table="[^"]+">(.*?)</span>',
                           text, re.S)
        assert text.count(f'class="{LINK_CLASS}"') == len(spans), page
        japanese = "ja" in page.relative_to(built_book).parts
        for span in spans:
            assert span.startswith("ダウンロード：" if japanese else "Download: "), \
                f"{page}: a table without its download line in the page's language"
            for href in _HREF.findall(span):
                assert (page.parent / href).resolve().is_file(), f"{page}: {href}"
            filled += 1
    assert filled >= 2 * len(RESULTS_TABLES)  # the English pages and the 日本語版

def test_published_kpi_table_is_the_tracker_the_chapter_computes(built_book: Path) -> None:
    folder = built_book / "downloads" / "kpi"
    meta = json.loads((folder / "kpi_table.json").read_text(encoding="utf-8"))
    tracker = kpi.tracker(load("kpis"), date.fromisoformat(meta["parameters"]["as_of"]),
                          kpi.collected_date())
    expected = kpi.reader_table(tracker).fillna("").astype(str)
    pd.testing.assert_frame_equal(_read(folder / "kpi_table.csv"), expected)
    assert meta["rows"] == len(expected)


@pytest.mark.parametrize(("chapter", "figure", "value", "heading"), [
    ("population", "map_figure", "change_pct", "増減率 Change (%)"),
    ("programmes", "fig_prefecture_map", "share_pct", "選定 Selected (%)")])
def test_published_map_tables_rank_the_mapped_prefectures(built_book: Path, chapter: str,
                                                          figure: str, value: str,
                                                          heading: str) -> None:
    folder = built_book / "downloads" / chapter
    mapped = pd.read_csv(folder / f"{figure}.csv", encoding=CSV_ENCODING,
                         dtype={"pref_code": str})
    table = pd.read_csv(folder / "map_table.csv", encoding=CSV_ENCODING)
    expected = ranked_rows(mapped, value, heading)
    assert len(table) == 47
    assert table["都道府県 Prefecture"].tolist() == expected["都道府県 Prefecture"].tolist()
    assert table[heading].tolist() == pytest.approx(expected[heading].tolist(), nan_ok=True)
    assert table[heading].dropna().is_monotonic_decreasing
    meta = json.loads((folder / "map_table.json").read_text(encoding="utf-8"))
    assert {"name": heading, "unit": "%"} in meta["columns"]


def test_published_ledger_is_the_facts_records_verdicts(built_book: Path) -> None:
    rows = _read(built_book / "downloads" / "claims" / "ledger_table.csv")
    facts = json.loads((REPO / "notebooks" / "claims.facts.json").read_text(encoding="utf-8"))
    recorded = {name: fact["value"] for name, fact in facts["facts"].items()}
    assert len(rows) == recorded["n_claims"]
    for row in rows.itertuples():
        assert row.verdict == recorded[f"verdict_{row.claim.lower()}"], row.claim


def test_chapter_zip_holds_the_table_files(built_book: Path) -> None:
    for chapter in ("claims", "kpi"):
        with zipfile.ZipFile(io.BytesIO((built_book / "downloads" / f"{chapter}.zip")
                                        .read_bytes())) as zf:
            names = {Path(n).name for n in zf.namelist()}
        assert {f"{key}{ext}" for c, key in RESULTS_TABLES if c == chapter
                for ext in (".csv", ".json")} <= names
