"""Municipal models: who is selected — a logit (odds ratios per SD) and cross-validated classifiers.

Which municipalities became SDGs未来都市 or lead proposers of a 脱炭素先行地域? A logistic
regression describes the association of each feature with selection; a gradient-boosting
classifier and a regularised logit, scored out of fold (stratified k-fold), say how well the
features predict it. Associations in a cross-section, not causes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.calibration import calibration_curve
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scityhelpers.chapters.municipal_models.features import (
    CI_LEVEL,
    FEATURE_LABELS,
    PROGRAMMES,
    SELECTION_BINARY,
    SELECTION_CONTINUOUS,
    SELECTION_FEATURES,
    outcome_column,
)
from scityhelpers.errors import ModelDataError
from scityhelpers.stats.composite import zscore
from scityhelpers.stats.inference import mean_t_interval
from scityhelpers.stats.rows import RowAccount, complete_rows

QUINTILES = 5
CALIBRATION_BINS = 10
PERMUTATION_REPEATS = 10
#: gradient boosting: shallow trees, slow learning, row subsampling (fixed; seeded)
GB_SETTINGS = {"n_estimators": 200, "learning_rate": 0.05, "max_depth": 2, "subsample": 0.8,
               "min_samples_leaf": 20}


# == logistic regression =====================================================================
def standardise(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Z-scores of ``columns`` on this sample (ddof = 1); returns the scaled copy and the SDs."""
    scaled = frame.copy()
    sds = frame[list(columns)].std(ddof=1)
    if (sds <= 0).any():
        raise ModelDataError(f"constant column(s) cannot be scaled: {list(sds[sds <= 0].index)}")
    scaled[list(columns)] = frame[list(columns)].apply(zscore)
    return scaled, sds


def separating_dummies(frame: pd.DataFrame, outcome: str, binary: Sequence[str]) -> list[str]:
    """Dummies whose group has no selected (or no unselected) unit, or no unit at all.

    Maximum likelihood has no finite estimate for them (perfect separation); they are pooled
    with the reference category and the pooling is reported.
    """
    pooled = []
    for column in binary:
        group = frame.loc[frame[column] == 1, outcome]
        if group.empty or group.min() == group.max():
            pooled.append(column)
    return pooled


@dataclass(frozen=True)
class LogitFit:
    """Logistic regression with odds ratios per SD (continuous) or vs the reference (dummies).

    Attributes:
        odds_ratios: feature, label, scale, sd (one SD in the feature's unit), odds_ratio,
            ci_low, ci_high (95%), p_value.
        n, n_events: rows used, selected rows among them.
        pooled: dummies pooled into the reference category (perfect separation).
        result: the statsmodels result (on the standardised design).
        means, sds: the sample moments used to scale continuous features.
    """

    odds_ratios: pd.DataFrame
    n: int
    n_events: int
    pooled: tuple[str, ...]
    result: Any
    means: pd.Series
    sds: pd.Series

    def odds_ratio(self, feature: str) -> tuple[float, float, float]:
        """Odds ratio and its 95% CI for one feature."""
        row = self.odds_ratios.set_index("feature").loc[feature]
        return float(row["odds_ratio"]), float(row["ci_low"]), float(row["ci_high"])

    def design(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's design matrix for new rows (scaled with the fit's sample moments)."""
        columns = [c for c in self.result.model.exog_names if c != "const"]
        design = frame[columns].astype(float).copy()
        scaled = [c for c in columns if c in self.sds.index]
        design[scaled] = (design[scaled] - self.means[scaled]) / self.sds[scaled]
        return sm.add_constant(design, has_constant="add")

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted selection probabilities for ``frame``."""
        return np.asarray(self.result.predict(self.design(frame)))


def _odds_ratio_table(result: Any, sds: pd.Series) -> pd.DataFrame:
    interval = np.exp(result.conf_int(alpha=1 - CI_LEVEL)).drop(index="const")
    params = result.params.drop(index="const")
    table = pd.DataFrame({
        "feature": params.index,
        "label": [FEATURE_LABELS.get(f, f) for f in params.index],
        "scale": ["per SD" if f in sds.index else "vs 市" for f in params.index],
        "sd": [float(sds[f]) if f in sds.index else np.nan for f in params.index],
        "odds_ratio": np.exp(params.to_numpy()),
        "ci_low": interval[0].to_numpy(),
        "ci_high": interval[1].to_numpy(),
        "p_value": result.pvalues.drop(index="const").to_numpy(),
    })
    return table.reset_index(drop=True)


def fit_logit(frame: pd.DataFrame, outcome: str,
              continuous: Sequence[str] = SELECTION_CONTINUOUS,
              binary: Sequence[str] = SELECTION_BINARY) -> LogitFit:
    """Logit of the 0/1 ``outcome`` on per-SD continuous features and dummies (complete rows).

    Raises:
        ModelDataError: missing values in the design, or the fit did not converge.
    """
    columns = [outcome, *continuous, *binary]
    if frame[columns].isna().any().any():
        raise ModelDataError("fit_logit needs complete rows: call complete_rows() first")
    pooled = separating_dummies(frame, outcome, binary)
    kept = [c for c in binary if c not in pooled]
    scaled, sds = standardise(frame, continuous)
    design = sm.add_constant(scaled[[*continuous, *kept]].astype(float))
    result = sm.Logit(frame[outcome].astype(float), design).fit(disp=0, method="newton",
                                                                maxiter=100)
    if not result.mle_retvals["converged"]:
        raise ModelDataError(f"logit for {outcome} did not converge")
    means = frame[list(continuous)].mean()
    return LogitFit(_odds_ratio_table(result, sds), len(frame), int(frame[outcome].sum()),
                    tuple(pooled), result, means, sds)


def selection_rows(frame: pd.DataFrame, outcome: str,
                   features: Sequence[str] = SELECTION_FEATURES
                   ) -> tuple[pd.DataFrame, RowAccount]:
    """The rows a selection model can use (every feature and the outcome present).

    Rows whose outcome is NA (named only in incomplete selections) are counted as missing
    the outcome; the outcome of the rows used is a plain 0/1 integer.
    """
    used, account = complete_rows(frame, [*features, outcome])
    return used.assign(**{outcome: used[outcome].astype(int)}), account


def fit_without_projection(frame: pd.DataFrame, outcome: str) -> tuple[LogitFit, RowAccount]:
    """The logit without the projected change: keeps the municipalities no edition projects."""
    continuous = [c for c in SELECTION_CONTINUOUS if c != "projected_change_pct"]
    used, account = selection_rows(frame, outcome, [*continuous, *SELECTION_BINARY])
    return fit_logit(used, outcome, continuous), account


def crude_odds_ratios(frame: pd.DataFrame, outcome: str,
                      features: Sequence[str] = SELECTION_CONTINUOUS) -> pd.DataFrame:
    """Odds ratio per SD of each continuous feature alone (no adjustment), same rows."""
    rows = []
    for feature in features:
        table = fit_logit(frame, outcome, [feature], []).odds_ratios
        rows.append(table.iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True)


def programme_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Adjusted odds ratios of size and projected change for every programme (same rows).

    Columns: programme, n, selected, or_log_population (+ CI), or_projected_change (+ CI),
    pooled (dummies pooled because of separation).
    """
    rows = []
    for programme in PROGRAMMES:
        column = outcome_column(programme)
        known = frame.dropna(subset=[column])
        fit = fit_logit(known.assign(**{column: known[column].astype(int)}), column)
        size, change = fit.odds_ratio("log_population"), fit.odds_ratio("projected_change_pct")
        rows.append({"programme": programme, "n": fit.n, "selected": fit.n_events,
                     "or_log_population": size[0], "pop_ci_low": size[1],
                     "pop_ci_high": size[2], "or_projected_change": change[0],
                     "change_ci_low": change[1], "change_ci_high": change[2],
                     "pooled": ", ".join(fit.pooled)})
    return pd.DataFrame(rows)


def selected_by_type(frame: pd.DataFrame) -> pd.DataFrame:
    """Units and selected units per municipal type and programme (all 1,741 rows)."""
    columns = [outcome_column(p) for p in PROGRAMMES]
    table = frame.groupby("type")[columns].agg(["sum"]).droplevel(1, axis=1)
    table.insert(0, "units", frame.groupby("type").size())
    order = ["政令指定都市", "特別区", "市", "町", "村"]
    return table.reindex([t for t in order if t in table.index]).reset_index()


def clear_labels(table: pd.DataFrame, low: str = "ci_low", high: str = "ci_high",
                 null: float = 1.0) -> str:
    """Labels of the rows whose 95% CI excludes ``null`` (comma-separated; "none")."""
    clear = table[(table[low] > null) | (table[high] < null)]
    return ", ".join(clear["label"]) or "none"


def tilt_verdict(adjusted: LogitFit, crude: pd.DataFrame) -> str:
    """Words for the answer: is selection tilted to larger and less-shrinking places?"""
    size = adjusted.odds_ratio("log_population")
    change = adjusted.odds_ratio("projected_change_pct")
    crude_change = crude.set_index("feature").loc["projected_change_pct"]
    size_words = ("larger municipalities are clearly more likely to be selected, even at equal "
                  "area, ageing, projected change, type and income" if size[1] > 1 else
                  "size makes no difference the data can distinguish once the other features "
                  "are held fixed")
    if crude_change["ci_low"] > 1 and change[1] <= 1:
        change_words = ("less-shrinking places are selected more often, but that goes with "
                        "their other features (size, area, ageing): once those are held fixed "
                        "the projected change adds nothing the data can distinguish")
    elif change[1] > 1:
        change_words = "less-shrinking places are more likely to be selected even at equal size"
    else:
        change_words = "the projected change makes no distinguishable difference"
    return f"{size_words}; {change_words}"


# == how much does size matter ===============================================================
def quintile_table(frame: pd.DataFrame, outcome: str, fit: LogitFit,
                   by: str = "log_population") -> pd.DataFrame:
    """Selection by quintile of ``by``: observed rate and the model's size-only contrast.

    ``observed_pct`` is the share selected in the quintile. ``adjusted_pct`` is the model's
    average predicted probability over *all* rows when ``by`` is set to the quintile's median
    and everything else is kept as observed (g-computation): the difference that ``by`` alone
    makes, holding the other features at their real joint distribution.
    """
    quintile = pd.qcut(frame[by], QUINTILES, labels=False) + 1
    rows = []
    for q in range(1, QUINTILES + 1):
        members = frame[quintile == q]
        counterfactual = frame.assign(**{by: members[by].median()})
        rows.append({"quintile": q, "n": len(members), "median": float(members[by].median()),
                     "selected": int(members[outcome].sum()),
                     "observed_pct": float(members[outcome].mean() * 100),
                     "adjusted_pct": float(fit.predict(counterfactual).mean() * 100)})
    return pd.DataFrame(rows)


# == cross-validated prediction ==============================================================
@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold results of both classifiers.

    Attributes:
        folds: fold, model (``gradient_boosting`` / ``logit``), auc.
        out_of_fold: code5, observed, p_gradient_boosting, p_logit.
        importance: feature, label, auc_drop_mean, auc_drop_sd (permutation importance of the
            gradient-boosting model on each held-out fold, averaged over folds).
    """

    folds: pd.DataFrame
    out_of_fold: pd.DataFrame
    importance: pd.DataFrame


def _classifiers(seed: int) -> dict[str, Callable[[], Any]]:
    return {
        "gradient_boosting": lambda: GradientBoostingClassifier(**GB_SETTINGS,
                                                                random_state=seed),
        # mild L2 (C = 1) on standardised features keeps it finite under separation
        "logit": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    }


def cross_validate(frame: pd.DataFrame, outcome: str, features: Sequence[str], folds: int,
                   seed: int) -> CrossValidation:
    """Stratified k-fold CV (shuffled with ``seed``): AUC per fold, OOF probabilities, importance.

    Deterministic for a given seed: fold assignment, boosting subsamples and permutations are
    all seeded, and everything runs in one thread.
    """
    x = frame[list(features)].astype(float).to_numpy()
    y = frame[outcome].astype(int).to_numpy()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    oof = {name: np.full(len(y), np.nan) for name in _classifiers(seed)}
    aucs, drops = [], []
    for fold, (train, test) in enumerate(splitter.split(x, y), start=1):
        for name, make in _classifiers(seed).items():
            model = make().fit(x[train], y[train])
            oof[name][test] = model.predict_proba(x[test])[:, 1]
            aucs.append({"fold": fold, "model": name, "auc": roc_auc_score(y[test],
                                                                            oof[name][test])})
            if name == "gradient_boosting":
                drops.append(permutation_importance(
                    model, x[test], y[test], scoring="roc_auc", n_repeats=PERMUTATION_REPEATS,
                    random_state=seed).importances_mean)
    out_of_fold = pd.DataFrame({"code5": frame["code5"].to_numpy(), "observed": y,
                                **{f"p_{name}": p for name, p in oof.items()}})
    return CrossValidation(pd.DataFrame(aucs), out_of_fold, _importance_table(features, drops))


def _importance_table(features: Sequence[str], drops: list[np.ndarray]) -> pd.DataFrame:
    matrix = np.vstack(drops)
    table = pd.DataFrame({"feature": list(features),
                          "label": [FEATURE_LABELS.get(f, f) for f in features],
                          "auc_drop_mean": matrix.mean(axis=0),
                          "auc_drop_sd": matrix.std(axis=0, ddof=1) if len(drops) > 1 else 0.0})
    return table.sort_values(["auc_drop_mean", "feature"], ascending=[False, True]
                             ).reset_index(drop=True)


def auc_summary(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean ROC AUC per model with its 95% t-interval over folds."""
    rows = []
    for model, group in folds.groupby("model", sort=True):
        mean, low, high = mean_t_interval(group["auc"])
        rows.append({"model": model, "folds": len(group), "auc_mean": mean, "ci_low": low,
                     "ci_high": high})
    return pd.DataFrame(rows)


def calibration_table(out_of_fold: pd.DataFrame, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Observed selection rate vs mean predicted probability in quantile bins, per model."""
    rows = []
    for column in [c for c in out_of_fold.columns if c.startswith("p_")]:
        observed, predicted = calibration_curve(out_of_fold["observed"], out_of_fold[column],
                                                n_bins=bins, strategy="quantile")
        rows.append(pd.DataFrame({"model": column.removeprefix("p_"),
                                  "predicted": predicted, "observed": observed}))
    return pd.concat(rows, ignore_index=True)


