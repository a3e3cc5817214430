"""The book's batch processes: fewer garbage-collector passes, a quick exit, same results.

``scity``, the Sphinx builds it starts and its warm kernels collect cyclic garbage less
often (:data:`scityhelpers.process.BATCH_GC_THRESHOLDS`); ``scity`` and the Sphinx builds
skip the interpreter's teardown. Each is checked in a fresh interpreter, where the settings
are observable: an exit handler registered before the command runs after it.
"""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from scityhelpers.book import build
from scityhelpers.book.warm_kernel import _WARM_CODE
from scityhelpers.process import BATCH_GC_THRESHOLDS, tune_gc_for_batch

#: printed by an exit handler that the command's own exit runs last
SHOW_THRESHOLDS = ("import atexit, gc, sys; "
                   "atexit.register(lambda: print('thresholds', gc.get_threshold()))")


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)


def _thresholds_shown(output: str) -> tuple[int, ...]:
    line = next(line for line in output.splitlines() if line.startswith("thresholds "))
    return ast.literal_eval(line.removeprefix("thresholds "))


def test_the_batch_thresholds_collect_less_often_than_cpythons_defaults() -> None:
    previous = gc.get_threshold()
    try:
        tune_gc_for_batch()
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS
    finally:
        gc.set_threshold(*previous)
    assert all(ours > default for ours, default in zip(BATCH_GC_THRESHOLDS, (700, 10, 10),
                                                    strict=True))
    assert gc.isenabled()  # rarer passes, never none: cyclic garbage is still freed


def test_scity_runs_as_a_batch_process() -> None:
    shown = _run(f"{SHOW_THRESHOLDS}; sys.argv = ['scity', '--help']; "
                 "from scityhelpers.cli import main; main()")
    assert shown.returncode == 0, shown.stderr
    assert "Usage" in shown.stdout
    assert _thresholds_shown(shown.stdout) == BATCH_GC_THRESHOLDS


def test_the_sphinx_process_is_jupyter_books_command_line_as_a_batch_process() -> None:
    runs = f"{SHOW_THRESHOLDS}; sys.argv = ['x', *sys.argv[1:]]; " \
           f"from {build.SPHINX_PROCESS} import main; main()"
    shown = _run(runs, "--version")
    assert shown.returncode == 0, shown.stderr
    assert "Jupyter Book" in shown.stdout
    assert _thresholds_shown(shown.stdout) == BATCH_GC_THRESHOLDS
    # its exit status and messages are jupyter-book's: a missing source folder is a usage error
    missing = _run(runs, "build", "/no/such/book")
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr


def test_every_book_build_starts_the_sphinx_process(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []

    class FakeProcess:
        def __init__(self, command: list[str], **kwargs: object) -> None:
            started.append(command)

    monkeypatch.setattr(build.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(build, "build_dir", lambda: tmp_path)
    build.start_jupyter_book(tmp_path, "singlehtml", path_output=tmp_path / "out")
    [command] = started
    assert command[:4] == [sys.executable, "-m", build.SPHINX_PROCESS, "build"]
    assert {"--warningiserror", "--nitpick", "--keep-going"} <= set(command)
    assert command[command.index("--builder") + 1] == "singlehtml"


def test_a_warm_kernel_runs_as_a_batch_process() -> None:
    code = _WARM_CODE.format(names=[("json", [])])
    shown = _run(f"exec({code!r}); import gc; print('thresholds', gc.get_threshold())")
    assert shown.returncode == 0, shown.stderr
    assert _thresholds_shown(shown.stdout) == BATCH_GC_THRESHOLDS
