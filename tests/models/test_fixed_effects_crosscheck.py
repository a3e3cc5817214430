"""The two fixed-effects + clustered-error estimators against linearmodels' PanelOLS.

Both ``countries.fit_spec`` and ``municipal.fe_cluster_ols`` fit OLS with one dummy per group
(statsmodels) and cluster the errors by group with statsmodels' small-sample factor
G/(G − 1) · (N − 1)/(N − K), where K counts every dummy (Stata's ``areg``/``regress`` rule).

PanelOLS absorbs the effects instead. With ``debiased=True, group_debias=True`` it applies the
same G/(G − 1), but by default (``auto_df=True``) it does not count a single effect that is
nested in the clusters (entity effects clustered by entity: Stata's ``xtreg, fe`` rule), so its
errors are smaller by exactly sqrt((N − p)/(N − K)) for one-way fixed effects (p slopes).
Two-way effects are always counted, so there the defaults agree. The tests pin both facts on the
real data. The p-values still differ: statsmodels uses t(G − 1), PanelOLS t(N − K).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from linearmodels import PanelOLS

from scityhelpers.chapters.digital_productivity import compute as countries
from scityhelpers.chapters.municipal_models import compute as municipal
from scityhelpers.stats.panel import fe_ols

#: relative tolerance: the two programs solve the same least squares by different algebra
SAME = 1e-8


def _panel_ols(frame: pd.DataFrame, y: str, regressors: list[str], *, time_effects: bool,
               auto_df: bool = True) -> tuple[float, float]:
    """Coefficient and clustered SE of ``regressors[0]`` (frame indexed by entity, time)."""
    model = PanelOLS(frame[y], frame[regressors], entity_effects=True, time_effects=time_effects)
    fit = model.fit(cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True,
                    auto_df=auto_df, count_effects=True)
    return float(fit.params[regressors[0]]), float(fit.std_errors[regressors[0]])


# -- countries: country (+ year) effects, clustered by country --------------------------------
@pytest.fixture(scope="module")
def panel(pulled: Path) -> pd.DataFrame:
    frame, _ = countries.prepare(countries.load_tables(), 1995, 2024,
                                 list(countries.DEFAULT_INDICATORS))
    return frame


@pytest.mark.parametrize("spec", [countries.Spec(countries.COMPOSITE, "twfe"),
                                  countries.Spec(countries.COMPOSITE, "twfe", 2),
                                  countries.Spec("internet", "twfe")])
def test_two_way_fe_matches_panel_ols_with_its_default_degrees_of_freedom(panel, spec) -> None:
    rows, _ = countries.spec_rows(panel, spec)
    ours = fe_ols(rows, "y", ["x"], cluster="iso3", entity="iso3", time="year").row("x")
    coef, se = _panel_ols(rows.set_index(["iso3", "year"]), "y", ["x"], time_effects=True)
    assert ours["coef"] == pytest.approx(coef, rel=SAME)
    assert ours["se"] == pytest.approx(se, rel=SAME)
    chapter = countries.fit_spec(panel, spec).result  # the chapter reports the same fit
    assert (chapter.coef, chapter.se) == (ours["coef"], ours["se"])


def test_country_fe_counts_the_dummies_that_panel_ols_leaves_out(panel) -> None:
    spec = countries.Spec(countries.COMPOSITE, "fe")
    rows, _ = countries.spec_rows(panel, spec)
    fit = fe_ols(rows, "y", ["x"], cluster="iso3", entity="iso3")
    ours = fit.row("x")
    indexed = rows.set_index(["iso3", "year"])
    coef, se_xtreg = _panel_ols(indexed, "y", ["x"], time_effects=False)
    _, se_areg = _panel_ols(indexed, "y", ["x"], time_effects=False, auto_df=False)
    n, k = fit.n, 2 + (fit.clusters - 1)  # x, constant, one dummy per country but one
    assert ours["coef"] == pytest.approx(coef, rel=SAME)
    assert ours["se"] == pytest.approx(se_areg, rel=SAME)
    assert ours["se"] == pytest.approx(se_xtreg * math.sqrt((n - 1) / (n - k)), rel=SAME)
    assert ours["se"] > se_xtreg * 1.04  # 452 rows, 38 countries: 4.5 % wider, not a rounding
    chapter = countries.fit_spec(panel, spec).result
    assert (chapter.coef, chapter.se, chapter.n_used) == (ours["coef"], ours["se"], n)


# -- municipalities: prefecture effects, clustered by prefecture ------------------------------
@pytest.fixture(scope="module")
def income_rows(pulled: Path) -> pd.DataFrame:
    data = municipal.load_municipal_data(2018)
    composite = municipal.digital_composite(data.indicators, list(municipal.DEFAULT_INDICATORS))
    frame = municipal.income_frame(data.features, data.indicators, composite)
    used, _ = municipal.complete_rows(
        frame, ["log_income_per_taxpayer", "digital_composite", *municipal.INCOME_CONTROLS])
    return used.reset_index(drop=True)


def test_prefecture_fe_matches_panel_ols_when_the_dummies_are_counted(income_rows) -> None:
    x, y = "digital_composite", "log_income_per_taxpayer"
    controls = [c for c in municipal.INCOME_CONTROLS if income_rows[c].nunique() > 1]
    sd_x = income_rows[x].std(ddof=1)
    scaled = income_rows.assign(**{x: (income_rows[x] - income_rows[x].mean()) / sd_x},
                                row=range(len(income_rows)))  # PanelOLS needs a numeric "time"
    regressors = [x, *controls]
    fit = fe_ols(scaled, y, regressors, cluster="pref_code", entity="pref_code")
    ours = fit.row(x)
    indexed = scaled.set_index(["pref_code", "row"])[[y, *regressors]].astype(float)
    coef, se_xtreg = _panel_ols(indexed, y, regressors, time_effects=False)
    _, se_areg = _panel_ols(indexed, y, regressors, time_effects=False, auto_df=False)
    k = 1 + len(regressors) + (fit.clusters - 1)
    assert ours["coef"] == pytest.approx(coef, rel=SAME)
    assert ours["se"] == pytest.approx(se_areg, rel=SAME)
    slopes = len(regressors)  # PanelOLS's own (N - 1)/(N - slopes) factor
    assert ours["se"] == pytest.approx(se_xtreg * math.sqrt((fit.n - slopes) / (fit.n - k)),
                                       rel=SAME)
    assert ours["se"] > se_xtreg * 1.01  # 1,7xx rows, 46 prefectures: about 1.5 % wider
    chapter = municipal.fe_cluster_ols(income_rows, y, x, municipal.INCOME_CONTROLS)
    assert (chapter.coef, chapter.se, chapter.n) == (ours["coef"], ours["se"], fit.n)
