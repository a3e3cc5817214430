"""``scity run``: parameters checked before execution; failures leave the record intact."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from scityhelpers.book.execute import execute
from scityhelpers.book.run_plan import RunPlan, plan, unchanged_since_last_run
from scityhelpers.book.runner import NotebookExecutionError, run_chapters
from scityhelpers.chapters.registry import get_chapter
from scityhelpers.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"year": 1850}, r"1850.*not valid; valid values: 1990…2025"),
        ({"year": "twenty"}, "must be int"),
        ({"price_base_year": 2019}, r"valid values: \[2022, 2025\]"),
        ({"countries": ["JPN", "XXX"]}, r"\['XXX'\] not valid"),
        ({"yaer": 2021}, r"unknown parameter\(s\) \['yaer'\]"),
    ],
)
def test_bad_parameters_fail_before_anything_runs(pulled: Path, overrides: dict,
                                                  message: str) -> None:
    notebook = get_chapter("wages").notebook
    before = notebook.read_bytes()
    with pytest.raises(ParameterError, match=message):
        run_chapters(["wages"], overrides, jobs=1)
    assert notebook.read_bytes() == before


def test_year_outside_the_edition_is_refused(pulled: Path) -> None:
    with pytest.raises(ParameterError, match=r"2019 not valid; valid values: \[2020, 2021, 2022\]"):
        run_chapters(["wages"], {"price_base_year": 2022}, year=2019, jobs=1)


def test_unchanged_inputs_are_skipped(what_if_runs: _WhatIfRuns, tmp_path: Path) -> None:
    """Plans against the what-if run for 2021 (fresh kernels), in a copy of its folder."""
    out = tmp_path / "out"
    shutil.copytree(what_if_runs.after_first, out)
    wages = get_chapter("wages")
    again = plan(wages, {"year": 2021}, out)
    changed = plan(wages, {"year": 2020}, out)
    assert again.skip
    assert not changed.skip
    assert again.input_hash != changed.input_hash
    # the request as `scity run --only wages -p year=2021 --out …` made it (the ledger came along)
    request = {"overrides": {"year": 2021}, "year": None, "chapters": ["claims", "wages"]}
    assert unchanged_since_last_run(wages, request, out) is not None
    # the fault: after `git checkout notebooks/` (same cells, the committed 2022 outputs) the
    # untracked run record still called the notebook this 2021 run's result and skipped it
    shutil.copyfile(REPO / "notebooks" / "wages.ipynb", out / "wages.ipynb")
    assert not plan(wages, {"year": 2021}, out).skip
    assert unchanged_since_last_run(wages, request, out) is None


@dataclass(frozen=True)
class _BrokenChapter:
    name: str
    notebook: Path


def test_failing_notebook_keeps_previous_copy(tmp_path: Path) -> None:
    source = tmp_path / "broken.ipynb"
    cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("raise ValueError('boom in cell 2')")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    nbformat.write(notebook, source)
    output = tmp_path / "out" / "broken.ipynb"
    output.parent.mkdir()
    output.write_text("previous executed copy", encoding="utf-8")
    run = RunPlan(_BrokenChapter("broken", source), {"x": 2}, "hash", output, skip=False)
    with pytest.raises(NotebookExecutionError, match="ValueError: boom in cell 2"):
        execute(run)
    assert output.read_text(encoding="utf-8") == "previous executed copy"
    assert sorted(p.name for p in output.parent.iterdir()) == ["broken.ipynb"]


@dataclass(frozen=True)
class _WhatIfRuns:
    out: Path  # the what-if folder all three runs wrote into (the last, 2019, is there now)
    first: list  # wages for 2021 (with the claims ledger that reads its facts), into ``out``
    again: list  # the identical request, into the same folder
    other: list  # 2019, into the same folder
    after_first: Path  # a copy of ``out`` as the first run left it
    claims_facts_before: bytes  # the committed claims facts record, read before any run


@pytest.fixture(scope="module")
def what_if_runs(pulled: Path, tmp_path_factory: pytest.TempPathFactory) -> _WhatIfRuns:
    """One sequence of what-if runs (``--out``) that two tests read, executed once."""
    import shutil

    claims_facts_before = (REPO / "notebooks" / "claims.facts.json").read_bytes()
    out = tmp_path_factory.mktemp("what_if")
    first = run_chapters(["wages"], {"year": 2021}, out_dir=out, jobs=1)  # fresh kernels
    after_first = tmp_path_factory.mktemp("what_if_2021") / "out"
    shutil.copytree(out, after_first)
    again = run_chapters(["wages"], {"year": 2021}, out_dir=out, jobs=1)
    other = run_chapters(["wages"], {"year": 2019}, out_dir=out, jobs=2)  # warm kernels
    return _WhatIfRuns(out, first, again, other, after_first, claims_facts_before)


def test_identical_request_is_answered_from_the_run_record(what_if_runs: _WhatIfRuns) -> None:
    # wages brings the claims ledger along: it reads wages' facts
    first, again, other = what_if_runs.first, what_if_runs.again, what_if_runs.other
    assert [(p.chapter.name, status) for p, status in first] == [("claims", "executed"),
                                                                 ("wages", "executed")]
    assert [status for _, status in again] == ["skipped", "skipped"]
    assert again[1][0].parameters == first[1][0].parameters
    assert [status for _, status in other] == ["executed", "executed"]


def test_a_rerun_in_warm_kernels_equals_fresh_kernels(
        what_if_runs: _WhatIfRuns, monkeypatch: pytest.MonkeyPatch) -> None:
    """The what-if run for 2021 again, now in warm kernels: the same files, byte for byte.

    The fixture's first run was this request in fresh kernels (one job leaves no core for a
    warm kernel), into the same folder (the ledger's parameters hold its path).
    """
    from tests.test_runner_warm import _of, spy_on_warm_kernels

    events = spy_on_warm_kernels(monkeypatch)
    out = what_if_runs.out  # holds the 2019 run: 2021 is executed again
    results = run_chapters(["wages"], {"year": 2021}, out_dir=out, jobs=2)
    used = [chapter for _, chapter in _of(events, {"submitted"})]
    assert used == ["wages", "claims"]  # wages started before planning, the ledger beside it
    # the ledger's kernel starts once the chapter's kernel has done its imports, not beside them
    assert _of(events, {"started", "ready", "ended"}) == [
        ("started", "wages"), ("ready", "wages"), ("started", "claims")]
    assert {(p.chapter.name, status) for p, status in results} == {
        ("wages", "executed"), ("claims", "executed")}
    names = ("wages.ipynb", "wages.facts.json", "claims.ipynb", "claims.facts.json")
    fresh = {name: (what_if_runs.after_first / name).read_bytes() for name in names}
    assert {name: (out / name).read_bytes() for name in names} == fresh


def _glued_html(notebook: Path, name: str) -> str:
    from scityhelpers.book.notebook_files import notebook_cells

    for cell in notebook_cells(notebook):
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                html = output["data"]["application/papermill.record/text/html"]
                return "".join(html) if isinstance(html, list) else html
    raise AssertionError(f"{notebook} glues no {name}")


def test_what_if_ledger_judges_the_what_if_facts(what_if_runs: _WhatIfRuns) -> None:
    # the fault this guards: the ledger read the committed notebooks' glued text, so a
    # what-if run with --out was judged on the published numbers
    from scityhelpers.book.facts import fact_values, facts_path, read_record

    committed_claims = what_if_runs.claims_facts_before
    tmp_path = what_if_runs.after_first  # run_chapters(["wages"], {"year": 2021}, out_dir=…)
    what_if_rank = fact_values(read_record(facts_path(tmp_path / "wages.ipynb")))["japan_rank"]
    published_rank = fact_values(read_record(REPO / "notebooks" / "wages.facts.json"))[
        "japan_rank"]
    assert what_if_rank != published_rank  # 2021 and 2022 ranks differ in the OECD data
    what_if_ledger = _glued_html(tmp_path / "claims.ipynb", "ledger_table")
    assert f"Japan {what_if_rank}th in the current edition" in what_if_ledger
    assert f"Japan {published_rank}th in the current edition" not in what_if_ledger
    assert (REPO / "notebooks" / "claims.facts.json").read_bytes() == committed_claims
