"""``scity bench`` reports the median of its one-parameter reruns (the timing is the benchmark)."""

from __future__ import annotations

from scityhelpers.book.bench import RERUN_YEARS, Step, median_step


def test_the_reruns_change_the_year_each_time() -> None:
    assert len(RERUN_YEARS) >= 3
    assert all(a != b for a, b in zip(RERUN_YEARS, RERUN_YEARS[1:], strict=False))


def test_the_median_step_takes_the_middle_wall_and_cpu_times_and_the_largest_memory() -> None:
    runs = [Step("a", 9.5, 400, 13.0), Step("b", 8.1, 470, 12.1), Step("c", 8.4, 430, 12.9)]
    assert median_step("median", runs) == Step("median", 8.4, 470, 12.9)
