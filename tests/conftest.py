"""Shared fixtures: real excerpts, an isolated project tree, and the pulled real data."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from scityhelpers.paths import project_root
from scityhelpers.pipeline import tidy
from tests.browser_setting import browser, site  # noqa: F401  (fixtures for every browser test)

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
#: the flock files by which pytest processes on this checkout (pytest-xdist's workers, as
#: `make test` starts them) take turns at the project's shared state: the pulled data and the
#: site in _build/html
LOCK_DIR = REPO / "_build"
#: the longest scopes (papermill and nbval executions, site and PDF builds, the browser), first:
#: `make test` hands pytest-xdist's workers the scopes in collection order
#: (--no-loadscope-reorder), so no worker is left with a long scope while the other idles. The
#: PDF build republishes the site, so it goes first, beside the notebooks (which do not read it).
#: This changes only the order; every test runs.
SLOW_FIRST = ("tests/test_pdf.py", "notebooks/",
              # then longest first, as measured (seconds on the 2-core machine, 2026-11-29)
              "tests/test_faults.py",                 # 33
              "tests/test_runner.py",                 # 18
              "tests/models/test_municipal.py",       # 16
              "tests/test_browser_ja.py",             # 13-20
              "tests/test_browser.py",                # 13-19
              "tests/test_change_report.py",          # 12-18
              "tests/test_notebooks_programmes.py",   # 8-10
              "tests/test_browser_explorer.py",       # 9-11
              "tests/test_notebooks_digital_productivity.py",  # 7-8
              "tests/test_notebooks.py",              # 7-8
              "tests/test_browser_layout.py",         # 7
              "tests/test_notebooks_",
              "tests/test_runner_warm.py",            # 5
              "tests/test_edition.py",
              "tests/test_changes_page.py")


@contextmanager
def project_lock(name: str, *, shared: bool = False) -> Iterator[None]:
    """Hold ``<repo>/_build/.pytest-<name>.lock``: exclusive, or ``shared`` with other readers.

    The system releases an ``flock`` when its holder exits, so a killed run leaves no stale lock.
    """
    LOCK_DIR.mkdir(exist_ok=True)
    with (LOCK_DIR / f".pytest-{name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::")[0]
    return next((rank for rank, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)),
                len(SLOW_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest scopes first (a stable sort: each module keeps its own order)."""
    items.sort(key=_start_rank)


@pytest.fixture(autouse=True)
def _site_not_rebuilt_meanwhile(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test reading the built site holds it (shared) so no other worker republishes it."""
    if "built_book" not in request.fixturenames:
        yield
        return
    with project_lock("site", shared=True):
        yield


@pytest.fixture
def real_root_run_turn(pulled: Path) -> Iterator[Path]:
    """For a test that runs `scity run` (which takes the project's run lock) at the real root.

    Such tests take turns across pytest-xdist's workers, or one would find the lock held by
    another. Yields the real project's root.
    """
    with project_lock("run"):
        yield pulled


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

    with project_lock("data"):  # one process pulls; the others then find it current
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

    with project_lock("site"):  # one process builds; the others find the site up to date
        return build().parent
