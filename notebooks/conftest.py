"""nbval's kernels: one BLAS thread, and a second pass of every notebook under Prescott.

nbval runs these notebooks in kernels started from pytest: give them one BLAS/OpenMP
thread, as ``scity run`` does, so outputs do not depend on the machine's core count.

Every notebook is checked twice in the same session: once in a kernel with the machine's own
OpenBLAS kernel (nbval's ``notebooks/<ch>.ipynb::Cell n``) and once in a kernel forced to the
old Prescott kernel (``notebooks/<ch>.ipynb::prescott::Cell n``), so a notebook whose outputs
depend on the CPU fails here rather than on a reader's machine. The Prescott pass ends with an
item asking its kernel which OpenBLAS kernel it loaded. Under pytest-xdist with
``--dist loadscope`` (as ``make test`` runs it) each pass of a notebook is one scope, so its
cells run in order in one kernel, and the two passes may run on two workers at once.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from queue import Empty

import nbval.kernel
import pytest
from nbval.plugin import IPyNbFile

from scityhelpers.book.execute import KERNEL_ARGUMENTS, pin_blas_threads
from scityhelpers.process import BATCH_GC_THRESHOLDS

pin_blas_threads()
#: and scity run's kernel arguments (its garbage-collector settings, no output, no name bound):
#: nbval checks the outputs in the kind of kernel that made them
nbval.kernel.start_new_kernel = functools.partial(nbval.kernel.start_new_kernel,
                                                  extra_arguments=KERNEL_ARGUMENTS)

#: OpenBLAS reads this when the library loads (dynamic-architecture builds, as numpy's wheels)
CORETYPE_ENV = "OPENBLAS_CORETYPE"
FORCED_CORETYPE = "Prescott"
PASS_NAME = "prescott"
#: what the kernel reports: the architecture of every OpenBLAS numpy/scipy loaded
_ARCH_EXPRESSION = ("sorted({i.get('architecture') for i in __import__('threadpoolctl')"
                    ".threadpool_info() if i.get('internal_api') == 'openblas'})")
_REPLY_TIMEOUT_S = 60


def kernel_blas_architectures(notebook: IPyNbFile) -> tuple[str, str]:
    """Ask the notebook's running kernel which OpenBLAS kernel(s) it loaded (e.g. "['Katmai']").

    Also returns its garbage collector's thresholds, as text (e.g. "(20000, 50, 100)").

    Uses a silent execute request with a user expression, so the kernel's history and the
    notebook's outputs are untouched; numpy and scipy are imported first so both of their
    OpenBLAS libraries are loaded.
    """
    client = notebook.kernel.kc
    msg_id = client.execute("import numpy, scipy.linalg", silent=True, store_history=False,
                            user_expressions={"arch": _ARCH_EXPRESSION,
                                              "gc": "__import__('gc').get_threshold()"})
    while True:
        try:
            reply = client.get_shell_msg(timeout=_REPLY_TIMEOUT_S)
        except Empty as error:
            raise AssertionError(f"the kernel did not answer within {_REPLY_TIMEOUT_S} s") \
                from error
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    results = reply["content"]["user_expressions"]
    assert all(r["status"] == "ok" for r in results.values()), results
    return results["arch"]["data"]["text/plain"], results["gc"]["data"]["text/plain"]


@functools.cache
def python_blas_architectures(coretype: str | None) -> str:
    """What a fresh Python's OpenBLAS reports with ``OPENBLAS_CORETYPE`` set or (None) unset.

    OpenBLAS names the kernels it loads, not the requested type: for ``Prescott`` the wheels'
    OpenBLAS 0.3.30 reports ``Katmai``, so the kernel is compared with this, not with the name.
    """
    env = {k: v for k, v in os.environ.items() if k != CORETYPE_ENV}
    if coretype is not None:
        env[CORETYPE_ENV] = coretype
    code = f"import numpy, scipy.linalg; print({_ARCH_EXPRESSION})"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


class BlasCoreTypeItem(pytest.Item):
    """The last item of a Prescott pass: its kernel really ran on the forced OpenBLAS kernel."""

    def runtest(self) -> None:
        """Fail unless the kernel's OpenBLAS is the forced one, and that is not the native one.

        And unless the kernel was started with ``scity run``'s kernel arguments.
        """
        reported, thresholds = kernel_blas_architectures(self.parent)
        assert thresholds == str(BATCH_GC_THRESHOLDS), (
            f"nbval's kernel collects garbage at {thresholds}, not as scity run's kernels do")
        forced = python_blas_architectures(FORCED_CORETYPE)
        native = python_blas_architectures(None)
        assert reported == forced, (
            f"{CORETYPE_ENV}={FORCED_CORETYPE} was set for this kernel, but its OpenBLAS "
            f"reports {reported}, not {forced}: the Prescott pass did not test what it claims")
        assert forced != native, (
            f"{CORETYPE_ENV}={FORCED_CORETYPE} changes nothing on this machine (OpenBLAS "
            f"reports {native} either way): the pass repeats the default one")

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where pytest says this item is."""
        return self.path, 0, f"{self.nodeid}: OpenBLAS kernel is {FORCED_CORETYPE}"


class PrescottNotebook(IPyNbFile):
    """nbval's notebook collector, with its kernel started under OPENBLAS_CORETYPE=Prescott."""

    def setup(self) -> None:
        """Start nbval's kernel with ``OPENBLAS_CORETYPE=Prescott`` (this process keeps its own)."""
        previous = os.environ.get(CORETYPE_ENV)
        os.environ[CORETYPE_ENV] = FORCED_CORETYPE  # the kernel inherits it at start
        try:
            super().setup()
        finally:
            if previous is None:
                os.environ.pop(CORETYPE_ENV)
            else:
                os.environ[CORETYPE_ENV] = previous

    def collect(self):  # noqa: ANN201  (nbval's items)
        """Nbval's cell items, then the check of the kernel's OpenBLAS."""
        yield from super().collect()
        yield BlasCoreTypeItem.from_parent(self, name="blas coretype")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PrescottNotebook | None:
    """The second, Prescott pass of every notebook nbval collects."""
    options = parent.config.option
    if not (options.nbval or options.nbval_lax) or file_path.suffix != ".ipynb":
        return None
    rel = file_path.relative_to(parent.config.rootpath).as_posix()
    return PrescottNotebook.from_parent(parent, path=file_path,
                                        name=f"{file_path.name}::{PASS_NAME}",
                                        nodeid=f"{rel}::{PASS_NAME}")

