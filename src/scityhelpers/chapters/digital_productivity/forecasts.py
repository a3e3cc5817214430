"""Country model: out of sample — do digital measures improve next year's growth forecast?

Ridge and gradient boosting, each with and without last year's digital measures, against two
naive forecasts, under time-ordered and country-grouped cross-validation.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from scityhelpers.chapters.digital_productivity.panel_data import COMPOSITE, OUTCOME, lagged

RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 11))
BOOSTING = {"n_estimators": 60, "max_depth": 2, "learning_rate": 0.1, "subsample": 0.8}
BASE_FEATURES = ("growth_lag1_pct", "log_productivity_lag1")


def digital_features(indicators: list[str]) -> list[str]:
    """Features added in the 'with digital' models (all measured the year before)."""
    return ["composite_lag1", "composite_change_lag1", *[f"z_{k}_lag1" for k in indicators]]


def growth_frame(panel: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, int]:
    """Productivity growth (%, log points × 100) with last year's features; rows available.

    Both feature sets use the same rows (those with every feature), so the comparison is fair.
    """
    frame = panel[["iso3", "year"]].copy()
    frame["growth_pct"] = 100 * (panel[OUTCOME] - lagged(panel, OUTCOME, 1))
    frame["growth_lag1_pct"] = lagged(frame, "growth_pct", 1)
    frame["log_productivity_lag1"] = lagged(panel, OUTCOME, 1)
    frame["composite_lag1"] = lagged(panel, COMPOSITE, 1)
    frame["composite_change_lag1"] = frame["composite_lag1"] - lagged(panel, COMPOSITE, 2)
    for key in indicators:
        frame[f"z_{key}_lag1"] = lagged(panel, f"z_{key}", 1)
    available = int(frame["growth_pct"].notna().sum())
    needed = ["growth_pct", *BASE_FEATURES, *digital_features(indicators)]
    return frame.dropna(subset=needed).reset_index(drop=True), available


def cv_splits(frame: pd.DataFrame, scheme: str,
              folds: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Train/test row positions.

    ``time``: for each of the last ``folds`` years t, train on years < t and test on t.
    ``country``: grouped K-fold, each country's rows all in one fold.
    """
    if scheme == "time":
        years = np.sort(frame["year"].unique())
        for year in years[-folds:]:
            yield (np.flatnonzero(frame["year"] < year), np.flatnonzero(frame["year"] == year))
    else:
        yield from GroupKFold(n_splits=folds).split(frame, groups=frame["iso3"])


def _model(kind: str, seed: int) -> object:
    if kind == "ridge":
        return make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS))
    return GradientBoostingRegressor(random_state=seed, **BOOSTING)


def _naive(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, np.ndarray]:
    """Zero growth, and each country's mean growth in training (pooled mean if unseen)."""
    country_mean = train.groupby("iso3")["growth_pct"].mean()
    mean = test["iso3"].map(country_mean).fillna(train["growth_pct"].mean())
    return {"naive: zero growth": np.zeros(len(test)),
            "naive: country mean growth": mean.to_numpy()}


def out_of_fold(frame: pd.DataFrame, indicators: list[str], scheme: str, folds: int,
                seed: int) -> pd.DataFrame:
    """Out-of-fold predictions of every model (rows: test country-years × models)."""
    sets = {"without digital": list(BASE_FEATURES),
            "with digital": [*BASE_FEATURES, *digital_features(indicators)]}
    pieces = []
    for fold, (train_at, test_at) in enumerate(cv_splits(frame, scheme, folds)):
        train, test = frame.iloc[train_at], frame.iloc[test_at]
        predictions = _naive(train, test)
        for kind in ("ridge", "boosting"):
            for name, features in sets.items():
                model = _model(kind, seed).fit(train[features], train["growth_pct"])
                predictions[f"{kind}: {name}"] = model.predict(test[features])
        for model_name, predicted in predictions.items():
            pieces.append(test[["iso3", "year", "growth_pct"]].assign(
                fold=fold, model=model_name, predicted=predicted))
    return pd.concat(pieces, ignore_index=True).assign(scheme=scheme)


def score_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """RMSE (percentage points of growth) and out-of-sample R² per scheme and model.

    ``rmse_fold_se_pp`` is the standard error of the RMSE across folds (SD of the per-fold
    RMSEs / √folds): a rough measure of how much the score depends on which years or
    countries are held out.
    """
    def _score(group: pd.DataFrame) -> pd.Series:
        error = group["growth_pct"] - group["predicted"]
        total = ((group["growth_pct"] - group["growth_pct"].mean()) ** 2).sum()
        per_fold = np.sqrt((error ** 2).groupby(group["fold"]).mean())
        return pd.Series({"rmse_pp": float(np.sqrt((error ** 2).mean())),
                          "rmse_fold_se_pp": float(per_fold.std(ddof=1)
                                                   / np.sqrt(len(per_fold))),
                          "r2": float(1 - (error ** 2).sum() / total),
                          "n_predictions": len(group), "folds": group["fold"].nunique()})

    scores = predictions.groupby(["scheme", "model"])[
        ["growth_pct", "predicted", "fold"]].apply(_score).reset_index()
    scores["n_predictions"] = scores["n_predictions"].astype(int)
    scores["folds"] = scores["folds"].astype(int)
    return scores.sort_values(["scheme", "rmse_pp", "model"]).reset_index(drop=True)


def cross_validate(panel: pd.DataFrame, indicators: list[str], folds: int,
                   seed: int) -> tuple[pd.DataFrame, int, int]:
    """Scores under time-ordered and country-grouped CV; rows used and rows available."""
    frame, available = growth_frame(panel, indicators)
    with threadpool_limits(limits=1, user_api="blas"):
        predictions = pd.concat([out_of_fold(frame, indicators, scheme, folds, seed)
                                 for scheme in ("time", "country")], ignore_index=True)
    return score_table(predictions), len(frame), available


def rmse_of(scores: pd.DataFrame, scheme: str, model: str, column: str = "rmse_pp") -> float:
    """RMSE (pp of growth) of one model under one CV scheme (or its fold SE: ``column``)."""
    return float(scores.set_index(["scheme", "model"]).loc[(scheme, model), column])


def forecast_verdict(with_digital: float, without: float, naive: float) -> str:
    """Whether digital measures improve out-of-sample growth forecasts, in words."""
    gain = (without - with_digital) / without * 100
    better = "lowers" if gain > 0 else "raises"
    versus = "beats" if with_digital < naive else "does not beat"
    return (f"adding the digital measures {better} the forecast error by {abs(gain):.0f}%, "
            f"and the model with them {versus} the naive country-mean forecast")


