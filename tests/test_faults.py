"""Issue 12: a failure never replaces a good result, and every error says what to do.

Each test is named after the fault a user met (the issue's "Found" list).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scityhelpers import book
from scityhelpers.book import BUILD_DIGEST_FILE, BookBuildError, page_text

REPO = Path(__file__).resolve().parents[1]
#: what a book build reads; the rest of the repository (code, raw data, caches) stays out
PROJECT_PARTS = ("_config.yml", "_toc.yml", "book", "notebooks", "data/manifest.yml",
                 "data/reference", "data/tidy")


@pytest.fixture
def project_copy(pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's book sources and tidy tables, used as the project root."""
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        source, target = REPO / part, root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.run.json"))
        else:
            shutil.copy2(source, target)
    monkeypatch.setenv("SCITY_ROOT", str(root))
    return root


def _drop_glue_output(notebook: Path, key: str) -> None:
    """Remove the output that glues ``key`` (as if the cell had not been run)."""
    document = json.loads(notebook.read_text(encoding="utf-8"))
    dropped = 0
    for cell in document["cells"]:
        kept = [o for o in cell.get("outputs", [])
                if o.get("metadata", {}).get("scrapbook", {}).get("name") != key]
        dropped += len(cell.get("outputs", [])) - len(kept)
        if "outputs" in cell:
            cell["outputs"] = kept
    assert dropped == 1, f"expected one glued output named {key}"
    notebook.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")


def _site_bytes(html_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(html_dir).as_posix(): p.read_bytes()
            for p in sorted(html_dir.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- 1. builds
def test_failed_build_keeps_the_previous_site_byte_identical(project_copy: Path) -> None:
    index = book.build()
    published = index.parent
    before = _site_bytes(published)
    stamp = published.parent / BUILD_DIGEST_FILE
    stamp_before = stamp.read_text(encoding="utf-8")
    rank = book.glue_values(project_copy / "notebooks" / "wages.ipynb")["japan_rank"]
    assert f"Japan ranks {rank} th of 38" in page_text(published / "book" / "wages.html")

    _drop_glue_output(project_copy / "notebooks" / "wages.ipynb", "japan_rank")
    with pytest.raises(BookBuildError) as caught:
        book.build()

    message = str(caught.value)
    assert "japan_rank" in message
    assert f"{published} still holds the last good build, unchanged" in message
    assert _site_bytes(published) == before
    assert f"Japan ranks {rank} th of 38" in page_text(published / "book" / "wages.html")
    assert stamp.read_text(encoding="utf-8") == stamp_before  # still the good site's stamp


def test_failed_build_then_repair_publishes_without_stale_cache(project_copy: Path) -> None:
    notebook = project_copy / "notebooks" / "wages.ipynb"
    good = notebook.read_bytes()
    _drop_glue_output(notebook, "japan_rank")
    with pytest.raises(BookBuildError, match="has no previous build"):
        book.build()
    assert not (book.build_dir() / "html").exists()
    assert not (book.build_dir() / BUILD_DIGEST_FILE).exists()
    notebook.write_bytes(good)
    index = book.build()
    assert "Japan ranks" in page_text(index.parent / "book" / "wages.html")


def test_build_is_not_skipped_when_package_code_changed(
        project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers import runner

    first = book.build_inputs_digest(project_copy)
    assert book.build_inputs_digest(project_copy) == first
    monkeypatch.setattr(runner, "_package_hash", lambda: "changed package code")
    assert book.build_inputs_digest(project_copy) != first


# --------------------------------------------------------------------------- 2. tidy tables
@pytest.fixture
def wages_only(tmp_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding only the OECD wages source, pulled from the real mirror."""
    import yaml

    from scityhelpers.datasets import pull_all

    monkeypatch.setenv("SCITY_MIRROR", str(REPO.parent / "shared" / "data"))
    manifest = yaml.safe_load((REPO / "data" / "manifest.yml").read_text(encoding="utf-8"))
    subset = {"sources": {"oecd_wages": manifest["sources"]["oecd_wages"]}}
    (tmp_project / "data" / "manifest.yml").write_text(yaml.safe_dump(subset), encoding="utf-8")
    pull_all(offline=True, sources=["oecd_wages"])
    return tmp_project


def test_truncated_tidy_table_is_detected_by_verify_and_rebuilt_by_pull(wages_only: Path) -> None:
    from typer.testing import CliRunner

    from scityhelpers import tidy
    from scityhelpers.cli import app

    cli = CliRunner()
    table = wages_only / "data" / "tidy" / "wages.parquet"
    good = table.read_bytes()
    with table.open("r+b") as handle:  # truncate -s 5000
        handle.truncate(5000)
    verify = cli.invoke(app, ["data", "verify"])
    assert verify.exit_code == 1
    assert "tidy table wages" in verify.output
    assert "rebuild it with `scity data pull oecd_wages`" in verify.output
    with pytest.raises(tidy.TidyCorruptError, match="scity data pull oecd_wages"):
        tidy.load("wages")
    pull = cli.invoke(app, ["data", "pull", "oecd_wages", "--offline"])
    assert pull.exit_code == 0, pull.output
    assert table.read_bytes() == good
    assert cli.invoke(app, ["data", "verify"]).exit_code == 0
    assert len(tidy.load("wages")) == 1445


# --------------------------------------------------------------------------- 3. parameters
def test_empty_list_parameter_is_refused_before_running(pulled: Path) -> None:
    from scityhelpers.errors import ParameterError
    from scityhelpers.runner import run_chapters

    notebook = REPO / "notebooks" / "wages.ipynb"
    before = notebook.read_bytes()
    with pytest.raises(ParameterError, match="'countries' is an empty list"):
        run_chapters(["wages"], {"countries": ""}, jobs=1)
    assert notebook.read_bytes() == before


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_below_one_is_refused(jobs: str) -> None:
    from typer.testing import CliRunner

    from scityhelpers.cli import app

    result = CliRunner().invoke(app, ["run", "--only", "wages", "--jobs", jobs])
    assert result.exit_code == 2
    assert "--jobs" in result.output
    assert "x>=1" in result.output


def test_year_outside_the_panel_blames_end_year_and_year_option(pulled: Path) -> None:
    from scityhelpers.errors import ParameterError
    from scityhelpers.runner import run_chapters

    with pytest.raises(ParameterError) as caught:
        run_chapters(["digital_productivity"], {}, year=1800, jobs=1)
    message = str(caught.value)
    assert message.startswith("--year 1800 (sets end_year): parameter 'end_year': 1800")
    assert "start_year" not in message
    assert "valid values: []" not in message
    assert "2014" in message  # the first year with a complete composite (from the data)


def test_kpi_as_of_takes_any_date(pulled: Path) -> None:
    from scityhelpers.analysis import kpi
    from scityhelpers.errors import ParameterError
    from scityhelpers.params import check

    assert "2025-06-30" not in kpi.as_of_dates(kpi._kpis(), kpi.collected_date())
    assert check(kpi.PARAMS, as_of="2025-06-30") == {"as_of": "2025-06-30"}
    with pytest.raises(ParameterError, match="'as_of' = '2025-13-01' is not valid"):
        check(kpi.PARAMS, as_of="2025-13-01")


def test_kpi_as_of_between_reports_uses_the_latest_actual_before_it(pulled: Path) -> None:
    from datetime import date

    from scityhelpers import load
    from scityhelpers.analysis import kpi

    table, collected = load("kpis"), kpi.collected_date()
    reported = sorted(set(kpi.as_of_dates(table, collected)))
    earlier, later = (date.fromisoformat(d) for d in reported[-3:-1])
    between = date.fromordinal((earlier.toordinal() + later.toordinal()) // 2)
    assert earlier < between < later
    on_earlier = kpi.tracker(table, earlier, collected)
    on_between = kpi.tracker(table, between, collected)
    columns = ["kpi_id", "series", "actual_value", "actual_date"]
    assert on_between[columns].equals(on_earlier[columns])
