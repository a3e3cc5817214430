"""``python -m scityhelpers.book.sphinx_process build …``: ``jupyter-book``, run as a batch process.

The same command line as ``jupyter-book`` (its arguments, output and exit status), with the
garbage-collector settings and the quick exit of :mod:`scityhelpers.process`: an incremental
Sphinx build of one changed chapter went from 1.75 s to 1.16 s. ``scity build`` and
``scity pdf`` start their Sphinx builds this way; ``scity bench``'s naive build still runs the
stock ``jupyter-book``.
"""

from __future__ import annotations

from scityhelpers.process import run_as_batch


def jupyter_book() -> None:
    """``jupyter-book``'s command line, with this process's arguments.

    Imported here, once the garbage collector is tuned.
    """
    from jupyter_book.cli.main import main as command

    command(prog_name="jupyter-book")


def main() -> None:  # pragma: no cover - ends the process (tested through a subprocess)
    """Run ``jupyter-book`` with this process's arguments, then exit with its status."""
    run_as_batch(jupyter_book)


if __name__ == "__main__":  # pragma: no cover
    main()
