"""The 日本語版's search splitter: Sphinx's own words, remembered between builds."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import sphinx
from sphinx.search.ja import DefaultSplitter

from scityhelpers.book import search_ja
from scityhelpers.book.edition_ja import ja_config
from scityhelpers.paths import project_root

#: real text of the Japanese edition, and a mix of scripts and numbers as pages show them
TEXTS = ("日本の実質賃金はOECD加盟国の中で24位です。", "2050年の人口は1億470万人（IPSS 2023）",
         "デジタル田園都市国家構想の重要業績評価指標", "")


@pytest.fixture
def splitter(monkeypatch: pytest.MonkeyPatch) -> search_ja.RememberingSplitter:
    monkeypatch.setattr(search_ja, "_STATE", {})
    return search_ja.RememberingSplitter({})


def _page_texts() -> list[str]:
    page = (project_root() / "book" / "ja" / "wages.md").read_text(encoding="utf-8")
    return [line for line in page.splitlines() if line.strip()][:40]


def test_it_splits_as_sphinx_does(splitter: search_ja.RememberingSplitter) -> None:
    sphinx_own = DefaultSplitter({})
    texts = [*TEXTS, *_page_texts()]
    assert [splitter.split(text) for text in texts] == [sphinx_own.split(t) for t in texts]
    # the second time, from memory: the same words, and a caller's edit does not reach them
    again = splitter.split(TEXTS[0])
    assert again == sphinx_own.split(TEXTS[0])
    again.append("x")
    assert splitter.split(TEXTS[0]) == sphinx_own.split(TEXTS[0])


def test_a_text_split_before_is_not_split_again(splitter: search_ja.RememberingSplitter,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    split = DefaultSplitter.split

    def counting(self: DefaultSplitter, text: str) -> list[str]:
        calls.append(text)
        return split(self, text)

    monkeypatch.setattr(DefaultSplitter, "split", counting)
    for _ in range(3):
        splitter.split(TEXTS[0])
    assert calls == [TEXTS[0]]


def _app(tmp_path: Path) -> SimpleNamespace:
    return SimpleNamespace(doctreedir=str(tmp_path))


def test_words_are_kept_after_a_good_build_and_read_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_ja, "_STATE", {})
    app = _app(tmp_path)
    search_ja._load_words(app)  # nothing remembered yet
    first = search_ja.RememberingSplitter({})
    words = first.split(TEXTS[0])
    search_ja._save_words(app, None)
    saved = json.loads((tmp_path / search_ja.WORDS_FILE).read_text(encoding="utf-8"))
    assert saved == {"sphinx": sphinx.__version__, "words": {TEXTS[0]: words}}

    search_ja._load_words(app)  # the next build
    assert search_ja.RememberingSplitter({}).known == {TEXTS[0]: words}


def test_a_failed_build_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_ja, "_STATE", {})
    app = _app(tmp_path)
    search_ja._load_words(app)
    search_ja.RememberingSplitter({}).split(TEXTS[0])
    search_ja._save_words(app, RuntimeError("a warning failed the build"))
    assert not (tmp_path / search_ja.WORDS_FILE).exists()


@pytest.mark.parametrize("content", [
    "{not json", json.dumps({"sphinx": "0.0.1", "words": {"語": ["語"]}}), json.dumps([1, 2]),
    json.dumps({"sphinx": sphinx.__version__, "words": ["語"]})])
def test_unusable_words_are_split_again(tmp_path: Path, content: str) -> None:
    """Unreadable, from another Sphinx version (its splitter may differ), or not a table."""
    path = tmp_path / search_ja.WORDS_FILE
    path.write_text(content, encoding="utf-8")
    assert search_ja.read_words(path) == {}
    assert search_ja.read_words(tmp_path / "missing.json") == {}


def test_too_many_texts_keep_only_this_builds(splitter: search_ja.RememberingSplitter,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    splitter.known = {"古い文": ["古い", "文"], "別の文": ["別", "の", "文"]}
    splitter.split(TEXTS[0])
    assert set(splitter.to_keep()) == {"古い文", "別の文", TEXTS[0]}
    monkeypatch.setattr(search_ja, "MAX_TEXTS", 2)
    assert set(splitter.to_keep()) == {TEXTS[0]}


def test_the_japanese_edition_searches_with_it() -> None:
    config = ja_config(project_root())
    assert "scityhelpers.book.search_ja" in config["sphinx"]["extra_extensions"]
    options = config["sphinx"]["config"]["html_search_options"]
    assert options == {"type": search_ja.SPLITTER}
    assert search_ja.SPLITTER == "scityhelpers.book.search_ja.RememberingSplitter"


def test_the_built_edition_remembered_its_words(built_book: Path) -> None:
    from scityhelpers.book.edition_ja import STAGE_DIR
    from scityhelpers.paths import build_dir

    path = build_dir() / STAGE_DIR / "_build" / ".doctrees" / search_ja.WORDS_FILE
    words = search_ja.read_words(path)
    assert len(words) > 100
    script = (built_book / "ja" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(script.removeprefix("Search.setIndex(").removesuffix(")"))["terms"]
    # the Japanese words of the remembered texts are search terms of the published index
    japanese = {w for split in words.values() for w in split if len(w) > 1 and w >= "ぁ"}
    assert len(japanese & set(terms)) > 100
