"""Rank comparison: known answers on synthetic samples, agreement with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scityhelpers.stats.rank_tests import compare, hodges_lehmann


def test_a_pure_shift_is_recovered_exactly_by_hodges_lehmann() -> None:
    rng = np.random.default_rng(7)
    others = rng.normal(0, 1, 200)
    selected = others[:150] + 5.0 + rng.normal(0, 1e-9, 150)
    shift, low, high = hodges_lehmann(selected, others[:150] + 0.0)
    assert shift == pytest.approx(5.0, abs=1e-6)
    assert low <= 5.0 <= high


def test_disjoint_samples_have_rank_biserial_one_and_tiny_p() -> None:
    result = compare(np.arange(100, 130, dtype=float), np.arange(0, 50, dtype=float))
    assert result.rank_biserial == pytest.approx(1.0)
    assert result.u_first == 30 * 50
    assert result.p_value < 1e-10
    assert result.median_first == pytest.approx(114.5)
    assert result.median_second == pytest.approx(24.5)


def test_reversed_samples_flip_the_sign() -> None:
    rng = np.random.default_rng(3)
    first, second = rng.normal(1, 1, 80), rng.normal(0, 1, 120)
    forward, backward = compare(first, second), compare(second, first)
    assert forward.rank_biserial == pytest.approx(-backward.rank_biserial)
    assert forward.hl_shift == pytest.approx(-backward.hl_shift)
    assert forward.p_value == pytest.approx(backward.p_value)


def test_statistics_agree_with_scipy_and_nan_is_dropped() -> None:
    rng = np.random.default_rng(11)
    first, second = rng.lognormal(1, 1, 60), rng.lognormal(0.5, 1, 90)
    expected = stats.mannwhitneyu(first, second, alternative="two-sided", method="asymptotic")
    result = compare(np.append(first, np.nan), second)
    assert result.n_first == 60
    assert result.u_first == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)


def test_ci_covers_the_true_shift_in_most_samples() -> None:
    rng = np.random.default_rng(2024)
    covered = 0
    for _ in range(200):
        first, second = rng.normal(2.0, 1, 40), rng.normal(0.0, 1, 50)
        _, low, high = hodges_lehmann(first, second)
        covered += low <= 2.0 <= high
    assert 0.9 <= covered / 200 <= 0.99


def test_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="both samples"):
        compare(np.array([np.nan]), np.array([1.0, 2.0]))
