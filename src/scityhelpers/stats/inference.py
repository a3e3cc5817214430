"""Small inference helpers: Holm's family-wise adjustment and a mean's t-interval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error), in the input order.

    The smallest p is multiplied by m, the next by m − 1, …; adjusted values are made
    monotone and capped at 1. Reject at level α where the adjusted p ≤ α. Unitless (0–1).
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def mean_t_interval(values: Sequence[float], level: float = CONFIDENCE
                    ) -> tuple[float, float, float]:
    """Mean and its t-interval (n − 1 degrees of freedom), in the values' unit.

    The interval assumes independent values; over cross-validation folds, which share
    training rows, read it as a rough band.
    """
    array = np.asarray(values, dtype=float)
    mean = float(array.mean())
    half = float(stats.t.ppf((1 + level) / 2, len(array) - 1) * array.std(ddof=1)
                 / np.sqrt(len(array)))
    return mean, mean - half, mean + half
