"""scityhelpers: data, models and plots behind the scity book.

The data flows one way: official source → ``data/raw`` (bytes as served, hashed in
``data/manifest.yml``) → validated tidy tables (``data/tidy/*.parquet``) → notebooks → book.
Notebooks only call :func:`scityhelpers.pipeline.tidy.load` and the helpers in this package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import :func:`load` on first use: the ``scity`` command starts without pandas.

    A light start also means Ctrl-C during start-up reaches the command's own handler
    ("interrupted; nothing changed") instead of a traceback from inside an import.
    """
    if name == "load":
        from scityhelpers.pipeline.tidy import load

        return load
    raise AttributeError(f"module 'scityhelpers' has no attribute {name!r}")
