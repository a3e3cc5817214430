"""How the book's batch processes (``scity``, its Sphinx builds, its kernels) run and end.

Each of them imports a large library stack (pandas, matplotlib, Sphinx), does one job and
ends. Two defaults of CPython cost them time for nothing:

- **The cyclic garbage collector's thresholds.** A generation-0 pass runs every 700 net
  allocations and, every hundred of those, a pass over the whole heap. Importing and
  building allocate millions of objects that live until the end (modules, docutils trees,
  Sphinx's environment), so almost every pass finds nothing. Measured on this book, an
  incremental Sphinx build of one changed chapter took 1.75 s with the defaults and 1.16 s
  with :data:`BATCH_GC_THRESHOLDS`; a full build 3.4 s and 2.5 s, its peak memory 164 MB and
  170 MB. The first two thresholds set how often young objects are collected; the third
  keeps a whole-heap pass for every 100 million net allocations, so cyclic garbage still
  cannot grow without bound.
- **The interpreter's teardown** (0.35 s for a Sphinx build): every result is on disk by
  then, so :func:`exit_now` skips it.

``scity`` and the Sphinx process run through :func:`run_as_batch`; a kernel gets the
thresholds from :data:`BATCH_GC_CODE`, its start-up line (``execute.KERNEL_ARGUMENTS``, also
given to nbval's kernels); a warm kernel is killed at its end, so it skips the teardown too.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable
from typing import Any

#: (generation 0, 1, 2) thresholds of the cyclic collector for a batch process; CPython's
#: defaults are (700, 10, 10)
BATCH_GC_THRESHOLDS = (20_000, 50, 100)
#: the same, as a line a kernel runs at start (``IPKernelApp.exec_lines``): it binds no name
#: in the notebook's namespace and counts as no execution
BATCH_GC_CODE = ("import gc as _scity_gc; "
                 f"_scity_gc.set_threshold{BATCH_GC_THRESHOLDS}; del _scity_gc")


def tune_gc_for_batch() -> None:
    """Collect cyclic garbage less often (:data:`BATCH_GC_THRESHOLDS`) in this process.

    Call it first thing, before the large imports; it changes when memory is freed, never
    what a computation returns.
    """
    gc.set_threshold(*BATCH_GC_THRESHOLDS)


def run_as_batch(command: Callable[[], object]) -> None:  # pragma: no cover - ends the process
    """Run ``command`` (a command line's main function) as a batch process, then exit at once.

    The garbage collector is tuned first (before the command's own imports); the process then
    ends with the command's exit status (``sys.exit`` inside it, 0 when it returns) through
    :func:`exit_now`.
    """
    tune_gc_for_batch()
    try:
        command()
        code: Any = 0
    except SystemExit as done:
        code = done.code
    exit_now(code)


def exit_now(code: Any) -> None:  # pragma: no cover - ends the process
    """End the process with ``code`` (as ``sys.exit`` reads it) without the interpreter's teardown.

    ``atexit`` handlers still run (logging's flush, multiprocessing's cleanup, temporary
    files' finalizers); only the freeing of every module and object is skipped.
    """
    import atexit
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)
