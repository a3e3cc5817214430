"""The notebooks of the Japanese edition: translated narrative cells and computed phrases.

The drift checks run on temporary copies of the real notebook, translations and phrase table,
so they prove the check fails when a cell translation is removed or out of date, and when a
Japanese page glues a phrase the table cannot translate.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from scityhelpers.book.notebook_files import cell_source
from scityhelpers.book.notebooks_ja import (
    CELLS_DIR,
    PHRASES_FILE,
    cell_sha256,
    cell_translations,
    japanese_notebook,
    load_phrases,
    notebook_translation_problems,
    read_notebook,
    record_cell_hashes,
    stage_notebooks,
    text_fact_names,
    translate_phrase,
    translate_table,
)
from scityhelpers.book.page_checks import glue_values

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The toc, the wages notebook, its cell translations, the phrase table, the ja pages."""
    shutil.copy(REPO / "_toc.yml", tmp_path / "_toc.yml")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "wages.ipynb", tmp_path / "notebooks" / "wages.ipynb")
    (tmp_path / CELLS_DIR).mkdir(parents=True)
    shutil.copy(REPO / CELLS_DIR / "wages.yml", tmp_path / CELLS_DIR / "wages.yml")
    shutil.copy(REPO / PHRASES_FILE, tmp_path / PHRASES_FILE)
    shutil.copy(REPO / "book" / "ja" / "wages.md", tmp_path / "book" / "ja" / "wages.md")
    return tmp_path


def _problems(root: Path) -> list[tuple[str, str]]:
    return [(p.page, p.problem) for p in notebook_translation_problems(root)]


def test_the_committed_notebook_translations_are_in_step() -> None:
    assert _problems(REPO) == []


def test_every_narrative_cell_of_every_notebook_has_a_japanese_translation() -> None:
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        translations = cell_translations(REPO, path.stem)
        assert translations is not None, path.stem
        for cell in read_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                ja = translations[cell["id"]].ja
                assert re.search("[\u3040-\u30ff]", ja), (path.stem, cell["id"])  # kana


def test_a_removed_cell_translation_fails(project: Path) -> None:
    assert _problems(project) == []
    path = project / CELLS_DIR / "wages.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    removed = data["cells"].pop(2)["id"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _problems(project) == [(f"{CELLS_DIR}/wages.yml",
                                   f"cell {removed} has no translation")]


def test_a_missing_translation_file_fails(project: Path) -> None:
    (project / CELLS_DIR / "wages.yml").unlink()
    assert _problems(project) == [(f"{CELLS_DIR}/wages.yml", "missing translation of "
                                   "notebooks/wages.ipynb's narrative cells")]


def test_an_english_cell_changed_after_translation_fails(project: Path) -> None:
    path = project / "notebooks" / "wages.ipynb"
    notebook = read_notebook(path)
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    cell["source"] = cell_source(cell) + "\nOne more sentence."
    path.write_text(json.dumps(notebook), encoding="utf-8")
    problems = _problems(project)
    assert len(problems) == 1
    assert problems[0][1].startswith(f"cell {cell['id']} changed after it was translated")
    # recording the new sha256 (after updating the Japanese) clears it
    assert record_cell_hashes("wages", [cell["id"]], root=project) == [cell["id"]]
    assert cell_translations(project, "wages")[cell["id"]].sha256 == \
        cell_sha256(cell_source(cell))
    assert _problems(project) == []


@pytest.mark.parametrize("edited", ["notebook", "cells", "phrases"])
def test_a_staged_notebook_is_translated_again_only_when_an_input_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch, edited: str) -> None:
    from scityhelpers.book import notebooks_ja

    stage = project / "_build" / "ja-src"
    stage_notebooks(project, stage)
    staged = stage / "notebooks" / "wages.ipynb"
    first = staged.read_bytes()
    assert "賃金" in first.decode("utf-8")
    translated: list[int] = []
    real = notebooks_ja.japanese_notebook
    monkeypatch.setattr(notebooks_ja, "japanese_notebook",
                        lambda *args: translated.append(1) or real(*args))
    stage_notebooks(project, stage)  # nothing changed: not even read again
    assert translated == []
    assert staged.read_bytes() == first
    source = {"notebook": project / "notebooks" / "wages.ipynb",
              "cells": project / CELLS_DIR / "wages.yml",
              "phrases": project / PHRASES_FILE}[edited]
    if edited == "notebook":  # the English text of the first markdown cell, translated anew
        notebook = read_notebook(source)
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
        cell["source"] = cell_source(cell) + "\nOne more sentence."
        source.write_text(json.dumps(notebook), encoding="utf-8")
    elif edited == "cells":
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["cells"][0]["ja"] += "\n追加の一文。"
        source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    else:
        source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stage_notebooks(project, stage)
    assert translated == [1]
    if edited == "cells":
        assert "追加の一文。" in staged.read_text(encoding="utf-8")


def test_recording_a_hash_of_an_untranslated_cell_is_refused(project: Path) -> None:
    from scityhelpers.errors import TranslationError

    with pytest.raises(TranslationError, match=r"cells \['no-such-cell'\]"):
        record_cell_hashes("wages", ["no-such-cell"], root=project)


def test_a_phrase_with_no_japanese_entry_fails(project: Path) -> None:
    table = project / PHRASES_FILE
    lines = table.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "the claim of a flat wage holds" not in line]
    assert len(kept) == len(lines) - 1
    table.write_text("\n".join(kept) + "\n", encoding="utf-8")
    problems = _problems(project)
    assert len(problems) == 1
    page, problem = problems[0]
    assert page == "book/ja/wages.md"
    assert problem.startswith("wages::japan_flat_verdict shows \"yes: the interval includes zero")
    assert problem.endswith(f"which has no Japanese entry in {PHRASES_FILE}")


# --------------------------------------------------------------------------- the phrase table
PHRASES = {"holds": "成り立つ", "below": "下", "Fixed broadband": "固定ブロードバンド",
           "Internet users": "インターネット利用者", "FY{n}": "{n}年度",
           "Japan and Korea both sit {w} the line": "日本と韓国はどちらも線より{w}にある",
           "{w} {n1} (95% CI {n2} to {n3})": "{w} {n1}（95%信頼区間 {n2}～{n3}）",
           "面積 log area (km², 2015)": "面積（km²、2015年、対数）"}


def test_a_placeholder_carries_the_number_over_and_translates_words() -> None:
    assert translate_phrase("FY2025", PHRASES) == "2025年度"
    assert translate_phrase("Japan and Korea both sit below the line", PHRASES) == \
        "日本と韓国はどちらも線より下にある"
    assert translate_phrase("Fixed broadband +0.034 (95% CI -0.001 to +0.068)", PHRASES) == \
        "固定ブロードバンド +0.034（95%信頼区間 -0.001～+0.068）"


def test_a_list_is_translated_item_by_item_outside_parentheses() -> None:
    assert translate_phrase("Internet users, Fixed broadband", PHRASES) == \
        "インターネット利用者、固定ブロードバンド"
    assert translate_phrase("1, 2, 3, 5 and 6", PHRASES) == "1、2、3、5、6"
    assert translate_phrase("面積 log area (km², 2015); holds", PHRASES) == \
        "面積（km²、2015年、対数）；成り立つ"


def test_neutral_values_stay_and_unknown_words_have_no_translation() -> None:
    for neutral in ("2024-04-01", "K01, K02, K07", "DEU, FRA, GBR", "秋田県", "12/24"):
        assert translate_phrase(neutral, PHRASES) == neutral
    assert translate_phrase("holds as a round number", PHRASES) is None
    assert translate_phrase("Internet users, Mobile subscriptions", PHRASES) is None
    assert translate_phrase("Japan and Korea both sit beside the line", PHRASES) is None


def test_a_tables_headers_and_verdicts_are_translated_and_the_rest_kept() -> None:
    table = ('<table><thead><tr><th scope="col">Verdict</th><th scope="col">Why</th></tr>'
             '</thead><tbody><tr><td><span class="verdict verdict-holds">holds</span></td>'
             "<td>all equal: Japan rank 25</td></tr></tbody></table>")
    out = translate_table(table, {"Verdict": "判定", "holds": "成り立つ"})
    assert '<th scope="col">判定</th>' in out
    assert '<th scope="col">Why</th>' in out  # no entry: kept
    assert '<span class="verdict verdict-holds">成り立つ</span>' in out
    assert "<td>all equal: Japan rank 25</td>" in out
    out = translate_table(table, {"all equal: {w}": "すべて一致：{w}",
                                  "Japan rank {n}": "日本の順位 {n}"})
    assert "<td>すべて一致：日本の順位 25</td>" in out


# --------------------------------------------------------------------------- staging
def test_the_japanese_notebook_changes_narrative_and_phrases_only() -> None:
    """Code cells and every number stay those of the one executed notebook."""
    path = REPO / "notebooks" / "wages.ipynb"
    english = read_notebook(path)
    japanese = japanese_notebook(english, cell_translations(REPO, "wages") or {},
                                 load_phrases(REPO))
    assert len(japanese["cells"]) == len(english["cells"])
    for en_cell, ja_cell in zip(english["cells"], japanese["cells"], strict=True):
        if en_cell["cell_type"] == "markdown":
            assert cell_source(ja_cell) != cell_source(en_cell)
        else:
            assert ja_cell["source"] == en_cell["source"]
    assert cell_source(japanese["cells"][0]).startswith("# 賃金と生産性：計算")
    staged = Path(__file__).parent / ".ja-wages.ipynb"
    try:
        staged.write_text(json.dumps(japanese, ensure_ascii=False), encoding="utf-8")
        en_values, ja_values = glue_values(path), glue_values(staged)
    finally:
        staged.unlink(missing_ok=True)
    texts = text_fact_names(english)
    assert en_values.keys() == ja_values.keys()
    assert {k: v for k, v in en_values.items() if k not in texts} == \
        {k: v for k, v in ja_values.items() if k not in texts}
    assert en_values["japan_flat_verdict"].startswith("yes:")
    assert ja_values["japan_flat_verdict"].startswith("はい：")


# --------------------------------------------------------------------------- built edition
@pytest.mark.book
def test_japanese_notebook_pages_show_japanese_narrative(built_book: Path) -> None:
    from scityhelpers.book.page_checks import page_text

    for chapter, heading in (("wages", "賃金と生産性：計算"), ("claims", "主張の検証台帳：計算")):
        text = page_text(built_book / "ja" / "notebooks" / f"{chapter}.html")
        assert heading in text
        assert "This notebook" not in text
        english = page_text(built_book / "notebooks" / f"{chapter}.html")
        assert "This notebook" in english
        # the button over a hidden code cell (myst-nb's prompt) is Japanese too
        raw = (built_book / "ja" / "notebooks" / f"{chapter}.html").read_text(encoding="utf-8")
        assert "コードを表示" in raw
        assert "Show code cell" not in raw


@pytest.mark.book
def test_japanese_claims_ledger_shows_japanese_headers_and_verdicts(built_book: Path) -> None:
    text = (built_book / "ja" / "book" / "claims.html").read_text(encoding="utf-8")
    verdicts = re.findall(r'<span class="verdict[^"]*">(.*?)</span>', text)
    assert len(verdicts) == 13
    assert set(verdicts) <= {"成り立つ", "おおむね成り立つ", "成り立たない", "検証できない",
                             "検証可能な事実ではない"}
    assert '<th scope="col">判定</th>' in text
    english = (built_book / "book" / "claims.html").read_text(encoding="utf-8")
    phrases = load_phrases(REPO)
    assert [translate_phrase(v, phrases) for v in
            re.findall(r'<span class="verdict[^"]*">(.*?)</span>', english)] == verdicts
    # every text cell (claim, figures, recomputed, why, vintage): the English cell's Japanese
    cells_en = [html.unescape(c) for c in re.findall(r"<td>([^<]*)</td>", english)]
    cells_ja = [html.unescape(c) for c in re.findall(r"<td>([^<]*)</td>", text)]
    assert len(cells_ja) == len(cells_en) == 13 * 5
    assert cells_ja == [translate_phrase(c, phrases) for c in cells_en]
    assert "日本の平均賃金は" in cells_ja[3 * 5]  # C4's claim


#: unit wordings that carry a 1 in Japanese but no digit in English ("per hour", "per SD")
UNIT_WORDS = re.compile(r"1(?:標準偏差|時間当たり|人当たり)")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SLOT = re.compile(r"\{(\w+)(?::man)?\}")


def test_the_phrase_table_types_no_number_of_its_own() -> None:
    """Numbers reach a Japanese phrase through placeholders; the Japanese side may repeat a
    number the English wording itself holds (5G, 1 km), never add one."""
    from collections import Counter

    for english, japanese in load_phrases(REPO).items():
        en = Counter(_DIGITS.findall(_SLOT.sub(" ", english)))
        ja = Counter(_DIGITS.findall(UNIT_WORDS.sub(" ", _SLOT.sub(" ", japanese))))
        assert not ja - en, (english, japanese)
        assert set(_SLOT.findall(japanese)) == set(_SLOT.findall(english)), english


@pytest.mark.parametrize(("millions", "japanese"), [
    ("104.7", "1億470万"), ("100", "1億"), ("73", "7,300万"), ("99.65", "9,965万"),
    ("104.686", "1億468.6万"), ("1,833.2", "18億3,320万"), ("-0.6", "-60万")])
def test_millions_are_written_in_man_and_oku(millions: str, japanese: str) -> None:
    from scityhelpers.book.units_ja import man_text

    assert man_text(millions) == japanese


def test_a_man_slot_writes_the_english_millions_in_man() -> None:
    phrases = {"about {n1} million in {n2}": "{n2}年に約{n1:man}人"}
    assert translate_phrase("about 100 million in 2050", phrases) == "2050年に約1億人"
