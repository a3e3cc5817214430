"""``scity bench`` reports the median of its one-parameter reruns (the timing is the benchmark)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scityhelpers.book.bench import RERUN_YEARS, Step, _timed, median_step
from scityhelpers.errors import BenchmarkStepError


def test_the_reruns_change_the_year_each_time() -> None:
    assert len(RERUN_YEARS) >= 3
    assert all(a != b for a, b in zip(RERUN_YEARS, RERUN_YEARS[1:], strict=False))


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
