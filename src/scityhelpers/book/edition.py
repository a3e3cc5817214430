"""Citable editions: one identifier, shown on every page, carried by the data files, archived.

The edition identifier (``<year>.<sequence>``, e.g. ``2026.1``) lives in one place, the
``version`` of ``CITATION.cff``. The build stamps it into every page's footer; the figure
metadata and ``datapackage.json`` carry it; ``scity edition`` packs the built site (HTML, the
tidy-table CSVs, the figure bundles, the data package) with the claims ledger and every
chapter's facts into one zip, and writes its sha256 next to it.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from scityhelpers.errors import EditionError
from scityhelpers.paths import build_dir, project_root
from scityhelpers.pipeline.fetch import atomic_write
from scityhelpers.pipeline.yaml_text import load_yaml

CITATION_FILE = "CITATION.cff"
EDITION_PATTERN = re.compile(r"^\d{4}\.\d+$")
EDITION_CLASS = "scity-edition"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_FOOTER = re.compile(r'(<div class="extra_footer">)\s*(?:<p class="scity-edition">.*?</p>)?', re.S)


def edition_id(root: Path | None = None) -> str:
    """The edition identifier: ``version`` in ``CITATION.cff``.

    Raises:
        EditionError: no ``version``, or not ``<year>.<sequence>``.
    """
    path = (root or project_root()) / CITATION_FILE
    version = str((load_yaml(path.read_text(encoding="utf-8")) or {}).get("version", ""))
    if not EDITION_PATTERN.match(version):
        raise EditionError(f"{path}: version {version!r} is not an edition identifier "
                           "<year>.<sequence> (e.g. 2026.1); set it there, the one place "
                           "that names the edition")
    return version


def edition_or_none(root: Path | None = None) -> str | None:
    """The edition identifier, or None in a project without ``CITATION.cff`` (a test tree).

    Raises:
        EditionError: ``CITATION.cff`` exists but its version is not an edition identifier.
    """
    if not ((root or project_root()) / CITATION_FILE).is_file():
        return None
    return edition_id(root)


def footer_line(edition: str) -> str:
    """The footer paragraph naming the edition and how to cite it."""
    return (f'<p class="{EDITION_CLASS}">Edition {edition}. Cite this edition as described in '
            f"CITATION.cff (version {edition}).</p>")


def stamp_pages(html_dir: Path, edition: str) -> int:
    """Put (or replace) the edition line in every page's footer; return the pages changed."""
    changed = 0
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.relative_to(html_dir).parts:
            continue
        text = page.read_text(encoding="utf-8")
        new_text = _FOOTER.sub(lambda m: m.group(1) + "\n  " + footer_line(edition), text,
                               count=1)
        if new_text != text:
            atomic_write(page, [new_text.encode("utf-8")])
            changed += 1
    return changed


def claims_ledger_csv() -> bytes:
    """The claims ledger, rebuilt from the committed facts records, as CSV (UTF-8 with BOM)."""
    from scityhelpers.book.facts import fact_values, facts_path, load_facts, read_record
    from scityhelpers.chapters.claims.ledger import ledger
    from scityhelpers.chapters.registry import CHAPTERS, get_chapter
    from scityhelpers.pipeline.tidy import load

    chapter_facts = load_facts(get_chapter("claims").reads_chapters,
                               [CHAPTERS["claims"].notebook.parent])
    chapter_facts["claims"] = fact_values(read_record(facts_path(CHAPTERS["claims"].notebook)))
    table = ledger(load("seed_claims"), load("briefing_figures"), chapter_facts)
    return table.to_csv(index=False).encode("utf-8-sig")


def facts_csv() -> bytes:
    """Every chapter's facts (chapter, name, value, unit, precision) as CSV (UTF-8 with BOM)."""
    import pandas as pd

    from scityhelpers.book.facts import facts_path, read_record
    from scityhelpers.chapters.registry import CHAPTERS

    rows = [{"chapter": name, "name": fact, **described}
            for name, chapter in sorted(CHAPTERS.items())
            if facts_path(chapter.notebook).is_file()
            for fact, described in sorted(read_record(facts_path(chapter.notebook))["facts"]
                                          .items())]
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def edition_archive_bytes(html_dir: Path, edition: str) -> bytes:
    """The archive: ``scity-<edition>/`` with html/, claims.csv, facts.csv and CITATION.cff.

    Members in name order with a fixed date, so the same edition gives the same bytes.
    """
    prefix = f"scity-{edition}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(p for p in html_dir.rglob("*") if p.is_file()):
            _add(archive, f"{prefix}/html/{path.relative_to(html_dir).as_posix()}",
                 path.read_bytes())
        _add(archive, f"{prefix}/claims.csv", claims_ledger_csv())
        _add(archive, f"{prefix}/facts.csv", facts_csv())
        _add(archive, f"{prefix}/{CITATION_FILE}",
             (project_root() / CITATION_FILE).read_bytes())
    return buffer.getvalue()


def build_edition_archive(out_dir: Path | None = None) -> tuple[Path, str]:
    """Write ``scity-<edition>.zip`` and ``.zip.sha256`` into ``_build``; return path and hash.

    Raises:
        EditionError: the book is not built, or was built for another edition.
    """
    edition = edition_id()
    html_dir = build_dir() / "html"
    index = html_dir / "book" / "intro.html"
    if not index.is_file():
        raise EditionError(f"no built book in {html_dir}; run `scity build` first")
    if footer_line(edition) not in index.read_text(encoding="utf-8"):
        raise EditionError(f"the built book does not show edition {edition}; run `scity build` "
                           "so every page carries it, then `scity edition`")
    data = edition_archive_bytes(html_dir, edition)
    digest = hashlib.sha256(data).hexdigest()
    target = (out_dir or build_dir()) / f"scity-{edition}.zip"
    atomic_write(target, [data])
    atomic_write(target.with_name(target.name + ".sha256"),
                 [f"{digest}  {target.name}\n".encode()])
    return target, digest
