"""Two-sample rank comparison: Mann–Whitney U with effect sizes that a reader can picture.

A p-value alone says little when one group has a few hundred members; the chapters report
with it the rank-biserial correlation (how often a member of the first group exceeds one of
the second, rescaled to −1…1) and the Hodges–Lehmann shift (the median of all pairwise
differences) with its distribution-free confidence interval. Everything is deterministic
(asymptotic p-value, no resampling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

#: the normal quantile behind a 95% interval
Z_95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class RankComparison:
    """Mann–Whitney U test of ``first`` vs ``second`` with effect sizes.

    Attributes:
        n_first, n_second: sample sizes (missing values dropped).
        median_first, median_second: group medians, in the data's unit.
        u_first: U statistic of the first sample (pairs in which it is larger; ties count ½).
        p_value: two-sided asymptotic p-value (tie- and continuity-corrected).
        rank_biserial: 2·U/(n₁n₂) − 1; +1 when every first value exceeds every second one.
        hl_shift: Hodges–Lehmann estimate of first − second (median pairwise difference).
        hl_low, hl_high: its 95% distribution-free confidence interval.
    """

    n_first: int
    n_second: int
    median_first: float
    median_second: float
    u_first: float
    p_value: float
    rank_biserial: float
    hl_shift: float
    hl_low: float
    hl_high: float


def hodges_lehmann(first: np.ndarray, second: np.ndarray,
                   z: float = Z_95) -> tuple[float, float, float]:
    """Median of all pairwise differences ``first[i] − second[j]`` and its CI.

    The interval takes the order statistics of the differences at the positions where the
    U statistic would reach its two-sided critical value (normal approximation): the
    interval that inverts the Mann–Whitney test (Hollander & Wolfe, ch. 4).
    """
    differences = np.sort(np.subtract.outer(first, second).ravel())
    n_pairs = differences.size
    n1, n2 = first.size, second.size
    half_width = z * np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    k = int(np.floor(n_pairs / 2 - half_width))
    k = min(max(k, 0), n_pairs - 1)
    return (float(np.median(differences)), float(differences[k]),
            float(differences[n_pairs - 1 - k]))


def compare(first: np.ndarray, second: np.ndarray) -> RankComparison:
    """Compare two samples (NaN dropped); raises ValueError if either is empty."""
    first = np.asarray(first, dtype=float)
    second = np.asarray(second, dtype=float)
    first, second = first[~np.isnan(first)], second[~np.isnan(second)]
    if first.size == 0 or second.size == 0:
        raise ValueError(f"both samples need values (sizes {first.size} and {second.size})")
    test = stats.mannwhitneyu(first, second, alternative="two-sided", method="asymptotic")
    shift, low, high = hodges_lehmann(first, second)
    return RankComparison(
        n_first=int(first.size), n_second=int(second.size),
        median_first=float(np.median(first)), median_second=float(np.median(second)),
        u_first=float(test.statistic), p_value=float(test.pvalue),
        rank_biserial=float(2 * test.statistic / (first.size * second.size) - 1),
        hl_shift=shift, hl_low=low, hl_high=high,
    )
