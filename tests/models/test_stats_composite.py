"""The one PCA composite: known answers on synthetic columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scityhelpers.errors import ModelDataError
from scityhelpers.stats.composite import default_min_rows, pca_composite


def _factor_frame(n: int = 400, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Three columns in different units that all rise with one latent factor."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(0, 1, n)
    frame = pd.DataFrame({"a": factor + rng.normal(0, 0.3, n),
                          "b": 5 * factor + rng.normal(0, 1.5, n),
                          "c": 100 + 20 * factor + rng.normal(0, 6, n)},
                         index=[f"u{i:03d}" for i in range(n)])
    return frame, factor


def test_two_columns_explain_one_plus_r_over_two_with_equal_loadings() -> None:
    # the correlation matrix [[1, r], [r, 1]] has eigenvalues 1 ± r and PC1 (1, 1)/√2
    frame, _ = _factor_frame()
    r = float(np.corrcoef(frame["a"], frame["b"])[0, 1])
    composite = pca_composite(frame, ["a", "b"])
    assert composite.explained_pct == pytest.approx((1 + r) / 2 * 100, rel=1e-12)
    assert composite.eigenvalues == pytest.approx((1 + r, 1 - r), rel=1e-12)
    assert composite.loadings["loading"].tolist() == pytest.approx([2 ** -0.5] * 2, rel=1e-12)


def test_common_factor_is_recovered_in_sd_units_and_percent() -> None:
    frame, factor = _factor_frame()
    composite = pca_composite(frame, ["a", "b", "c"], labels={"a": "A label"})
    assert (composite.loadings["loading"] > 0.5).all()
    assert composite.loadings["label"].tolist() == ["A label", "b", "c"]
    assert sum(composite.eigenvalues) == pytest.approx(3.0)  # z-scored: one per column
    assert 85 < composite.explained_pct <= 100  # percent, not a 0-1 share
    assert composite.scores.mean() == pytest.approx(0.0, abs=1e-12)
    assert composite.scores.std(ddof=1) == pytest.approx(1.0)
    assert np.corrcoef(composite.scores, factor)[0, 1] > 0.95


def test_sign_rule_makes_the_loadings_sum_non_negative() -> None:
    frame, _ = _factor_frame()
    upward = pca_composite(frame, ["a", "b", "c"])
    downward = pca_composite(-frame, ["a", "b", "c"])  # every column now falls with the factor
    assert upward.loadings["loading"].sum() > 0
    assert downward.loadings["loading"].sum() > 0
    pd.testing.assert_series_equal(downward.scores, -upward.scores, rtol=1e-10)
    mixed = pca_composite(frame.assign(c=-frame["c"]), ["a", "b", "c"])
    assert mixed.loadings["loading"].sum() >= 0
    assert mixed.loadings["loading"].tolist()[2] < 0 < mixed.loadings["loading"].tolist()[0]


def test_rows_missing_a_column_are_counted_and_scores_keep_the_input_index() -> None:
    frame, _ = _factor_frame()
    frame.loc["u000", "b"] = np.nan
    frame.loc[["u001", "u002"], "c"] = np.nan
    composite = pca_composite(frame, ["a", "b", "c"])
    assert composite.account.available == 400
    assert composite.account.used == 397
    assert composite.account.dropped == {"b": 1, "c": 2}
    assert composite.scores.index[0] == "u003"
    assert len(composite.scores) == 397


def test_minimum_rows_defaults_to_one_more_than_columns_and_can_be_raised() -> None:
    frame, _ = _factor_frame(n=6)
    assert default_min_rows(3) == 4
    assert pca_composite(frame.iloc[:4], ["a", "b", "c"]).account.used == 4
    with pytest.raises(ModelDataError, match=r"only 3 rows .* \(need 4\)"):
        pca_composite(frame.iloc[:3], ["a", "b", "c"])
    with pytest.raises(ModelDataError, match="need 8.*widen"):
        pca_composite(frame, ["a", "b", "c"], min_rows=8, remedy="widen the window")


def test_constant_and_missing_columns_are_refused() -> None:
    frame, _ = _factor_frame(n=20)
    with pytest.raises(ModelDataError, match=r"constant column\(s\).*\['c'\]"):
        pca_composite(frame.assign(c=3.0), ["a", "b", "c"])
    with pytest.raises(ModelDataError, match="at least one column"):
        pca_composite(frame, [])
