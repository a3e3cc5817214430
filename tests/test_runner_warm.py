"""Issue 11 (speed): kernels that start before their plan is ready.

The claims ledger's kernel starts while the chapters it reads run; a one-chapter rerun's
kernel starts while its parameters are checked. A warm kernel is used only when a core is
free, only for the plan it was started for, gives the same executed notebook as a fresh
kernel (``test_runner.py``, beside the fresh what-if runs it is compared with), and an unused
one is stopped without leaving its kernel behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers.book import runner
from scityhelpers.book.execute import figure_staging_path
from scityhelpers.book.run_plan import RunPlan, chapter_parameters
from scityhelpers.book.runner import run_chapters
from scityhelpers.book.warm_kernel import _WARM_CODE, WarmKernel, warm_imports
from scityhelpers.chapters.registry import get_chapter

REPO = Path(__file__).resolve().parents[1]


def test_warm_imports_are_the_notebooks_own_imports() -> None:
    """What the ledger's cells import, package modules included, and nothing they do not."""
    imports = dict(warm_imports(get_chapter("claims")))
    assert imports["myst_nb"] == ["glue"]
    assert imports["scityhelpers.chapters.claims"] == ["compute"]  # a submodule, imported too
    # the ledger draws no figure: its kernel must not spend a core on the plotting stack,
    # although the package's plotting module is in its code closure
    assert not [m for m in imports if m.split(".")[0] in ("matplotlib", "seaborn")]


def test_the_warm_code_imports_from_names_that_are_submodules_and_binds_nothing() -> None:
    import subprocess
    import sys

    code = _WARM_CODE.format(names=[("xml", ["dom"]), ("no_such_module", ["x"]), ("json", [])])
    check = (f"exec({code!r}); import sys; "
             "print('xml.dom' in sys.modules, 'json' in sys.modules, "
             "[k for k in dir() if not k.startswith('__')])")
    shown = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                           check=True).stdout.strip().split(maxsplit=2)
    assert shown == ["True", "True", "['sys']"]  # `sys` is the check's own import


def spy_on_warm_kernels(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record, in order, each warm kernel ``started``, ``ready`` (or ``ended`` before it was)
    and ``submitted`` a plan, by chapter; the kernels themselves work as usual."""
    events: list[tuple[str, str]] = []
    start, wait_ready, submit = WarmKernel.start.__func__, WarmKernel.wait_ready, WarmKernel.submit

    def spy_start(cls: type[WarmKernel], early: RunPlan) -> WarmKernel:
        events.append(("started", early.chapter.name))
        return start(cls, early)

    def spy_ready(self: WarmKernel) -> None:
        wait_ready(self)
        events.append(("ready" if self.ready else "ended", self.early.chapter.name))

    def spy_submit(self: WarmKernel, run: RunPlan) -> None:
        events.append(("submitted", run.chapter.name))
        submit(self, run)

    monkeypatch.setattr(WarmKernel, "start", classmethod(spy_start))
    monkeypatch.setattr(WarmKernel, "wait_ready", spy_ready)
    monkeypatch.setattr(WarmKernel, "submit", spy_submit)
    return events


def _of(events: list[tuple[str, str]], kinds: set[str]) -> list[tuple[str, str]]:
    return [event for event in events if event[0] in kinds]


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
    warm = runner._warm_second_wave([claims], {"claims": {}}, _plans(executing), jobs, None, [])
    assert bool(warm) is started
    assert bool(calls) is started
    if started:
        assert calls[0].parameters == chapter_parameters(claims, {})


def test_a_warm_kernel_does_not_fit_a_plan_whose_numbers_are_recorded_otherwise() -> None:
    """``0 == 0.0`` in Python, but the figures' metadata would say 0 instead of 0.0."""
    population = get_chapter("population")
    early = RunPlan(population, {"decline_threshold": 0}, "", population.notebook, False)
    kernel = WarmKernel(early, process=None, connection=None)
    assert not kernel.fits(RunPlan(population, {"decline_threshold": 0.0}, "abc",
                                   population.notebook, False))
    assert kernel.fits(RunPlan(population, {"decline_threshold": 0}, "abc",
                               population.notebook, False))


class _Messages:
    """The parent's end of a warm kernel's pipe, holding what the child sent."""

    def __init__(self, *messages: object) -> None:
        self.messages = list(messages)

    def recv(self) -> object:
        return self.messages.pop(0)

    def poll(self) -> bool:
        return bool(self.messages)


def test_a_warm_kernel_says_ready_then_how_its_plan_ended() -> None:
    kernel = WarmKernel(_plans(1)[0], process=None, connection=_Messages("ready", None))
    kernel.wait_ready()
    assert kernel.ready
    assert not kernel.reported
    kernel.sent = True  # as submit() marks it (no child here to send the plan to)
    assert kernel.finished_ok()  # the report after the ready message
    kernel.wait()  # already reported: returns at once


def test_a_warm_kernel_that_failed_to_start_raises_when_waited_for() -> None:
    failure = RuntimeError("kernel died while importing")
    kernel = WarmKernel(_plans(1)[0], process=None, connection=_Messages(failure))
    kernel.wait_ready()  # returns: the failure is the plan's, raised by wait
    assert kernel.reported
    assert not kernel.ready
    with pytest.raises(RuntimeError, match="kernel died"):
        kernel.wait()


def test_waiting_without_asking_for_ready_skips_the_ready_message() -> None:
    failure = RuntimeError("cell 3 failed")
    kernel = WarmKernel(_plans(1)[0], process=None, connection=_Messages("ready", failure))
    with pytest.raises(RuntimeError, match="cell 3 failed"):
        kernel.wait()
    assert kernel.ready


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


@pytest.mark.parametrize(("jobs", "names", "started"),
                         [(2, ["wages"], True),           # one chapter: the other core is free
                          (1, ["wages"], False),          # no core left for the planner
                          (2, ["wages", "kpi"], False),   # the wave fills both cores
                          (4, ["wages", "kpi"], True)])
def test_a_small_first_wave_is_warmed_before_planning(
        monkeypatch: pytest.MonkeyPatch, jobs: int, names: list[str], started: bool) -> None:
    calls: list[RunPlan] = []
    monkeypatch.setattr(WarmKernel, "start", classmethod(lambda cls, early: calls.append(early)))
    first = [get_chapter(name) for name in names]
    warm = runner._warm_first_wave(first, {"year": 2021}, None, None, jobs)
    assert sorted(warm) == (sorted(names) if started else [])
    # the early guess is the plan's parameters, so the kernel is used
    for early in calls:  # the ledger joins every run, so overrides go where declared
        chosen = runner._overrides_for(early.chapter, {"year": 2021}, None, several=True)
        assert early.parameters == chapter_parameters(early.chapter, chosen)
        assert early.output == early.chapter.notebook


def test_an_early_kernel_whose_plan_changed_is_not_used(
        pulled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation parses "JPN,KOR,USA" into a list: the early kernel had the string."""
    events = spy_on_warm_kernels(monkeypatch)
    results = run_chapters(["wages"], {"countries": "JPN,KOR,USA"}, out_dir=tmp_path, jobs=2)
    started = [chapter for _, chapter in _of(events, {"started"})]
    used = [chapter for _, chapter in _of(events, {"submitted"})]
    assert started == ["wages", "claims"]  # wages was started early, on the unparsed string
    assert used == ["claims"]  # and not used: wages ran in a fresh kernel from the pool
    assert {(p.chapter.name, status) for p, status in results} == {
        ("wages", "executed"), ("claims", "executed")}
    assert _kernels_of(figure_staging_path(RunPlan(
        get_chapter("wages"), {}, "", tmp_path / "wages.ipynb", False))) == []


def _kernels_of(staging: Path) -> list[int]:
    """PIDs of kernels started for a plan: they inherit its figure folder in the environment."""
    import psutil

    from scityhelpers.book.figure_export import FIGURES_DIR_ENV

    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if process.environ().get(FIGURES_DIR_ENV) == str(staging):
                found.append(process.pid)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_an_unused_warm_kernel_is_shut_down(pulled: Path, tmp_path: Path) -> None:
    import time

    claims = get_chapter("claims")
    early = RunPlan(claims, chapter_parameters(claims, {}), "",
                    tmp_path / "claims.ipynb", False)
    kernel = WarmKernel.start(early)
    staging = figure_staging_path(early)
    deadline = time.monotonic() + 60
    while not _kernels_of(staging):  # stopped while its kernel is starting up
        assert time.monotonic() < deadline
        time.sleep(0.05)
    kernel.close()
    assert not kernel.process.is_alive()
    assert _kernels_of(staging) == []  # no kernel left behind
    assert not staging.exists()
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


def test_a_kernel_is_killed_and_waited_for_before_jupyter_client_cleans_up() -> None:
    import asyncio

    from scityhelpers.book import warm_kernel

    calls: list[str] = []

    class Provisioner:
        has_process = True
        polls = [None, None, -9]  # alive, alive, ended by SIGKILL

        async def kill(self) -> None:
            calls.append("kill")

        async def poll(self) -> int | None:
            calls.append("poll")
            return self.polls.pop(0)

    class Kernel:
        provisioner = Provisioner()

        async def shutdown_kernel(self, now: bool) -> None:
            calls.append(f"shutdown now={now}")

    asyncio.run(warm_kernel._stop_kernel(Kernel()))
    assert calls == ["kill", "poll", "poll", "poll", "shutdown now=True"]


class _Ended(_Messages):
    """A pipe whose child process died after sending ``messages``."""

    def recv(self) -> object:
        if not self.messages:
            raise EOFError
        return super().recv()


@pytest.mark.parametrize("sent", [(), ("ready",)])
def test_a_warm_kernel_process_that_died_is_a_clear_failure(sent: tuple[str, ...]) -> None:
    """Killed before or after its kernel was ready: the run fails naming the notebook."""
    from scityhelpers.errors import NotebookExecutionError

    kernel = WarmKernel(_plans(1)[0], process=None, connection=_Ended(*sent))
    kernel.wait_ready()
    with pytest.raises(NotebookExecutionError, match="wages.ipynb ended without reporting"):
        kernel.wait()
