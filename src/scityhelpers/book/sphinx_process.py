"""``python -m scityhelpers.book.sphinx_process build …``: ``jupyter-book``, run as a batch process.

The same command line as ``jupyter-book`` (its arguments, output and exit status), with the
garbage-collector settings and the quick exit of :mod:`scityhelpers.process`: an incremental
Sphinx build of one changed chapter went from 1.75 s to 0.85 s. ``scity build`` and
``scity pdf`` start their Sphinx builds this way; ``scity bench``'s naive build still runs the
stock ``jupyter-book``.
"""

from __future__ import annotations

from typing import Any

from scityhelpers.process import exit_now, tune_gc_for_batch


def main() -> None:  # pragma: no cover - ends the process (tested through a subprocess)
    """Run ``jupyter-book`` with this process's arguments, then exit with its status."""
    tune_gc_for_batch()
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book(prog_name="jupyter-book")
        code: Any = 0
    except SystemExit as done:
        code = done.code
    exit_now(code)


if __name__ == "__main__":  # pragma: no cover
    main()
