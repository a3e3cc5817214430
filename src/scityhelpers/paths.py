"""Where things live: the project root, raw/tidy folders and the offline mirror."""

from __future__ import annotations

import os
from pathlib import Path

MIRROR_ENV = "SCITY_MIRROR"
ROOT_ENV = "SCITY_ROOT"


def project_root() -> Path:
    """Return the repository root (the folder holding ``data/manifest.yml``).

    ``SCITY_ROOT`` wins; otherwise search upwards from the working directory (notebooks run
    from ``notebooks/``), then from this file (editable installs live under ``src/``).
    """
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "data" / "manifest.yml").is_file():
                return folder
    raise FileNotFoundError(
        "cannot find the scity project root (no data/manifest.yml above "
        f"{Path.cwd()}); run from inside the repository or set {ROOT_ENV}."
    )


def data_dir() -> Path:
    """Return ``<root>/data``."""
    return project_root() / "data"


def raw_dir() -> Path:
    """Return ``<root>/data/raw``: the local snapshots, never committed."""
    return data_dir() / "raw"


def tidy_dir() -> Path:
    """Return ``<root>/data/tidy``: parquet tables made by the parsers, never committed."""
    return data_dir() / "tidy"


def reference_dir() -> Path:
    """Return ``<root>/data/reference``: committed reference tables with a source per row."""
    return data_dir() / "reference"


def mirror_dir() -> Path:
    """Return the offline mirror: ``$SCITY_MIRROR`` or ``<root>/../shared/data``."""
    if os.environ.get(MIRROR_ENV):
        return Path(os.environ[MIRROR_ENV]).resolve()
    return (project_root().parent / "shared" / "data").resolve()


def build_dir() -> Path:
    """Return ``<root>/_build``."""
    return project_root() / "_build"
