"""The one fixed-effects OLS with clustered errors: known answers on synthetic panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scityhelpers.errors import ModelDataError
from scityhelpers.stats.panel import effects_design, fe_design, fe_ols, residualise

SLOPE = 0.05  # the known effect of one unit of x on y


def _panel(*, entities: int = 30, periods: int = 15, shock_sd: float = 0.2,
           seed: int = 0) -> pd.DataFrame:
    """y = a_i + g_t + SLOPE·x + e, x correlated with a_i; errors correlated within i."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 1, entities)
    shock = rng.normal(0, shock_sd, periods).cumsum()
    x = 2 * level[:, None] + 0.1 * np.arange(periods) + rng.normal(0, 1, (entities, periods))
    error = rng.normal(0, 0.03, entities)[:, None] + rng.normal(0, 0.05, (entities, periods))
    y = level[:, None] + shock[None, :] + SLOPE * x + error
    return pd.DataFrame({"unit": np.repeat([f"E{i:02d}" for i in range(entities)], periods),
                         "period": np.tile(np.arange(periods), entities),
                         "y": y.ravel(), "x": x.ravel(),
                         "z": rng.normal(0, 1, entities * periods)})


def test_two_way_effects_recover_the_slope_and_pooled_ols_does_not() -> None:
    panel = _panel()
    fit = fe_ols(panel, "y", ["x", "z"], cluster="unit", entity="unit", time="period")
    row = fit.row("x")
    assert row["ci_low"] <= SLOPE <= row["ci_high"]
    assert row["coef"] == pytest.approx(SLOPE, abs=0.01)
    assert (fit.n, fit.clusters) == (450, 30)
    assert list(fit.coefficients.index) == ["x", "z"]
    pooled = fe_ols(panel, "y", ["x"], cluster="unit").row("x")
    assert not pooled["ci_low"] <= SLOPE <= pooled["ci_high"]  # a_i leaks into the slope


def test_clustered_errors_follow_the_sandwich_with_the_small_sample_factor() -> None:
    panel = _panel(seed=3)
    fit = fe_ols(panel, "y", ["x"], cluster="unit", entity="unit")
    design = fe_design(panel, ["x"], entity="unit").to_numpy()
    bread = np.linalg.inv(design.T @ design)
    residual = panel["y"].to_numpy() - design @ (bread @ design.T @ panel["y"].to_numpy())
    meat = sum(np.outer(s, s) for s in (
        design[panel["unit"] == g].T @ residual[(panel["unit"] == g).to_numpy()]
        for g in panel["unit"].unique()))
    n, k, g = design.shape[0], design.shape[1], panel["unit"].nunique()
    variance = bread @ meat @ bread * g / (g - 1) * (n - 1) / (n - k)
    assert fit.row("x")["se"] == pytest.approx(np.sqrt(variance[0, 0]), rel=1e-8)
    naive = np.sqrt(residual @ residual / (n - k) * bread[0, 0])
    assert fit.row("x")["se_naive"] == pytest.approx(naive, rel=1e-8)
    assert fit.residuals == pytest.approx(residual, abs=1e-10)


def test_residualising_gives_the_slope_and_the_within_r2() -> None:
    # Frisch–Waugh–Lovell: y and x net of the effects have the FE slope, and R² within is
    # the squared correlation of the two residual series (one regressor)
    panel = _panel(seed=5)
    fit = fe_ols(panel, "y", ["x"], cluster="unit", entity="unit", time="period")
    effects = effects_design(panel, entity="unit", time="period").to_numpy()
    y_net = residualise(panel["y"].to_numpy(), effects)
    x_net = residualise(panel["x"].to_numpy(), effects)
    assert np.polyfit(x_net, y_net, 1)[0] == pytest.approx(fit.row("x")["coef"], rel=1e-8)
    assert fit.r2_within == pytest.approx(np.corrcoef(x_net, y_net)[0, 1] ** 2, rel=1e-8)


def test_effects_design_has_a_constant_and_one_dummy_per_level_but_the_first() -> None:
    panel = _panel(entities=4, periods=3)
    design = effects_design(panel, entity="unit", time="period")
    assert design.shape == (12, 1 + 3 + 2)
    assert design.columns[0] == "const"
    assert effects_design(panel).shape == (12, 1)


def test_a_regressor_constant_within_entities_is_refused_under_entity_effects() -> None:
    panel = _panel()
    panel["x"] = panel.groupby("unit")["x"].transform("mean")
    with pytest.raises(ModelDataError, match="rank deficient"):
        fe_ols(panel, "y", ["x"], cluster="unit", entity="unit")


def test_missing_values_and_a_single_cluster_are_refused() -> None:
    panel = _panel()
    with pytest.raises(ModelDataError, match="two groups"):
        fe_ols(panel.assign(unit="E00"), "y", ["x"], cluster="unit")
    panel.loc[3, "x"] = np.nan
    with pytest.raises(ModelDataError, match=r"complete rows.*\['x'\]"):
        fe_ols(panel, "y", ["x"], cluster="unit", entity="unit")
