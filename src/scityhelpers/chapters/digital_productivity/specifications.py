"""Country model: the regressions — each measure under five estimators and two-way FE lags.

Every specification is :func:`scityhelpers.stats.panel.fe_ols` with the estimator's effects
(country and/or year dummies) and errors clustered by country. Then where Japan and Korea sit
against the fitted line, and a Frisch–Waugh–Lovell view of the two-way FE slope.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scityhelpers.chapters.digital_productivity.panel_data import (
    COMPOSITE,
    DEFAULT_END_YEAR,
    DEFAULT_INDICATORS,
    DEFAULT_LAGS,
    DEFAULT_START_YEAR,
    OUTCOME,
    lagged,
    load_tables,
    measure_column,
    prepare,
)
from scityhelpers.errors import ModelDataError
from scityhelpers.reference.countries import names
from scityhelpers.stats.panel import effects_design, fe_ols, residualise

MIN_COUNTRIES = 5
CONFIDENCE = 0.95
ESTIMATORS = {
    "pooled": "Pooled OLS",
    "pooled_year": "Pooled OLS + year effects",
    "fe": "Country fixed effects",
    "twfe": "Two-way fixed effects (country + year)",
    "fd": "First differences",
}
#: the effects each estimator absorbs: (entity column, time column)
EFFECTS = {"pooled": (None, None), "pooled_year": (None, "year"), "fe": ("iso3", None),
           "twfe": ("iso3", "year"), "fd": (None, None)}


@dataclass(frozen=True)
class Spec:
    """One regression: the digital measure, the estimator and the lag of the measure (years)."""

    measure: str
    estimator: str
    lag: int = 0

    @property
    def label(self) -> str:
        """Short display label, e.g. ``Two-way FE, lag 2``."""
        short = {"pooled": "Pooled OLS", "pooled_year": "Pooled + year FE", "fe": "Country FE",
                 "twfe": "Two-way FE", "fd": "First differences"}[self.estimator]
        return f"{short}, lag {self.lag}" if self.lag else short


@dataclass(frozen=True)
class SpecResult:
    """Coefficient of the (standardised) digital measure on log productivity.

    ``coef`` is the change in log GDP per hour (≈ share) for one standard deviation of the
    measure; the CI uses country-clustered errors with a t distribution on (countries - 1)
    degrees of freedom; ``se_naive`` is the textbook (iid) error for comparison.
    ``n_available`` counts the rows whose outcome is observed (for first differences: whose
    change is observed); ``n_used`` those that also have the measure. ``r2_within`` is the
    share of the variance left after the fixed effects that the measure explains (for pooled
    OLS and first differences: the ordinary R²).
    """

    measure: str
    estimator: str
    lag: int
    label: str
    coef: float
    se: float
    se_naive: float
    ci_low: float
    ci_high: float
    p_value: float
    n_available: int
    n_used: int
    n_countries: int
    first_year: int
    last_year: int
    r2_within: float


def spec_rows(panel: pd.DataFrame, spec: Spec) -> tuple[pd.DataFrame, int]:
    """Rows a specification uses (iso3, year, y, x) and the number of rows available.

    The drop of rows without the measure is explicit and counted, never silent.
    """
    x = panel[measure_column(spec.measure)]
    if spec.lag:
        x = lagged(panel, measure_column(spec.measure), spec.lag)
    frame = panel[["iso3", "year"]].assign(y=panel[OUTCOME].to_numpy(), x=x.to_numpy())
    if spec.estimator == "fd":
        frame = frame.assign(y=frame["y"] - lagged(frame, "y", 1),
                             x=frame["x"] - lagged(frame, "x", 1))
    available = int(frame["y"].notna().sum())
    return frame.dropna(subset=["y", "x"]).reset_index(drop=True), available




@dataclass(frozen=True)
class SpecFit:
    """A fitted specification: the summary and the rows with fitted values and residuals."""

    result: SpecResult
    rows: pd.DataFrame  # iso3, year, y, x, fitted, residual


def fit_spec(panel: pd.DataFrame, spec: Spec) -> SpecFit:
    """Fit one specification: OLS with the estimator's dummies, errors clustered by country.

    Raises:
        ModelDataError: fewer than ``MIN_COUNTRIES`` countries, or a rank-deficient design
            (the measure does not vary once the fixed effects are taken out).
    """
    rows, available = spec_rows(panel, spec)
    if rows["iso3"].nunique() < MIN_COUNTRIES:
        raise ModelDataError(
            f"{spec.label} of {spec.measure}: only {rows['iso3'].nunique()} countries have "
            f"data (need {MIN_COUNTRIES}); widen start_year/end_year or lower lags.")
    entity, year = EFFECTS[spec.estimator]
    try:
        fit = fe_ols(rows, "y", ["x"], cluster="iso3", entity=entity, time=year,
                     level=CONFIDENCE)
    except ModelDataError as error:
        raise ModelDataError(f"{spec.label} of {spec.measure}: {error}") from error
    x = fit.row("x")
    result = SpecResult(
        spec.measure, spec.estimator, spec.lag, spec.label, float(x["coef"]), float(x["se"]),
        float(x["se_naive"]), float(x["ci_low"]), float(x["ci_high"]), float(x["p_value"]),
        available, fit.n, fit.clusters, int(rows["year"].min()), int(rows["year"].max()),
        fit.r2_within)
    return SpecFit(result, rows.assign(fitted=fit.fitted, residual=fit.residuals))


def all_specs(indicators: list[str], lags: int) -> list[Spec]:
    """Each indicator alone and the composite, under every estimator and two-way FE lags."""
    specs = []
    for measure in [COMPOSITE, *indicators]:
        specs += [Spec(measure, estimator) for estimator in ESTIMATORS]
        specs += [Spec(measure, "twfe", lag) for lag in range(1, lags + 1)]
    return specs


def fit_all(panel: pd.DataFrame, specs: list[Spec]) -> pd.DataFrame:
    """Coefficient table, one row per specification (see :class:`SpecResult`).

    BLAS runs single-threaded here: the matrices are small (about 1,000 × 70), and on a
    shared two-core machine OpenBLAS threads slow each fit several-fold.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return pd.DataFrame([asdict(fit_spec(panel, spec).result) for spec in specs])


def coefficient(table: pd.DataFrame, measure: str, estimator: str, lag: int = 0) -> pd.Series:
    """One row of :func:`fit_all`'s table."""
    match = table[(table["measure"] == measure) & (table["estimator"] == estimator)
                  & (table["lag"] == lag)]
    if len(match) != 1:
        raise KeyError(f"no single row for {measure}/{estimator}/lag {lag}")
    return match.iloc[0]


def lag_table(table: pd.DataFrame) -> pd.DataFrame:
    """Two-way FE coefficient of each measure by lag, as ``coef [ci_low, ci_high]`` text."""
    rows = table[table["estimator"] == "twfe"].assign(
        cell=lambda t: [f"{c:.3f} [{lo:.3f}, {hi:.3f}]"
                        for c, lo, hi in zip(t["coef"], t["ci_low"], t["ci_high"], strict=True)])
    wide = rows.pivot(index="measure", columns="lag", values="cell")
    wide.columns = [f"lag {lag}" for lag in wide.columns]
    return wide.loc[list(dict.fromkeys(rows["measure"]))]


def measures_with_sign(table: pd.DataFrame, estimator: str, sign: str,
                       labels: dict[str, str]) -> str:
    """Measures whose 95% CI (no lag) lies above (``sign="+"``) or below zero, in words."""
    rows = table[(table["estimator"] == estimator) & (table["lag"] == 0)]
    chosen = rows[rows["ci_low"] > 0] if sign == "+" else rows[rows["ci_high"] < 0]
    return ", ".join(labels[m] for m in chosen["measure"]) or "none"


def measure_results(table: pd.DataFrame, estimator: str, measures: list[str],
                    labels: dict[str, str]) -> str:
    """Each measure's coefficient (log points per SD, no lag) with its 95% CI, in words."""
    parts = []
    for measure in measures:
        row = coefficient(table, measure, estimator)
        parts.append(f"{labels[measure]} {row['coef']:+.3f} (95% CI {row['ci_low']:+.3f} to "
                     f"{row['ci_high']:+.3f})")
    return "; ".join(parts)


def log_points_as_pct(log_points: float) -> float:
    """A difference in logs as a percentage difference: 100 (e^b − 1).

    >>> round(log_points_as_pct(0.321), 1)
    37.9
    """
    return float(100 * np.expm1(log_points))


def time_all_specs(repeats: int = 3) -> float:
    """Wall seconds to fit every default specification (best of ``repeats``; for benchmarks).

    Kept out of the notebook: timings differ between runs and would break nbval.
    """
    tables = load_tables()
    panel, _ = prepare(tables, DEFAULT_START_YEAR, DEFAULT_END_YEAR, list(DEFAULT_INDICATORS))
    specs = all_specs(list(DEFAULT_INDICATORS), DEFAULT_LAGS)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fit_all(panel, specs)
        best = min(best, time.perf_counter() - start)
    return best


# --------------------------------------------------------------------------- where Japan sits
#: decimals kept of FWL residuals (log points / SD units): far below what a plot can show
RESIDUAL_DECIMALS = 9


def partial_regression(panel: pd.DataFrame, measure: str = COMPOSITE) -> pd.DataFrame:
    """Frisch-Waugh-Lovell: outcome and measure net of country and year effects.

    The slope of ``y_resid`` on ``x_resid`` equals the two-way FE coefficient. Residuals are
    rounded to ``RESIDUAL_DECIMALS``: their last bits depend on the BLAS kernel, and a plot of
    them must be the same picture on every CPU.
    """
    rows, _ = spec_rows(panel, Spec(measure, "twfe"))
    entity, year = EFFECTS["twfe"]
    effects = effects_design(rows, entity=entity, time=year).to_numpy()
    net = {f"{v}_resid": residualise(rows[v].to_numpy(), effects).round(RESIDUAL_DECIMALS)
           for v in ("y", "x")}
    return rows.assign(**net)[["iso3", "year", "y_resid", "x_resid"]]


def actual_vs_fitted(panel: pd.DataFrame, measure: str = COMPOSITE) -> pd.DataFrame:
    """Pooled OLS with year effects: actual and fitted GDP per hour (USD) per country-year.

    The residual compares a country with others of the same digital maturity in the same
    year; ``residual_pct`` is how far actual productivity is above (+) or below (−) that, in %.
    """
    rows = fit_spec(panel, Spec(measure, "pooled_year")).rows
    return rows.assign(
        actual_usd=np.exp(rows["y"]), fitted_usd=np.exp(rows["fitted"]),
        residual_pct=(np.exp(rows["residual"]) - 1) * 100,
        country=names(rows["iso3"], "en").to_numpy())[
        ["iso3", "country", "year", "actual_usd", "fitted_usd", "residual_pct"]]


def residual_of(fits: pd.DataFrame, iso3: str, year: int | None = None) -> tuple[int, float]:
    """A country's residual in % (latest year of the model if ``year`` is None)."""
    own = fits[fits["iso3"] == iso3]
    year = int(own["year"].max()) if year is None else year
    return year, float(own.loc[own["year"] == year, "residual_pct"].iloc[0])


def position_word(residual_pct: float) -> str:
    """``below``/``above`` the fitted line (the sign of a residual)."""
    return "below" if residual_pct < 0 else "above"


def positions_sentence(japan_residual_pct: float, korea_residual_pct: float) -> str:
    """Where Japan and Korea sit against the fitted line, as one clause."""
    japan, korea = position_word(japan_residual_pct), position_word(korea_residual_pct)
    if japan == korea:
        return f"Japan and Korea both sit {japan} the line"
    return f"Japan sits {japan} the line and Korea {korea} it"


# --------------------------------------------------------------------------- verdicts
def association_verdict(row: pd.Series) -> str:
    """Whether the composite's 95% CI excludes zero, in words."""
    if row["ci_low"] > 0:
        return "positive: the 95% interval lies above zero"
    if row["ci_high"] < 0:
        return "negative: the 95% interval lies below zero"
    return "not distinguishable from zero: the 95% interval includes it"


