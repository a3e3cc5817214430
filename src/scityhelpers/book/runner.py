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

import logging
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from scityhelpers.book.execute import (
    _kernel_log,
    _stop_workers,
    _worker_init,
    _write_record,
    execute,
)
from scityhelpers.book.notebook_text import sync_notebooks
from scityhelpers.book.run_plan import (
    FACTS_DIR_PARAM,
    RunPlan,
    chapter_parameters,
    notebook_defaults,
    output_for,
    plan,
    unchanged_since_last_run,
)
from scityhelpers.book.warm_kernel import WarmKernel
from scityhelpers.chapters.parameters import validate
from scityhelpers.chapters.registry import CHAPTERS, Chapter, get_chapter
from scityhelpers.errors import (  # NotebookExecutionError: importable from here too
    NotebookExecutionError,
    ParameterError,
)

log = logging.getLogger(__name__)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``scity run``; ``finished`` names the chapters already published.

    Each chapter is published whole (temp file, then rename) when it finishes, so a
    finished chapter is a complete record and an unfinished one is untouched.
    """

    def __init__(self, finished: list[str]) -> None:
        super().__init__(f"interrupted after {finished}")
        self.finished = sorted(finished)


def _overrides_for(chapter: Chapter, overrides: dict[str, Any], year: int | None,
                   several: bool, declared: set[str] | None = None) -> dict[str, Any]:
    """Return the overrides one chapter takes.

    ``--year`` maps to the chapter's year parameter; with several chapters, ``-p name=value``
    goes only to the chapters that declare ``name`` (``declared``: the names, by default
    those of the chapter's ``PARAMS``, which imports its module).
    """
    chosen = dict(overrides)
    if year is not None and chapter.year_param:
        chosen[chapter.year_param] = year
    if several:
        names = declared if declared is not None else {p.name for p in chapter.analysis().PARAMS}
        chosen = {k: v for k, v in chosen.items() if k in names}
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
    futures: dict[Any, RunPlan] = {}
    in_warm = [p for p in todo if p.chapter.name in warm]
    try:
        with Progress(*columns, disable=not progress or not todo, transient=True) as bar:
            names = ", ".join(p.chapter.name for p in todo)
            task = bar.add_task(f"executing {names}", total=len(todo))
            futures = {pool.submit(execute, p): p for p in todo if p.chapter.name not in warm}
            for run in in_warm:  # all start at once, each in its own kernel
                warm[run.chapter.name].submit(run)
            for run in in_warm:
                try:
                    warm[run.chapter.name].wait()
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
        # published before the interrupt, though not yet collected here: said as kept
        done = {p.chapter.name for p, status in results if status == "executed"}
        done |= {run.chapter.name for run in in_warm if run.chapter.name not in done
                 and warm[run.chapter.name].finished_ok()}
        done |= {plan_.chapter.name for future, plan_ in futures.items()
                 if future.done() and not future.cancelled() and future.exception() is None}
        _stop_workers(pool)
        raise RunInterrupted(sorted(done)) from None
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
    # a rerun of one chapter: its kernel starts and imports while the parameters are checked
    warm = _warm_first_wave(first, overrides, year, out_dir, jobs)
    try:
        chosen, plans = _plan_first_wave(first, second, overrides, year, out_dir, force,
                                         request)
        for name in [n for n, k in warm.items() if not any(k.fits(p) for p in plans
                                                            if not p.skip)]:
            warm.pop(name).close()  # guessed wrong or skipped: stopped before the pool runs
        warm.update(_warm_second_wave(second, chosen, plans, jobs, out_dir, list(warm.values())))
        results = _execute_all(plans, jobs, progress, warm)
        results += _second_wave(second, results, lambda c: plan(
            c, chosen[c.name], out_dir, force, request), jobs, progress, warm)
    finally:
        for kernel in warm.values():
            kernel.close()
    return sorted(results, key=lambda r: r[0].chapter.name)


def _plan_first_wave(first: list[Chapter], second: list[Chapter], overrides: dict[str, Any],
                     year: int | None, out_dir: Path | None, force: bool,
                     request: dict[str, Any]
                     ) -> tuple[dict[str, dict[str, Any]], list[RunPlan]]:
    """Check every chapter's parameters and plan the ``first`` wave (chapters reading no facts).

    Returns each chapter's overrides and the first wave's plans; the second wave (the
    ledger) is only validated here, and planned once the first wave has written its facts.

    Raises:
        ParameterError: an unknown name or a bad value, in any chosen chapter.
    """
    chapters = first + second
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
        return chosen, [plan(c, chosen[c.name], out_dir, force, request) for c in first]
    except ParameterError as error:
        raise _blame_year_option(error, chapters, year) from error


def _early_parameters(chapter: Chapter, overrides: dict[str, Any],
                      year: int | None) -> dict[str, Any] | None:
    """The parameters a chapter's run will most likely get, without importing its module.

    The notebook's defaults with the overrides it has a default for; validation may still
    change them (a value converted, a list parsed), and then the early kernel is not used.
    None when the notebook's parameters cannot be read (planning reports why).
    """
    try:
        defaults = notebook_defaults(chapter.notebook)
    except Exception:  # noqa: BLE001 - planning raises the real, specific error
        return None
    return {**defaults, **_overrides_for(chapter, overrides, year, several=True,
                                         declared=set(defaults))}


def _warm_first_wave(first: list[Chapter], overrides: dict[str, Any], year: int | None,
                     out_dir: Path | None, jobs: int | None) -> dict[str, WarmKernel]:
    """Start the kernels of a small first wave before planning, one core left to the planner.

    A one-chapter rerun on two cores: the chapter's kernel starts and imports its libraries
    while this process imports the chapter modules and checks the parameters (about a second).
    A kernel whose plan turns out different (parameters changed by validation) or skipped is
    stopped unused. A full run (more chapters than free cores) starts none.
    """
    slots = max(1, jobs or os.cpu_count() or 1)
    if not first or len(first) > slots - 1:
        return {}
    warm = {}
    for chapter in first:
        parameters = _early_parameters(chapter, overrides, year)
        if parameters is None:
            continue
        warm[chapter.name] = WarmKernel.start(
            RunPlan(chapter, parameters, "", output_for(chapter, out_dir), False))
    return warm


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
                      out_dir: Path | None, first_warm: list[WarmKernel]
                      ) -> dict[str, WarmKernel]:
    """Start the second wave's kernels if the first wave leaves a core free.

    With one chapter to execute first (a one-parameter rerun), the ledger's kernel starts and
    imports its libraries on the other core while that chapter runs. It is started once the
    first wave's warm kernels have done their imports (``first_warm``): started at once, it
    took a core from them while they imported, which is the rerun's critical path (the
    ledger waits seconds for the chapter anyway). With the first wave filling every worker
    (a full run), nothing is started: it would only compete for the cores.
    """
    executing = sum(not p.skip for p in first_plans)
    free = max(1, jobs or os.cpu_count() or 1) - executing
    if not second or executing == 0 or free < len(second):
        return {}
    for kernel in first_warm:
        kernel.wait_ready()
    warm = {}
    for chapter in second:
        parameters = chapter_parameters(chapter, chosen[chapter.name])
        warm[chapter.name] = WarmKernel.start(
            RunPlan(chapter, parameters, "", output_for(chapter, out_dir), False))
    return warm
