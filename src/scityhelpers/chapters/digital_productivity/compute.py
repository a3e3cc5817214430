"""Country model: does digital maturity go with labour productivity across OECD members?

The panel is every current OECD member × every year of the window; the outcome is the log of
GDP per hour worked (USD at constant 2020 prices and PPPs, OECD Productivity Database). Digital
maturity is measured by seven indicators (internet users, mobile and fixed-broadband
subscriptions, the UN EGDI and its three sub-indices), each standardised over the panel, and by
a composite: the first principal component of the standardised indicators.

Every estimate is an association: the panel cannot tell whether digitalisation raises
productivity, richer economies digitalise faster, or both follow a third factor. Standard
errors are clustered by country (38 clusters), because a country's residuals are correlated
over time.

The chapter is split by step: :mod:`.panel_data` (the panel, indicators and composite),
:mod:`.specifications` (the regressions and where Japan sits) and :mod:`.forecasts` (out of
sample). This module holds what the runner and the notebook read: ``TABLES``, ``PARAMS``, and
every name of the three step modules (``__all__``), so the notebook calls ``compute.<name>``
whatever module defines it. Estimators shared with other chapters live in
:mod:`scityhelpers.stats`.
"""

from __future__ import annotations

from scityhelpers.chapters.digital_productivity.forecasts import (
    BASE_FEATURES,
    BOOSTING,
    RIDGE_ALPHAS,
    cross_validate,
    cv_splits,
    digital_features,
    forecast_verdict,
    growth_frame,
    out_of_fold,
    rmse_of,
    score_table,
)
from scityhelpers.chapters.digital_productivity.panel_data import (
    COMPOSITE,
    DEFAULT_END_YEAR,
    DEFAULT_INDICATORS,
    DEFAULT_LAGS,
    DEFAULT_START_YEAR,
    EGDI_COMPONENTS,
    INDICATORS,
    MIN_COMPOSITE_YEARS,
    OUTCOME,
    SURVEY_SPAN_YEARS,
    TABLES,
    Indicator,
    build_panel,
    composite_members,
    composite_min_rows,
    composite_years,
    coverage_table,
    digital_table,
    egdi_annual,
    egdi_trend,
    lagged,
    load_tables,
    measure_column,
    measure_labels,
    outcome_table,
    panel_composite,
    prepare,
    pwt_outcome_table,
)
from scityhelpers.chapters.digital_productivity.specifications import (
    CONFIDENCE,
    EFFECTS,
    ESTIMATORS,
    MIN_COUNTRIES,
    RESIDUAL_DECIMALS,
    Spec,
    SpecFit,
    SpecResult,
    actual_vs_fitted,
    all_specs,
    association_verdict,
    coefficient,
    fit_all,
    fit_spec,
    lag_table,
    log_points_as_pct,
    measure_results,
    measures_with_sign,
    partial_regression,
    position_word,
    positions_sentence,
    residual_of,
    spec_rows,
    time_all_specs,
)
from scityhelpers.chapters.parameters import Param
from scityhelpers.reference.countries import oecd_members
from scityhelpers.stats.composite import Composite

__all__ = [
    "BASE_FEATURES", "BOOSTING", "COMPOSITE", "CONFIDENCE", "DEFAULT_END_YEAR",
    "DEFAULT_INDICATORS", "DEFAULT_LAGS", "DEFAULT_START_YEAR", "EFFECTS", "EGDI_COMPONENTS",
    "ESTIMATORS", "INDICATORS", "MAX_LAGS", "MIN_COMPOSITE_YEARS", "MIN_COUNTRIES", "OUTCOME",
    "PARAMS", "RESIDUAL_DECIMALS", "RIDGE_ALPHAS", "SURVEY_SPAN_YEARS", "TABLES", "Composite",
    "Indicator", "Spec", "SpecFit", "SpecResult", "actual_vs_fitted", "all_specs",
    "association_verdict", "build_panel", "coefficient", "composite_members",
    "composite_min_rows", "composite_years", "coverage_table", "cross_validate", "cv_splits",
    "digital_features", "digital_table", "egdi_annual", "egdi_trend", "fit_all", "fit_spec",
    "forecast_verdict", "growth_frame", "lag_table", "lagged", "load_tables",
    "log_points_as_pct", "measure_column", "measure_labels", "measure_results",
    "measures_with_sign", "out_of_fold", "outcome_table", "panel_composite",
    "partial_regression", "position_word", "positions_sentence", "prepare",
    "pwt_outcome_table", "residual_of", "rmse_of", "score_table", "spec_rows",
    "time_all_specs",
]

MAX_LAGS = 8


# --------------------------------------------------------------------------- parameters
def _window_years(values: dict) -> tuple[list[int], int, int]:
    """Outcome years of members, and the first/last year with every chosen indicator."""
    tables = load_tables()
    members = oecd_members()
    productivity = tables["productivity"]
    years = sorted(productivity.loc[productivity["iso3"].isin(members), "year"].unique())
    chosen = [k for k in values.get("indicators", []) if k in INDICATORS] or ["internet"]
    digital = digital_table(tables).dropna(subset=composite_members(chosen))
    return [int(y) for y in years], int(digital["year"].min()), int(digital["year"].max())


def _allowed_start(values: dict) -> list[int]:
    years, _, last = _window_years(values)
    limit = min(last, values["end_year"]) - MIN_COMPOSITE_YEARS + 1
    return [y for y in years if y <= limit]


def _allowed_end(values: dict) -> list[int]:
    years, first, _ = _window_years(values)
    return [y for y in years if y >= max(first, values["start_year"]) + MIN_COMPOSITE_YEARS - 1]


def _allowed_indicators(values: dict) -> list[str]:
    digital = digital_table(load_tables())
    return [k for k in INDICATORS if digital[k].notna().any()]


def _lag_bounds(values: dict) -> tuple[int, int]:
    _, first, last = _window_years(values)
    span = min(last, values["end_year"]) - max(first, values["start_year"]) + 1
    return 0, max(0, min(MAX_LAGS, span - 3))


def _fold_bounds(values: dict) -> tuple[int, int]:
    _, first, last = _window_years(values)
    span = min(last + 1, values["end_year"]) - max(first + 2, values["start_year"]) + 1
    return 2, max(2, min(span - 2, len(oecd_members()) // 2))


PARAMS = (
    Param("start_year", int, "first year of the panel (outcome and indicators)",
          allowed=_allowed_start),
    Param("end_year", int, "last year of the panel (the latest OECD productivity year)",
          allowed=_allowed_end),
    Param("lags", int, "longest lag of the digital measure in the two-way FE models, years",
          bounds=_lag_bounds),
    Param("indicators", list, "digital indicators estimated alone and combined in the composite",
          allowed=_allowed_indicators),
    Param("cv_folds", int, "test years (time-ordered CV) and folds (country-grouped CV)",
          bounds=_fold_bounds),
    Param("seed", int, "random seed of the gradient boosting (row subsampling)",
          bounds=lambda v: (0, 2**32 - 1)),
)

