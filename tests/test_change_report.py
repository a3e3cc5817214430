"""The "What changed in this edition" page, and the whole "new data arrived" path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import responses
from typer.testing import CliRunner

from scityhelpers.book.change_report import EMPTY, changes_page_markdown
from scityhelpers.book.page_checks import page_text
from scityhelpers.paths import project_root
from scityhelpers.pipeline import tidy
from scityhelpers.pipeline.manifest import get_source

WAGES_FILE = "oecd_av_an_wage_usd_ppp_const2025.csv"
#: the two highest-paying members; without them every other member moves up two ranks
REVISED_AWAY = ("ISL", "LUX")


def test_empty_state_says_nothing_changed() -> None:
    text = changes_page_markdown([])
    assert text.startswith("# What changed in this edition")
    assert EMPTY in text


def test_changes_are_listed_with_previous_values() -> None:
    changes = [
        {"kind": "fact", "chapter": "wages", "name": "japan_rank", "before": 25, "after": 23,
         "unit": "rank"},
        {"kind": "raw", "chapter": "oecd_wages", "name": WAGES_FILE, "before": "a" * 64,
         "after": "b" * 64, "unit": "sha256"},
    ]
    text = changes_page_markdown(changes)
    assert "| wages | `japan_rank` | 25 | 23 | rank |" in text
    assert f"| oecd_wages | `{WAGES_FILE}` | `{'a' * 16}…` | `{'b' * 16}…` | sha256 |" in text
    assert "Verdicts that flipped" not in text  # no empty sections
    assert EMPTY not in text


def _copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.run.json",
                                    "screenshots", ".pytest_cache", ".ruff_cache")
    shutil.copytree(project_root(), target, ignore=ignore, symlinks=True)
    return target


def _revised_vintage(current: bytes) -> bytes:
    """A revision made of the real file's own rows: two members' rows are withdrawn."""
    lines = current.decode("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(REVISED_AWAY)).encode("utf-8")


@responses.activate
def test_new_data_arrived_path(built_book: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.cli import app

    copy = _copy_project(tmp_path / "project")
    monkeypatch.setenv("SCITY_ROOT", str(copy))
    tidy._load_cached.cache_clear()
    source = get_source("oecd_wages")
    old_path = copy / "data" / "raw" / "oecd_wages" / WAGES_FILE
    old_bytes = old_path.read_bytes()
    new_bytes = _revised_vintage(old_bytes)
    for raw in source.files:
        body = new_bytes if raw.name == WAGES_FILE else (
            copy / "data" / "raw" / "oecd_wages" / raw.name).read_bytes()
        responses.add(responses.GET, raw.url, body=body, status=200)

    cli = CliRunner()
    for command in (["data", "refresh", "oecd_wages"], ["data", "pull", "oecd_wages"],
                    ["run", "--only", "wages"], ["build"]):
        result = cli.invoke(app, command)
        assert result.exit_code == 0, (command, result.output, result.exception)

    page = page_text(copy / "_build" / "html" / "book" / "changes.html")
    old_sha = hashlib.sha256(old_bytes).hexdigest()
    new_sha = hashlib.sha256(new_bytes).hexdigest()
    assert "Raw files whose sha256 changed" in page
    assert f"{old_sha[:16]}…" in page
    assert f"{new_sha[:16]}…" in page
    assert "Facts that moved beyond their stated precision" in page
    assert "japan_rank" in page
    # the old vintage is still there to go back to, byte for byte
    assert old_path.read_bytes() == old_bytes
    assert hashlib.sha256(old_bytes).hexdigest() == old_sha
    tidy._load_cached.cache_clear()
