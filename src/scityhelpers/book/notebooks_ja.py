"""The notebooks of the Japanese edition: translated narrative cells and computed phrases.

The Japanese edition shows the same executed notebooks as the English one; nothing is run
twice. When the Japanese source is staged, each notebook is written with

* its markdown (narrative) cells replaced by their translations, kept per notebook in
  ``book/ja/notebooks/<chapter>.yml`` (cell id, the sha256 of the English cell source it
  translates, the Japanese text); code cells and their outputs are untouched;
* the glued outputs of its ``text`` facts (verdicts, lists of measures, notes) replaced by their
  Japanese phrases from ``book/ja/phrases.csv``, and the headers and verdicts of the glued HTML
  tables in :data:`HTML_TABLES` likewise.

A phrase entry may hold placeholders: ``{n1}`` stands for a number, ``{w}`` for any words; the
part is carried over (translated itself when it is words), so the table types no number; a
Japanese ``{n1:man}`` writes a number of millions in 万/億 (104.7 million → 1億470万人). A
phrase with no entry is split as a list (``; ``, ``, ``, `` and ``) and its items are
translated one by one. :func:`notebook_translation_problems` lists every narrative cell with no
translation or an out-of-date one, and every computed phrase a Japanese page shows that has no
Japanese entry; ``scity translation-check`` fails on them.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scityhelpers.book.edition_ja import (
    JA_DIR,
    TranslationProblem,
    _write_if_changed,
    glue_keys,
    join_cjk_lines,
    text_sha256,
)
from scityhelpers.book.notebook_files import cell_source
from scityhelpers.pipeline.yaml_text import load_yaml

log = logging.getLogger(__name__)

CELLS_DIR = f"{JA_DIR}/notebooks"
PHRASES_FILE = f"{JA_DIR}/phrases.csv"
GLUE_RECORD = "application/papermill.record/text/plain"
GLUE_HTML = "application/papermill.record/text/html"
#: glued HTML tables whose column headers and verdict labels are translated
HTML_TABLES = ("ledger_table",)
#: list separators of computed phrases, English → Japanese, outermost first
LIST_SEPARATORS = (("; ", "；"), (", ", "、"), (" and ", "、"))
#: codes that read the same in both languages (ISO country codes, KPI ids such as K01)
_CODE = re.compile(r"\b[A-Z]{1,3}\d{0,2}\b")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]+`")


# --------------------------------------------------------------------------- narrative cells
def cell_sha256(source: str) -> str:
    """sha256 (hex) of a cell's source text (UTF-8)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def toc_notebooks(root: Path) -> list[str]:
    """Chapters whose notebook the table of contents lists (``notebooks/<chapter>``)."""
    toc = load_yaml((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    return [doc.split("/", 1)[1] for doc in docs if doc.startswith("notebooks/")]


@dataclass(frozen=True)
class CellTranslation:
    """The Japanese text of one narrative cell and the sha256 of the English it translates."""

    sha256: str
    ja: str


def cell_translations(root: Path, chapter: str) -> dict[str, CellTranslation] | None:
    """Cell id → translation from ``book/ja/notebooks/<chapter>.yml`` (None: no such file)."""
    path = root / CELLS_DIR / f"{chapter}.yml"
    if not path.is_file():
        return None
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    return {str(cell["id"]): CellTranslation(str(cell.get("sha256") or ""), str(cell["ja"]))
            for cell in data.get("cells", [])}


class _Block(str):
    """A string written as a YAML literal block (``|``), so a translation reads as MyST."""


def _block(dumper: yaml.SafeDumper, text: _Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")


yaml.add_representer(_Block, _block, Dumper=yaml.SafeDumper)


def write_cell_translations(root: Path, chapter: str,
                            cells: dict[str, CellTranslation]) -> None:
    """Write ``book/ja/notebooks/<chapter>.yml`` (cells in the notebook's order)."""
    order = [str(c.get("id")) for c in
             read_notebook(root / "notebooks" / f"{chapter}.ipynb")["cells"]]
    ids = sorted(cells, key=lambda i: order.index(i) if i in order else len(order))
    data = {"notebook": f"notebooks/{chapter}.ipynb",
            "cells": [{"id": i, "sha256": cells[i].sha256, "ja": _Block(cells[i].ja)}
                      for i in ids]}
    header = (f"# 日本語版での notebooks/{chapter}.ipynb の説明（markdown）セルの訳。\n"
              "# sha256 は訳した英語セルの source のもの（scity translation-check が照合）。\n")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    (root / CELLS_DIR / f"{chapter}.yml").write_text(header + text, encoding="utf-8")


def record_cell_hashes(chapter: str, cell_ids: list[str] | None = None,
                       root: Path | None = None) -> list[str]:
    """Record the current English cells' sha256 for these cells' Japanese (default: all).

    Run after updating the Japanese of cells that ``scity translation-check`` lists as
    changed; returns the cell ids recorded.

    Raises:
        TranslationError: no translation file, or a cell id that has no translation.
    """
    from scityhelpers.errors import TranslationError
    from scityhelpers.paths import project_root

    root = root or project_root()
    cells = cell_translations(root, chapter)
    if cells is None:
        raise TranslationError(f"no {CELLS_DIR}/{chapter}.yml: translate the narrative cells of "
                               f"notebooks/{chapter}.ipynb first, then record their hashes")
    sources = {str(c.get("id")): cell_source(c) for c in
               read_notebook(root / "notebooks" / f"{chapter}.ipynb")["cells"]
               if c["cell_type"] == "markdown"}
    wanted = list(cell_ids) if cell_ids else sorted(set(cells) & set(sources))
    unknown = sorted(set(wanted) - (set(cells) & set(sources)))
    if unknown:
        raise TranslationError(f"cells {unknown} of notebooks/{chapter}.ipynb have no "
                               f"translation in {CELLS_DIR}/{chapter}.yml (or are not markdown "
                               "cells of the notebook); add their Japanese first")
    for cell_id in wanted:
        cells[cell_id] = CellTranslation(cell_sha256(sources[cell_id]), cells[cell_id].ja)
    write_cell_translations(root, chapter, cells)
    return wanted


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook as JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def cell_problems(root: Path, chapter: str) -> list[TranslationProblem]:
    """Narrative cells of one notebook without a current translation (or with other glue)."""
    where = f"{CELLS_DIR}/{chapter}.yml"
    translations = cell_translations(root, chapter)
    if translations is None:
        return [TranslationProblem(where, f"missing translation of notebooks/{chapter}.ipynb's "
                                          "narrative cells")]
    problems = []
    cells = [c for c in read_notebook(root / "notebooks" / f"{chapter}.ipynb")["cells"]
             if c["cell_type"] == "markdown"]
    for cell in cells:
        source, cell_id = cell_source(cell), str(cell.get("id"))
        found = translations.get(cell_id)
        if found is None:
            problems.append(TranslationProblem(where, f"cell {cell_id} has no translation"))
        elif found.sha256 != cell_sha256(source):
            problems.append(TranslationProblem(
                where, f"cell {cell_id} changed after it was translated (sha256 "
                       f"{cell_sha256(source)[:12]}…, recorded {found.sha256[:12]}…); update "
                       f"its Japanese text and record the new sha256"))
        elif sorted(_ROLE.findall(source)) != sorted(_ROLE.findall(found.ja)):
            problems.append(TranslationProblem(where, f"cell {cell_id} glues other keys than "
                                                      "the English cell"))
    for cell_id in sorted(set(translations) - {str(c.get("id")) for c in cells}):
        problems.append(TranslationProblem(where, f"cell {cell_id} is no longer in the notebook"))
    return problems


# --------------------------------------------------------------------------- computed phrases
def load_phrases(root: Path) -> dict[str, str]:
    """English phrase → Japanese from ``book/ja/phrases.csv`` ({} when there is none)."""
    path = root / PHRASES_FILE
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["english"]: row["japanese"] for row in csv.DictReader(handle)}


def is_language_neutral(value: str) -> bool:
    """True when a value reads the same in Japanese: numbers, dates, codes, Japanese names."""
    return re.search(r"[A-Za-z]", _CODE.sub("", value)) is None


#: what a placeholder stands for: ``{n…}`` a number (``-0.6``, ``1,833,152``), others any text
_NUMBER = r"[-+−]?\d[\d,]*(?:\.\d+)?"


@functools.cache  # each entry is tried against every phrase of a build
def _pattern(english: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(english)  # text, name, text, name, …
    regex = "".join(re.escape(part) if i % 2 == 0 else
                    f"(?P<{part}>{_NUMBER if part.startswith('n') else '.+?'})"
                    for i, part in enumerate(parts))
    return re.compile(regex, re.S)


def split_top_level(value: str, separator: str) -> list[str]:
    """Split at ``separator`` outside parentheses (``area (km², 2015)`` stays one item)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        depth += char in "(（"
        depth -= char in ")）"
        if depth == 0 and value.startswith(separator, i):
            parts.append(value[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    return parts + [value[start:]]


#: a Japanese slot: ``{n1}`` carries the part over, ``{n1:man}`` writes a number of millions
#: in 万/億 (``104.7`` → ``1億470万``, :func:`~scityhelpers.book.units_ja.man_text`)
_SLOT = re.compile(r"\{(\w+)(?::(man))?\}")


def _fill(template: str, parts: dict[str, str | None]) -> str:
    from scityhelpers.book.units_ja import man_text

    def _one(match: re.Match[str]) -> str:
        part = str(parts[match.group(1)])
        return man_text(part) if match.group(2) == "man" else part

    return _SLOT.sub(_one, template)


def translate_phrase(value: str, phrases: dict[str, str]) -> str | None:
    """The Japanese of a computed phrase, or None when the table cannot translate it.

    A neutral value is kept; an exact entry wins; then entries with placeholders (each
    captured part translated in turn); then the phrase as a list of translatable items.
    """
    if is_language_neutral(value):
        return value
    if value in phrases:
        return phrases[value]
    for english, japanese in phrases.items():
        if "{" not in english or (match := _pattern(english).fullmatch(value)) is None:
            continue
        parts = {name: translate_phrase(part, phrases) for name, part in match.groupdict().items()}
        if all(part is not None for part in parts.values()):
            return _fill(japanese, parts)
    for separator, joiner in LIST_SEPARATORS:
        items = split_top_level(value, separator)
        if len(items) > 1:
            translated = [translate_phrase(item.strip(), phrases) for item in items]
            if all(item is not None for item in translated):
                return joiner.join(str(item) for item in translated)
    return None


_HEADER = re.compile(r'(<th scope="col">)(.*?)(</th>)', re.S)
_VERDICT = re.compile(r'(<span class="verdict[^"]*">)(.*?)(</span>)', re.S)
#: a data cell holding text only (a cell with markup, such as a verdict, is matched inside)
_CELL = re.compile(r"(<td>)([^<]*)(</td>)")
_TABLE_PARTS = (_HEADER, _VERDICT, _CELL)


def table_phrases(table_html: str) -> list[str]:
    """The column headers, verdict labels and text cells of a glued HTML table (unescaped)."""
    return [html.unescape(m.group(2)) for regex in _TABLE_PARTS
            for m in regex.finditer(table_html)]


def translate_table(table_html: str, phrases: dict[str, str]) -> str:
    """The table with its headers, verdict labels and text cells in Japanese (where translated)."""
    def swap(match: re.Match[str]) -> str:
        japanese = translate_phrase(html.unescape(match.group(2)), phrases)
        text = html.escape(japanese) if japanese is not None else match.group(2)
        return match.group(1) + text + match.group(3)

    for regex in _TABLE_PARTS:
        table_html = regex.sub(swap, table_html)
    return table_html


def _text(data: Any) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def text_fact_names(notebook: dict[str, Any]) -> set[str]:
    """Names of the facts with precision ``text`` in a notebook's facts record."""
    from scityhelpers.book.facts import facts_in_notebook

    record = facts_in_notebook(notebook["cells"]) or {"facts": {}}
    return {name for name, fact in record["facts"].items() if fact.get("precision") == "text"}


def glued_phrases(notebook: dict[str, Any]) -> dict[str, str]:
    """Glue name → English phrase of every text fact and table of :data:`HTML_TABLES`.

    A table's phrases (headers, verdicts) are joined by newlines.
    """
    texts, found = text_fact_names(notebook), {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            if name in texts and GLUE_RECORD in data:
                found[name] = _text(data[GLUE_RECORD])
            elif name in HTML_TABLES and GLUE_HTML in data:
                found[name] = "\n".join(table_phrases(_text(data[GLUE_HTML])))
    return found


def phrase_problems(root: Path) -> list[TranslationProblem]:
    """Computed phrases a Japanese page glues that ``book/ja/phrases.csv`` cannot translate."""
    phrases, problems = load_phrases(root), []
    notebooks: dict[str, dict[str, str]] = {}
    for page in sorted((root / JA_DIR).glob("*.md")):
        for ref in sorted(glue_keys(page.read_text(encoding="utf-8"))):
            chapter, name = ref.split("::")
            path = root / "notebooks" / f"{chapter}.ipynb"
            if chapter not in notebooks:
                notebooks[chapter] = glued_phrases(read_notebook(path)) if path.is_file() else {}
            for english in notebooks[chapter].get(name, "").split("\n"):
                if english and translate_phrase(english, phrases) is None:
                    problems.append(TranslationProblem(
                        f"{JA_DIR}/{page.name}", f"{ref} shows {english!r}, which has no "
                        f"Japanese entry in {PHRASES_FILE}"))
    return problems


def notebook_translation_problems(root: Path) -> list[TranslationProblem]:
    """Narrative cells without a current translation, and computed phrases without one."""
    problems = []
    for chapter in toc_notebooks(root):
        if (root / "notebooks" / f"{chapter}.ipynb").is_file():
            problems += cell_problems(root, chapter)
    return problems + phrase_problems(root)


# --------------------------------------------------------------------------- staging
def japanese_notebook(notebook: dict[str, Any], cells: dict[str, CellTranslation],
                      phrases: dict[str, str]) -> dict[str, Any]:
    """The notebook with translated narrative cells and Japanese glued phrases (a copy).

    A cell with no translation stays English; a phrase with no entry stays English (both
    are reported by :func:`notebook_translation_problems`).
    """
    notebook = json.loads(json.dumps(notebook))
    texts = text_fact_names(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and str(cell.get("id")) in cells:
            cell["source"] = join_cjk_lines(cells[str(cell.get("id"))].ja)
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            if name in texts and GLUE_RECORD in data:
                japanese = translate_phrase(_text(data[GLUE_RECORD]), phrases)
                if japanese is not None:
                    data[GLUE_RECORD] = japanese
            elif name in HTML_TABLES and GLUE_HTML in data:
                data[GLUE_HTML] = translate_table(_text(data[GLUE_HTML]), phrases)
    return notebook


def _file_digest(path: Path) -> str:
    return text_sha256(path) if path.is_file() else "absent"


def stage_notebooks(root: Path, stage: Path) -> None:
    """Write the Japanese notebooks into ``stage/notebooks``.

    Only notebooks whose text changed are written, so an unchanged one keeps its mtime (the
    glue staleness check and Sphinx's cache read it). A notebook whose inputs are unchanged
    (its English notebook, its cell translations, the phrase table and this module's code,
    recorded in ``.<chapter>.inputs`` beside it) is not translated again: a rerun of one
    chapter stages one or two notebooks, not seven.
    """
    from scityhelpers.pipeline.fetch import atomic_write, made_from
    from scityhelpers.pipeline.staleness import code_checksum, step_checksum

    shared = step_checksum(code_checksum(modules=[__name__]),
                           {"phrases": _file_digest(root / PHRASES_FILE)})
    phrases: dict[str, str] | None = None
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        target = stage / "notebooks" / path.name
        stamp = target.with_name(f".{path.stem}.inputs")
        inputs = step_checksum(shared, {
            "notebook": _file_digest(path),
            "cells": _file_digest(root / CELLS_DIR / f"{path.stem}.yml")})
        if made_from(target, stamp, inputs):
            continue
        phrases = load_phrases(root) if phrases is None else phrases
        cells = cell_translations(root, path.stem) or {}
        japanese = japanese_notebook(read_notebook(path), cells, phrases)
        stamp.unlink(missing_ok=True)  # as in write_made_from: no stamp while it is rewritten
        _write_if_changed(target, json.dumps(japanese, ensure_ascii=False, indent=1) + "\n")
        atomic_write(stamp, [inputs.encode("utf-8")])
