"""The Japanese edition stays in step with the English one (translation drift is a failure).

The drift checks run on temporary copies of the real pages, so they prove the check fails
when a key or a translation is removed, or when an English page changes after translation.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from scityhelpers.book.edition_ja import (
    GENERATED_PAGES,
    HASH_KEY,
    english_pages,
    front_matter,
    glue_keys,
    record_hash,
    translation_problems,
)
from scityhelpers.book.page_checks import glue_values

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A copy of the toc and every English and Japanese page."""
    shutil.copy(REPO / "_toc.yml", tmp_path / "_toc.yml")
    (tmp_path / "book" / "ja").mkdir(parents=True)
    for page in (REPO / "book").glob("*.md"):
        shutil.copy(page, tmp_path / "book" / page.name)
    for page in (REPO / "book" / "ja").glob("*.md"):
        shutil.copy(page, tmp_path / "book" / "ja" / page.name)
    return tmp_path


def test_the_committed_translation_is_in_step_with_the_english() -> None:
    problems = translation_problems(REPO)
    assert problems == [], "\n".join(f"{p.page}: {p.problem}" for p in problems)


def test_every_translation_records_the_hash_of_its_english_page() -> None:
    for stem in english_pages(REPO):
        if stem in GENERATED_PAGES:  # generated from data in both languages
            continue
        meta = front_matter((REPO / "book" / "ja" / f"{stem}.md").read_text(encoding="utf-8"))
        assert re.fullmatch(r"[0-9a-f]{64}", meta[HASH_KEY]), stem
        assert meta["translated_from"] == f"book/{stem}.md"


def test_glue_keys_reads_roles_and_figure_directives() -> None:
    text = ("{glue:text}`../../notebooks/wages.ipynb::japan_rank:d` and\n"
            "```{glue} ranking_figure\n:doc: ../notebooks/wages.ipynb\n```\n")
    assert glue_keys(text) == {"wages::japan_rank", "wages::ranking_figure"}


def test_a_key_removed_from_the_translation_fails(pages: Path) -> None:
    assert translation_problems(pages) == []
    page = pages / "book" / "ja" / "wages.md"
    text = page.read_text(encoding="utf-8")
    role = "{glue:text}`../../notebooks/wages.ipynb::korea_rank:d`"
    assert role in text
    page.write_text(text.replace(role, "19"), encoding="utf-8")
    problems = translation_problems(pages)
    assert [(p.page, p.problem) for p in problems] == [
        ("book/ja/wages.md", "glue key wages::korea_rank is in English only")]


def test_a_key_only_in_japanese_fails(pages: Path) -> None:
    page = pages / "book" / "ja" / "claims.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\n{glue:text}`../../notebooks/wages.ipynb::oecd_wage:,.0f`\n",
                    encoding="utf-8")
    assert [p.problem for p in translation_problems(pages)] == [
        "glue key wages::oecd_wage is in Japanese only"]


def test_a_man_companion_counts_as_its_million_fact(pages: Path) -> None:
    """population.md (ja) glues national_2050_interpolated_man for the English _million."""
    page = pages / "book" / "ja" / "population.md"
    text = page.read_text(encoding="utf-8")
    assert "::national_2050_interpolated_man:" in text
    assert translation_problems(pages) == []
    # a companion whose million fact the English page does not use is a Japanese-only key
    role = "{glue:text}`../../notebooks/claims.ipynb::corridor_population_man:,.0f`"
    page.write_text(f"{text}\n{role}\n", encoding="utf-8")
    assert [p.problem for p in translation_problems(pages)] == [
        "glue key claims::corridor_population_million is in Japanese only"]


def test_a_removed_translation_fails(pages: Path) -> None:
    (pages / "book" / "ja" / "population.md").unlink()
    assert [(p.page, p.problem) for p in translation_problems(pages)] == [
        ("book/ja/population.md", "missing translation")]


def test_an_english_page_changed_after_translation_fails(pages: Path) -> None:
    english = pages / "book" / "kpi.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                       encoding="utf-8")
    problems = translation_problems(pages)
    assert len(problems) == 1
    assert problems[0].page == "book/ja/kpi.md"
    assert "translation out of date" in problems[0].problem
    # recording the new hash (after updating the translation) clears it
    record_hash("kpi", pages)
    assert translation_problems(pages) == []


# --------------------------------------------------------------------------- built editions
_PASTED = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


_MILLION_ROLE = re.compile(r"\{glue:text\}`\.\./notebooks/([\w-]+)\.ipynb::(\w+_million):([^`]*)`")


@pytest.mark.book
@pytest.mark.parametrize("page", ["wages", "population", "claims"])
def test_japanese_page_shows_the_english_pages_glued_values(built_book: Path,
                                                            page: str) -> None:
    """Every value the English page shows, the Japanese page shows too (same facts), except
    head counts in millions, which it shows in 万人: the same recorded value × 100, and
    computed phrases, which it shows as their Japanese from book/ja/phrases.csv."""
    from myst_nb.core.variables import format_plain_text

    from scityhelpers.book.notebooks_ja import load_phrases, translate_phrase

    phrases = load_phrases(REPO)
    english = built_book / "book" / f"{page}.html"
    japanese = built_book / "ja" / "book" / f"{page}.html"
    shown_en = {translate_phrase(html.unescape(text), phrases) or html.unescape(text)
                for text in _PASTED.findall(english.read_text(encoding="utf-8"))}
    shown_ja = {html.unescape(text)
                for text in _PASTED.findall(japanese.read_text(encoding="utf-8"))}
    assert len(shown_en) >= 5
    ja_source = (REPO / "book" / "ja" / f"{page}.md").read_text(encoding="utf-8")
    in_man = set()
    for notebook, key, fmt in _MILLION_ROLE.findall(
            (REPO / "book" / f"{page}.md").read_text(encoding="utf-8")):
        companion = key.removesuffix("_million") + "_man"
        if f"::{companion}:" not in ja_source:
            continue
        values = glue_values(REPO / "notebooks" / f"{notebook}.ipynb")
        in_man.add(format_plain_text(values[key], fmt))
        assert float(values[companion]) == pytest.approx(float(values[key]) * 100)
        assert f"{float(values[companion]):,.0f}" in shown_ja
    if page in ("population", "claims"):
        assert in_man, "the Japanese page should give head counts in 万人"
    assert shown_en - in_man <= shown_ja


@pytest.mark.book
def test_japanese_wages_page_shows_japans_rank_from_the_notebook(built_book: Path) -> None:
    rank = glue_values(REPO / "notebooks" / "wages.ipynb")["briefing_japan_rank"]
    text = (built_book / "ja" / "book" / "wages.html").read_text(encoding="utf-8")
    assert f'<span class="pasted-text">{rank}</span>\n位' in text or \
        f'<span class="pasted-text">{rank}</span>位' in text
    assert '<html lang="ja"' in text


@pytest.mark.book
def test_japanese_pages_have_no_unrendered_markup(built_book: Path) -> None:
    """CommonMark emphasis next to CJK punctuation silently fails; no ``**`` may survive."""
    from scityhelpers.book.page_checks import page_text

    for page in sorted((built_book / "ja" / "book").glob("*.html")):
        assert "**" not in page_text(page), page.name


def test_an_untranslated_page_is_the_english_text_under_a_notice() -> None:
    from scityhelpers.book.edition_ja import UNTRANSLATED_NOTICE, untranslated_page

    english = (REPO / "book" / "kpi.md").read_text(encoding="utf-8")
    staged = untranslated_page(english)
    assert staged.startswith("# Digital Garden City KPIs")
    assert UNTRANSLATED_NOTICE in staged
    assert glue_keys(staged) == glue_keys(english)  # the same numbers, glued
    assert 'href="../../data/kpis.csv"' in staged


def test_the_japanese_changes_page_lists_the_same_rows_under_japanese_headings() -> None:
    from scityhelpers.book.change_report import changes_page_markdown

    changes = [{"kind": "verdict", "chapter": "claims", "name": "verdict_c1",
                "before": "holds", "after": "does not hold", "unit": "verdict"},
               {"kind": "raw", "chapter": "ipss", "name": "national.xlsx",
                "before": "a" * 64, "after": "b" * 64, "unit": "sha256"}]
    english = changes_page_markdown(changes)
    japanese = changes_page_markdown(changes, language="ja")
    assert japanese.startswith("# この版で変わったこと")
    assert "## 判定が変わった主張" in japanese
    assert "## sha256 が変わった原データ" in japanese
    assert "| 出典 | 名前 | 前の版 | この版 | 単位 |" in japanese
    rows = [line for line in english.splitlines() if line.startswith("| claims") or
            line.startswith("| ipss")]
    assert len(rows) == 2
    assert all(row in japanese for row in rows)
    assert "変更はありません" in changes_page_markdown([], language="ja")


def test_list_item_continuation_lines_join_to_japanese_without_a_space() -> None:
    from scityhelpers.book.edition_ja import join_cjk_lines

    text = ("- **判定。** 成り立つ\n  {glue:text}`../notebooks/claims.ipynb::n_holds:d`件、\n"
            "  検証できない件数。\n  - 入れ子の項目\n```{glue} fig\n:doc: x\n```\n")
    assert join_cjk_lines(text) == (
        "- **判定。** 成り立つ{glue:text}`../notebooks/claims.ipynb::n_holds:d`件、"
        "検証できない件数。\n  - 入れ子の項目\n```{glue} fig\n:doc: x\n```\n")
