"""Packaging: conda and pip users get the same dependencies; CI runs the README command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

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


# -- requirements.lock: the versions `make install` / `make test` install --------------------
LOCK = REPO / "requirements.lock"
#: the command that writes the lock; README and docs/CONVENTIONS.md show the same one
LOCK_COMMAND = ("uv pip compile pyproject.toml --extra test --python-version 3.11 "
                "--python-platform linux --annotation-style line -o requirements.lock")


def _locked() -> dict[str, Version]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(s) for s in specs]


def test_lock_pins_every_declared_dependency() -> None:
    missing = [str(r) for r in _declared() if canonicalize_name(r.name) not in _locked()]
    assert missing == []


def test_locked_versions_satisfy_pyprojects_bounds() -> None:
    locked = _locked()
    outside = [f"{r.name}=={locked[canonicalize_name(r.name)]} vs {r.specifier}"
               for r in _declared() if canonicalize_name(r.name) in locked
               and not r.specifier.contains(locked[canonicalize_name(r.name)], prereleases=True)]
    assert outside == []


def test_lock_was_written_by_the_documented_command() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[:2]
    assert header[1].lstrip("# ").strip() == LOCK_COMMAND
    assert LOCK_COMMAND in (REPO / "README.md").read_text(encoding="utf-8")


def test_make_installs_with_the_lock_as_constraints() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert len(installs) == 2
    assert all("-c requirements.lock" in line for line in installs)


def test_make_test_lets_pytest_keep_its_rewritten_test_bytecode() -> None:
    """With PYTHONDONTWRITEBYTECODE set, every worker rewrote every test module on each run."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    runs = [line.strip() for line in makefile.splitlines() if "-m pytest" in line]
    assert runs
    assert all(line.startswith("PYTHONDONTWRITEBYTECODE= ") for line in runs)
