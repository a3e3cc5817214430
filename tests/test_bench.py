"""``scity bench`` reports the median of its one-parameter reruns (the timing is the benchmark)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scityhelpers.book.bench import RERUN_YEARS, Step, _timed, median_step, rerun_years
from scityhelpers.errors import BenchmarkStepError


@pytest.mark.parametrize("current", [2022, 2021, 2019])
def test_the_reruns_change_the_year_each_time(current: int) -> None:
    """Also when the copied project was left at a what-if year (a first rerun of nothing)."""
    years = rerun_years(current)
    assert len(years) >= 3
    assert all(a != b for a, b in zip((current, *years), years, strict=False))
    assert set(years) <= {*RERUN_YEARS}


def test_the_median_step_takes_the_middle_wall_and_cpu_times_and_the_largest_memory() -> None:
    runs = [Step("a", 9.5, 400, 13.0), Step("b", 8.1, 470, 12.1), Step("c", 8.4, 430, 12.9)]
    assert median_step("median", runs) == Step("median", 8.4, 470, 12.9)


def test_a_failed_step_says_which_and_shows_its_output(tmp_path: Path) -> None:
    """The fault: a failed cold run said only 'CalledProcessError … exit status 2'."""
    fails = [sys.executable, "-c",
             "import sys; print('planning wages'); "
             "sys.exit('error: tidy table gpp is not built; run `scity data pull`.')"]
    with pytest.raises(BenchmarkStepError) as caught:
        _timed("cold: pull + run + build", [[sys.executable, "-c", "pass"], fails],
               tmp_path, {})
    message = str(caught.value)
    assert "bench step 'cold: pull + run + build'" in message
    assert "exited with 1" in message
    assert "  | planning wages" in message
    assert "  | error: tidy table gpp is not built" in message
