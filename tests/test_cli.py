"""The ``scity`` command line: exit codes and messages a user sees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from scityhelpers.cli import app

runner = CliRunner()


def test_verify_fails_naming_the_file_and_the_repair(add_source: Callable, tmp_project: Path,
                                                     fixtures: Path) -> None:
    content = (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()
    add_source("oecd_wages", "w.csv", content, tables=[])
    assert runner.invoke(app, ["data", "pull", "oecd_wages", "--offline"]).exit_code == 0
    assert runner.invoke(app, ["data", "verify"]).exit_code == 0
    (tmp_project / "data" / "raw" / "oecd_wages" / "w.csv").write_bytes(content[:100])
    result = runner.invoke(app, ["data", "verify"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "w.csv" in output
    assert "scity data pull oecd_wages" in output


def test_pull_without_any_copy_exits_2_with_what_was_tried(add_source: Callable,
                                                          fixtures: Path) -> None:
    content = (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()
    add_source("oecd_wages", "w.csv", content, tables=[], in_mirror=False)
    result = runner.invoke(app, ["data", "pull", "oecd_wages", "--offline"])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "not found" in output
    assert "skipped (offline)" in output


def test_run_with_an_unknown_parameter_exits_2(real_root_run_turn: Path) -> None:
    result = runner.invoke(app, ["run", "--only", "wages", "-p", "yaer=2021"])
    assert result.exit_code == 2
    assert "unknown parameter" in result.output


def test_data_list_shows_sources_rows_and_licences(pulled: Path) -> None:
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0
    assert "oecd_wages" in result.output
    assert "1,445" in result.output
    assert "CC BY 4.0" in result.output
