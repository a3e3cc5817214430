"""Raw snapshots: pull (snapshot → mirror → network), verify and refresh.

A valid local snapshot is never replaced and a corrupt one is moved aside, not deleted, so a
failed pull or refresh loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from scityhelpers.errors import (
    FetchError,
    ScityError,
    SnapshotChecksumError,
    SnapshotUnavailableError,
)
from scityhelpers.paths import mirror_dir, raw_dir, reference_dir
from scityhelpers.pipeline.fetch import atomic_write, download
from scityhelpers.pipeline.manifest import RawFile, Source, load_manifest, vintages_path
from scityhelpers.pipeline.yaml_text import load_yaml

if TYPE_CHECKING:  # requests is imported where a file is downloaded
    import requests

    Fetcher = Callable[[RawFile, Path, requests.Session], Path]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullResult:
    """Where a raw file came from on this pull: ``snapshot``, ``mirror`` or ``network``."""

    source_id: str
    name: str
    path: Path
    origin: str


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_path(source: Source, raw: RawFile) -> Path:
    """Return where a raw file lives locally (reference tables: ``data/reference``)."""
    if raw.reference:
        return reference_dir() / raw.name
    if raw.local_path:
        return raw_dir() / source.id / raw.local_path
    return raw_dir() / source.id / raw.name


def _copy_atomically(src: Path, dest: Path) -> None:
    with src.open("rb") as handle:
        atomic_write(dest, iter(lambda: handle.read(1 << 20), b""))


def _set_aside(path: Path, found_sha: str) -> Path:
    """Move a corrupt snapshot next to itself (``name.corrupt-<sha8>``) instead of deleting it."""
    aside = path.with_name(f"{path.name}.corrupt-{found_sha[:8]}")
    os.replace(path, aside)
    log.warning("moved corrupt snapshot %s aside to %s", path, aside.name)
    return aside


def default_fetcher(raw: RawFile, dest: Path, session: requests.Session) -> Path:
    """Download ``raw.url`` to ``dest`` (sources with paged APIs pass their own fetcher)."""
    return download(raw.url, dest, session=session)


def _reference_check(source: Source, raw: RawFile, dest: Path) -> PullResult:
    if not dest.is_file():
        raise SnapshotUnavailableError(
            f"reference table {dest} is missing; it is committed with the repository: "
            f"restore it with `git checkout -- {dest.relative_to(dest.parents[2])}`."
        )
    found = sha256_of(dest)
    if found != raw.sha256:
        raise SnapshotChecksumError(
            dest, raw.sha256, found,
            "The committed reference table was edited without updating data/manifest.yml: "
            "restore it with git, or record the new sha256 and row sources in the manifest.",
        )
    return PullResult(source.id, raw.name, dest, "reference")


def _try_mirror(raw: RawFile, dest: Path, attempts: list[str]) -> bool:
    candidate = mirror_dir() / raw.mirror
    if not candidate.is_file():
        attempts.append(f"mirror: {candidate} not found")
        return False
    found = sha256_of(candidate)
    if found != raw.sha256:
        attempts.append(f"mirror: {candidate} has sha256 {found}, expected {raw.sha256}")
        return False
    _copy_atomically(candidate, dest)
    return True


def _try_network(raw: RawFile, dest: Path, fetcher: Fetcher, session: requests.Session,
                 attempts: list[str], source_id: str) -> bool:
    incoming = dest.parent / "incoming" / raw.name
    try:
        fetcher(raw, incoming, session)
    except FetchError as error:
        attempts.append(f"network: {error}")
        return False
    found = sha256_of(incoming)
    if found != raw.sha256:
        raise SnapshotChecksumError(
            incoming, raw.sha256, found,
            f"The publisher now serves different bytes (a new vintage or another layout). "
            f"The download was kept at {incoming}; nothing else changed. Adopt it with "
            f"`scity data refresh {source_id}` once you have checked it.",
        )
    os.replace(incoming, dest)
    return True


def _new_session() -> requests.Session:
    """An HTTP session, for a pull that goes online (requests is imported only then)."""
    import requests

    return requests.Session()


def pull_file(
    source: Source,
    raw: RawFile,
    *,
    offline: bool = False,
    fetcher: Fetcher = default_fetcher,
    session: requests.Session | None = None,
) -> PullResult:
    """Make sure a valid copy of ``raw`` is in ``data/raw``: snapshot, else mirror, else network.

    Raises:
        SnapshotChecksumError: the network copy differs from the manifest (kept for inspection).
        SnapshotUnavailableError: no valid copy anywhere; the message lists every attempt.
    """
    dest = raw_path(source, raw)
    if raw.reference:
        return _reference_check(source, raw, dest)
    attempts: list[str] = []
    if dest.is_file():
        found = sha256_of(dest)
        if found == raw.sha256:
            return PullResult(source.id, raw.name, dest, "snapshot")
        attempts.append(f"snapshot: {dest} has sha256 {found}, expected {raw.sha256}")
        _set_aside(dest, found)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _try_mirror(raw, dest, attempts):
        return PullResult(source.id, raw.name, dest, "mirror")
    if offline:
        attempts.append("network: skipped (offline)")
    elif _try_network(raw, dest, fetcher, session or _new_session(), attempts, source.id):
        return PullResult(source.id, raw.name, dest, "network")
    raise SnapshotUnavailableError(
        f"no valid copy of {source.id}/{raw.name} (sha256 {raw.sha256[:12]}…):\n  - "
        + "\n  - ".join(attempts) + "\n" + _unavailable_hint(source, raw)
    )


def _unavailable_hint(source: Source, raw: RawFile) -> str:
    """What to do when no copy was valid: it depends on whether the mirror holds the file."""
    candidate = mirror_dir() / raw.mirror
    if candidate.is_file():
        return (f"The mirror holds {candidate}, but with other bytes than data/manifest.yml "
                "records: restore the mirror's copy (it may be truncated or replaced), or, "
                "if the publisher released a new vintage, adopt it with "
                f"`scity data refresh {source.id}`; then rerun `scity data pull {source.id}`.")
    return (f"Set SCITY_MIRROR to a mirror holding {raw.mirror}, or go online and rerun "
            f"`scity data pull {source.id}`.")


@dataclass(frozen=True)
class VerifyProblem:
    """One file whose bytes do not match the manifest (or that is missing)."""

    source_id: str
    path: Path
    expected: str
    found: str | None

    def message(self) -> str:
        """Say what is wrong and the command that repairs it."""
        state = "missing" if self.found is None else f"sha256 {self.found}"
        return (f"{self.path}: {state}, expected {self.expected}; "
                f"repair with `scity data pull {self.source_id}`")


def verify_all(sources: dict[str, Source] | None = None) -> list[VerifyProblem]:
    """Re-hash every raw and reference file; return the problems (empty list = all good).

    Files of ``live_only`` sources (no mirror copy exists) are verified once they have been
    downloaded; before that their absence is not a problem.
    """
    problems: list[VerifyProblem] = []
    for source in (sources or load_manifest()).values():
        for raw in source.files:
            path = raw_path(source, raw)
            if source.extra.get("live_only") and not path.is_file():
                continue
            found = sha256_of(path) if path.is_file() else None
            if found != raw.sha256:
                problems.append(VerifyProblem(source.id, path, raw.sha256, found))
    return problems


def refresh_source(
    source: Source,
    *,
    fetcher: Fetcher = default_fetcher,
    session: requests.Session | None = None,
    check: Callable[[dict[str, Path]], None] | None = None,
    today: dt.date | None = None,
) -> dict[str, Path]:
    """Fetch every file of ``source`` anew into a dated folder and record it as the new vintage.

    Nothing existing is touched until every file has downloaded and ``check`` (the source's
    parsers and schemas) has accepted them; then ``data/vintages.yml`` points at the new
    files. The old snapshot and its manifest record stay as they were.

    Raises:
        ScityError: any download or check failure, naming what failed; no vintage is recorded.
    """
    session = session or _new_session()
    stamp = (today or dt.date.today()).isoformat()
    staging = raw_dir() / source.id / "vintages" / f".{stamp}.staging"
    final = raw_dir() / source.id / "vintages" / stamp
    shutil.rmtree(staging, ignore_errors=True)
    paths = {raw.name: fetcher(raw, staging / raw.name, session) for raw in source.files
             if not raw.reference}
    try:
        if check is not None:
            check(paths)
    except ScityError:
        log.error("refresh of %s rejected; staged files kept in %s", source.id, staging)
        raise
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    _record_vintage(source, {name: final / name for name in paths}, stamp)
    return {name: final / name for name in paths}


def _record_vintage(source: Source, paths: dict[str, Path], stamp: str) -> None:
    vpath = vintages_path()
    document = load_yaml(vpath.read_text(encoding="utf-8")) if vpath.is_file() else {}
    document = document or {}
    entry = document.setdefault(source.id, {})
    for name, path in paths.items():
        entry[name] = {
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
            "retrieved": stamp,
            "vintage": f"refreshed from {source.file(name).url} on {stamp}",
            "layout": source.extra.get("live_layout", {}).get(name, source.file(name).layout),
            "local_path": f"vintages/{stamp}/{name}",
            "origin": "official endpoint",
        }
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=True)
    atomic_write(vpath, [text.encode("utf-8")])
