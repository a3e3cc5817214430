"""Pull order (snapshot → mirror → network), checksum failures, verify and refresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import responses

from scityhelpers.errors import (
    SnapshotChecksumError,
    SnapshotUnavailableError,
    SourceSchemaError,
)
from scityhelpers.pipeline.manifest import get_source, load_manifest
from scityhelpers.pipeline.snapshot import pull_file, raw_path, refresh_source, verify_all

URL = "https://example.invalid/wages.csv"


@pytest.fixture
def wages_bytes(fixtures: Path) -> bytes:
    return (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()


def _only_file(source_id: str):
    source = get_source(source_id)
    return source, source.files[0]


def test_pull_copies_from_mirror_then_reuses_snapshot(add_source: Callable, wages_bytes: bytes):
    add_source("w", "w.csv", wages_bytes, tables=[])
    source, raw = _only_file("w")
    first = pull_file(source, raw, offline=True)
    second = pull_file(source, raw, offline=True)
    assert (first.origin, second.origin) == ("mirror", "snapshot")
    assert first.path.read_bytes() == wages_bytes


def test_corrupt_snapshot_is_set_aside_and_restored(add_source: Callable, wages_bytes: bytes):
    add_source("w", "w.csv", wages_bytes, tables=[])
    source, raw = _only_file("w")
    dest = pull_file(source, raw, offline=True).path
    dest.write_bytes(wages_bytes[:200])  # truncated on disk
    result = pull_file(source, raw, offline=True)
    assert result.origin == "mirror"
    assert dest.read_bytes() == wages_bytes
    kept = list(dest.parent.glob("w.csv.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == wages_bytes[:200]


def test_mirror_checksum_mismatch_offline_is_a_clear_error(
    add_source: Callable, tmp_project: Path, wages_bytes: bytes
):
    add_source("w", "w.csv", wages_bytes, tables=[])
    (tmp_project.parent / "mirror" / "w" / "w.csv").write_bytes(wages_bytes + b"tampered\n")
    source, raw = _only_file("w")
    with pytest.raises(SnapshotUnavailableError) as error:
        pull_file(source, raw, offline=True)
    message = str(error.value)
    assert raw.sha256 in message
    assert "mirror" in message
    assert "scity data pull w" in message
    assert not raw_path(source, raw).exists()


@responses.activate
def test_network_fallback_when_mirror_is_absent(add_source: Callable, wages_bytes: bytes):
    add_source("w", "w.csv", wages_bytes, tables=[], url=URL, in_mirror=False)
    responses.get(URL, body=wages_bytes)
    source, raw = _only_file("w")
    assert pull_file(source, raw, session=requests.Session()).origin == "network"


@responses.activate
def test_network_bytes_with_another_hash_are_kept_aside(
    add_source: Callable, wages_bytes: bytes
):
    add_source("w", "w.csv", wages_bytes, tables=[], url=URL, in_mirror=False)
    responses.get(URL, body=wages_bytes.replace(b"AUS", b"AUT"))
    source, raw = _only_file("w")
    with pytest.raises(SnapshotChecksumError, match="scity data refresh w"):
        pull_file(source, raw)
    assert not raw_path(source, raw).exists()
    assert (raw_path(source, raw).parent / "incoming" / "w.csv").is_file()


def test_verify_names_missing_and_changed_files(add_source: Callable, wages_bytes: bytes):
    add_source("w", "w.csv", wages_bytes, tables=[])
    add_source("v", "v.csv", wages_bytes[:300], tables=[])
    source, raw = _only_file("w")
    pull_file(source, raw, offline=True).path.write_bytes(b"edited")
    problems = {p.source_id: p for p in verify_all(load_manifest())}
    assert set(problems) == {"w", "v"}
    assert problems["v"].found is None
    assert "scity data pull w" in problems["w"].message()


@responses.activate
def test_refresh_rejected_by_check_keeps_old_vintage(
    add_source: Callable, tmp_project: Path, wages_bytes: bytes
):
    add_source("w", "w.csv", wages_bytes, tables=[], url=URL)
    source, raw = _only_file("w")
    old = pull_file(source, raw, offline=True).path
    responses.get(URL, body=b"garbage")

    def reject(_: dict[str, Path]) -> None:
        raise SourceSchemaError("missing column ref_area")

    with pytest.raises(SourceSchemaError):
        refresh_source(source, check=reject, session=requests.Session())
    assert old.read_bytes() == wages_bytes
    assert not (tmp_project / "data" / "vintages.yml").exists()


@responses.activate
def test_refresh_records_new_vintage_beside_the_old(
    add_source: Callable, tmp_project: Path, wages_bytes: bytes
):
    add_source("w", "w.csv", wages_bytes, tables=[], url=URL)
    source, raw = _only_file("w")
    old = pull_file(source, raw, offline=True).path
    newer = wages_bytes.replace(b"51711.294", b"51711.295")
    responses.get(URL, body=newer)
    refresh_source(source, session=requests.Session())
    refreshed = get_source("w").files[0]
    assert refreshed.retrieved != "2026-11-25" or refreshed.local_path
    assert raw_path(get_source("w"), refreshed).read_bytes() == newer
    assert old.read_bytes() == wages_bytes  # previous snapshot untouched
