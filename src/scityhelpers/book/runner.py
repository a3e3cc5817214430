"""``scity run``: execute chapter notebooks with papermill, safely and only when needed.

- Each notebook's cells are first brought up to date from its text twin
  (``notebooks/<chapter>.py``, :mod:`scityhelpers.book.notebook_text`), so an edit to the twin
  changes the notebook's source hash and reruns the chapter.
- Parameters are validated before anything executes; a bad value changes nothing.
- Each notebook executes into a temporary file; only a successful run replaces the record.
- A notebook whose inputs (source cells, parameters, tidy tables, package code, the facts
  records it reads) are unchanged since its last run is skipped; the input hash is stored beside
  it in ``<name>.run.json``.
- Each run writes the chapter's facts record beside the notebook (``<name>.facts.json``): the
  numbers it publishes, rounded to their precision, with the input hash that produced them.
- Kernels run with one BLAS/OpenMP thread, so results do not depend on the thread count.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from scityhelpers.book.edition import edition_or_none
from scityhelpers.book.facts import facts_folders, facts_in_notebook, facts_path
from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.book.notebook_text import sync_notebooks
from scityhelpers.chapters.parameters import validate
from scityhelpers.chapters.registry import CHAPTERS, Chapter, get_chapter
from scityhelpers.errors import (  # NotebookExecutionError: importable from here too
    NotebookExecutionError,
    OutputPathError,
    ParameterError,
    RunLockedError,
)
from scityhelpers.pipeline.fetch import atomic_write, publish_temp_file
from scityhelpers.pipeline.staleness import code_files, files_checksum, step_checksum

log = logging.getLogger(__name__)

KERNEL = "python3"
HIDE_TAG = "remove-cell"  # papermill's injected-parameters cell is not for readers
#: the parameter through which a chapter that reads other chapters' facts finds them
FACTS_DIR_PARAM = "facts_dir"
#: one thread for every BLAS/OpenMP library a kernel may load: sums are then taken in the
#: same order whatever the machine's core count (the kernel inherits this environment)
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1",
                     "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


def pin_blas_threads() -> None:
    """Set the single-thread environment for kernels started from this process."""
    os.environ.update(SINGLE_THREAD_ENV)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``scity run``; ``finished`` names the chapters already published.

    Each chapter is published whole (temp file, then rename) when it finishes, so a
    finished chapter is a complete record and an unfinished one is untouched.
    """

    def __init__(self, finished: list[str]) -> None:
        super().__init__(f"interrupted after {finished}")
        self.finished = sorted(finished)


@dataclass(frozen=True)
class RunPlan:
    """What ``scity run`` will do for one chapter."""

    chapter: Chapter
    parameters: dict[str, Any]
    input_hash: str
    output: Path
    skip: bool
    request_key: dict[str, Any] | None = None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def notebook_defaults(path: Path) -> dict[str, Any]:
    """Return the values assigned in the notebook's ``parameters`` cell (plus injected ones)."""
    values: dict[str, Any] = {}
    for cell in notebook_cells(path):
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            exec(compile(_source(cell), str(path), "exec"), {}, values)  # noqa: S102
    if not values:
        raise ParameterError(f"{path} has no cell tagged 'parameters'")
    return values


def chapter_code_files(chapter: Chapter) -> list[Path]:
    """The package files a chapter's results depend on.

    That is the import closure of its notebook's code cells and of its compute module, plus
    the data files beside those modules (the chapter's ``facts.csv``, ``reference/resources``).
    """
    sources = [_source(c) for c in notebook_cells(chapter.notebook) if c["cell_type"] == "code"]
    return sorted(code_files(sources, [chapter.module]))


def _code_hash(chapter: Chapter) -> str:
    """Hash of :func:`chapter_code_files`: editing a module reruns the chapters that import it."""
    return files_checksum(chapter_code_files(chapter))


def source_hash(path: Path) -> str:
    """Hash of a notebook's cell sources and tags, ignoring outputs and the injected cell."""
    digest = hashlib.sha256()
    for cell in notebook_cells(path):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        digest.update(cell["cell_type"].encode())
        digest.update(_source(cell).encode())
        digest.update(json.dumps(sorted(tags)).encode())
    return digest.hexdigest()


def input_hash(chapter: Chapter, parameters: dict[str, Any],
               out_dir: Path | None = None) -> str:
    """Everything the outputs depend on: notebook source, parameters, tables, package code."""
    from scityhelpers.pipeline.tidy import fingerprint_or_absent  # pandas: not for a no-op build

    inputs = {"notebook": source_hash(chapter.notebook),
              **{f"table:{t}": fingerprint_or_absent(t) for t in chapter.tables()},
              **{f"facts:{c}": h for c, h in _reads_digest(chapter, out_dir).items()}}
    return step_checksum(_code_hash(chapter), inputs, parameters)


def _reads_digest(chapter: Chapter, out_dir: Path | None) -> dict[str, str]:
    """Hash of each facts record ``chapter`` reads (the one a run would use), or "absent"."""
    digests = {}
    for name in chapter.reads_chapters:
        paths = [folder / f"{name}.facts.json" for folder in facts_folders(out_dir)]
        found = next((p for p in paths if p.is_file()), None)
        digests[name] = (hashlib.sha256(found.read_bytes()).hexdigest() if found
                         else "absent")
    return digests


def _run_record_path(output: Path) -> Path:
    return output.with_suffix(".run.json")


def chapter_parameters(chapter: Chapter, overrides: dict[str, Any]) -> dict[str, Any]:
    """The parameters a run of ``chapter`` gets: its notebook's defaults with ``overrides``.

    Raises:
        ParameterError: an unknown name, a wrong type or a value out of range.
    """
    module = chapter.analysis()
    declared = {p.name for p in module.PARAMS}
    defaults = notebook_defaults(chapter.notebook)
    return validate(module.PARAMS, overrides,
                    {k: v for k, v in defaults.items() if k in declared})


def plan(chapter: Chapter, overrides: dict[str, Any], out_dir: Path | None,
         force: bool = False, request: dict[str, Any] | None = None) -> RunPlan:
    """Validate parameters and decide whether the chapter needs executing.

    Raises:
        ParameterError: before anything runs, listing valid names or values.
    """
    module = chapter.analysis()
    parameters = chapter_parameters(chapter, overrides)
    digest = input_hash(chapter, parameters, out_dir)
    output = (out_dir / chapter.notebook.name) if out_dir else chapter.notebook
    record = _run_record_path(output)
    previous = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    skip = (not force and output.is_file() and previous.get("input_hash") == digest)
    key = (_request_key(chapter, request, list(module.TABLES), out_dir)
           if request is not None else None)
    return RunPlan(chapter, parameters, digest, output, skip, key)


def _request_key(chapter: Chapter, request: dict[str, Any], tables: list[str],
                 out_dir: Path | None) -> dict[str, Any]:
    """What a run was asked to do, with everything it read, before any validation.

    If a later request has the same key, nothing it depends on has changed, so the stored
    result can be reused without importing the chapter's analysis module (which loads
    statsmodels and scikit-learn: seconds on a no-op rerun).
    """
    from scityhelpers.pipeline.tidy import fingerprint_or_absent

    return {"notebook": source_hash(chapter.notebook), "package": _code_hash(chapter),
            "request": request, "tables": {t: fingerprint_or_absent(t) for t in tables},
            "reads": _reads_digest(chapter, out_dir)}


def unchanged_since_last_run(chapter: Chapter, request: dict[str, Any],
                             out_dir: Path | None) -> RunPlan | None:
    """A skipping plan if the same request ran before on the same inputs, else None."""
    output = (out_dir / chapter.notebook.name) if out_dir else chapter.notebook
    record_path = _run_record_path(output)
    if not output.is_file() or not record_path.is_file():
        return None
    record = json.loads(record_path.read_text(encoding="utf-8"))
    stored = record.get("request_key")
    if not stored or _request_key(chapter, request, list(stored["tables"]), out_dir) != stored:
        return None
    return RunPlan(chapter, record["parameters"], record["input_hash"], output, True, stored)


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
                log_output=False, **({"km": kernel} if kernel is not None else {}),
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
              "request_key": run.request_key}
    atomic_write(_run_record_path(run.output),
                 [json.dumps(record, indent=1, sort_keys=True).encode()])



# --------------------------------------------------------------------------- warm kernels
#: how long a warm kernel may take to start and import its chapter's libraries (seconds)
WARM_TIMEOUT_S = 120


def warm_imports(chapter: Chapter) -> list[str]:
    """The libraries outside the package that a chapter's code imports at module level.

    Read with :mod:`ast` from the notebook's code cells and the package files it imports
    (:func:`chapter_code_files`); imports inside functions are left to the run.
    """
    import ast

    sources = [_source(c) for c in notebook_cells(chapter.notebook) if c["cell_type"] == "code"]
    sources += [p.read_text(encoding="utf-8") for p in chapter_code_files(chapter)
                if p.suffix == ".py"]
    names: set[str] = set()
    for source in sources:
        try:
            body = ast.parse(source).body
        except SyntaxError:  # a cell with IPython magics: the run reports its own errors
            continue
        for node in body:
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in {"scityhelpers", "__future__"})


#: run silently in a warm kernel: imports modules without binding a name in the notebook's
#: namespace (a module that fails to import is left for the notebook to report)
_WARM_CODE = """def _scity_warm(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass
_scity_warm({names!r})
del _scity_warm
"""


async def _start_warm(kernel: Any, cwd: Path, modules: list[str]) -> None:
    await kernel.start_kernel(cwd=str(cwd))
    client = kernel.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=WARM_TIMEOUT_S)
        await client.execute_interactive(_WARM_CODE.format(names=modules), silent=True,
                                         store_history=False, timeout=WARM_TIMEOUT_S)
    finally:
        client.stop_channels()


def _serve_warm_kernel(early: RunPlan, modules: list[str], connection: Any,
                       stderr_log: str | None) -> None:
    """Child process: start a kernel for ``early``, import its libraries, then run the plan sent.

    The kernel inherits the environment of the run (one BLAS thread, where the figures go),
    so it is started from the plan's chapter and parameters; the parent sends the final
    plan (same chapter and parameters) once the chapters it reads are done, or None.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    _worker_init(stderr_log)
    pin_blas_threads()
    kernel = AsyncKernelManager(kernel_name=KERNEL)
    try:
        with figure_environment(early, figure_staging(early)):
            run_sync(_start_warm)(kernel, early.chapter.notebook.parent, modules)
        run = connection.recv()
        if run is not None:
            execute(run, kernel)
        connection.send(None)
    except BaseException as error:  # reported to the parent, which raises it
        connection.send(error)
    finally:
        if kernel.has_kernel:
            run_sync(kernel.shutdown_kernel)(now=True)
        shutil.rmtree(figure_staging_path(early), ignore_errors=True)


@dataclass
class WarmKernel:
    """A kernel started, with its chapter's libraries imported, while earlier chapters run.

    The claims ledger must wait for the chapters whose facts it reads, but its kernel start
    and imports (seconds) need not: they run in a child process on a free core, which then
    executes the ledger's plan when :meth:`execute` sends it. Used only for a plan with the
    same chapter and parameters as the one it was started for; the notebook's cells all run
    in it as in a fresh kernel (the imports ran silently and bound no names).
    """

    early: RunPlan
    process: Any
    connection: Any
    sent: bool = False

    @classmethod
    def start(cls, early: RunPlan) -> WarmKernel:
        """Start the child process (it returns at once)."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_serve_warm_kernel, daemon=True,
                                  args=(early, warm_imports(early.chapter), child_end,
                                        _kernel_log()))
        process.start()
        child_end.close()
        return cls(early, process, parent_end)

    def fits(self, run: RunPlan) -> bool:
        """Whether ``run`` may execute in this kernel (same chapter, output and parameters)."""
        return (not self.sent and run.chapter == self.early.chapter
                and run.output == self.early.output and run.parameters == self.early.parameters)

    def execute(self, run: RunPlan) -> None:
        """Execute ``run`` in the warm kernel and wait; raise what the execution raised."""
        self.sent = True
        self.connection.send(run)
        error = self.connection.recv()
        self.process.join()
        if error is not None:
            raise error

    def close(self) -> None:
        """Shut the kernel down if it was not used (its chapter was skipped or failed)."""
        if not self.sent and self.process.is_alive():
            self.sent = True
            with suppress(OSError):  # the child already gone: nothing to tell it
                self.connection.send(None)
            self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.connection.close()


def _overrides_for(chapter: Chapter, overrides: dict[str, Any], year: int | None,
                   several: bool) -> dict[str, Any]:
    """Return the overrides one chapter takes.

    ``--year`` maps to the chapter's year parameter; with several chapters, ``-p name=value``
    goes only to the chapters that declare ``name``.
    """
    chosen = dict(overrides)
    if year is not None and chapter.year_param:
        chosen[chapter.year_param] = year
    if several:
        declared = {p.name for p in chapter.analysis().PARAMS}
        chosen = {k: v for k, v in chosen.items() if k in declared}
    return chosen


def with_dependents(names: list[str]) -> list[str]:
    """``names`` plus every chapter that reads the facts of one of them (in registry order)."""
    chosen = set(names)
    for chapter in CHAPTERS.values():
        if chosen & set(chapter.reads_chapters):
            chosen.add(chapter.name)
    return [name for name in CHAPTERS if name in chosen] + sorted(chosen - set(CHAPTERS))


def execution_order(plans: list[RunPlan]) -> list[RunPlan]:
    """The plans to execute, longest first (:attr:`Chapter.relative_cost`).

    The pool hands out notebooks in this order: on two cores the longest chapter must not be
    the last one started, or the run waits for it alone at the end.
    """
    return sorted((p for p in plans if not p.skip), key=lambda p: -p.chapter.relative_cost)


def _execute_all(plans: list[RunPlan], jobs: int | None, progress: bool,
                 warm: dict[str, WarmKernel] | None = None) -> list[tuple[RunPlan, str]]:
    todo = execution_order(plans)
    warm = {name: kernel for name, kernel in (warm or {}).items()
            if any(kernel.fits(p) for p in todo)}
    results = [(p, "skipped") for p in plans if p.skip]
    for skipped in (p for p in plans if p.skip):
        _write_record(skipped)  # remember this request, so the next identical one is quick
    failures: list[NotebookExecutionError] = []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init,
                               initargs=(_kernel_log(),))
    try:
        with Progress(*columns, disable=not progress or not todo, transient=True) as bar:
            names = ", ".join(p.chapter.name for p in todo)
            task = bar.add_task(f"executing {names}", total=len(todo))
            futures = {pool.submit(execute, p): p for p in todo if p.chapter.name not in warm}
            for run in (p for p in todo if p.chapter.name in warm):
                try:
                    warm[run.chapter.name].execute(run)
                    results.append((run, "executed"))
                except NotebookExecutionError as error:
                    failures.append(error)
                bar.advance(task)
            for future in as_completed(futures):
                try:
                    future.result()
                    results.append((futures[future], "executed"))
                except NotebookExecutionError as error:
                    failures.append(error)
                bar.advance(task)
    except KeyboardInterrupt:
        _stop_workers(pool)
        raise RunInterrupted([p.chapter.name for p, status in results
                              if status == "executed"]) from None
    finally:
        pool.shutdown(wait=True)
    if failures:
        raise failures[0]
    return results


def _blame_year_option(error: ParameterError, chapters: list[Chapter],
                       year: int | None) -> ParameterError:
    """Say that ``--year`` set the parameter a message names (users typed ``--year``)."""
    names = {c.year_param for c in chapters if c.year_param}
    if year is None or not any(f"{name!r}" in str(error) for name in names):
        return error
    return ParameterError(f"--year {year} (sets {', '.join(sorted(names))}): {error}")


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


def run_chapters(names: list[str], overrides: dict[str, Any], *, year: int | None = None,
                 out_dir: Path | None = None, jobs: int | None = None,
                 force: bool = False, progress: bool = False) -> list[tuple[RunPlan, str]]:
    """Plan every chapter (all parameters checked first), then execute in parallel.

    Each chapter's notebook is first synced from its text twin (cells from the text, outputs
    and cell ids kept). Chapters that read other chapters' facts (the claims ledger) are added
    when a chapter they read is chosen, and run in a second wave, after the chapters they
    read; with ``out_dir`` they read the what-if records there first, then the committed ones.
    A request identical to the last one on unchanged inputs is answered from the run records
    without importing anything. Returns (plan, status) pairs, status ``executed`` or ``skipped``.

    Raises:
        ParameterError: if any chapter's parameters are invalid (nothing executes).
        NotebookExecutionError: the first failure (other notebooks still finish).
        NotebookTextError: a chapter's text twin is missing or unreadable (nothing runs).
    """
    names = with_dependents(names)
    chapters = [get_chapter(name) for name in names]
    sync_notebooks([c.notebook for c in chapters])
    request = {"overrides": overrides, "year": year, "chapters": sorted(names)}
    first = [c for c in chapters if not c.reads_chapters]
    second = [c for c in chapters if c.reads_chapters]
    if not force:
        reused = [unchanged_since_last_run(c, request, out_dir) for c in first]
        if all(reused):
            reused += [unchanged_since_last_run(c, request, out_dir) for c in second]
        if all(reused):
            return sorted(((p, "skipped") for p in reused if p),
                          key=lambda r: r[0].chapter.name)
    declared = {p.name for c in chapters for p in c.analysis().PARAMS}
    if set(overrides) - declared:
        raise ParameterError(
            f"unknown parameter(s) {sorted(set(overrides) - declared)}; the chosen chapters "
            f"take: {sorted(declared)}"
        )
    chosen = {c.name: _overrides_for(c, overrides, year, len(chapters) > 1) for c in chapters}
    if out_dir is not None:
        for chapter in second:
            chosen[chapter.name][FACTS_DIR_PARAM] = str(out_dir.resolve())
    try:
        for chapter in second:  # validate now; their input hash needs the first wave's outputs
            validate(chapter.analysis().PARAMS, chosen[chapter.name],
                     notebook_defaults(chapter.notebook))
        plans = [plan(c, chosen[c.name], out_dir, force, request) for c in first]
    except ParameterError as error:
        raise _blame_year_option(error, chapters, year) from error
    warm = _warm_second_wave(second, chosen, plans, jobs, out_dir)
    try:
        results = _execute_all(plans, jobs, progress)
        results += _second_wave(second, results, lambda c: plan(
            c, chosen[c.name], out_dir, force, request), jobs, progress, warm)
    finally:
        for kernel in warm.values():
            kernel.close()
    return sorted(results, key=lambda r: r[0].chapter.name)


def _second_wave(second: list[Chapter], results: list[tuple[RunPlan, str]],
                 planner: Any, jobs: int | None, progress: bool,
                 warm: dict[str, WarmKernel]) -> list[tuple[RunPlan, str]]:
    """Plan the chapters that read facts (now that the first wave wrote them) and run them."""
    try:
        return _execute_all([planner(c) for c in second], jobs, progress, warm)
    except KeyboardInterrupt as interrupt:
        done = [p.chapter.name for p, status in results if status == "executed"]
        raise RunInterrupted(done + list(getattr(interrupt, "finished", []))) from None


def _warm_second_wave(second: list[Chapter], chosen: dict[str, dict[str, Any]],
                      first_plans: list[RunPlan], jobs: int | None,
                      out_dir: Path | None) -> dict[str, WarmKernel]:
    """Start the second wave's kernels now if the first wave leaves a core free.

    With one chapter to execute first (a one-parameter rerun), the ledger's kernel starts and
    imports its libraries on the other core meanwhile. With the first wave filling every
    worker (a full run), nothing is started: it would only compete for the cores.
    """
    executing = sum(not p.skip for p in first_plans)
    free = max(1, jobs or os.cpu_count() or 1) - executing
    if not second or executing == 0 or free < len(second):
        return {}
    warm = {}
    for chapter in second:
        parameters = chapter_parameters(chapter, chosen[chapter.name])
        output = (out_dir / chapter.notebook.name) if out_dir else chapter.notebook
        early = RunPlan(chapter, parameters, "", output, False)
        warm[chapter.name] = WarmKernel.start(early)
    return warm


LOCK_FILE = ".scity-run.lock"


def prepare_out_dir(out: Path, root: Path) -> tuple[Path, bool]:
    """Check ``--out`` and create it; return (absolute folder, whether it is inside ``root``).

    Raises:
        OutputPathError: ``out`` is an existing file, the chapters' own folder, or a place
            that cannot be created or written to. Nothing has run yet.
    """
    target = out.expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise OutputPathError(
            f"--out {out}: {target} is an existing file; --out takes a folder for the "
            "executed notebooks (for example --out runs/wages-2021). Nothing was run."
        )
    if target == (root / "notebooks").resolve():
        raise OutputPathError(
            f"--out {out} is the chapters' own folder; omit --out to update the record in "
            "place, or choose another folder. Nothing was run."
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as error:
        raise OutputPathError(
            f"--out {out}: cannot write to {target} ({error.strerror or error}); choose a "
            "folder you can write to. Nothing was run."
        ) from error
    return target, target.is_relative_to(root.resolve())


@contextmanager
def run_lock(root: Path) -> Iterator[None]:
    """Hold the project's run lock (one ``scity run`` at a time); the file names the holder.

    The lock is an ``flock`` on ``<root>/.scity-run.lock``: the system releases it when the
    holder exits, even if it is killed, so a stale lock cannot block later runs.

    Raises:
        RunLockedError: another process holds the lock; its pid is in the message.
    """
    path = root / LOCK_FILE
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RunLockedError(
            f"another `scity run` (pid {holder}) is running in {root} (lock: {path}); wait "
            "for it to finish and run again. Nothing was changed."
        ) from error
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    try:
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
