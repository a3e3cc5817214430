"""The book's batch processes: fewer garbage-collector passes, a quick exit, same results.

``scity``, the Sphinx builds it starts and its kernels collect cyclic garbage less
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
from scityhelpers.book.execute import KERNEL, KERNEL_ARGUMENTS
from scityhelpers.process import BATCH_GC_CODE, BATCH_GC_THRESHOLDS, tune_gc_for_batch

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


class StopSpyError(Exception):
    """Ends a spied call once its arguments are recorded."""


def test_a_kernel_started_with_the_kernel_arguments_is_a_batch_process(tmp_path: Path) -> None:
    import nbformat
    import papermill

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import gc\nprint(gc.get_threshold(), sorted(k for k in dir() if 'gc' in k))")]
    nbformat.write(notebook, tmp_path / "in.ipynb")
    done = papermill.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb",
                                      kernel_name=KERNEL, progress_bar=False,
                                      extra_arguments=KERNEL_ARGUMENTS)
    [cell] = done.cells
    assert cell.execution_count == 1  # the start-up line counts as no execution
    # and binds no name in the notebook's namespace (only the cell's own `gc`)
    assert cell.outputs[0]["text"] == f"{BATCH_GC_THRESHOLDS} ['gc']\n"


def test_fresh_and_warm_kernels_start_with_the_kernel_arguments(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import papermill

    from scityhelpers.book import warm_kernel
    from scityhelpers.book.execute import execute
    from scityhelpers.book.run_plan import RunPlan
    from scityhelpers.chapters.registry import CHAPTERS

    seen: dict[str, object] = {}

    def fresh(*args: object, **kwargs: object) -> None:
        seen["fresh"] = kwargs.get("extra_arguments")
        raise StopSpyError

    monkeypatch.setattr(papermill, "execute_notebook", fresh)
    run = RunPlan(CHAPTERS["wages"], {}, "", tmp_path / "wages.ipynb", False)
    with pytest.raises(StopSpyError):
        execute(run)

    class WarmKernelManager:
        async def start_kernel(self, **kwargs: object) -> None:
            seen["warm"] = kwargs.get("extra_arguments")
            raise StopSpyError

    with pytest.raises(StopSpyError):
        asyncio.run(warm_kernel._start_warm(WarmKernelManager(), tmp_path, []))
    assert seen == {"fresh": KERNEL_ARGUMENTS, "warm": KERNEL_ARGUMENTS}
    assert [f"--IPKernelApp.exec_lines={BATCH_GC_CODE}"] == KERNEL_ARGUMENTS
