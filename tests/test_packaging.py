"""Packaging: conda and pip users get the same dependencies; CI runs the README command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _names(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        name = re.split(r"[<>=!~\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-")
        out[name] = spec
    return out


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    listed = _names([s for s in pip_section if not s.startswith("-e")])
    assert listed == wanted  # same names AND same version bounds


def test_every_runtime_dependency_is_bounded() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    unbounded = [d for d in project["dependencies"] if "<" not in d]
    assert unbounded == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme
    assert "make book" in readme
    assert [line for line in ci.splitlines() if line and not line.startswith(("#", "set", "cd"))] \
        == ["make test"]


def test_jupyter_book_2_is_excluded() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spec = _names(project["dependencies"])["jupyter-book"]
    assert "<2" in spec
