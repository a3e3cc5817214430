"""The manifest: one entry per source, one record per raw file (URL, licence, sha256)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from scityhelpers.errors import ManifestError
from scityhelpers.paths import data_dir
from scityhelpers.pipeline.yaml_text import load_yaml

MANIFEST_NAME = "manifest.yml"


@dataclass(frozen=True)
class RawFile:
    """One raw file as served by its publisher (or a verbatim copy of it).

    Attributes:
        name: file name under ``data/raw/<source>/``.
        sha256: hex digest of the bytes the parsers were written for.
        url: the official endpoint a fetcher downloads from.
        mirror: path of the same bytes under the offline mirror (or ``data/reference``).
        layout: which parser layout the bytes follow (e.g. ``csvfilewithlabels``).
        vintage: the edition or reference date of the data.
        retrieved: ISO date the bytes were retrieved.
        bytes: size in bytes.
        rows: data rows (as counted by the parser's reader).
        origin: where this copy came from when it is not the publisher's own server.
        reference: True when the file is a committed reference table under ``data/reference``.
        local_path: set for a refreshed vintage (``data/vintages.yml``): its path under
            ``data/raw/<source>/``, so the previous snapshot stays where it was.
    """

    name: str
    sha256: str
    url: str
    mirror: str
    layout: str
    vintage: str
    retrieved: str
    bytes: int
    rows: int | None = None
    origin: str = ""
    reference: bool = False
    local_path: str = ""


@dataclass(frozen=True)
class Source:
    """A publisher's dataset: its licence, citation, tables and raw files."""

    id: str
    title: str
    publisher: str
    licence: str
    licence_url: str
    homepage: str
    citation: str
    tables: tuple[str, ...]
    files: tuple[RawFile, ...]
    caveats: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def file(self, name: str) -> RawFile:
        """Return the raw file called ``name``, or raise ``ManifestError``."""
        for raw in self.files:
            if raw.name == name:
                return raw
        known = ", ".join(sorted(f.name for f in self.files))
        raise ManifestError(f"source {self.id!r} has no raw file {name!r}; it has: {known}")


_SOURCE_KEYS = {"title", "publisher", "licence", "licence_url", "homepage", "citation",
                "tables", "files", "caveats"}
_FILE_KEYS = set(RawFile.__dataclass_fields__)
_REQUIRED_FILE_KEYS = {"name", "sha256", "url", "mirror", "layout", "vintage", "retrieved",
                       "bytes"}


def _parse_file(source_id: str, raw: dict[str, Any]) -> RawFile:
    missing = _REQUIRED_FILE_KEYS - set(raw)
    unknown = set(raw) - _FILE_KEYS
    if missing or unknown:
        raise ManifestError(
            f"manifest entry {source_id}/{raw.get('name', '?')}: missing fields "
            f"{sorted(missing)}, unknown fields {sorted(unknown)}"
        )
    return RawFile(**{**raw, "retrieved": str(raw["retrieved"])})


def parse_manifest(document: dict[str, Any]) -> dict[str, Source]:
    """Turn the YAML document into ``Source`` records, refusing unknown or missing keys."""
    sources: dict[str, Source] = {}
    for source_id, entry in (document.get("sources") or {}).items():
        missing = {"title", "publisher", "licence", "tables", "files"} - set(entry)
        if missing:
            raise ManifestError(f"manifest source {source_id!r} lacks {sorted(missing)}")
        extra = {k: v for k, v in entry.items() if k not in _SOURCE_KEYS}
        sources[source_id] = Source(
            id=source_id,
            title=entry["title"],
            publisher=entry["publisher"],
            licence=entry["licence"],
            licence_url=entry.get("licence_url", ""),
            homepage=entry.get("homepage", ""),
            citation=entry.get("citation", ""),
            tables=tuple(entry["tables"]),
            files=tuple(_parse_file(source_id, f) for f in entry["files"]),
            caveats=entry.get("caveats", ""),
            extra=extra,
        )
    return sources


def manifest_path() -> Path:
    """Return the path of ``data/manifest.yml``."""
    return data_dir() / MANIFEST_NAME


VINTAGES_NAME = "vintages.yml"


def vintages_path() -> Path:
    """Return ``data/vintages.yml``: raw files adopted by ``scity data refresh``."""
    return data_dir() / VINTAGES_NAME


def apply_vintages(sources: dict[str, Source], vintages: dict[str, Any]) -> dict[str, Source]:
    """Replace manifest file records by the refreshed ones recorded in ``vintages.yml``.

    The manifest keeps the edition the book was first built from; a refresh never edits it,
    so the old record (and its snapshot) stays available to compare against.
    """
    updated = dict(sources)
    for source_id, files in (vintages or {}).items():
        if source_id not in sources:
            raise ManifestError(f"{VINTAGES_NAME}: unknown source {source_id!r}")
        source = sources[source_id]
        new_files = []
        for raw in source.files:
            override = (files or {}).get(raw.name)
            new_files.append(replace(raw, **override) if override else raw)
        updated[source_id] = replace(source, files=tuple(new_files))
    return updated


def _read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path``; a broken file is a ``ManifestError`` naming it."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = load_yaml(handle)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ManifestError(
            f"{path} is not valid YAML ({' '.join(str(error).split())}); it may be truncated "
            f"or hand-edited. {_restore_hint(path)}"
        ) from error
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ManifestError(f"{path} holds a {type(document).__name__}, not a mapping. "
                            f"{_restore_hint(path)}")
    return document


def _restore_hint(path: Path) -> str:
    return (f"Restore it with `git checkout -- data/{path.name}`, or fix the lines named "
            "(`git diff` shows what changed).")


@lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int, vintages_mtime_ns: int) -> dict[str, Source]:
    try:
        sources = parse_manifest(_read_yaml(path))
        vpath = path.parent / VINTAGES_NAME
        if vintages_mtime_ns:
            sources = apply_vintages(sources, _read_yaml(vpath))
    except (ManifestError, AttributeError, TypeError) as error:
        if isinstance(error, ManifestError) and str(error).startswith(str(path.parent)):
            raise
        raise ManifestError(f"{path}: {error}. {_restore_hint(path)}") from error
    return sources


def load_manifest(path: Path | None = None) -> dict[str, Source]:
    """Load and validate the manifest plus refreshed vintages (cached until either changes)."""
    path = path or manifest_path()
    vpath = path.parent / VINTAGES_NAME
    vmtime = vpath.stat().st_mtime_ns if vpath.is_file() else 0
    return _load_cached(path, path.stat().st_mtime_ns, vmtime)


def get_source(source_id: str) -> Source:
    """Return one source's manifest entry, or raise ``ManifestError`` listing the known ids."""
    sources = load_manifest()
    if source_id not in sources:
        raise ManifestError(
            f"unknown source {source_id!r}; known sources: {', '.join(sorted(sources))}"
        )
    return sources[source_id]


def source_of_table(table: str) -> Source:
    """Return the source whose parser makes tidy table ``table``."""
    for source in load_manifest().values():
        if table in source.tables:
            return source
    known = sorted(t for s in load_manifest().values() for t in s.tables)
    raise ManifestError(f"no source makes tidy table {table!r}; known tables: {', '.join(known)}")
