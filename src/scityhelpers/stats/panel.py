"""One fixed-effects OLS with cluster-robust errors, and residualising (Frisch–Waugh–Lovell).

Effects are absorbed by dummies: one per level of the entity and/or time column, the first
level of each dropped, plus a constant. Errors are clustered with statsmodels' rule: the
sandwich scaled by G/(G − 1) · (N − 1)/(N − K), where K counts every column of the design,
dummies included (Stata's ``regress``/``areg``), and intervals and p-values use t(G − 1).
``tests/models/test_fixed_effects_crosscheck.py`` pins the estimates against linearmodels'
PanelOLS, which absorbs the effects instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from scityhelpers.errors import ModelDataError

CONFIDENCE = 0.95


def effects_design(frame: pd.DataFrame, *, entity: str | None = None,
                   time: str | None = None) -> pd.DataFrame:
    """Constant plus one dummy per entity and/or time level (first level of each dropped)."""
    parts = [pd.DataFrame({"const": np.ones(len(frame))}, index=frame.index)]
    for prefix, column in (("e", entity), ("t", time)):
        if column is not None:
            parts.append(pd.get_dummies(frame[column], prefix=f"{prefix}_{column}",
                                        drop_first=True, dtype=float))
    return pd.concat(parts, axis=1)


def fe_design(frame: pd.DataFrame, regressors: Sequence[str], *, entity: str | None = None,
              time: str | None = None) -> pd.DataFrame:
    """The regressors (in order, as floats), then :func:`effects_design`'s columns."""
    return pd.concat([frame[list(regressors)].astype(float),
                      effects_design(frame, entity=entity, time=time)], axis=1)


def residualise(values: np.ndarray, design: np.ndarray) -> np.ndarray:
    """Residuals of ``values`` on a full-rank ``design`` (OLS through QR), in ``values``' unit.

    Frisch–Waugh–Lovell: the slope of residualised y on residualised x equals x's slope in
    the regression on x and the design together.
    """
    basis, _ = np.linalg.qr(np.asarray(design, dtype=float))
    vector = np.asarray(values, dtype=float)
    return vector - basis @ (basis.T @ vector)


def residual_sum_of_squares(values: np.ndarray, design: np.ndarray) -> float:
    """Sum of squared OLS residuals of ``values`` on a full-rank ``design`` (unit² of values)."""
    residual = residualise(values, design)
    return float(residual @ residual)


@dataclass(frozen=True)
class FixedEffectsFit:
    """Slopes of the regressors with clustered errors (effects absorbed by dummies).

    Attributes:
        coefficients: one row per regressor: coef, se (clustered), se_naive (iid), ci_low,
            ci_high (t(G − 1) interval at the fit's level), p_value; in the outcome's unit per
            unit of the regressor.
        n, clusters: rows and clusters used.
        r2_within: share of the outcome's variance left after the effects (and constant) that
            the regressors explain; without effects, the ordinary R².
        fitted, residuals: per row, in the outcome's unit.
    """

    coefficients: pd.DataFrame
    n: int
    clusters: int
    r2_within: float
    fitted: np.ndarray
    residuals: np.ndarray

    def row(self, regressor: str) -> pd.Series:
        """The coefficients row of one regressor."""
        return self.coefficients.loc[regressor]


def _check_rows(frame: pd.DataFrame, columns: list[str], cluster: str) -> None:
    if frame[columns].isna().any().any():
        missing = sorted(frame[columns].columns[frame[columns].isna().any()])
        raise ModelDataError(f"fixed-effects OLS needs complete rows; missing values in "
                             f"{missing}: call complete_rows() first")
    if frame[cluster].nunique() < 2:
        raise ModelDataError(f"clustered errors need at least two groups of {cluster!r}; "
                             "widen the sample")


def fe_ols(frame: pd.DataFrame, y: str, regressors: Sequence[str], *, cluster: str,
           entity: str | None = None, time: str | None = None,
           level: float = CONFIDENCE) -> FixedEffectsFit:
    """OLS of ``y`` on ``regressors`` + entity and/or time dummies, errors clustered.

    Args:
        frame: complete rows (see :func:`scityhelpers.stats.rows.complete_rows`).
        y: outcome column.
        regressors: slope columns, each varying within the effects.
        cluster: column whose groups the errors are clustered by.
        entity: column whose levels get a dummy each (None: no entity effects).
        time: column whose levels get a dummy each (None: no time effects).
        level: confidence level of the intervals (0–1).

    Raises:
        ModelDataError: missing values, fewer than two clusters, or a rank-deficient design
            (a regressor does not vary once the effects are taken out).
    """
    used = [y, *regressors, cluster, *(c for c in (entity, time) if c is not None)]
    _check_rows(frame, list(dict.fromkeys(used)), cluster)
    effects = effects_design(frame, entity=entity, time=time)
    design = pd.concat([frame[list(regressors)].astype(float), effects], axis=1)
    outcome = frame[y].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SingularMatrixWarning)
        try:
            naive = sm.OLS(outcome, design.to_numpy()).fit()
        except SingularMatrixWarning as error:
            raise ModelDataError(
                f"the design is rank deficient: one of {list(regressors)} does not vary within "
                "the fixed effects; drop it or the effects") from error
    groups = pd.factorize(frame[cluster], sort=True)[0]
    clustered = naive.get_robustcov_results(cov_type="cluster", groups=groups, use_t=True)
    slopes = range(len(regressors))
    interval = clustered.conf_int(alpha=1 - level)
    coefficients = pd.DataFrame({
        "coef": [float(clustered.params[i]) for i in slopes],
        "se": [float(clustered.bse[i]) for i in slopes],
        "se_naive": [float(naive.bse[i]) for i in slopes],
        "ci_low": [float(interval[i, 0]) for i in slopes],
        "ci_high": [float(interval[i, 1]) for i in slopes],
        "p_value": [float(clustered.pvalues[i]) for i in slopes],
    }, index=pd.Index(list(regressors), name="regressor"))
    ssr_effects = residual_sum_of_squares(outcome, effects.to_numpy())
    return FixedEffectsFit(coefficients, len(frame), int(frame[cluster].nunique()),
                           float(1 - naive.ssr / ssr_effects), np.asarray(naive.fittedvalues),
                           np.asarray(naive.resid))
