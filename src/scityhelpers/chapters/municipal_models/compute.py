"""Municipal models: who is selected for national programmes, and digital maturity vs income.

Two cross-sections over Japan's 1,741 municipalities (the 1,747 of the code list without the
six Northern-Territories villages, which have no administration):

1. **Selection.** Which municipalities became SDGs未来都市 (Cabinet Office) or lead proposers of
   a 脱炭素先行地域 (Ministry of the Environment)? Only selections whose every body is listed
   in the reference tables are used (from :mod:`scityhelpers.reference.programme_completeness`,
   announced counts vs
   rows, never assumed), so a municipality coded "not selected" really was not selected then.
   Prefectures selected as a whole are not municipal selections and are left out of the
   outcome. A logistic regression (odds ratios per standard deviation) and a gradient-boosting
   classifier (stratified k-fold cross-validation) describe who is selected.
2. **Digital maturity and income.** Log taxable income per taxpayer on a principal-component
   composite of the デジタル庁 DX dashboard indicators and the My Number card issuance rate,
   with prefecture fixed effects and errors clustered by prefecture.

Both are associations in a cross-section: they cannot separate cause from selection.
Rows with a missing value are never dropped silently: every fit reports the rows available, the
rows used and why the others were left out (:class:`~scityhelpers.stats.rows.RowAccount`).

The chapter is split by step: :mod:`.features` (units, features, complete selections,
outcomes), :mod:`.selection` (logit, cross-validation, calibration), :mod:`.digital` (DX
indicators and their composite) and :mod:`.income` (income with prefecture fixed effects).
This module holds what the runner and the notebook read: ``TABLES``, ``PARAMS``,
:func:`load_municipal_data`, and every name of the four step modules (``__all__``), so the
notebook calls ``compute.<name>`` whatever module defines it. Estimators shared with other
chapters live in :mod:`scityhelpers.stats`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scityhelpers.chapters.municipal_models.digital import (
    COMPOSITE_LABEL,
    DEFAULT_INDICATORS,
    DX_INDICATORS,
    NameMatch,
    digital_composite,
    dx_indicators,
    dx_name_match,
)
from scityhelpers.chapters.municipal_models.features import (
    CI_LEVEL,
    FEATURE_LABELS,
    INCOME_CONTROLS,
    INCOMPLETE_RULES,
    PROGRAMME_LABELS,
    PROGRAMMES,
    PROJECTION_BASE_YEAR,
    REFERENCE_TYPE,
    SELECTION_BINARY,
    SELECTION_CONTINUOUS,
    SELECTION_FEATURES,
    TYPE_DUMMIES,
    complete_selections,
    municipal_features,
    municipal_units,
    outcome_column,
    prefectural_capital_codes,
    projected_change,
    selection_completeness,
    selection_outcomes,
)
from scityhelpers.chapters.municipal_models.income import (
    BINNED_SCATTER_BINS,
    RESIDUAL_DECIMALS,
    SPECIFICATIONS,
    WILD_BOOTSTRAP_REPS,
    Effect,
    binned_residuals,
    fe_cluster_ols,
    income_effect,
    income_effect_steps,
    income_frame,
    income_wild_bootstrap,
    indicator_sensitivity,
    specification_curve,
)
from scityhelpers.chapters.municipal_models.selection import (
    CALIBRATION_BINS,
    GB_SETTINGS,
    PERMUTATION_REPEATS,
    QUINTILES,
    CrossValidation,
    LogitFit,
    auc_summary,
    calibration_table,
    clear_labels,
    cross_validate,
    crude_odds_ratios,
    fit_logit,
    fit_without_projection,
    programme_comparison,
    quintile_table,
    selected_by_type,
    selection_rows,
    separating_dummies,
    standardise,
    tilt_verdict,
)
from scityhelpers.chapters.parameters import Param
from scityhelpers.sources.programmes import LEAD_ROLES  # lead and joint-lead proposers
from scityhelpers.stats.composite import Composite
from scityhelpers.stats.inference import holm_adjust, mean_t_interval
from scityhelpers.stats.rows import RowAccount, complete_rows

__all__ = [
    "BINNED_SCATTER_BINS", "CALIBRATION_BINS", "CI_LEVEL", "COMPOSITE_LABEL",
    "DEFAULT_INDICATORS", "DX_INDICATORS", "FEATURE_LABELS", "GB_SETTINGS", "INCOME_CONTROLS",
    "INCOMPLETE_RULES", "MAX_CV_FOLDS", "MAX_SEED", "MIN_CV_FOLDS", "PARAMS",
    "PERMUTATION_REPEATS", "PROGRAMMES", "PROGRAMME_LABELS", "PROJECTION_BASE_YEAR",
    "QUINTILES", "REFERENCE_TYPE", "RESIDUAL_DECIMALS", "SELECTION_BINARY",
    "SELECTION_CONTINUOUS", "SELECTION_FEATURES", "SPECIFICATIONS", "TABLES", "TYPE_DUMMIES",
    "WILD_BOOTSTRAP_REPS", "Composite", "CrossValidation", "Effect", "LogitFit",
    "MunicipalData", "NameMatch", "RowAccount", "auc_summary", "binned_residuals",
    "calibration_table", "clear_labels", "complete_rows", "complete_selections",
    "cross_validate", "crude_odds_ratios", "digital_composite", "dx_indicators",
    "dx_name_match", "fe_cluster_ols", "fit_logit", "fit_without_projection", "holm_adjust",
    "income_effect", "income_effect_steps", "income_frame", "income_wild_bootstrap",
    "indicator_sensitivity", "load_municipal_data", "mean_t_interval", "municipal_features",
    "municipal_units", "outcome_column", "prefectural_capital_codes", "programme_comparison",
    "projected_change", "quintile_table", "selected_by_type", "selection_completeness",
    "selection_outcomes", "selection_rows", "separating_dummies", "specification_curve",
    "standardise", "tilt_verdict", "time_all_models",
]

# -- what the chapter reads ------------------------------------------------------------------
TABLES = ("municipalities", "population_2015_2020", "municipal_projection",
          "fiscal_indicators", "taxable_income", "mynumber_card", "local_gov_dx",
          "sdgs_future_cities", "sdgs_by_year", "decarbonization_areas",
          "decarbonization_rounds", "prefectural_capitals")

MIN_CV_FOLDS = 2
MAX_CV_FOLDS = 10
MAX_SEED = 2**32 - 1


# == loading everything ======================================================================
@dataclass(frozen=True)
class MunicipalData:
    """The chapter's inputs, built from the tidy tables."""

    units: pd.DataFrame
    features: pd.DataFrame
    completeness: pd.DataFrame
    outcomes: pd.DataFrame
    indicators: pd.DataFrame
    local_gov_dx: pd.DataFrame
    sdgs: pd.DataFrame
    decarb: pd.DataFrame

    def prefecture_selections(self) -> dict[str, int]:
        """Prefectures selected as a whole in the complete selections (not in the outcome)."""
        sdgs_years = complete_selections(self.completeness, "sdgs")
        rounds = complete_selections(self.completeness, "decarbonization")
        sdgs = self.sdgs[self.sdgs["fiscal_year"].isin(sdgs_years) & self.sdgs["is_prefecture"]]
        decarb = self.decarb[self.decarb["round"].isin(rounds) & self.decarb["is_prefecture"]
                             & self.decarb["role"].isin(LEAD_ROLES)]
        unnamed = self.sdgs["fiscal_year"].isin(sdgs_years) & ~self.sdgs["is_resolved"]
        return {"sdgs": len(sdgs), "decarbonization": len(decarb),
                "sdgs_unnamed": int(unnamed.sum())}

    def selection_frame(self) -> pd.DataFrame:
        """Features and outcomes, one row per unit (1,741)."""
        return self.features.merge(self.outcomes, on="code5", how="left", validate="1:1")


def load_municipal_data(projection_edition: int = 2018) -> MunicipalData:
    """Read the tidy tables and build features, outcomes and DX indicators."""
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.projections import load_projection

    units = municipal_units(load("municipalities"))
    features = municipal_features(units, load("population_2015_2020"),
                                  load_projection(projection_edition), load("fiscal_indicators"),
                                  load("taxable_income"), prefectural_capital_codes())
    completeness, outcomes = _outcomes_from_tidy()
    dx = load("local_gov_dx")
    return MunicipalData(units, features, completeness, outcomes,
                         dx_indicators(dx, load("mynumber_card")), dx,
                         load("sdgs_future_cities"), load("decarbonization_areas"))


# == parameters ==============================================================================
def _outcomes_from_tidy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Completeness and outcomes only (parameter checks need nothing else)."""
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.programme_completeness import (
        decarbonization_completeness,
        sdgs_completeness,
    )

    sdgs, decarb = load("sdgs_future_cities"), load("decarbonization_areas")
    completeness = selection_completeness(sdgs_completeness(), decarbonization_completeness())
    units = municipal_units(load("municipalities"))
    return completeness, selection_outcomes(units, sdgs, decarb, completeness)


def _programmes_with_data(values: dict[str, Any]) -> list[str]:
    completeness, _ = _outcomes_from_tidy()
    complete = [p for p in PROGRAMMES[:2] if complete_selections(completeness, p)]
    return [*complete, "either"] if complete else []


def _fold_bounds(values: dict[str, Any]) -> tuple[int, int]:
    """Each fold must hold selected units: at most min(10, selected units)."""
    _, outcomes = _outcomes_from_tidy()
    selected = int(outcomes[outcome_column(values["programme"])].sum())
    return MIN_CV_FOLDS, min(MAX_CV_FOLDS, selected)


def _indicators_available(values: dict[str, Any]) -> list[str]:
    from scityhelpers.pipeline.tidy import load

    columns = set(load("local_gov_dx").columns) | {"mynumber_issuance_pct"}
    return [c for c in DX_INDICATORS if c in columns]


def _editions(values: dict[str, Any]) -> list[int]:
    from scityhelpers.reference.projections import available_editions

    return available_editions()


PARAMS = (
    Param("programme", str, "outcome: sdgs, decarbonization (lead proposers) or either",
          allowed=_programmes_with_data),
    Param("projection_edition", int, "IPSS projection edition behind the projected change",
          allowed=_editions),
    Param("cv_folds", int, "folds of the stratified cross-validation",
          bounds=_fold_bounds),
    Param("seed", int, "random seed (fold assignment, boosting, permutations)",
          bounds=lambda v: (0, MAX_SEED)),
    Param("indicators", list, "DX indicators in the digital-maturity composite (PCA)",
          allowed=_indicators_available),
)


# == benchmark ===============================================================================
def time_all_models(programme: str = "either", folds: int = 5, seed: int = 0,
                    indicators: Sequence[str] = DEFAULT_INDICATORS) -> dict[str, float]:
    """Wall-clock seconds of each step on the real data (for ``scity bench``, not the book)."""
    timings: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = step()
        timings[name] = time.perf_counter() - start
        return value

    data = timed("load and build features", load_municipal_data)
    outcome = outcome_column(programme)
    frame, _ = selection_rows(data.selection_frame(), outcome)
    timed("logit (statsmodels)", lambda: fit_logit(frame, outcome))
    timed(f"cross-validation, {folds} folds (GB + logit + permutation importance)",
          lambda: cross_validate(frame, outcome, SELECTION_FEATURES, folds, seed))
    composite = timed("PCA composite", lambda: digital_composite(data.indicators, indicators))
    income = income_frame(data.features, data.indicators, composite)
    timed("FE + cluster OLS", lambda: income_effect(income))
    timed("indicator sensitivity", lambda: indicator_sensitivity(income, indicators))
    return timings
