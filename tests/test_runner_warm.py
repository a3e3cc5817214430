"""Issue 11 (speed): the claims ledger's kernel starts while the chapters it reads run.

A warm kernel is used only when a core is free, only for the plan it was started for, and
gives the same executed notebook as a fresh kernel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers.book import runner
from scityhelpers.book.execute import figure_staging_path
from scityhelpers.book.run_plan import RunPlan, chapter_parameters
from scityhelpers.book.runner import run_chapters
from scityhelpers.book.warm_kernel import WarmKernel, warm_imports
from scityhelpers.chapters.registry import get_chapter

REPO = Path(__file__).resolve().parents[1]


def test_warm_imports_are_the_libraries_outside_the_package() -> None:
    names = warm_imports(get_chapter("claims"))
    assert "pandas" in names  # imported at module level by scityhelpers.chapters.claims.compute
    assert "myst_nb" in names  # imported by the notebook itself
    assert not [n for n in names if n.split(".")[0] in ("scityhelpers", "__future__")]


def _plans(n_executing: int) -> list[RunPlan]:
    chapter = get_chapter("wages")
    return [RunPlan(chapter, {}, "", chapter.notebook, skip=i >= n_executing) for i in range(3)]


@pytest.mark.parametrize(("jobs", "executing", "started"),
                         [(2, 1, True),    # one-parameter rerun: the other core is free
                          (1, 1, False),   # no free core
                          (2, 2, False),   # the first wave fills both cores
                          (2, 0, False)])  # nothing to wait for: the ledger runs at once
def test_the_ledger_kernel_is_warmed_only_when_a_core_is_free(
        monkeypatch: pytest.MonkeyPatch, jobs: int, executing: int, started: bool) -> None:
    calls: list[RunPlan] = []
    monkeypatch.setattr(WarmKernel, "start", classmethod(lambda cls, early: calls.append(early)))
    claims = get_chapter("claims")
    warm = runner._warm_second_wave([claims], {"claims": {}}, _plans(executing), jobs, None)
    assert bool(warm) is started
    assert bool(calls) is started
    if started:
        assert calls[0].parameters == chapter_parameters(claims, {})


def test_a_warm_kernel_fits_only_its_own_plan() -> None:
    claims = get_chapter("claims")
    early = RunPlan(claims, {"corridor_fiscal_year": 2019}, "", claims.notebook, False)
    kernel = WarmKernel(early, process=None, connection=None)
    assert kernel.fits(RunPlan(claims, {"corridor_fiscal_year": 2019}, "abc", claims.notebook,
                               False))
    assert not kernel.fits(RunPlan(claims, {"corridor_fiscal_year": 2018}, "abc",
                                   claims.notebook, False))
    assert not kernel.fits(RunPlan(claims, {"corridor_fiscal_year": 2019}, "abc",
                                   Path("elsewhere/claims.ipynb"), False))


def test_the_ledger_run_in_a_warm_kernel_equals_a_fresh_kernels(
        pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    original = WarmKernel.execute

    def spy(self: WarmKernel, run: RunPlan) -> None:
        used.append(run.chapter.name)
        original(self, run)

    monkeypatch.setattr(WarmKernel, "execute", spy)
    results = run_chapters(["wages"], {"year": 2021}, out_dir=tmp_path, jobs=2)
    assert used == ["claims"]
    assert {(p.chapter.name, status) for p, status in results} == {
        ("wages", "executed"), ("claims", "executed")}
    warm = (tmp_path / "claims.ipynb").read_bytes()
    warm_facts = (tmp_path / "claims.facts.json").read_bytes()
    # the same plan again, alone (nothing runs before it, so no warm kernel): a fresh kernel
    run_chapters(["claims"], {}, out_dir=tmp_path, jobs=2, force=True)
    assert used == ["claims"]
    assert (tmp_path / "claims.ipynb").read_bytes() == warm
    assert (tmp_path / "claims.facts.json").read_bytes() == warm_facts


def test_an_unused_warm_kernel_is_shut_down(pulled: Path, tmp_path: Path) -> None:
    claims = get_chapter("claims")
    early = RunPlan(claims, chapter_parameters(claims, {}), "",
                    tmp_path / "claims.ipynb", False)
    kernel = WarmKernel.start(early)
    kernel.close()
    assert not kernel.process.is_alive()
    assert kernel.process.exitcode == 0
    assert not figure_staging_path(early).exists()
    assert not (tmp_path / "claims.ipynb").exists()


def test_the_longest_chapters_are_started_first_and_skipped_ones_not_at_all() -> None:
    from scityhelpers.chapters.registry import CHAPTERS

    plans = [RunPlan(c, {}, "", c.notebook, skip=c.name == "population")
             for c in CHAPTERS.values()]
    order = [p.chapter.name for p in runner.execution_order(plans)]
    assert order[:2] == ["municipal_models", "digital_productivity"]
    assert order[-1] == "kpi"
    assert "population" not in order
    assert sorted(order) == sorted(set(CHAPTERS) - {"population"})
