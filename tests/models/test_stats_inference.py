"""Small inference helpers and row accounting: known answers computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scityhelpers.stats.inference import holm_adjust, mean_t_interval
from scityhelpers.stats.rows import complete_rows


def test_holm_adjustment_known_values() -> None:
    # Holm (1979): p = (0.01, 0.04, 0.03, 0.005) with m = 4 → 0.03, 0.06, 0.06, 0.02
    adjusted = holm_adjust(np.array([0.01, 0.04, 0.03, 0.005]))
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust(np.array([0.6, 0.9])).tolist() == [1.0, 1.0]


def test_mean_t_interval_matches_a_hand_computation() -> None:
    values = [0.70, 0.72, 0.74, 0.76, 0.78]
    mean, low, high = mean_t_interval(values)
    half = 2.7764451 * np.std(values, ddof=1) / np.sqrt(5)  # t(4) 97.5 % quantile
    assert mean == pytest.approx(0.74)
    assert (low, high) == pytest.approx((0.74 - half, 0.74 + half))


def test_complete_rows_accounts_for_every_dropped_row() -> None:
    frame = pd.DataFrame({"a": [1, np.nan, 3, np.nan], "b": [1, 2, np.nan, np.nan]})
    used, account = complete_rows(frame, ["a", "b"])
    assert len(used) == 1
    assert account.dropped == {"a": 2, "b": 1}
    assert account.available == account.used + sum(account.dropped.values())
    assert account.table()["count"].tolist() == [4, 2, 1, 1]
