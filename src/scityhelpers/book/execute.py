"""Executing one chapter notebook: papermill into a temporary file, published only on success.

The kernel runs with one BLAS/OpenMP thread (:func:`pin_blas_threads`), writes its figure files
into a staging folder (published with the notebook) and the run writes the chapter's facts
record and run record beside the notebook.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat

from scityhelpers.book.edition import edition_or_none
from scityhelpers.book.facts import facts_in_notebook, facts_path
from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.book.run_plan import RunPlan, _run_record_path, output_digest
from scityhelpers.errors import (
    NotebookExecutionError,
)
from scityhelpers.pipeline.fetch import atomic_write, publish_temp_file
from scityhelpers.process import BATCH_GC_CODE

log = logging.getLogger(__name__)

KERNEL = "python3"
#: every kernel ``scity run`` starts, fresh or warm, is a batch process (the garbage
#: collector's settings of :mod:`scityhelpers.process`, set before the notebook's first cell)
KERNEL_ARGUMENTS = [f"--IPKernelApp.exec_lines={BATCH_GC_CODE}"]
HIDE_TAG = "remove-cell"  # papermill's injected-parameters cell is not for readers
#: one thread for every BLAS/OpenMP library a kernel may load: sums are then taken in the
#: same order whatever the machine's core count (the kernel inherits this environment)
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1",
                     "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


def pin_blas_threads() -> None:
    """Set the single-thread environment for kernels started from this process."""
    os.environ.update(SINGLE_THREAD_ENV)



def _hide_injected_cell(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"  # papermill draws a random id on every run
            if HIDE_TAG not in tags:
                tags.append(HIDE_TAG)
    # papermill stamps wall-clock times and durations into metadata: volatile, not a record
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def execute(run: RunPlan, kernel: Any = None) -> Path:
    """Execute one planned notebook into a temp file and move it over the output on success.

    papermill writes the temp file once, at the end (not after every cell: for the larger
    notebooks, megabytes rewritten some fifty times, over a second of a run); nobody reads a
    half-executed copy, and a failed one is deleted.

    ``kernel``: a started kernel manager to execute in (see :class:`WarmKernel`); by default
    papermill starts a fresh kernel.

    Raises:
        NotebookExecutionError: naming the notebook, the failing cell and the error.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    pin_blas_threads()
    run.output.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(suffix=".ipynb", dir=run.output.parent,
                                        prefix=f".{run.chapter.name}.")
    os.close(handle)
    tmp = Path(tmp_name)
    staging = figure_staging(run)
    try:
        with figure_environment(run, staging):
            papermill.execute_notebook(
                str(run.chapter.notebook), str(tmp), parameters=run.parameters,
                kernel_name=KERNEL, cwd=str(run.chapter.notebook.parent), progress_bar=False,
                log_output=False, request_save_on_cell_execute=False,
                extra_arguments=KERNEL_ARGUMENTS,
                **({"km": kernel} if kernel is not None else {}),
            )
    except PapermillExecutionError as error:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise NotebookExecutionError(
            f"{run.chapter.notebook.name} failed in cell {error.exec_count} "
            f"({error.ename}: {error.evalue}); the previous executed copy is unchanged."
        ) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    from scityhelpers.book.figure_export import folder_for

    _hide_injected_cell(tmp)
    atomic_write(facts_path(run.output), [_facts_json(run, tmp)])
    publish_figure_folder(staging, folder_for(run.output))
    publish_temp_file(tmp, run.output)
    _write_record(run)
    return run.output


def figure_staging_path(run: RunPlan) -> Path:
    """Where the figure files of this run are written before they are published."""
    from scityhelpers.book.figure_export import FOLDER_SUFFIX

    return run.output.parent / f".{run.chapter.name}{FOLDER_SUFFIX}.tmp"


def figure_staging(run: RunPlan) -> Path:
    """An empty folder next to the output for the figure files of this run."""
    staging = figure_staging_path(run)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


@contextmanager
def figure_environment(run: RunPlan, staging: Path) -> Iterator[None]:
    """Tell the kernel (it inherits the environment) where ``glue_figure`` writes its files."""
    from scityhelpers.book.figure_export import FIGURES_DIR_ENV, RUN_ENV

    previous = {name: os.environ.get(name) for name in (FIGURES_DIR_ENV, RUN_ENV)}
    os.environ[FIGURES_DIR_ENV] = str(staging)
    os.environ[RUN_ENV] = json.dumps({"chapter": run.chapter.name, "parameters": run.parameters,
                                      "edition": edition_or_none()}, default=str)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def publish_figure_folder(staging: Path, folder: Path) -> None:
    """Replace the chapter's figure folder with this run's (kept as is when none was made)."""
    if not any(staging.iterdir()):
        staging.rmdir()
        return
    shutil.rmtree(folder, ignore_errors=True)
    staging.replace(folder)


def _facts_json(run: RunPlan, executed: Path) -> bytes:
    """The facts record the executed notebook emitted, with the inputs that produced it.

    Raises:
        NotebookExecutionError: the notebook emitted no record (its last cell must call
            ``facts.publish()``); the previous executed copy is unchanged.
    """
    record = facts_in_notebook(notebook_cells(executed))
    if record is None:
        executed.unlink(missing_ok=True)
        raise NotebookExecutionError(
            f"{run.chapter.notebook.name} ran but published no facts record: end it with a "
            "cell calling `facts.publish()`; the previous executed copy is unchanged.")
    record = {"chapter": run.chapter.name, "input_hash": run.input_hash,
              "parameters": run.parameters, "facts": record["facts"]}
    return (json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _write_record(run: RunPlan) -> None:
    record = {"input_hash": run.input_hash, "parameters": run.parameters,
              "request_key": run.request_key, "output_sha256": output_digest(run.output)}
    atomic_write(_run_record_path(run.output),
                 [json.dumps(record, indent=1, sort_keys=True).encode()])


KERNEL_LOG = "kernels.log"


def _kernel_log() -> str | None:
    """Where workers and their kernels write stderr: ``_build/kernels.log``.

    With ``--verbose`` (INFO logging): the terminal. A notebook's own errors reach the user as
    ``NotebookExecutionError``; this stream holds only the kernels' chatter (transport
    warnings, and the tracebacks of a kernel stopped by Ctrl-C).
    """
    if logging.getLogger().getEffectiveLevel() <= logging.INFO:
        return None
    from scityhelpers.paths import build_dir

    build_dir().mkdir(parents=True, exist_ok=True)
    return str(build_dir() / KERNEL_LOG)


def _worker_init(stderr_log: str | None = None) -> None:
    """Let only the parent see Ctrl-C; stop cleanly (kernel shut down, temp file gone) on TERM.

    A worker interrupted mid-execution would print the kernel's ZMQ tracebacks; instead the
    parent catches Ctrl-C and asks each worker to stop, which raises ``SystemExit`` inside
    papermill, whose cleanup shuts the kernel down, and ``execute`` removes its temp file
    before anything is published. Kernels inherit the worker's stderr, so pointing it at
    ``stderr_log`` keeps their messages off the user's terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if stderr_log:
        handle = os.open(stderr_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(handle, 2)
        os.close(handle)


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel queued notebooks and stop the running ones (their outputs are not published)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
