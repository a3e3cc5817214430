"""Municipal models: digital maturity and income, with prefecture fixed effects.

Log taxable income per taxpayer on one SD of the DX composite (or of one indicator), with
size, ageing, projected decline and type as controls, prefecture fixed effects and errors
clustered by prefecture (:func:`scityhelpers.stats.panel.fe_ols`). Then the same slope as
adjustments are added, for every indicator alone (Holm-adjusted), over a specification curve,
by a wild cluster bootstrap, and as a binned scatter of the residualised data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scityhelpers.chapters.municipal_models.digital import COMPOSITE_LABEL, DX_INDICATORS
from scityhelpers.chapters.municipal_models.features import CI_LEVEL, INCOME_CONTROLS
from scityhelpers.stats.composite import Composite, zscore
from scityhelpers.stats.inference import holm_adjust
from scityhelpers.stats.panel import fe_design, fe_ols, residualise
from scityhelpers.stats.rows import RowAccount, complete_rows

OUTCOME = "log_income_per_taxpayer"
GROUP = "pref_code"  # fixed effects and clusters: prefectures
BINNED_SCATTER_BINS = 20
WILD_BOOTSTRAP_REPS = 1999  # replications of the wild cluster bootstrap (seeded)
#: decimals kept of residuals that are plotted (log points, SD units): far below a pixel
RESIDUAL_DECIMALS = 9


@dataclass(frozen=True)
class Effect:
    """Slope of ``y`` on one SD of ``x`` with prefecture FE and prefecture-clustered errors.

    Attributes:
        coef, se, ci_low, ci_high: per SD of ``x``, in ``y``'s unit (log points for log
            income); 95% CI with t(G − 1) critical values.
        n, clusters: rows and prefectures used.
        sd_x: one SD of ``x`` in its own unit.
        p_value: two-sided p-value of the slope (cluster-robust t, G − 1 degrees of freedom).
    """

    coef: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    clusters: int
    sd_x: float
    p_value: float = float("nan")

    def pct(self) -> tuple[float, float, float]:
        """The slope as a % difference in ``y`` per SD (for log ``y``), with its CI."""
        return tuple(float((np.exp(v) - 1) * 100) for v in (self.coef, self.ci_low,
                                                              self.ci_high))


def varying(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The columns that take more than one value in ``frame``.

    A control that is constant over the rows would duplicate the constant: it is left out.
    """
    return [c for c in columns if frame[c].nunique() > 1]


def per_sd(frame: pd.DataFrame, x: str) -> tuple[pd.DataFrame, float]:
    """``frame`` with ``x`` centred and divided by its SD (ddof 1); and that SD, ``x``'s unit."""
    return frame.assign(**{x: zscore(frame[x])}), float(frame[x].std(ddof=1))


def fe_cluster_ols(frame: pd.DataFrame, y: str, x: str, controls: Sequence[str],
                   group: str = GROUP, *, fixed_effects: bool = True) -> Effect:
    """OLS of ``y`` on per-SD ``x`` + controls + group fixed effects, errors clustered by group.

    ``fixed_effects=False`` drops the group dummies (errors stay clustered): the comparison
    shows how much of the association lies between prefectures. The estimator is
    :func:`scityhelpers.stats.panel.fe_ols`.

    Raises:
        ModelDataError: missing values, fewer than two clusters, or a rank-deficient design.
    """
    scaled, sd_x = per_sd(frame, x)
    fit = fe_ols(scaled, y, [x, *varying(frame, controls)], cluster=group,
                 entity=group if fixed_effects else None, level=CI_LEVEL)
    row = fit.row(x)
    return Effect(float(row["coef"]), float(row["se"]), float(row["ci_low"]),
                  float(row["ci_high"]), fit.n, fit.clusters, sd_x, float(row["p_value"]))


def income_frame(features: pd.DataFrame, indicators: pd.DataFrame, composite: Composite
                 ) -> pd.DataFrame:
    """Features + DX indicators + composite, one row per unit (missing values kept)."""
    frame = features.merge(indicators, on="code5", how="left", validate="1:1")
    frame["digital_composite"] = frame["code5"].map(composite.scores)
    return frame


def income_effect(frame: pd.DataFrame, x: str = "digital_composite"
                  ) -> tuple[Effect, RowAccount]:
    """Log income per taxpayer on ``x`` (per SD), controls, prefecture FE; rows accounted."""
    used, account = complete_rows(frame, [OUTCOME, x, *INCOME_CONTROLS])
    return fe_cluster_ols(used, OUTCOME, x, INCOME_CONTROLS), account


def income_effect_steps(frame: pd.DataFrame, x: str = "digital_composite") -> pd.DataFrame:
    """The income slope as adjustments are added: none, controls, controls + prefecture FE.

    Same rows throughout (those the full model uses); % difference in income per SD of ``x``.
    """
    used, _ = complete_rows(frame, [OUTCOME, x, *INCOME_CONTROLS])
    specs = [("no controls", (), False), ("size, ageing, decline, type", INCOME_CONTROLS, False),
             ("+ prefecture fixed effects", INCOME_CONTROLS, True)]
    rows = []
    for name, controls, fixed in specs:
        effect = fe_cluster_ols(used, OUTCOME, x, controls, fixed_effects=fixed)
        pct, low, high = effect.pct()
        rows.append({"model": name, "pct": pct, "ci_low": low, "ci_high": high, "n": effect.n})
    return pd.DataFrame(rows)


def indicator_sensitivity(frame: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """The income slope per SD of the composite and of each indicator alone (same rows).

    Columns: regressor, label, pct, ci_low, ci_high (% difference in income per SD), n,
    p_value, p_holm (Holm-adjusted over the indicators alone).
    """
    used, _ = complete_rows(frame, [OUTCOME, "digital_composite", *indicators, *INCOME_CONTROLS])
    rows = []
    for regressor in ["digital_composite", *indicators]:
        effect = fe_cluster_ols(used, OUTCOME, regressor, INCOME_CONTROLS)
        pct, low, high = effect.pct()
        rows.append({"regressor": regressor,
                     "label": DX_INDICATORS.get(regressor, COMPOSITE_LABEL),
                     "pct": pct, "ci_low": low, "ci_high": high, "n": effect.n,
                     "p_value": effect.p_value})
    table = pd.DataFrame(rows)
    alone = table["regressor"] != "digital_composite"
    table["p_holm"] = np.nan
    table.loc[alone, "p_holm"] = holm_adjust(table.loc[alone, "p_value"].to_numpy())
    return table


#: specification curve of the income association: adjustment sets (label, controls, FE)
SPECIFICATIONS = (("no controls", (), False), ("controls", INCOME_CONTROLS, False),
                  ("prefecture FE", (), True), ("controls + prefecture FE", INCOME_CONTROLS, True))


def specification_curve(frame: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """The income slope per SD under every specification: regressor × adjustment set.

    Regressors: the composite and each indicator alone; adjustments: ``SPECIFICATIONS``. Same
    rows throughout (complete for every column). Sorted by the estimate, as a specification
    curve is read. Columns: regressor, label, specification, pct, ci_low, ci_high, p_value, n.
    """
    used, _ = complete_rows(frame, [OUTCOME, "digital_composite", *indicators, *INCOME_CONTROLS])
    rows = []
    for regressor in ["digital_composite", *indicators]:
        for name, controls, fixed in SPECIFICATIONS:
            effect = fe_cluster_ols(used, OUTCOME, regressor, controls, fixed_effects=fixed)
            pct, low, high = effect.pct()
            rows.append({"regressor": regressor,
                         "label": DX_INDICATORS.get(regressor, COMPOSITE_LABEL),
                         "specification": name, "pct": pct, "ci_low": low, "ci_high": high,
                         "p_value": effect.p_value, "n": effect.n})
    return pd.DataFrame(rows).sort_values(["pct", "regressor"]).reset_index(drop=True)


def income_wild_bootstrap(frame: pd.DataFrame, reps: int, seed: int,
                          x: str = "digital_composite") -> Any:
    """Wild cluster restricted bootstrap p-value of the headline income slope (Webb weights).

    Same model, design and rows as :func:`income_effect`; clusters are prefectures.
    """
    from scityhelpers.stats.wild_bootstrap import wild_cluster_test

    used, _ = complete_rows(frame, [OUTCOME, x, *INCOME_CONTROLS])
    scaled, _ = per_sd(used, x)
    design = fe_design(scaled, [x, *varying(used, INCOME_CONTROLS)], entity=GROUP)
    return wild_cluster_test(design.to_numpy(), scaled[OUTCOME].to_numpy(float),
                             scaled[GROUP].to_numpy(), list(design.columns).index(x),
                             reps=reps, seed=seed)


def binned_residuals(frame: pd.DataFrame, x: str = "digital_composite",
                     bins: int = BINNED_SCATTER_BINS) -> pd.DataFrame:
    """Binned scatter after partialling out controls and prefecture FE (Frisch–Waugh–Lovell).

    Both log income and ``x`` are residualised; the residuals keep their means at zero, so the
    OLS slope through the binned points' underlying data equals the FE coefficient. Columns:
    bin, n, x_resid (SD units of ``x``), income_resid_pct (100 × log points).

    Residuals are differences of nearly equal numbers, so their last bits depend on the BLAS
    kernel; they are rounded to ``RESIDUAL_DECIMALS`` (far below what the plot shows) so the
    bins and the picture are the same on every CPU.
    """
    used, _ = complete_rows(frame, [OUTCOME, x, *INCOME_CONTROLS])
    design = fe_design(used, varying(used, INCOME_CONTROLS), entity=GROUP).to_numpy()
    x_resid = (residualise(used[x].to_numpy(float), design) / used[x].std(ddof=1)
               ).round(RESIDUAL_DECIMALS)
    y_resid = residualise(used[OUTCOME].to_numpy(float), design).round(RESIDUAL_DECIMALS)
    binned = pd.DataFrame({"bin": pd.qcut(x_resid, bins, labels=False) + 1, "x": x_resid,
                           "y": y_resid * 100})
    table = binned.groupby("bin").agg(n=("x", "size"), x_resid=("x", "mean"),
                                      income_resid_pct=("y", "mean")).reset_index()
    return table
