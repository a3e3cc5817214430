"""One module per source. Each exposes ``SOURCE_ID``, ``TABLES`` and optionally ``fetch``.

``TABLES`` is a tuple of :class:`TableSpec`: how to build one tidy table from the source's raw
files, and the pandera schema it must pass. Nothing outside a source module knows its quirks.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import ManifestError

#: Every module in this package except the machinery is a source (discovered, sorted).
SOURCE_MODULES: tuple[str, ...] = tuple(sorted(
    info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
))

RawFiles = dict[str, Path]


@dataclass(frozen=True)
class TableSpec:
    """How one tidy table is made.

    Attributes:
        name: the table's name for :func:`scityhelpers.pipeline.tidy.load`.
        build: raw files (by manifest name) → tidy DataFrame; pure apart from reading them.
        schema: the pandera schema the result must pass.
        description: one line for ``scity data list`` and the data sources page.
        depends: tidy tables that ``build`` loads (built first).
    """

    name: str
    build: Callable[[RawFiles], pd.DataFrame]
    schema: pa.DataFrameSchema
    description: str
    depends: tuple[str, ...] = ()


@cache
def source_module(source_id: str) -> ModuleType:
    """Import ``scityhelpers.sources.<source_id>``."""
    if source_id not in SOURCE_MODULES:
        raise ManifestError(
            f"no source module {source_id!r}; known: {', '.join(SOURCE_MODULES)}"
        )
    return importlib.import_module(f"scityhelpers.sources.{source_id}")


@lru_cache(maxsize=1)
def table_specs() -> dict[str, tuple[str, TableSpec]]:
    """Return every table name → (source id, spec); ``TableSpec.depends`` fixes build order."""
    specs: dict[str, tuple[str, TableSpec]] = {}
    for source_id in SOURCE_MODULES:
        for spec in source_module(source_id).TABLES:
            specs[spec.name] = (source_id, spec)
    return specs


def table_spec(table: str) -> tuple[str, TableSpec]:
    """Return (source id, spec) of one table, importing only the module that makes it."""
    from scityhelpers.pipeline.manifest import source_of_table

    source_id = source_of_table(table).id
    for spec in source_module(source_id).TABLES:
        if spec.name == table:
            return source_id, spec
    raise ManifestError(
        f"data/manifest.yml says source {source_id!r} makes table {table!r}, but "
        f"scityhelpers.sources.{source_id}.TABLES does not define it"
    )
