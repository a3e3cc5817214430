"""Issue 12: a failure never replaces a good result, and every error says what to do.

Each test is named after the fault a user met (the issue's "Found" list).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scityhelpers.book import build as book
from scityhelpers.book.build import BUILD_DIGEST_FILE, BookBuildError
from scityhelpers.book.change_report import BASELINE_FILE
from scityhelpers.book.page_checks import glue_values, page_text

REPO = Path(__file__).resolve().parents[1]
#: what a book build reads; the rest of the repository (code, raw data, caches) stays out
PROJECT_PARTS = ("_config.yml", "_toc.yml", "CITATION.cff", "book", "notebooks",
                 "data/manifest.yml", "data/reference", "data/tidy")


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


@pytest.fixture
def published_copy(project_copy: Path, built_book: Path) -> Path:
    """``project_copy`` with the real project's checked site published in it.

    The site, its build stamp and the edition baseline are copied from the built real project
    (the build digest does not depend on where the project lies), so the copy's next
    ``book.build()`` finds its inputs unchanged and keeps that site instead of building it again.
    """
    target = project_copy / "_build"
    target.mkdir()
    shutil.copytree(built_book, target / "html")
    for name in (BUILD_DIGEST_FILE, BASELINE_FILE):
        shutil.copy2(built_book.parent / name, target / name)
    return project_copy


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
def test_failed_build_keeps_the_previous_site_byte_identical(published_copy: Path) -> None:
    project_copy = published_copy
    index = book.build()
    published = index.parent
    before = _site_bytes(published)
    stamp = published.parent / BUILD_DIGEST_FILE
    stamp_before = stamp.read_text(encoding="utf-8")
    rank = glue_values(project_copy / "notebooks" / "wages.ipynb")["japan_rank"]
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


def test_failed_japanese_build_keeps_the_previous_japanese_edition(
        published_copy: Path) -> None:
    project_copy = published_copy
    index = book.build()
    japanese = index.parent / "ja"
    before = _site_bytes(japanese)
    assert "か国中" in page_text(japanese / "book" / "wages.html")
    page = project_copy / "book" / "ja" / "wages.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{doc}`no_such_page`\n",
                    encoding="utf-8")
    english = project_copy / "book" / "methods.md"  # an English change the build publishes
    english.write_text(english.read_text(encoding="utf-8") + "\nA sentence added in English.\n",
                       encoding="utf-8")

    with pytest.raises(BookBuildError) as caught:
        book.build()

    message = str(caught.value)
    assert "Japanese edition did not build" in message
    assert "no_such_page" in message
    assert f"{japanese} still holds the last good Japanese edition, unchanged" in message
    assert _site_bytes(japanese) == before  # carried over by the English publish, then kept
    assert "A sentence added in English." in page_text(index.parent / "book" / "methods.html")
    assert not (index.parent / ".ja-new").exists()


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
    from scityhelpers.pipeline import staleness

    first = book.build_inputs_digest(project_copy)
    assert book.build_inputs_digest(project_copy) == first
    # the checksum of the build's own code (its import closure) changes when a module does
    monkeypatch.setattr(staleness, "code_checksum", lambda **_: "changed package code")
    assert book.build_inputs_digest(project_copy) != first


# --------------------------------------------------------------------------- 2. tidy tables
@pytest.fixture
def wages_only(tmp_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding only the OECD wages source, pulled from the real mirror."""
    import yaml

    from scityhelpers.pipeline.data_verbs import pull_all

    monkeypatch.setenv("SCITY_MIRROR", str(REPO.parent / "shared" / "data"))
    manifest = yaml.safe_load((REPO / "data" / "manifest.yml").read_text(encoding="utf-8"))
    subset = {"sources": {"oecd_wages": manifest["sources"]["oecd_wages"]}}
    (tmp_project / "data" / "manifest.yml").write_text(yaml.safe_dump(subset), encoding="utf-8")
    pull_all(offline=True, sources=["oecd_wages"])
    return tmp_project


def test_truncated_tidy_table_is_detected_by_verify_and_rebuilt_by_pull(wages_only: Path) -> None:
    from typer.testing import CliRunner

    from scityhelpers.cli import app
    from scityhelpers.pipeline import tidy

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
    from scityhelpers.book.runner import run_chapters
    from scityhelpers.errors import ParameterError

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
    assert "greater than or equal to 1" in result.output


def test_year_outside_the_panel_blames_end_year_and_year_option(pulled: Path) -> None:
    from scityhelpers.book.runner import run_chapters
    from scityhelpers.errors import ParameterError

    with pytest.raises(ParameterError) as caught:
        run_chapters(["digital_productivity"], {}, year=1800, jobs=1)
    message = str(caught.value)
    assert message.startswith("--year 1800 (sets end_year): parameter 'end_year': 1800")
    assert "start_year" not in message
    assert "valid values: []" not in message
    assert "2014" in message  # the first year with a complete composite (from the data)


def test_kpi_as_of_takes_any_date(pulled: Path) -> None:
    from scityhelpers.chapters.kpi import compute as kpi
    from scityhelpers.chapters.parameters import check
    from scityhelpers.errors import ParameterError

    assert "2025-06-30" not in kpi.as_of_dates(kpi._kpis(), kpi.collected_date())
    assert check(kpi.PARAMS, as_of="2025-06-30") == {"as_of": "2025-06-30"}
    with pytest.raises(ParameterError, match="'as_of' = '2025-13-01' is not valid"):
        check(kpi.PARAMS, as_of="2025-13-01")


def test_kpi_as_of_between_reports_uses_the_latest_actual_before_it(pulled: Path) -> None:
    from datetime import date

    from scityhelpers import load
    from scityhelpers.chapters.kpi import compute as kpi

    table, collected = load("kpis"), kpi.collected_date()
    reported = sorted(set(kpi.as_of_dates(table, collected)))
    earlier, later = (date.fromisoformat(d) for d in reported[-3:-1])
    between = date.fromordinal((earlier.toordinal() + later.toordinal()) // 2)
    assert earlier < between < later
    on_earlier = kpi.tracker(table, earlier, collected)
    on_between = kpi.tracker(table, between, collected)
    columns = ["kpi_id", "series", "actual_value", "actual_date"]
    assert on_between[columns].equals(on_earlier[columns])


# --------------------------------------------------------------------------- 4. CLI messages
def _cli(*args: str):  # noqa: ANN202 - click's Result
    from typer.testing import CliRunner

    from scityhelpers.cli import app

    return CliRunner().invoke(app, list(args))


def test_out_pointing_at_an_existing_file_is_refused(real_root_run_turn: Path,
                                                     tmp_path: Path) -> None:
    existing = tmp_path / "README.md"
    existing.write_text("keep me", encoding="utf-8")
    result = _cli("run", "--only", "wages", "--out", str(existing))
    assert result.exit_code == 2
    assert "is an existing file; --out takes a folder" in result.output
    assert "Traceback" not in result.output
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_out_in_an_unwritable_place_is_refused(real_root_run_turn: Path) -> None:
    result = _cli("run", "--only", "wages", "--out", "/proc/scity-out")
    assert result.exit_code == 2
    assert "--out /proc/scity-out: cannot write to /proc/scity-out" in result.output
    assert "Traceback" not in result.output


def test_out_outside_the_project_says_where_it_writes(pulled: Path, tmp_path: Path) -> None:
    from scityhelpers.book.run_lock import prepare_out_dir
    from scityhelpers.paths import project_root

    target, inside = prepare_out_dir(tmp_path / "runs" / "w", project_root())
    assert target == (tmp_path / "runs" / "w").resolve()
    assert target.is_dir()
    assert inside is False
    assert prepare_out_dir(project_root() / "_build" / "runs", project_root())[1] is True


def test_truncated_notebook_names_the_file_and_the_restore_command(
        project_copy: Path) -> None:
    notebook = project_copy / "notebooks" / "wages.ipynb"
    notebook.write_bytes(notebook.read_bytes()[:5000])
    result = _cli("run", "--only", "wages")
    assert result.exit_code == 2
    assert f"{notebook} is not a readable notebook" in result.output
    assert "git checkout -- notebooks/wages.ipynb" in result.output
    assert "Traceback" not in result.output
    built = _cli("build")
    assert built.exit_code == 2
    assert f"{notebook} is not a readable notebook" in built.output


@pytest.mark.parametrize("cut", [3119, 5000])  # a YAML syntax error; a cut entry
def test_truncated_manifest_under_verify_exits_2_with_a_message(tmp_project: Path,
                                                                cut: int) -> None:
    manifest = tmp_project / "data" / "manifest.yml"
    manifest.write_bytes((REPO / "data" / "manifest.yml").read_bytes()[:cut])
    result = _cli("data", "verify")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {manifest}")
    assert "git checkout -- data/manifest.yml" in result.output
    assert "Traceback" not in result.output
    pull = _cli("data", "pull", "--offline")
    assert pull.exit_code == 2
    assert pull.output == result.output  # one message for the same fault, whichever verb


def test_unexpected_error_shows_traceback_only_with_verbose(
        tmp_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.pipeline import snapshot

    def broken() -> list:
        raise RuntimeError("boom")

    monkeypatch.setattr(snapshot, "verify_all", broken)
    quiet = _cli("data", "verify")
    assert quiet.exit_code == 2
    assert "unexpected RuntimeError: boom" in quiet.output
    assert "Traceback" not in quiet.output
    loud = _cli("--verbose", "data", "verify")
    assert loud.exit_code == 2
    assert "Traceback" in loud.output


def test_mirror_with_wrong_bytes_does_not_ask_for_a_mirror_holding_the_file(
        add_source, tmp_project: Path, fixtures: Path) -> None:  # noqa: ANN001
    content = (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()
    add_source("oecd_wages", "w.csv", content, tables=[])
    mirror_copy = tmp_project.parent / "mirror" / "oecd_wages" / "w.csv"
    mirror_copy.write_bytes(content[:100])
    result = _cli("data", "pull", "oecd_wages", "--offline")
    assert result.exit_code == 2
    assert "Set SCITY_MIRROR to a mirror holding" not in result.output
    assert f"The mirror holds {mirror_copy}, but with other bytes" in result.output


def test_refresh_failure_does_not_suggest_the_mirror(
        add_source, monkeypatch: pytest.MonkeyPatch, fixtures: Path) -> None:  # noqa: ANN001
    from scityhelpers.errors import FetchError
    from scityhelpers.pipeline import data_verbs as datasets
    from scityhelpers.pipeline.fetch import download

    def offline(url: str, *args: object, **kwargs: object) -> Path:
        raise FetchError(f"could not download {url} after 1 attempt(s); last error: no DNS. "
                         "Nothing was written. Check your connection, or point SCITY_MIRROR "
                         "at an offline mirror.")

    content = (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()
    add_source("oecd_wages", "w.csv", content, tables=[])
    monkeypatch.setattr("scityhelpers.pipeline.snapshot.download", offline)
    assert download is not offline
    with pytest.raises(FetchError) as caught:
        datasets.refresh("oecd_wages")
    message = str(caught.value)
    assert "SCITY_MIRROR" not in message
    assert "mirror" not in message.split("`")[0]
    assert "could not download" in message
    assert "`scity data refresh oecd_wages` downloads from the publisher only" in message


def test_messages_piped_to_a_file_are_not_wrapped(add_source, fixtures: Path) -> None:  # noqa: ANN001
    content = (fixtures / "oecd_wages" / "const2025_excerpt.csv").read_bytes()
    add_source("oecd_wages", "w.csv", content, tables=[], in_mirror=False)
    result = _cli("data", "pull", "oecd_wages", "--offline")
    assert result.exit_code == 2
    hint = [line for line in result.output.splitlines() if "SCITY_MIRROR" in line]
    assert hint
    assert "`scity data pull oecd_wages`" in hint[0]
    assert max(len(line) for line in result.output.splitlines()) > 80


# --------------------------------------------------------------------------- 5. runner edges
def test_second_concurrent_run_is_refused_naming_the_holder(real_root_run_turn: Path) -> None:
    import os

    from scityhelpers.book.run_lock import LOCK_FILE, run_lock
    from scityhelpers.paths import project_root

    notebook = REPO / "notebooks" / "wages.ipynb"
    before = notebook.read_bytes()
    with run_lock(project_root()):
        assert (project_root() / LOCK_FILE).read_text(encoding="utf-8").strip() == str(os.getpid())
        result = _cli("run", "--only", "wages", "--force")
    assert result.exit_code == 2
    assert f"another `scity run` (pid {os.getpid()}) is running" in result.output
    assert notebook.read_bytes() == before
    with run_lock(project_root()):  # released: the next run may take it
        pass


def test_ctrl_c_leaves_everything_and_says_so(project_copy: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    notebook = project_copy / "notebooks" / "wages.ipynb"
    before = notebook.read_bytes()
    scity = Path(sys.executable).with_name("scity")
    # as from a terminal: Ctrl-C handled. A shell's background job (`pytest … &`) starts with
    # SIGINT ignored, which its children inherit, and a program started that way rightly
    # ignores Ctrl-C; the test must not depend on how pytest itself was started.
    process = subprocess.Popen([str(scity), "run", "--only", "wages", "--force"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, env=os.environ.copy(),
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list(notebook.parent.glob(".wages.*.ipynb")):  # papermill has started
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "interrupted; nothing changed" in output
    assert "Traceback" not in output
    assert notebook.read_bytes() == before
    assert not list(notebook.parent.glob(".wages.*"))
    assert not (notebook.parent / "wages.run.json").exists()


def test_interrupt_during_planning_exits_130_and_releases_the_lock(
        real_root_run_turn: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.book import runner
    from scityhelpers.book.run_lock import run_lock
    from scityhelpers.paths import project_root

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_chapters", interrupted)
    result = _cli("run", "--only", "wages")
    assert result.exit_code == 130
    assert result.output.strip() == "interrupted; nothing changed"
    with run_lock(project_root()):
        pass


# --------------------------------------------------------------------------- 6. resolver
def test_name_not_in_force_on_as_of_says_when_it_was(pulled: Path) -> None:
    from datetime import date

    from scityhelpers.errors import MunicipalityNotInForceError
    from scityhelpers.reference import municipalities as mu

    with pytest.raises(MunicipalityNotInForceError) as caught:
        mu.resolve("浦和市", as_of=date(2030, 1, 1))
    message = str(caught.value)
    assert "in force on 2030-01-01" in message
    assert "浦和市 (埼玉県, 11204) from before 1970 until 2001-04-30" in message
    assert "today さいたま市 (埼玉県, 11100)" in message
    assert mu.resolve("浦和市", as_of=date(2000, 1, 1)) == "11100"


def test_unknown_prefecture_message_names_the_municipality(pulled: Path) -> None:
    from scityhelpers.errors import UnknownPrefectureError
    from scityhelpers.reference import municipalities as mu

    with pytest.raises(UnknownPrefectureError) as caught:
        mu.resolve("さいたま市", "XX県")
    assert "(given with 'さいたま市')" in str(caught.value)
    assert "''" not in str(caught.value)


@pytest.mark.parametrize("name", [None, "", "  "])
def test_missing_name_is_a_resolver_error_not_a_type_error(pulled: Path, name: object) -> None:
    from scityhelpers.errors import MissingMunicipalityNameError, UnknownMunicipalityError
    from scityhelpers.reference import municipalities as mu

    with pytest.raises(MissingMunicipalityNameError, match="no municipality name to resolve"):
        mu.resolve(name)  # type: ignore[arg-type]
    assert issubclass(MissingMunicipalityNameError, UnknownMunicipalityError)


@pytest.mark.parametrize(("name", "code"), [("ｻｲﾀﾏ市", "11100"), ("サイタマ市", "11100"),
                                            ("南ｱﾙﾌﾟｽ市", "19208")])
def test_half_width_and_katakana_spellings_resolve(pulled: Path, name: str, code: str) -> None:
    from scityhelpers.reference import municipalities as mu

    assert mu.resolve(name) == code


def test_interrupt_after_a_finished_chapter_says_which_were_kept(
        real_root_run_turn: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.book import runner

    calls: list[list[str]] = []

    def first_wave_done_then_ctrl_c(plans: list, jobs: object, progress: object,
                                    warm: object = None) -> list:
        calls.append([p.chapter.name for p in plans])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return [(p, "executed") for p in plans]

    monkeypatch.setattr(runner, "_execute_all", first_wave_done_then_ctrl_c)
    # one job: no kernel is started early, whatever the machine's cores (none would be used)
    result = _cli("run", "--only", "wages", "--only", "claims", "--force", "--jobs", "1")
    assert calls == [["wages"], ["claims"]]
    assert result.exit_code == 130
    assert "interrupted; kept the chapters that had finished (wages); nothing else changed" \
        in result.output


def test_out_says_where_it_writes_before_anything_runs(real_root_run_turn: Path,
                                                       tmp_path: Path) -> None:
    from scityhelpers.paths import project_root

    target = tmp_path / "runs"
    result = _cli("run", "--only", "wages", "--out", str(target), "-p", "year=1850")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"writing executed notebooks to {target.resolve()} (outside the project "
        f"{project_root()})")
    assert "1850 not valid" in result.output
    assert list(target.iterdir()) == []
