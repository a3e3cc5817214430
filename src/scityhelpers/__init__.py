"""scityhelpers: data, models and plots behind the scity book.

The data flows one way: official source → ``data/raw`` (bytes as served, hashed in
``data/manifest.yml``) → validated tidy tables (``data/tidy/*.parquet``) → notebooks → book.
Notebooks only call :func:`scityhelpers.tidy.load` and the helpers in this package.
"""

from scityhelpers.tidy import load

__all__ = ["load"]
__version__ = "0.1.0"
