"""Tidy tables refuse to load when missing or stale (raw bytes, parser or dependency changed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scityhelpers.errors import StaleTidyError, TidySchemaError
from scityhelpers.paths import mirror_dir
from scityhelpers.pipeline import tidy
from scityhelpers.pipeline.data_verbs import pull_all

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def wages_project(tmp_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    real_mirror = Path(str(REPO.parent / "shared" / "data"))
    monkeypatch.setenv("SCITY_MIRROR", str(real_mirror))
    manifest = yaml.safe_load((REPO / "data" / "manifest.yml").read_text(encoding="utf-8"))
    subset = {"sources": {"oecd_wages": manifest["sources"]["oecd_wages"]}}
    (tmp_project / "data" / "manifest.yml").write_text(yaml.safe_dump(subset), encoding="utf-8")
    assert mirror_dir() == real_mirror.resolve()
    pull_all(offline=True, sources=["oecd_wages"])
    return tmp_project


def test_load_returns_the_validated_table(wages_project: Path) -> None:
    assert len(tidy.load("wages")) == 1333 + 112


def test_missing_table_says_how_to_build_it(wages_project: Path) -> None:
    (wages_project / "data" / "tidy" / "wages.parquet").unlink()
    with pytest.raises(tidy.TidyMissingError, match="scity data pull"):
        tidy.load("wages")


def test_table_from_an_older_parser_is_stale(wages_project: Path) -> None:
    meta_path = wages_project / "data" / "tidy" / "wages.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["parser_sha256"] = "0" * 16
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StaleTidyError, match="older parser"):
        tidy.load("wages")
    tidy.build_table("wages")  # what `scity data pull` does
    assert len(tidy.load("wages")) == 1445


def test_table_from_other_raw_bytes_is_stale(wages_project: Path) -> None:
    manifest_path = wages_project / "data" / "manifest.yml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["sources"]["oecd_wages"]["files"][0]["sha256"] = "f" * 64
    manifest_path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    with pytest.raises(StaleTidyError, match="scity data pull"):
        tidy.load("wages")


def test_schema_failure_keeps_the_previous_table(wages_project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.sources import oecd_wages

    before = (wages_project / "data" / "tidy" / "wages.parquet").read_bytes()

    def negative_wages(files: dict) -> object:
        frame = oecd_wages.build_wages(files)
        frame["wage_usd_ppp"] = -frame["wage_usd_ppp"]
        return frame

    spec = oecd_wages.TABLES[0]
    monkeypatch.setattr(oecd_wages, "TABLES", (type(spec)(spec.name, negative_wages,
                                                          spec.schema, spec.description),))
    with pytest.raises(TidySchemaError, match="wage_usd_ppp"):
        tidy.build_table("wages", force=True)
    assert (wages_project / "data" / "tidy" / "wages.parquet").read_bytes() == before
