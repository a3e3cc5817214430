"""Country model: estimators on synthetic panels with known answers, then the real panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scityhelpers.chapters.digital_productivity import compute as countries
from scityhelpers.chapters.digital_productivity.compute import COMPOSITE, OUTCOME, Spec
from scityhelpers.chapters.parameters import check
from scityhelpers.errors import ModelDataError, ParameterError

BETA = 0.05  # the known effect of one unit of the measure on the outcome


def synthetic_panel(*, n_countries: int = 30, n_years: int = 20, beta: float = BETA,
                    x_lag: int = 0, rho: float = 0.0, country_error_sd: float = 0.0,
                    shock_sd: float = 0.2, seed: int = 0) -> pd.DataFrame:
    """y = a_i + g_t + beta·x_{t-x_lag} + e, with x correlated with a_i and trending.

    ``rho`` makes the errors AR(1) within a country; ``country_error_sd`` adds a country
    component to the error (absorbed by country FE, not by pooled OLS); ``shock_sd`` is the
    step of the common year shock g_t (a random walk, removed only by year effects).
    """
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 1, n_countries)                       # a_i
    years = np.arange(2000, 2000 + n_years)
    shock = rng.normal(0, shock_sd, n_years).cumsum()           # g_t
    x = (2 * level[:, None] + 0.1 * np.arange(n_years)[None, :]
         + rng.normal(0, 1, (n_countries, n_years)).cumsum(axis=1) * 0.5)
    error = np.zeros((n_countries, n_years))
    innovation = rng.normal(0, 0.05, (n_countries, n_years))
    error[:, 0] = innovation[:, 0]
    for t in range(1, n_years):
        error[:, t] = rho * error[:, t - 1] + innovation[:, t]
    error += rng.normal(0, country_error_sd, n_countries)[:, None]
    driver = np.roll(x, x_lag, axis=1)
    driver[:, :x_lag] = np.nan
    y = level[:, None] + shock[None, :] + beta * driver + error
    return pd.DataFrame({
        "iso3": np.repeat([f"C{i:02d}" for i in range(n_countries)], n_years),
        "year": np.tile(years, n_countries),
        OUTCOME: y.ravel(),
        COMPOSITE: x.ravel(),
    })


# --------------------------------------------------------------------------- known answers
def test_two_way_fixed_effects_recover_the_known_effect_within_the_ci() -> None:
    result = countries.fit_spec(synthetic_panel(), Spec(COMPOSITE, "twfe")).result
    assert result.ci_low <= BETA <= result.ci_high
    assert result.coef == pytest.approx(BETA, abs=0.01)


def test_country_fixed_effects_recover_it_without_common_shocks_only() -> None:
    calm = countries.fit_spec(synthetic_panel(shock_sd=0), Spec(COMPOSITE, "fe")).result
    assert calm.ci_low <= BETA <= calm.ci_high
    # a trending common shock loads onto the trending measure unless year effects remove it
    shocked = synthetic_panel(shock_sd=0)
    shocked[OUTCOME] += 0.05 * (shocked["year"] - 2000)
    biased = countries.fit_spec(shocked, Spec(COMPOSITE, "fe")).result
    assert biased.ci_low > BETA
    fixed = countries.fit_spec(shocked, Spec(COMPOSITE, "twfe")).result
    assert fixed.ci_low <= BETA <= fixed.ci_high


def test_pooled_ols_is_biased_when_the_measure_tracks_the_country_level() -> None:
    # x = 2·a_i + …, so pooled OLS loads a_i onto x; the FE estimator does not
    result = countries.fit_spec(synthetic_panel(), Spec(COMPOSITE, "pooled")).result
    assert result.ci_low > BETA + 0.1


def test_first_differences_recover_the_known_effect() -> None:
    panel = synthetic_panel(shock_sd=0, seed=3)
    result = countries.fit_spec(panel, Spec(COMPOSITE, "fd")).result
    assert result.ci_low <= BETA <= result.ci_high
    assert result.coef == pytest.approx(BETA, abs=0.01)
    assert result.n_used == 30 * 19  # one change fewer than years per country


def test_clustered_errors_exceed_naive_ones_under_within_country_correlation() -> None:
    pooled = countries.fit_spec(synthetic_panel(country_error_sd=0.5, seed=1),
                                Spec(COMPOSITE, "pooled")).result
    assert pooled.se > 2 * pooled.se_naive
    twfe = countries.fit_spec(synthetic_panel(rho=0.95, seed=1), Spec(COMPOSITE, "twfe")).result
    assert twfe.se > 1.3 * twfe.se_naive


def test_clustered_and_naive_errors_agree_without_correlation() -> None:
    panel = synthetic_panel(n_countries=60, seed=2)
    panel[COMPOSITE] = np.random.default_rng(9).normal(0, 1, len(panel))
    result = countries.fit_spec(panel, Spec(COMPOSITE, "twfe")).result
    assert result.se == pytest.approx(result.se_naive, rel=0.35)


def test_the_lag_that_drives_the_outcome_is_the_one_recovered() -> None:
    panel = synthetic_panel(x_lag=2, seed=4)
    lag2 = countries.fit_spec(panel, Spec(COMPOSITE, "twfe", lag=2)).result
    assert lag2.ci_low <= BETA <= lag2.ci_high
    assert lag2.n_used == 30 * 18


def test_partial_regression_slope_equals_the_two_way_coefficient() -> None:
    panel = synthetic_panel(seed=5)
    fwl = countries.partial_regression(panel)
    slope = np.polyfit(fwl["x_resid"], fwl["y_resid"], 1)[0]
    twfe = countries.fit_spec(panel, Spec(COMPOSITE, "twfe")).result
    assert slope == pytest.approx(twfe.coef, rel=1e-8)


def test_rows_without_the_measure_are_counted_not_silently_dropped() -> None:
    panel = synthetic_panel()
    panel.loc[panel.index[:25], COMPOSITE] = np.nan
    panel.loc[panel.index[40:45], OUTCOME] = np.nan
    result = countries.fit_spec(panel, Spec(COMPOSITE, "twfe")).result
    assert result.n_available == 600 - 5
    assert result.n_used == 600 - 5 - 25


def test_a_measure_constant_within_countries_is_rejected_under_fixed_effects() -> None:
    panel = synthetic_panel()
    panel[COMPOSITE] = panel.groupby("iso3")[COMPOSITE].transform("mean")
    with pytest.raises(ModelDataError, match="rank deficient"):
        countries.fit_spec(panel, Spec(COMPOSITE, "fe"))


def test_too_few_countries_is_an_error_that_names_the_repair() -> None:
    with pytest.raises(ModelDataError, match="start_year"):
        countries.fit_spec(synthetic_panel(n_countries=3), Spec(COMPOSITE, "twfe"))


def test_lagged_matches_on_the_year_not_the_row_position() -> None:
    panel = pd.DataFrame({"iso3": ["A", "A", "A", "B"], "year": [2000, 2001, 2003, 2001],
                          "v": [1.0, 2.0, 4.0, 9.0]})
    assert countries.lagged(panel, "v", 1).tolist()[:2] == [pytest.approx(np.nan, nan_ok=True),
                                                            1.0]
    assert np.isnan(countries.lagged(panel, "v", 1).iloc[2])  # 2002 is missing
    assert np.isnan(countries.lagged(panel, "v", 1).iloc[3])  # B has no 2000


def test_panel_composite_asks_for_two_rows_per_member_and_names_the_repair() -> None:
    rng = np.random.default_rng(7)
    panel = pd.DataFrame({"internet": rng.normal(size=7), "mobile": rng.normal(size=7),
                          "year": range(2000, 2007)})
    assert countries.composite_min_rows(["internet", "mobile"]) == 6
    composite = countries.panel_composite(panel.iloc[:6], ["internet", "mobile"])
    assert composite.account.used == 6
    with pytest.raises(ModelDataError, match="start_year/end_year"):
        countries.panel_composite(panel.iloc[:5], ["internet", "mobile"])


def test_composite_years_are_those_of_the_rows_the_pca_used() -> None:
    rng = np.random.default_rng(8)
    panel = pd.DataFrame({"internet": rng.normal(size=12), "mobile": rng.normal(size=12),
                          "year": range(2000, 2012)})
    panel.loc[[0, 1, 11], "mobile"] = np.nan
    composite = countries.panel_composite(panel, ["internet", "mobile"])
    assert countries.composite_years(panel, composite) == (2002, 2010)


def test_composite_leaves_out_the_egdi_when_its_three_components_are_in() -> None:
    assert countries.composite_members(["egdi", "osi", "tii", "hci", "internet"]) == [
        "internet", "osi", "tii", "hci"]
    assert countries.composite_members(["egdi", "osi", "internet"]) == [
        "internet", "egdi", "osi"]


def test_egdi_surveys_are_carried_forward_to_the_next_survey() -> None:
    egdi = pd.DataFrame({"iso3": "JPN", "survey_year": [2016, 2018, 2022],
                         "egdi": [0.1, 0.2, 0.3], "osi": 0.5, "tii": 0.5, "hci": 0.5})
    annual = countries.egdi_annual(egdi).set_index("year")["egdi"]
    assert annual.to_dict() == {2016: 0.1, 2017: 0.1, 2018: 0.2, 2019: 0.2, 2020: 0.2,
                                2021: 0.2, 2022: 0.3, 2023: 0.3}


def test_time_ordered_cv_trains_only_on_earlier_years() -> None:
    frame = synthetic_panel(n_countries=8, n_years=12)
    for train, test in countries.cv_splits(frame, "time", 4):
        assert frame.iloc[train]["year"].max() < frame.iloc[test]["year"].min()
        assert frame.iloc[test]["year"].nunique() == 1
    for train, test in countries.cv_splits(frame, "country", 4):
        assert not set(frame.iloc[train]["iso3"]) & set(frame.iloc[test]["iso3"])


# --------------------------------------------------------------------------- the real panel
DEFAULT = list(countries.DEFAULT_INDICATORS)


@pytest.fixture(scope="module")
def real(pulled: Path) -> tuple[pd.DataFrame, countries.Composite]:
    return countries.prepare(countries.load_tables(), 1995, 2024, DEFAULT)


def test_real_panel_is_every_member_by_every_year(real) -> None:
    panel, _ = real
    assert len(panel) == 38 * 30
    assert not panel.duplicated(["iso3", "year"]).any()
    # SOURCES.md (international, file 3): JPN 2022 = 50.58 USD per hour; KOR starts in 2011
    jpn = panel.set_index(["iso3", "year"])[OUTCOME]
    assert np.exp(jpn[("JPN", 2022)]) == pytest.approx(50.58)
    korea = panel[(panel["iso3"] == "KOR") & panel[OUTCOME].notna()]
    assert korea["year"].min() == 2011


def test_real_egdi_2018_survey_stands_for_2019_to_2021(real) -> None:
    panel, _ = real
    jpn = panel[panel["iso3"] == "JPN"].set_index("year")["egdi"]
    # UN E-Government Survey 2018: Japan EGDI 0.8783 (rank 10); the 2020 survey is missing
    assert jpn.loc[2018:2021].tolist() == [pytest.approx(0.8783)] * 4
    assert jpn.loc[2022] == pytest.approx(0.9002)  # 2022 survey, SOURCES.md spot value


def test_real_specs_report_rows_used_against_rows_available(real) -> None:
    panel, _ = real
    table = countries.fit_all(panel, countries.all_specs(DEFAULT, 2))
    assert len(table) == 8 * 7
    assert table[["coef", "se", "ci_low", "ci_high"]].notna().all().all()
    assert (table["n_used"] <= table["n_available"]).all()
    outcome = panel[OUTCOME].notna()
    for measure in [COMPOSITE, "internet", "egdi"]:
        row = countries.coefficient(table, measure, "twfe")
        column = countries.measure_column(measure)
        assert row["n_available"] == outcome.sum()
        assert row["n_used"] == (outcome & panel[column].notna()).sum()
    composite_twfe = countries.coefficient(table, COMPOSITE, "twfe")
    assert composite_twfe["n_used"] < composite_twfe["n_available"] / 2  # composite: 2010-21


def test_real_composite_loadings_and_variance(real) -> None:
    panel, composite = real
    assert composite.members == ("internet", "mobile", "broadband", "osi", "tii", "hci")
    assert np.linalg.norm(composite.loadings["loading"]) == pytest.approx(1.0)
    assert composite.loadings["loading"].sum() > 0
    assert 30 < composite.explained_pct < 100
    assert countries.composite_years(panel, composite) == (2010, 2021)


def test_real_cv_is_deterministic_and_reports_its_rows(real) -> None:
    panel, _ = real
    first, used, available = countries.cross_validate(panel, DEFAULT, 3, 11)
    again, _, _ = countries.cross_validate(panel, DEFAULT, 3, 11)
    pd.testing.assert_frame_equal(first, again)
    assert 0 < used < available
    assert set(first["scheme"]) == {"time", "country"}
    assert len(first) == 2 * 6


def test_parameters_are_checked_against_the_data(pulled: Path) -> None:
    good = {"start_year": 1995, "end_year": 2024, "lags": 5, "indicators": DEFAULT,
            "cv_folds": 5, "seed": 1}
    assert check(countries.PARAMS, **good)["lags"] == 5
    with pytest.raises(ParameterError, match="indicators"):
        check(countries.PARAMS, **{**good, "indicators": ["internet", "fax"]})
    with pytest.raises(ParameterError, match="end_year"):
        check(countries.PARAMS, **{**good, "end_year": 2011})  # composite starts in 2010
    with pytest.raises(ParameterError, match="lags"):
        check(countries.PARAMS, **{**good, "lags": 20})


def test_time_all_specs_measures_a_few_seconds(pulled: Path) -> None:
    seconds = countries.time_all_specs(repeats=1)
    assert 0 < seconds < 20


def test_log_points_convert_to_percent_not_share() -> None:
    # 0.321 log points is about 38 %, not "roughly 32 %"
    assert countries.log_points_as_pct(0.321) == pytest.approx(37.85, abs=0.01)
    assert countries.log_points_as_pct(0.0) == 0.0
    assert countries.log_points_as_pct(-0.1) == pytest.approx(-9.52, abs=0.01)


def test_positions_sentence_never_says_below_and_below_it() -> None:
    assert countries.positions_sentence(-20.0, -5.0) == "Japan and Korea both sit below the line"
    assert countries.positions_sentence(-20.0, 5.0) == ("Japan sits below the line and Korea "
                                                         "above it")


def test_fold_standard_error_of_rmse_from_known_errors() -> None:
    # two folds: errors 1 and 3 → per-fold RMSE 1 and 3, SD √2, SE √2/√2 = 1
    predictions = pd.DataFrame({"scheme": "time", "model": "m", "fold": [0, 0, 1, 1],
                                "growth_pct": [1.0, -1.0, 3.0, -3.0],
                                "predicted": [0.0, 0.0, 0.0, 0.0]})
    scores = countries.score_table(predictions)
    assert scores.loc[0, "rmse_pp"] == pytest.approx(np.sqrt(5.0))
    assert scores.loc[0, "rmse_fold_se_pp"] == pytest.approx(1.0)


def test_egdi_trend_gives_score_rank_and_field_per_survey(pulled: Path) -> None:
    from scityhelpers import load

    egdi = load("egdi")
    trend = countries.egdi_trend(egdi, ["JPN", "KOR"])
    surveys = sorted(egdi["survey_year"].unique())
    assert trend.groupby("iso3")["survey_year"].apply(list).to_dict() == {"JPN": surveys,
                                                                          "KOR": surveys}
    assert trend["egdi"].between(0, 1).all()
    assert (trend["egdi_rank"] <= trend["n_ranked"]).all()
    latest = egdi[egdi["survey_year"] == surveys[-1]]
    assert trend["n_ranked"].iloc[-1] == latest["egdi_rank"].notna().sum()
