"""Shared fixtures: real excerpts, an isolated project tree, and the pulled real data."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from scityhelpers.paths import project_root
from scityhelpers.pipeline import tidy
from tests.browser_setting import browser, site  # noqa: F401  (fixtures for every browser test)

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def tmp_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty project tree (root/data/manifest.yml, root/mirror) the code treats as real."""
    root = tmp_path / "project"
    (root / "data" / "reference").mkdir(parents=True)
    (root / "data" / "manifest.yml").write_text("sources: {}\n", encoding="utf-8")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("SCITY_ROOT", str(root))
    monkeypatch.setenv("SCITY_MIRROR", str(mirror))
    tidy._load_cached.cache_clear()
    yield root
    tidy._load_cached.cache_clear()


@pytest.fixture
def add_source(tmp_project: Path) -> Callable[..., dict]:
    """Register a one-file source in the temporary manifest, its bytes in the mirror."""

    def _add(source_id: str, name: str, content: bytes, *, tables: list[str],
             url: str = "https://example.invalid/data.csv", in_mirror: bool = True,
             mirror_rel: str | None = None) -> dict:
        manifest_file = tmp_project / "data" / "manifest.yml"
        document = yaml.safe_load(manifest_file.read_text(encoding="utf-8")) or {}
        mirror_rel = mirror_rel or f"{source_id}/{name}"
        if in_mirror:
            target = Path(str(tmp_project.parent / "mirror")) / mirror_rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        entry = {
            "title": source_id, "publisher": "test", "licence": "CC BY 4.0",
            "tables": tables,
            "files": [{
                "name": name, "sha256": sha256_bytes(content), "url": url,
                "mirror": mirror_rel, "layout": "test", "vintage": "test",
                "retrieved": "2026-11-25", "bytes": len(content),
            }],
        }
        document.setdefault("sources", {})[source_id] = entry
        manifest_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return entry

    return _add


@pytest.fixture(scope="session")
def pulled() -> Path:
    """The real project with every source pulled from the mirror and every tidy table built."""
    from scityhelpers.pipeline.data_verbs import pull_all

    pull_all(offline=True)
    return project_root()


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture into a temporary folder (tests may damage the copy)."""

    def _copy(relative: str) -> Path:
        target = tmp_path / "copies" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / relative, target)
        return target

    return _copy


@pytest.fixture(scope="session")
def built_book(pulled: Path) -> Path:
    """The HTML book built from the committed notebooks (as `scity build` does)."""
    from scityhelpers.book.build import build

    return build().parent
