"""A kernel started before its plan is ready, its notebook's imports done meanwhile.

On two cores, ``scity run`` starts the ledger's kernel as soon as a core is free, and a
one-chapter rerun's kernel while the parameters are checked; the executed notebook is the
same as a fresh kernel's (tested).
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scityhelpers.book.execute import (
    KERNEL,
    KERNEL_ARGUMENTS,
    _kernel_log,
    _worker_init,
    execute,
    figure_environment,
    figure_staging,
    figure_staging_path,
    pin_blas_threads,
)
from scityhelpers.book.notebook_files import cell_source, notebook_cells
from scityhelpers.book.run_plan import RunPlan
from scityhelpers.chapters.registry import Chapter

log = logging.getLogger(__name__)

#: how long a warm kernel may take to start and do its notebook's imports (seconds)
WARM_TIMEOUT_S = 120
#: how long a stopped warm kernel's process may take to shut its kernel down (seconds)
STOP_TIMEOUT_S = 30


def warm_imports(chapter: Chapter) -> list[tuple[str, list[str]]]:
    """What a chapter's notebook imports at the top level of its code cells, in order.

    One ``(module, names)`` pair per import statement: ``import a.b`` gives ``("a.b", [])``,
    ``from a import b, c`` gives ``("a", ["b", "c"])``, and the warm kernel imports ``a`` and,
    as ``from`` does, each name that ``a`` lacks as a submodule (``from
    scityhelpers.chapters.wages import compute``). Exactly what the run imports first, so a
    kernel spends no time (and takes no core from the chapter it waits for) on libraries
    its notebook never loads; imports inside functions are left to the run.
    """
    import ast

    found: list[tuple[str, list[str]]] = []
    for cell in notebook_cells(chapter.notebook):
        if cell["cell_type"] != "code":
            continue
        try:
            body = ast.parse(cell_source(cell)).body
        except SyntaxError:  # a cell with IPython magics: the run reports its own errors
            continue
        for node in body:
            if isinstance(node, ast.Import):
                found += [(alias.name, []) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.module, [a.name for a in node.names if a.name != "*"]))
    return [(module, names) for module, names in found if module != "__future__"]


#: run silently in a warm kernel: imports modules without binding a name in the notebook's
#: namespace (a module that fails to import is left for the notebook to report)
_WARM_CODE = """def _scity_warm(imports):
    import importlib
    for module, names in imports:
        try:
            found = importlib.import_module(module)
        except Exception:
            continue
        for name in names:
            if not hasattr(found, name):
                try:
                    importlib.import_module(module + "." + name)
                except Exception:
                    pass
_scity_warm({names!r})
del _scity_warm
"""


def _preload_papermill() -> None:
    """Import papermill and compile nbformat's validator while the plan is not yet known."""
    import nbformat
    import papermill  # noqa: F401 - imported for its import time only

    nbformat.validator.get_validator(version=4)


async def _start_warm(kernel: Any, cwd: Path, modules: list[tuple[str, list[str]]]) -> None:
    await kernel.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    client = kernel.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=WARM_TIMEOUT_S)
        request = client.execute(_WARM_CODE.format(names=modules), silent=True,
                                 store_history=False)
        _preload_papermill()  # here, while the kernel imports
        while (await client.get_shell_msg(timeout=WARM_TIMEOUT_S))["parent_header"].get(
                "msg_id") != request:
            pass
    finally:
        client.stop_channels()


#: what a warm kernel's process sends once its kernel has started and done the imports
READY = "ready"

#: how often a killed kernel is checked for having ended (jupyter_client checks every 0.1 s)
STOP_POLL_S = 0.005


async def _stop_kernel(kernel: Any) -> None:
    """Kill the kernel, wait for it to end, then let jupyter_client clean up after it.

    ``shutdown_kernel(now=True)`` kills and then looks again only every 0.1 s; the last
    chapter of a run waits for its kernel's end, so this one looks every few milliseconds
    (at most :data:`STOP_TIMEOUT_S`) before the usual shutdown finds the kernel gone.
    """
    import asyncio

    provisioner = kernel.provisioner
    if provisioner is not None and provisioner.has_process:
        await provisioner.kill()
        for _ in range(int(STOP_TIMEOUT_S / STOP_POLL_S)):
            if await provisioner.poll() is not None:
                break
            await asyncio.sleep(STOP_POLL_S)
    await kernel.shutdown_kernel(now=True)


def _serve_warm_kernel(early: RunPlan, modules: list[tuple[str, list[str]]], connection: Any,
                       stderr_log: str | None) -> None:
    """Child process: start a kernel for ``early``, do its imports, then run the plan sent.

    The kernel inherits the environment of the run (one BLAS thread, where the figures go),
    so it is started from the plan's chapter and parameters; the parent sends the final
    plan (same chapter and parameters) once the chapters it reads are done, or None.
    """
    _worker_init(stderr_log)  # first: Ctrl-C is the parent's from the start
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    pin_blas_threads()
    kernel = AsyncKernelManager(kernel_name=KERNEL)
    try:
        with figure_environment(early, figure_staging(early)):
            run_sync(_start_warm)(kernel, early.chapter.notebook.parent, modules)
        connection.send(READY)
        run = connection.recv()
        if run is not None:
            execute(run, kernel)
        connection.send(None)
    except BaseException as error:  # reported to the parent, which raises it
        with suppress(OSError):  # the parent stopped listening (it is stopping us)
            connection.send(error)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second stop must not cut this short
        if kernel.has_kernel:
            run_sync(_stop_kernel)(kernel)
        shutil.rmtree(figure_staging_path(early), ignore_errors=True)


@dataclass
class WarmKernel:
    """A kernel started, with its chapter's libraries imported, while earlier chapters run.

    The claims ledger must wait for the chapters whose facts it reads, but its kernel start
    and imports (seconds) need not: they run in a child process on a free core, which then
    executes the plan :meth:`submit` sends (:meth:`wait` for it). Used only for a plan with the
    same chapter and parameters as the one it was started for; the notebook's cells all run
    in it as in a fresh kernel (the imports ran silently and bound no names).
    """

    early: RunPlan
    process: Any
    connection: Any
    sent: bool = False
    #: the child has reported how its plan ended (it then shuts its kernel down and exits)
    reported: bool = False
    #: the child has said its kernel is ready (started, imports done)
    ready: bool = False
    #: how the plan ended, when it was received while waiting for :data:`READY`
    report: BaseException | None = None

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
        """Whether ``run`` may execute in this kernel (same chapter, output and parameters).

        Parameters are compared as the kernel's environment records them (JSON): ``0`` and
        ``0.0`` are equal in Python but not in the figures' metadata.
        """
        return (not self.sent and run.chapter == self.early.chapter
                and run.output == self.early.output
                and _as_recorded(run.parameters) == _as_recorded(self.early.parameters))

    def _recv(self) -> Any:
        """The child's next message; its end without one is reported as a failed run."""
        try:
            return self.connection.recv()
        except EOFError:  # killed (out of memory, a signal) before it could report
            from scityhelpers.errors import NotebookExecutionError

            return NotebookExecutionError(
                f"the process running {self.early.chapter.notebook.name} ended without "
                "reporting (killed?); the previous executed copy is unchanged. Rerun "
                "`scity run`; if it happens again, see _build/kernels.log.")

    def _note(self, message: Any) -> None:
        """Record a message from the child: :data:`READY`, or how its plan ended."""
        if message == READY:
            self.ready = True
        else:
            self.reported, self.report = True, message

    def wait_ready(self) -> None:
        """Wait until the kernel has started and done its imports (or its process ended).

        A failure to start is not raised here but by :meth:`wait`, like any other.
        """
        if not (self.ready or self.reported):
            self._note(self._recv())

    def submit(self, run: RunPlan) -> None:
        """Send ``run`` to the warm kernel, which starts executing it; :meth:`wait` for it."""
        self.sent = True
        self.connection.send(run)

    def wait(self) -> None:
        """Wait for the plan sent by :meth:`submit`; raise what the execution raised.

        Returns as soon as the child reports: its kernel's shutdown goes on meanwhile, and
        :meth:`close` waits for it.
        """
        while not self.reported:
            self._note(self._recv())
        if self.report is not None:
            raise self.report

    def close(self) -> None:
        """Stop the kernel if it was not used (its chapter was skipped, failed or not planned).

        An unused kernel may still be starting: it is told to stop (SIGTERM, which the child
        turns into ``SystemExit``: its kernel is shut down and its figure folder removed)
        rather than waited for. A kernel that ran its plan is waited for while it shuts down.
        """
        if not self.sent:
            self.sent = True
            with suppress(OSError):  # the child already gone: nothing to tell it
                self.connection.send(None)
        if self.reported:  # finished: the child is shutting its kernel down, then exits
            self.process.join(timeout=STOP_TIMEOUT_S)
        if self.process.is_alive():
            self.process.join(timeout=0.05)  # an idle child told None exits by itself
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=STOP_TIMEOUT_S)
        if self.process.is_alive():  # stuck in its kernel's shutdown: the kernel's own
            self.process.kill()      # parent watch stops it once this child is gone
            self.process.join()
        self.connection.close()

    def finished_ok(self) -> bool:
        """Whether the plan sent has already finished without error (without waiting)."""
        try:
            while self.sent and not self.reported and self.connection.poll():
                self._note(self.connection.recv())
        except (OSError, EOFError):
            return False
        return self.sent and self.reported and self.report is None


def _as_recorded(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, default=str)
