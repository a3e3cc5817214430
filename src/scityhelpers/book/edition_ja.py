"""The Japanese edition (日本語版): parallel MyST pages, drift check and a second build.

Each English page ``book/<page>.md`` has a translation ``book/ja/<page>.md`` that glues the same
keys from the same executed notebooks (``../../notebooks/<chapter>.ipynb::key``), so both
editions show the same facts; no number is typed. The translation records, in its front
matter, the sha256 of the English text it translates (``translated_from_sha256``).
:func:`translation_problems` reports a missing translation, a glue key present in one language
only, and an English page that changed after it was translated.

The Japanese site is a second Jupyter Book build. Its source is staged in ``_build/ja-src``
with the English layout (``book/<page>.md`` + ``notebooks/``), so the notebooks' own links to
``../book/<page>`` resolve to the Japanese pages and every page has the same path in both
editions; the result is copied to ``_build/html/ja``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from scityhelpers.errors import TranslationError  # re-exported: defined in errors.py
from scityhelpers.paths import build_dir, project_root
from scityhelpers.pipeline.fetch import atomic_write, copy_if_changed
from scityhelpers.pipeline.yaml_text import load_yaml

if TYPE_CHECKING:
    from scityhelpers.book.build import RunningBuild

log = logging.getLogger(__name__)

JA_DIR = "book/ja"
STAGE_DIR = "ja-src"
#: pages generated from data (data sources, what changed): rendered in Japanese by code,
#: not hashed
GENERATED_PAGES = ("data_sources", "changes")
HASH_KEY = "translated_from_sha256"
JA_TITLE = "scity：全国のスマートシティをデータで検証する"
#: captions of the table of contents, English → Japanese
CAPTIONS = {
    "Chapters": "各章",
    "Method and data": "方法とデータ",
    "Notebooks (code and full output)": "ノートブック（コードと全出力）",
}


# --------------------------------------------------------------------------- pages and hashes
def english_pages(root: Path | None = None) -> list[str]:
    """Stems of the English prose pages in ``_toc.yml`` (``book/<stem>``), root first."""
    root = root or project_root()
    toc = load_yaml((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]] + [ch["file"] for part in toc.get("parts", [])
                            for ch in part.get("chapters", [])]
    return [doc.split("/", 1)[1] for doc in docs if doc.startswith("book/")]


def text_sha256(path: Path) -> str:
    """sha256 (hex) of a page's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a MyST page ({} when there is none)."""
    match = _FRONT.match(text)
    return (load_yaml(match.group(1)) or {}) if match else {}


_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?:\.\./)+notebooks/([\w-]+)\.ipynb::(\w+)")
_GLUE_DIRECTIVE = re.compile(r"```\{glue\}\s+(\w+)\s*\n:doc:\s*(?:\.\./)+notebooks/([\w-]+)\.ipynb")


def glue_keys(text: str) -> set[str]:
    """Every glued ``<notebook>::<key>`` a page uses (roles and figure directives)."""
    keys = {f"{nb}::{key}" for nb, key in _GLUE_ROLE.findall(text)}
    keys |= {f"{nb}::{key}" for key, nb in _GLUE_DIRECTIVE.findall(text)}
    return keys


def english_equivalent(key: str) -> str:
    """The English key a Japanese key stands for: a 万人 companion stands for its million.

    ``population::national_2050_interpolated_man`` (万人, see :mod:`scityhelpers.book.units_ja`)
    is the same fact as ``population::national_2050_interpolated_million``.
    """
    from scityhelpers.book.units_ja import MAN_SUFFIX, MILLION_SUFFIX

    return key.removesuffix(MAN_SUFFIX) + MILLION_SUFFIX if key.endswith(MAN_SUFFIX) else key


@dataclass(frozen=True)
class TranslationProblem:
    """One way a Japanese page differs from the English page it translates."""

    page: str
    problem: str


def translation_problems(root: Path | None = None) -> list[TranslationProblem]:
    """Check every English page against its translation in ``book/ja``.

    A problem is: the translation is missing; its front matter lacks ``translated_from_sha256``
    or the English page's sha256 differs (changed after translation); a glued key appears in
    one language only (a 万人 companion counts as its ``_million`` fact); a notebook's
    narrative cell or a computed phrase on a Japanese page with no current translation
    (:mod:`scityhelpers.book.notebooks_ja`).
    """
    root = root or project_root()
    problems = []
    for stem in english_pages(root):
        if stem in GENERATED_PAGES:
            continue
        english, japanese = root / "book" / f"{stem}.md", root / JA_DIR / f"{stem}.md"
        if not japanese.is_file():
            problems.append(TranslationProblem(f"{JA_DIR}/{stem}.md", "missing translation"))
            continue
        en_text, ja_text = (english.read_text(encoding="utf-8"),
                            japanese.read_text(encoding="utf-8"))
        recorded = front_matter(ja_text).get(HASH_KEY)
        if recorded != text_sha256(english):
            problems.append(TranslationProblem(
                f"{JA_DIR}/{stem}.md",
                f"translation out of date — book/{stem}.md changed after it was translated "
                f"(sha256 {text_sha256(english)[:12]}…, recorded {str(recorded)[:12]}…); update "
                f"{JA_DIR}/{stem}.md and its hash (`scity translation-hash {stem}`)"))
        en_keys = glue_keys(en_text)
        ja_keys = {english_equivalent(key) for key in glue_keys(ja_text)}
        for key in sorted(en_keys - ja_keys):
            problems.append(TranslationProblem(f"{JA_DIR}/{stem}.md",
                                               f"glue key {key} is in English only"))
        for key in sorted(ja_keys - en_keys):
            problems.append(TranslationProblem(f"{JA_DIR}/{stem}.md",
                                               f"glue key {key} is in Japanese only"))
    from scityhelpers.book.notebooks_ja import notebook_translation_problems  # cells and phrases

    return problems + notebook_translation_problems(root)


def record_hash(stem: str, root: Path | None = None) -> str:
    """Write the English page's current sha256 into its translation's front matter."""
    root = root or project_root()
    japanese = root / JA_DIR / f"{stem}.md"
    if not japanese.is_file():
        raise TranslationError(f"no translation {JA_DIR}/{stem}.md: translate book/{stem}.md "
                               "first, then record its hash")
    digest = text_sha256(root / "book" / f"{stem}.md")
    text = japanese.read_text(encoding="utf-8")
    meta = front_matter(text)
    meta.update({"translated_from": f"book/{stem}.md", HASH_KEY: digest})
    body = _FRONT.sub("", text, count=1)
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True)
    japanese.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return digest


# --------------------------------------------------------------------------- config and toc
def ja_config(root: Path) -> dict[str, Any]:
    """The Japanese ``_config.yml``: the English one with the title, language and search."""
    config = load_yaml((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = JA_TITLE
    config["html"]["extra_footer"] = (
        "<p>本文と図: <a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>。"
        "コード: MIT。データ: 各提供元のライセンス（「データの出典」を参照）。</p>")
    # search words split as Sphinx does, remembered between builds (book/search_ja.py)
    config["sphinx"]["extra_extensions"].append("scityhelpers.book.search_ja")
    sphinx = config["sphinx"]["config"]
    # myst-nb's button over a hidden code cell (only hide-input is used: the type is code)
    sphinx.update({"language": "ja", "html_search_language": "ja",
                   "html_search_options": {"type": "scityhelpers.book.search_ja."
                                                   "RememberingSplitter"},
                   "numfig_format": {"figure": "図%s", "table": "表%s"},
                   "nb_code_prompt_show": "コードを表示", "nb_code_prompt_hide": "コードを隠す"})
    return config


def ja_toc(root: Path) -> dict[str, Any]:
    """The Japanese ``_toc.yml``: the English one with translated part captions."""
    toc = load_yaml((root / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        part["caption"] = CAPTIONS.get(part["caption"], part["caption"])
    return toc


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, [text.encode("utf-8")])


def write_ja_config(root: Path) -> None:
    """Write ``book/ja/_config.yml`` and ``book/ja/_toc.yml`` (generated; do not edit)."""
    note = "# Generated from the English file by scityhelpers.book.edition_ja; do not edit.\n"
    for name, data in (("_config.yml", ja_config(root)), ("_toc.yml", ja_toc(root))):
        text = note + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        _write_if_changed(root / JA_DIR / name, text)


def data_sources_markdown_ja() -> str:
    """The data-sources page in Japanese: the English page's tables under a Japanese head."""
    from scityhelpers.book.data_sources_page import data_sources_markdown
    from scityhelpers.pipeline.manifest import load_manifest

    sources = load_manifest()
    english = data_sources_markdown()
    body = english[english.index("\n## "):]  # the per-source sections (names as published)
    n_files = sum(len(s.files) for s in sources.values())
    head = ("# データの出典\n\n"
            "`data/manifest.yml` から `scity build` が生成するページです"
            "（手で編集しないでください）。"
            "すべての原データは解析の前に sha256 で照合されます（`scity data verify`）。"
            "ファイル名は取得元の公式エンドポイントにリンクしています。各出典の説明は英語版と同じ"
            "（提供元の表記のまま）です。\n\n"
            f"出典 {len(sources)} 件、原データ {n_files} ファイル。\n")
    return head + body


# --------------------------------------------------------------------------- staging and build
_NOTEBOOK_PATH = re.compile(r"\.\./\.\./notebooks/")


_CJK = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"
_ENDS_JOINABLE = re.compile(f"[{_CJK}`]$")
#: not a line starting with ``**``: joined after a Japanese word it would stop opening bold
_STARTS_JOINABLE = re.compile(f"^(?:[{_CJK}]|\\{{glue:text\\}})")


def join_cjk_lines(text: str) -> str:
    """Join a paragraph's source lines where a line break falls between Japanese words.

    A browser draws a source line break as a space, which is wrong inside a Japanese
    sentence. Lines are joined only outside code fences, never after a heading or a
    directive option, and only when the next line starts (flush, or indented as a list item's
    continuation) with Japanese text or a glue role (a new list item or a block never does).
    """
    lines: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
            lines.append(line)
            continue
        previous = lines[-1] if lines else ""
        stripped = line.lstrip(" ")  # a list item's continuation line is indented
        if (not in_fence and previous and not previous.lstrip(" ").startswith(("#", ":", "```"))
                and _ENDS_JOINABLE.search(previous) and _STARTS_JOINABLE.match(stripped)):
            lines[-1] = previous + stripped
        else:
            lines.append(line)
    return "\n".join(lines)


def staged_page(text: str) -> str:
    """A ``book/ja`` page as staged at ``book/`` (notebooks one level up, lines joined)."""
    return join_cjk_lines(_NOTEBOOK_PATH.sub("../notebooks/", text))


UNTRANSLATED_NOTICE = (":::{admonition} 未翻訳\n:class: warning\n"
                       "このページはまだ日本語に翻訳されていないため、英語のまま表示しています"
                       "（数値は英語版と同じ）。\n:::\n")


def untranslated_page(english: str) -> str:
    """A page with no translation yet: the English text under a 未翻訳 notice.

    The Japanese edition stays complete and builds; ``scity translation-check`` and the test
    suite still fail on the missing translation.
    """
    title, _, body = english.partition("\n")
    # the Japanese site sits one folder deeper than the CSV downloads
    body = body.replace('href="../data/', 'href="../../data/')
    return f"{title}\n\n{UNTRANSLATED_NOTICE}{body}"


def staged_text(root: Path, stem: str) -> str:
    """The Japanese source of page ``stem``: generated, translated, or English under 未翻訳."""
    japanese = root / JA_DIR / f"{stem}.md"
    if stem == "data_sources":
        return data_sources_markdown_ja()
    if stem == "changes":
        from scityhelpers.book.change_report import changes_page_markdown, read_changes

        return changes_page_markdown(read_changes(), language="ja")
    if japanese.is_file():
        return staged_page(japanese.read_text(encoding="utf-8"))
    return untranslated_page((root / "book" / f"{stem}.md").read_text(encoding="utf-8"))


def stage_source(root: Path, stage: Path) -> None:
    """Lay out the Japanese source in ``stage`` with the English paths (unchanged files kept)."""
    write_ja_config(root)
    for name in ("_config.yml", "_toc.yml"):
        copy_if_changed(root / JA_DIR / name, stage / name)
    if (root / "CITATION.cff").is_file():  # the {{ book_citation }} substitution reads it
        copy_if_changed(root / "CITATION.cff", stage / "CITATION.cff")
    for stem in english_pages(root):
        _write_if_changed(stage / "book" / f"{stem}.md", staged_text(root, stem))
    for path in sorted((root / "book").glob("*.bib")):
        copy_if_changed(path, stage / "book" / path.name)
    for path in sorted((root / "book" / "_static").rglob("*")):
        if path.is_file():
            copy_if_changed(path, stage / "book" / "_static" / path.relative_to(
                root / "book" / "_static"))
    from scityhelpers.book.notebooks_ja import stage_notebooks  # translated narrative and phrases

    stage_notebooks(root, stage)


def start_ja_sphinx(builder: str = "html") -> RunningBuild:
    """Stage the Japanese source and start its Sphinx build in the background.

    Its Sphinx cache (``_build/ja-src/_build``) is discarded if the build fails.
    """
    from scityhelpers.book.build import start_jupyter_book, touch_pages_with_new_glue

    root = project_root()
    stage = build_dir() / STAGE_DIR
    stage_source(root, stage)
    touch_pages_with_new_glue(stage, stage / "_build" / builder)
    return start_jupyter_book(stage, builder, cache=stage / "_build")


def build_ja(*, builder: str = "html", running: RunningBuild | None = None) -> Path:
    """Build the Japanese edition; for HTML, publish it to ``_build/html/ja``.

    A missing or out-of-date translation does not stop the build (a missing page is shown in
    English under a 未翻訳 notice; every number is glued either way); it is logged, and
    ``scity translation-check`` and the test suite fail on it.

    Raises:
        BookBuildError: the Sphinx build failed (``-W``) or a built page has problems.
    """
    from scityhelpers.book.build import BookBuildError
    from scityhelpers.book.page_checks import PageProblem, broken_internal_links, check_built_book

    root = project_root()
    problems = translation_problems(root)
    listed = "\n".join(f"  - {p.page}: {p.problem}" for p in problems)
    if problems:  # the build still shows the right numbers; the drift test fails in CI
        log.warning("the Japanese edition is not in step with the English:\n%s", listed)
    stage = build_dir() / STAGE_DIR
    started = time.monotonic()
    running = running or start_ja_sphinx(builder)  # `scity build` starts it earlier
    out = stage / "_build" / builder
    target = build_dir() / "html" / "ja"
    try:
        running.wait()
    except BookBuildError as error:
        _forget_english_stamp()
        raise BookBuildError(f"the Japanese edition did not build: {error}\n"
                             f"{_unchanged_note_ja(target)}") from error
    log.info("Japanese %s build took %.1f s", builder, time.monotonic() - started)
    if builder != "html":
        return out
    staging = build_dir() / "html" / ".ja-new"
    copy_built_edition(out, staging, target)
    from scityhelpers.book.figure_export import add_links_under_figures, figure_files_by_hash
    from scityhelpers.book.table_export import add_links_under_tables  # the English site's files

    add_links_under_figures(staging, figure_files_by_hash(), site_root=build_dir() / "html",
                            language="ja")
    add_links_under_tables(staging, site_root=build_dir() / "html", language="ja")
    from scityhelpers.book.pdf import copy_pdfs_into_site  # the download menus open them

    copy_pdfs_into_site()
    # checked beside the English site (same depth as ja/, so its links resolve as they will)
    # before it replaces the published one: a failed build leaves the last good edition
    problems = check_built_book_ja(stage, staging, check_built_book)
    problems += [PageProblem(page, f"broken link to {link}")
                 for page, link in broken_internal_links(staging)]
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        _forget_english_stamp()
        listed = "\n".join(f"  - ja/{p.page}: {p.problem}" for p in problems)
        raise BookBuildError(f"the built Japanese edition has problems:\n{listed}\n"
                             f"{_unchanged_note_ja(target)}")
    previous = build_dir() / "html" / ".ja-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(staging, target)
    shutil.rmtree(previous, ignore_errors=True)
    return target / "index.html"


def copy_built_edition(out: Path, staging: Path, published: Path) -> None:
    """Copy the Japanese Sphinx output ``out`` to ``staging``, where links are added and checked.

    A file the published edition holds unchanged is hard-linked from it, never from ``out``
    (the next Sphinx build writes there in place); the pages that get links are rewritten
    whole, so the live edition cannot change through a link.
    """
    from scityhelpers.book.build import copy_or_link_published

    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(out, staging, copy_function=copy_or_link_published(out, published))


def _unchanged_note_ja(target: Path) -> str:
    if (target / "index.html").is_file():
        return (f"The English site was published; {target} still holds the last good "
                "Japanese edition, unchanged.")
    return f"The English site was published; {target} has no previous Japanese edition."


def _forget_english_stamp() -> None:
    """Make the next ``scity build`` rebuild (it skips when the English inputs are unchanged)."""
    from scityhelpers.book.build import BUILD_DIGEST_FILE

    (build_dir() / BUILD_DIGEST_FILE).unlink(missing_ok=True)


def check_built_book_ja(stage: Path, html_dir: Path, check: Any) -> list[Any]:
    """The English page checks, run on the Japanese site, plus its counterparts in English."""
    from scityhelpers.book.page_checks import PageProblem

    previous = os.environ.get("SCITY_ROOT")
    os.environ["SCITY_ROOT"] = str(stage)
    try:  # the glued values shown are checked by the Sphinx build (sphinxext)
        problems = list(check(html_dir))
    finally:
        if previous is None:
            os.environ.pop("SCITY_ROOT", None)
        else:
            os.environ["SCITY_ROOT"] = previous
    english = html_dir.parent
    for page in sorted(html_dir.rglob("*.html")):
        relative = page.relative_to(html_dir)
        if relative.parts[0] in ("book", "notebooks") and not (english / relative).is_file():
            problems.append(PageProblem(relative.as_posix(), "has no English counterpart"))
        if relative.parts[0] == "_static":
            continue
        for opened in set(_SCRIPT_TARGET.findall(page.read_text(encoding="utf-8"))):
            if not (page.parent / opened).resolve().is_file():
                problems.append(PageProblem(relative.as_posix(), f"its button opens {opened}, "
                                            "which is not there"))
    return problems


#: what the header's script buttons open (the language switch, the PDF editions)
_SCRIPT_TARGET = re.compile(r"window\.(?:location\.href=|open\()'([^']+)'")
