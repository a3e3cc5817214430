"""Guards around ``scity run``: one run at a time per project, and a safe ``--out`` folder."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scityhelpers.errors import (
    OutputPathError,
    RunLockedError,
)

log = logging.getLogger(__name__)

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
