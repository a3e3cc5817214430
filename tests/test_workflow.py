"""The GitHub workflow runs the README's commands and selects its browser through the setting.

Checked offline: the workflow is read as YAML (its schema is checked in test_publishing.py) and
the Makefile's ``browser-deps`` recipe is read with ``make -n`` (prints, runs nothing).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "book.yml"
README = REPO / "README.md"
# A step "does work" when it runs one of these programs; any other step may only report.
WORK_PROGRAMS = frozenset({"make", "scity", "python", "python3", "pip", "pytest", "apt-get",
                           "apt", "sudo", "npx", "playwright", "jupyter-book", "papermill"})
# Output plumbing a step may add around a README command (keep the log, fail on its status).
LOG_SUFFIX = re.compile(r"\s+2>&1\s+\|\s+tee\s+\S+$")
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def readme_commands(markdown: str) -> list[tuple[dict[str, str], str]]:
    """Return each command line of the README's ``bash`` blocks as (env prefix, command)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, flags=re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            env = {}
            while words and ENV_ASSIGNMENT.match(words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            if words:
                commands.append((env, " ".join(words)))
    return commands


def run_lines(step: dict[str, Any]) -> list[str]:
    """The non-empty, non-comment command lines of a ``run:`` step."""
    return [line.strip() for line in step["run"].splitlines()
            if line.strip() and not line.strip().startswith("#")]


def programs_run(line: str) -> list[str]:
    """The programs a shell line invokes: the first word of each command, quotes removed."""
    unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "''", line)
    without_redirects = re.sub(r"\d?>>?&?\s*\S+", " ", unquoted)
    segments = re.split(r"[|;&{}()]", without_redirects)
    return [segment.split()[0] for segment in segments if segment.split()]


def does_work(step: dict[str, Any]) -> bool:
    """True when a run step invokes a program that installs, pulls, tests or builds."""
    return any(program in WORK_PROGRAMS for line in run_lines(step)
               for program in programs_run(line))


@pytest.fixture(scope="module")
def build_job() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return workflow["jobs"]["build"]


@pytest.fixture(scope="module")
def run_steps(build_job: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in build_job["steps"] if "run" in step]


def test_every_working_step_is_a_readme_command(build_job: dict[str, Any],
                                                run_steps: list[dict[str, Any]]) -> None:
    documented = readme_commands(README.read_text(encoding="utf-8"))
    job_env = {k: str(v) for k, v in build_job.get("env", {}).items()}
    working = [step for step in run_steps if does_work(step)]
    assert len(working) >= 3, working
    for step in working:
        lines = run_lines(step)
        assert len(lines) == 1, f"{step['name']}: one README command per step, got {lines}"
        command = LOG_SUFFIX.sub("", lines[0])
        # the README's env prefix (SCITY_BROWSER=playwright) must be what the job sets
        matches = [env for env, documented_command in documented if documented_command == command
                   and all(job_env.get(k) == v for k, v in env.items())]
        assert matches, f"{step['name']}: `{command}` is not a README command (with its env)"


def test_the_workflow_tests_then_builds_as_the_readme_says(
        run_steps: list[dict[str, Any]]) -> None:
    commands = [LOG_SUFFIX.sub("", run_lines(step)[0]) for step in run_steps
                if does_work(step)]
    assert commands == ["make browser-deps", "make data", "make test", "make html"]


def test_reporting_steps_only_report(run_steps: list[dict[str, Any]]) -> None:
    reporting = [step for step in run_steps if not does_work(step)]
    assert reporting, "a failed pull must be reported in the job summary"
    for step in reporting:
        assert "GITHUB_STEP_SUMMARY" in step["run"], step["name"]
        assert "if" in step, f"{step['name']}: a reporting step runs on a condition"


def test_a_failed_pull_is_reported_in_the_job_summary(run_steps: list[dict[str, Any]]) -> None:
    pull = next(step for step in run_steps if run_lines(step)[0].startswith("make data"))
    assert pull.get("shell") == "bash", "bash -eo pipefail: the tee must not hide a failure"
    reporter = next(step for step in run_steps if f"steps.{pull['id']}.outcome == 'failure'"
                    in str(step.get("if", "")))
    assert "failure()" in reporter["if"]
    assert "::error" in reporter["run"]


def test_the_workflow_selects_its_browser_through_the_setting(
        build_job: dict[str, Any], run_steps: list[dict[str, Any]]) -> None:
    assert build_job["env"]["SCITY_BROWSER"] == "playwright"
    assert "ubuntu" in build_job["runs-on"]
    for step in run_steps:
        assert "chromium" not in step["run"] or "apt" not in step["run"], step["name"]


def _dry_run_browser_deps(setting: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-C", str(REPO), "browser-deps"], capture_output=True, text=True,
        check=True, env={**os.environ, "SCITY_BROWSER": setting},
    )
    return result.stdout


@pytest.mark.parametrize(
    ("setting", "expected", "absent"),
    [
        ("", "apt-get install -y -qq chromium fonts-noto-cjk", "playwright install"),
        ("playwright", "-m playwright install --with-deps chromium", "apt-get"),
        ("/opt/google/chrome/chrome", "test -x '/opt/google/chrome/chrome'", "apt-get"),
    ],
)
def test_browser_deps_installs_only_the_selected_browser(setting: str, expected: str,
                                                         absent: str) -> None:
    recipe = _dry_run_browser_deps(setting)
    assert expected in recipe
    assert absent not in recipe


def test_programs_run_ignores_words_inside_quotes() -> None:
    assert programs_run('echo "make test failed" >> "$GITHUB_STEP_SUMMARY"') == ["echo"]
    assert programs_run("grep -q x log || make data | tee log") == ["grep", "make", "tee"]


def test_readme_commands_are_parsed_with_their_environment() -> None:
    parsed = readme_commands("```bash\nA_B=1 make x   # note\nmake y\n```\n")
    assert parsed == [({"A_B": "1"}, "make x"), ({}, "make y")]


def test_expressions_name_steps_that_exist_earlier_in_the_job(
        build_job: dict[str, Any]) -> None:
    """A lint actionlint would do: ``steps.<id>`` must be an earlier step of the same job."""
    seen: set[str] = set()
    for step in build_job["steps"]:
        referenced = set(re.findall(r"steps\.([A-Za-z_][\w-]*)\.", yaml.safe_dump(step)))
        assert referenced <= seen, f"{step.get('name', step.get('uses'))}: {referenced - seen}"
        if "id" in step:
            seen.add(step["id"])


def test_every_action_is_pinned_to_a_version() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"]
            if "uses" in step]
    assert uses
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", action) for action in uses), uses
