"""Issue 12: a failure never replaces a good result, and every error says what to do.

Each test is named after the fault a user met (the issue's "Found" list).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scityhelpers import book
from scityhelpers.book import BUILD_DIGEST_FILE, BookBuildError, page_text

REPO = Path(__file__).resolve().parents[1]
#: what a book build reads; the rest of the repository (code, raw data, caches) stays out
PROJECT_PARTS = ("_config.yml", "_toc.yml", "book", "notebooks", "data/manifest.yml",
                 "data/reference", "data/tidy")


@pytest.fixture
def project_copy(pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's book sources and tidy tables, used as the project root."""
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        source, target = REPO / part, root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.run.json"))
        else:
            shutil.copy2(source, target)
    monkeypatch.setenv("SCITY_ROOT", str(root))
    return root


def _drop_glue_output(notebook: Path, key: str) -> None:
    """Remove the output that glues ``key`` (as if the cell had not been run)."""
    document = json.loads(notebook.read_text(encoding="utf-8"))
    dropped = 0
    for cell in document["cells"]:
        kept = [o for o in cell.get("outputs", [])
                if o.get("metadata", {}).get("scrapbook", {}).get("name") != key]
        dropped += len(cell.get("outputs", [])) - len(kept)
        if "outputs" in cell:
            cell["outputs"] = kept
    assert dropped == 1, f"expected one glued output named {key}"
    notebook.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")


def _site_bytes(html_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(html_dir).as_posix(): p.read_bytes()
            for p in sorted(html_dir.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- 1. builds
def test_failed_build_keeps_the_previous_site_byte_identical(project_copy: Path) -> None:
    index = book.build()
    published = index.parent
    before = _site_bytes(published)
    stamp = published.parent / BUILD_DIGEST_FILE
    stamp_before = stamp.read_text(encoding="utf-8")
    rank = book.glue_values(project_copy / "notebooks" / "wages.ipynb")["japan_rank"]
    assert f"Japan ranks {rank} th of 38" in page_text(published / "book" / "wages.html")

    _drop_glue_output(project_copy / "notebooks" / "wages.ipynb", "japan_rank")
    with pytest.raises(BookBuildError) as caught:
        book.build()

    message = str(caught.value)
    assert "japan_rank" in message
    assert f"{published} still holds the last good build, unchanged" in message
    assert _site_bytes(published) == before
    assert f"Japan ranks {rank} th of 38" in page_text(published / "book" / "wages.html")
    assert stamp.read_text(encoding="utf-8") == stamp_before  # still the good site's stamp


def test_failed_build_then_repair_publishes_without_stale_cache(project_copy: Path) -> None:
    notebook = project_copy / "notebooks" / "wages.ipynb"
    good = notebook.read_bytes()
    _drop_glue_output(notebook, "japan_rank")
    with pytest.raises(BookBuildError, match="has no previous build"):
        book.build()
    assert not (book.build_dir() / "html").exists()
    assert not (book.build_dir() / BUILD_DIGEST_FILE).exists()
    notebook.write_bytes(good)
    index = book.build()
    assert "Japan ranks" in page_text(index.parent / "book" / "wages.html")


def test_build_is_not_skipped_when_package_code_changed(
        project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers import runner

    first = book.build_inputs_digest(project_copy)
    assert book.build_inputs_digest(project_copy) == first
    monkeypatch.setattr(runner, "_package_hash", lambda: "changed package code")
    assert book.build_inputs_digest(project_copy) != first
