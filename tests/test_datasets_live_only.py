"""``pull_all`` offline skips live-only sources, but not when one is asked for by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses
import yaml

from scityhelpers.errors import ScityError, SnapshotUnavailableError
from scityhelpers.pipeline.data_verbs import pull_all

REAL_MANIFEST = Path(__file__).resolve().parents[1] / "data" / "manifest.yml"


@pytest.fixture
def project(add_source: Callable[..., dict], tmp_project: Path) -> Path:
    kpis = (REAL_MANIFEST.parent / "reference" / "digital_garden_city_kpis.csv").read_bytes()
    add_source("kpi", "digital_garden_city_kpis.csv", kpis, tables=["kpis"])
    manifest = tmp_project / "data" / "manifest.yml"
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    real = yaml.safe_load(REAL_MANIFEST.read_text(encoding="utf-8"))["sources"]
    document["sources"]["ipss_projections_2023"] = real["ipss_projections_2023"]
    manifest.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return tmp_project


def test_offline_pull_skips_live_only_sources(project: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="scityhelpers.pipeline.data_verbs"):
        results = pull_all(offline=True)
    assert {r.source_id for r in results} == {"kpi"}
    assert (project / "data" / "tidy" / "kpis.parquet").is_file()
    assert "skipping live-only source ipss_projections_2023" in caplog.text


def test_offline_pull_of_a_named_live_only_source_says_go_online(project: Path) -> None:
    with pytest.raises(SnapshotUnavailableError, match="go online"):
        pull_all(sources=["ipss_projections_2023"], offline=True)


@responses.activate
def test_online_pull_survives_an_unreachable_live_only_source(
    project: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scityhelpers.pipeline.fetch.time.sleep", lambda _: None)
    # no response registered: every request fails as a connection error (like no network)
    with caplog.at_level("WARNING", logger="scityhelpers.pipeline.data_verbs"):
        results = pull_all()
    assert {r.source_id for r in results} == {"kpi"}
    assert "optional live-only source ipss_projections_2023 could not be fetched" in caplog.text
    assert not (project / "data" / "tidy" / "municipal_projection_2023.parquet").exists()


@responses.activate
def test_named_live_only_source_failure_is_an_error(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scityhelpers.pipeline.fetch.time.sleep", lambda _: None)
    with pytest.raises(ScityError):
        pull_all(sources=["ipss_projections_2023"])
