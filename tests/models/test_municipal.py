"""Municipal models: known answers on synthetic data, the real 1,741 rows, a papermill rerun."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest

from scityhelpers.book.facts import recorded
from scityhelpers.book.page_checks import glue_values
from scityhelpers.chapters.municipal_models import compute as municipal
from scityhelpers.chapters.parameters import validate
from scityhelpers.errors import ModelDataError, ParameterError

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "municipal_models.ipynb"


# -- synthetic data with a known answer -------------------------------------------------------
def _synthetic_selection(n: int = 6000, seed: int = 1) -> tuple[pd.DataFrame, dict[str, float]]:
    """Two continuous features and one dummy with known log-odds per unit."""
    rng = np.random.default_rng(seed)
    size = rng.normal(0.0, 2.0, n)  # SD 2: the per-SD log-odds is twice the per-unit one
    decline = rng.normal(0.0, 1.0, n)
    town = (rng.random(n) < 0.4).astype(float)
    beta = {"size": 0.6, "decline": -0.3, "town": 0.5}
    log_odds = -2.0 + beta["size"] * size + beta["decline"] * decline + beta["town"] * town
    selected = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int)
    frame = pd.DataFrame({"code5": [f"{i:05d}" for i in range(n)], "size": size,
                          "decline": decline, "town": town, "selected": selected})
    return frame, beta

def _at(name: str, value: float) -> float:
    """``value`` as the municipal_models facts record holds it (compared at its precision)."""
    return recorded("municipal_models", name, value)



def test_logit_recovers_known_log_odds_per_sd_within_its_ci() -> None:
    frame, beta = _synthetic_selection()
    fit = municipal.fit_logit(frame, "selected", ["size", "decline"], ["town"])
    for feature in ["size", "decline"]:
        odds, low, high = fit.odds_ratio(feature)
        truth = np.exp(beta[feature] * frame[feature].std(ddof=1))  # per SD of the sample
        assert low < truth < high, (feature, low, truth, high)
        assert odds == pytest.approx(truth, rel=0.15)
    odds, low, high = fit.odds_ratio("town")
    assert low < np.exp(beta["town"]) < high
    assert fit.n == len(frame)
    assert fit.n_events == int(frame["selected"].sum())


def test_logit_pools_a_dummy_with_no_selected_member() -> None:
    frame, _ = _synthetic_selection(2000)
    frame["ward"] = 0.0
    frame.loc[frame.index[:30], "ward"] = 1.0
    frame.loc[frame["ward"] == 1, "selected"] = 0  # perfect separation
    fit = municipal.fit_logit(frame, "selected", ["size"], ["town", "ward"])
    assert fit.pooled == ("ward",)
    assert "ward" not in set(fit.odds_ratios["feature"])


def test_logit_refuses_missing_values() -> None:
    frame, _ = _synthetic_selection(500)
    frame.loc[3, "size"] = np.nan
    with pytest.raises(ModelDataError, match="complete rows"):
        municipal.fit_logit(frame, "selected", ["size"], [])


def test_cross_validation_separates_signal_from_noise() -> None:
    frame, _ = _synthetic_selection(1500)
    frame["noise"] = np.random.default_rng(5).normal(size=len(frame))
    signal = municipal.cross_validate(frame, "selected", ["size", "decline", "town"], 3, seed=0)
    noise = municipal.cross_validate(frame, "selected", ["noise"], 3, seed=0)
    signal_auc = municipal.auc_summary(signal.folds).set_index("model")["auc_mean"]
    noise_auc = municipal.auc_summary(noise.folds).set_index("model")["auc_mean"]
    assert (signal_auc > 0.75).all()
    assert (noise_auc.between(0.4, 0.6)).all()
    assert signal.importance.iloc[0]["feature"] == "size"
    assert signal.out_of_fold[["p_gradient_boosting", "p_logit"]].notna().all().all()


def test_cross_validation_is_deterministic_for_a_seed() -> None:
    frame, _ = _synthetic_selection(800)
    first = municipal.cross_validate(frame, "selected", ["size", "town"], 3, seed=7)
    second = municipal.cross_validate(frame, "selected", ["size", "town"], 3, seed=7)
    pd.testing.assert_frame_equal(first.folds, second.folds)
    pd.testing.assert_frame_equal(first.importance, second.importance)


def _synthetic_panel(seed: int = 3) -> tuple[pd.DataFrame, float]:
    """x is correlated with the prefecture effect, so only the FE estimate is unbiased."""
    rng = np.random.default_rng(seed)
    prefectures = 40
    per = 40
    pref = np.repeat(np.arange(prefectures), per)
    effect = rng.normal(0, 1.0, prefectures)[pref]
    x = 0.8 * effect + rng.normal(0, 1.0, len(pref))
    control = rng.normal(0, 1.0, len(pref))
    shock = rng.normal(0, 0.05, prefectures)[pref]  # correlated errors within a prefecture
    slope = 0.03
    y = 0.5 * effect + slope * x + 0.02 * control + shock + rng.normal(0, 0.05, len(pref))
    frame = pd.DataFrame({"pref_code": [f"{p:02d}" for p in pref], "y": y, "x": x,
                          "control": control})
    return frame, slope


def test_fe_cluster_ols_recovers_a_known_slope_within_its_ci() -> None:
    frame, slope = _synthetic_panel()
    effect = municipal.fe_cluster_ols(frame, "y", "x", ["control"])
    truth_per_sd = slope * frame["x"].std(ddof=1)
    assert effect.ci_low < truth_per_sd < effect.ci_high
    assert effect.clusters == 40
    assert effect.n == len(frame)
    # without the fixed effects the prefecture effect leaks into the slope
    pooled = municipal.fe_cluster_ols(frame, "y", "x", ["control"], fixed_effects=False)
    assert not pooled.ci_low < truth_per_sd < pooled.ci_high


def test_fe_cluster_ols_needs_complete_rows_and_clusters() -> None:
    frame, _ = _synthetic_panel()
    with pytest.raises(ModelDataError, match="two groups"):
        municipal.fe_cluster_ols(frame.assign(pref_code="01"), "y", "x", ["control"])
    frame.loc[0, "x"] = np.nan
    with pytest.raises(ModelDataError, match="complete rows"):
        municipal.fe_cluster_ols(frame, "y", "x", ["control"])


def test_pca_composite_orients_and_standardises() -> None:
    rng = np.random.default_rng(2)
    latent = rng.normal(size=500)
    indicators = pd.DataFrame({"code5": [f"{i:05d}" for i in range(500)],
                               "a": latent + rng.normal(0, 0.3, 500),
                               "b": 2 * latent + rng.normal(0, 0.6, 500),
                               "c": (latent + rng.normal(0, 0.5, 500) > 0).astype(float)})
    indicators.loc[0, "c"] = np.nan
    composite = municipal.digital_composite(indicators, ["a", "b", "c"])
    assert composite.account.used == 499
    assert composite.account.dropped == {"c": 1}
    assert (composite.loadings["loading"] > 0).all()
    assert composite.scores.std(ddof=1) == pytest.approx(1.0)
    assert np.corrcoef(composite.scores, latent[1:])[0, 1] > 0.9


def test_complete_rows_accounts_for_every_dropped_row() -> None:
    frame = pd.DataFrame({"a": [1, np.nan, 3, np.nan], "b": [1, 2, np.nan, np.nan]})
    used, account = municipal.complete_rows(frame, ["a", "b"])
    assert len(used) == 1
    assert account.dropped == {"a": 2, "b": 1}
    assert account.available == account.used + sum(account.dropped.values())


# -- the real data --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(pulled: Path) -> municipal.MunicipalData:
    return municipal.load_municipal_data(2018)


def test_one_row_per_municipality_without_the_northern_territories(data) -> None:
    frame = data.selection_frame()
    # 1,747 municipalities in the 総務省 code list of 2024-01-01 minus the 6 villages 01695–01700
    # (japan/SOURCES.md §1 and §8)
    assert len(frame) == 1741
    assert frame["code5"].is_unique
    assert not frame["code5"].between("01695", "01700").any()
    # the outcome is NA only for municipalities named only in incomplete selections
    only_incomplete = frame[municipal.outcome_column("either")].isna()
    zero_rule = municipal.selection_outcomes(data.units, data.sdgs, data.decarb,
                                             data.completeness, "zero")
    assert zero_rule["is_selected_either"].notna().all()
    assert (zero_rule.loc[only_incomplete.to_numpy(), "is_selected_either"] == 0).all()


def test_complete_selections_are_the_documented_ones(data) -> None:
    # programmes/SOURCES.md: SDGs FY2018–2023 complete in the briefing table; decarbonization
    # leads complete for rounds 1, 2, 5 and 6, and round 3 since the additions of 2026-11-29
    assert municipal.complete_selections(data.completeness, "sdgs") == list(range(2018, 2024))
    assert municipal.complete_selections(data.completeness, "decarbonization") == [1, 2, 3, 5, 6]
    # FY2021: listed (31 of 31 bodies) but not complete in the book's sense (one unnamed)
    fy2021 = data.completeness.set_index(["programme", "selection"]).loc[("sdgs", 2021)]
    assert (fy2021["known"], fy2021["unnamed"], fy2021["announced"]) == (30, 1, 31)
    assert fy2021["is_listed"]
    assert not fy2021["is_complete"]


def test_selected_counts(data) -> None:
    outcomes = data.outcomes
    # 183 rows FY2018–2023 = 18 prefecture rows + 165 municipal rows, one of them unnamed
    # (SOURCES-sdgs-briefing-table.md, counts per year)
    assert int(outcomes["is_selected_sdgs"].sum()) == 165 - 1
    assert data.prefecture_selections() == {"sdgs": 18, "decarbonization": 1, "sdgs_unnamed": 1}
    either = (outcomes["is_selected_sdgs"] == 1) | (outcomes["is_selected_decarbonization"] == 1)
    assert (outcomes.loc[either.fillna(False), "is_selected_either"] == 1).all()
    neither = (outcomes["is_selected_sdgs"] == 0) & (outcomes["is_selected_decarbonization"] == 0)
    assert (outcomes.loc[neither.fillna(False), "is_selected_either"] == 0).all()


def test_rows_used_vs_available_are_reported_not_silently_dropped(data) -> None:
    frame = data.selection_frame()
    used, account = municipal.selection_rows(frame, "is_selected_either")
    assert account.available == 1741
    assert account.used == len(used) == account.available - sum(account.dropped.values())
    missing = frame[list(municipal.SELECTION_FEATURES)].isna().any(axis=1)
    no_outcome = frame["is_selected_either"].isna() & ~missing
    assert int(missing.sum() + no_outcome.sum()) == sum(account.dropped.values())
    # the 2018 IPSS edition does not project Fukushima's 59 municipalities; 双葉町 (in
    # Fukushima) also lacks a 2020 population, so it is counted under population
    assert frame.loc[missing, "pref_name"].eq("福島県").all()
    assert int(missing.sum()) == 59
    # the rest: municipalities named only in incomplete selections (left out of both groups)
    assert account.dropped == {"log_population": 1, "projected_change_pct": 58,
                               "is_selected_either": int(no_outcome.sum())}


def test_dx_names_all_resolve_to_their_positional_codes(data) -> None:
    match = municipal.dx_name_match(data.local_gov_dx, data.units)
    # japan/SOURCES.md §8: 1,741 columns, 1,740 names agree exactly, one kanji variant (檮原町)
    assert (match.columns, match.resolved, match.exact) == (1741, 1741, 1740)
    assert match.rate_pct == 100.0
    assert match.unique_by_name < match.columns  # shared names (府中市 …) need the position


def test_income_model_reports_rows_and_clusters(data) -> None:
    composite = municipal.digital_composite(data.indicators, list(municipal.DEFAULT_INDICATORS))
    # 8 municipalities 調査無し on the governance items, 2 without a procedure count (§8)
    assert composite.account.dropped == {"common_32_online_pct": 2, "has_cio": 8}
    income = municipal.income_frame(data.features, data.indicators, composite)
    effect, account = municipal.income_effect(income)
    assert account.available == 1741
    assert effect.n == account.used
    assert effect.clusters == 46  # Fukushima leaves with its projection
    pct, low, high = effect.pct()
    assert low < pct < high


def test_parameters_are_validated_against_the_data(pulled: Path) -> None:
    defaults = {"programme": "either", "projection_edition": 2018, "cv_folds": 5, "seed": 1,
                "indicators": ["has_ai"]}
    assert validate(municipal.PARAMS, {}, defaults)["programme"] == "either"
    with pytest.raises(ParameterError, match="programme"):
        validate(municipal.PARAMS, {"programme": "supercity"}, defaults)
    with pytest.raises(ParameterError, match="indicators"):
        validate(municipal.PARAMS, {"indicators": ["has_blockchain"]}, defaults)
    with pytest.raises(ParameterError, match="cv_folds"):
        validate(municipal.PARAMS, {"cv_folds": 1}, defaults)


# -- the notebook ---------------------------------------------------------------------------
def test_papermill_programme_sdgs_glues_the_functions_results(pulled: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "municipal_models_sdgs.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out),
                               parameters={"programme": "sdgs", "cv_folds": 3, "seed": 11},
                               cwd=str(REPO / "notebooks"), kernel_name="python3",
                               progress_bar=False)
    glued = glue_values(out)
    data = municipal.load_municipal_data(2018)
    used, _ = municipal.selection_rows(data.selection_frame(), "is_selected_sdgs")
    fit = municipal.fit_logit(used, "is_selected_sdgs")
    cv = municipal.cross_validate(used, "is_selected_sdgs", municipal.SELECTION_FEATURES, 3, 11)
    auc = municipal.auc_summary(cv.folds).set_index("model")
    assert int(glued["n_selected"]) == int(data.outcomes["is_selected_sdgs"].sum()) == 164
    assert float(glued["logit_or_log_pop"]) == _at(
        "logit_or_log_pop", fit.odds_ratio("log_population")[0])
    assert float(glued["cv_auc_gb"]) == _at("cv_auc_gb", auc.loc["gradient_boosting", "auc_mean"])
    assert float(glued["cv_auc_logit"]) == _at("cv_auc_logit", auc.loc["logit", "auc_mean"])
    assert glued["programme_label"].startswith("SDGs未来都市")


def test_built_page_shows_the_numbers_from_the_notebook(built_book: Path) -> None:
    from scityhelpers.book.page_checks import page_text

    text = page_text(built_book / "book" / "municipal_models.html")
    glued = glue_values(NOTEBOOK)
    assert f"{float(glued['logit_or_log_pop']):.2f}" in text
    assert f"{float(glued['cv_auc_gb']):.2f}" in text
    assert "1,741 municipalities" in text
    assert "association, not causation" in text.lower()
    # the income model has its own page since the chapter was split in two
    income = page_text(built_book / "book" / "municipal_income.html")
    assert f"{float(glued['income_digital_coef_pct']):+.2f} % higher income" in income
    assert "association, not causation" in income.lower()


def test_specification_curve_covers_every_regressor_and_adjustment(data) -> None:
    composite = municipal.digital_composite(data.indicators, list(municipal.DEFAULT_INDICATORS))
    income = municipal.income_frame(data.features, data.indicators, composite)
    indicators = list(municipal.DEFAULT_INDICATORS)[:2]
    curve = municipal.specification_curve(income, indicators)
    assert len(curve) == (1 + len(indicators)) * len(municipal.SPECIFICATIONS)
    assert curve["pct"].is_monotonic_increasing
    headline = curve[(curve["regressor"] == "digital_composite")
                     & (curve["specification"] == "controls + prefecture FE")]
    effect, _ = municipal.income_effect(income)
    assert headline["pct"].iloc[0] == pytest.approx(effect.pct()[0])


def test_unknown_incomplete_rule_is_refused(data) -> None:
    with pytest.raises(ValueError, match="incomplete must be one of"):
        municipal.selection_outcomes(data.units, data.sdgs, data.decarb, data.completeness,
                                     "drop")
