# %% [markdown]
# # Municipal models: the computation
#
# This notebook computes every number of the chapter {doc}`../book/municipal_models`: who is
# selected as an SDGs未来都市 or a 脱炭素先行地域, and how digital maturity relates to income across
# municipalities. Rerun it for one programme with
# `scity run --only municipal_models -p programme=sdgs`.

# %% tags=["parameters", "hide-input"]
programme = "either"
projection_edition = 2018
cv_folds = 5
seed = 20231
indicators = ["mynumber_issuance_pct", "mynumber_card_holding_pct", "common_32_online_pct",
              "childcare_care_26_online_pct", "has_ai", "has_rpa", "has_telework", "has_cio",
              "has_cio_adviser", "has_dx_policy", "has_dx_organisation", "has_external_talent",
              "has_staff_development", "has_all_staff_training"]

# %% [markdown]
# We check the parameters against the data before computing anything, then build one row per
# municipality from the tidy tables.

# %% tags=["hide-input"]
import numpy as np
from myst_nb import glue

from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.municipal_models import compute as municipal
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.municipal_models import figures as municipal_plots
from scityhelpers.book.reader_tables import Phrase, present

facts = FactRecord("municipal_models")

check(municipal.PARAMS, programme=programme, projection_edition=projection_edition,
      cv_folds=cv_folds, seed=seed, indicators=indicators)
data = municipal.load_municipal_data(projection_edition)
outcome = municipal.outcome_column(programme)
facts.add("programme_label", municipal.PROGRAMME_LABELS[programme])

# %% [markdown]
# ## Part 1: who gets selected
#
# Only selections whose every announced city (SDGs) or lead proposal (decarbonization) is in
# the reference tables define the outcome (`is_listed`; the counts come from
# `scityhelpers.reference.programme_completeness`). FY2021 of the SDGs list is listed but not `is_complete`: one body's
# name was lost in the briefing (`unnamed`), so that body is coded "not selected".

# %%
complete_sdgs = municipal.complete_selections(data.completeness, "sdgs")
complete_rounds = municipal.complete_selections(data.completeness, "decarbonization")
facts.add("sdgs_years", f"FY{complete_sdgs[0]}–{complete_sdgs[-1]}")
facts.add("decarb_rounds", ", ".join(map(str, complete_rounds[:-1]))
                             + f" and {complete_rounds[-1]}")
excluded = data.prefecture_selections()
facts.add("n_prefecture_sdgs", excluded["sdgs"])
facts.add("n_prefecture_decarb", excluded["decarbonization"])
facts.add("n_sdgs_unnamed", excluded["sdgs_unnamed"])
present(data.completeness)

# %% [markdown]
# One row per municipality (the six Northern-Territories villages excluded); prefectures selected
# as a whole are not municipal selections and are left out of the outcome.

# %%
selection = data.selection_frame()
facts.add("n_municipalities", len(selection))
facts.add("n_selected", int(selection[outcome].sum()))
for name in municipal.PROGRAMMES:
    facts.add(f"n_selected_{name}", int(selection[municipal.outcome_column(name)].sum()))
present(municipal.selected_by_type(selection), index="type")

# %% [markdown]
# The models need every feature. The rows left out, by the first feature they miss:

# %%
used, account = municipal.selection_rows(selection, outcome)
facts.add("n_used", account.used)
facts.add("n_used_selected", int(used[outcome].sum()))
facts.add("n_missing_projection", account.dropped.get("projected_change_pct", 0))
facts.add("n_missing_population", account.dropped.get("log_population", 0))
facts.add("n_incomplete_only", account.dropped.get(outcome, 0))
present(account.table(), index="rows")

# %% [markdown]
# ### Logistic regression
#
# Odds ratios per standard deviation of each continuous feature (so they are comparable) and for
# each municipal type against ordinary cities (市), with 95% confidence intervals.

# %%
fit = municipal.fit_logit(used, outcome)
for key, feature in [("log_pop", "log_population"), ("change", "projected_change_pct"),
                     ("area", "log_area"), ("income", "log_income_per_taxpayer")]:
    value, low, high = fit.odds_ratio(feature)
    facts.add(f"logit_or_{key}", value)
    facts.add(f"logit_or_{key}_ci_low", low)
    facts.add(f"logit_or_{key}_ci_high", high)
facts.add("sd_log_pop_factor", float(np.exp(fit.sds["log_population"])))
facts.add("sd_change", float(fit.sds["projected_change_pct"]))
facts.add("pooled", ", ".join(fit.pooled) or "none")
facts.add("clear_features", municipal.clear_labels(fit.odds_ratios))
present(fit.odds_ratios, {c: "{:.2f}" for c in ["sd", "odds_ratio", "ci_low", "ci_high"]}
        | {"p_value": "{:.3f}"}, index="feature")

# %% [markdown]
# The same model under the alternative rule: municipalities named only in incomplete selections coded
# "not selected" instead of left out.

# %%
zero_rule = data.features.merge(
    municipal.selection_outcomes(data.units, data.sdgs, data.decarb, data.completeness, "zero"),
    on="code5", how="left", validate="1:1")
used_zero, _ = municipal.selection_rows(zero_rule, outcome)
value, low, high = municipal.fit_logit(used_zero, outcome).odds_ratio("log_population")
facts.add("n_used_incomplete_zero", len(used_zero))
facts.add("logit_or_log_pop_incomplete_zero", value)
facts.add("logit_or_log_pop_incomplete_zero_ci_low", low)
facts.add("logit_or_log_pop_incomplete_zero_ci_high", high)

# %%
glue_figure("fig_odds_ratios", municipal_plots.odds_ratio_forest(
    fit.odds_ratios, f"選定のオッズ比 Odds ratios\n{municipal.PROGRAMME_LABELS[programme]}"))

# %% [markdown]
# The same features one at a time, without adjustment (same rows):

# %%
crude = municipal.crude_odds_ratios(used, outcome)
crude_change = crude.set_index("feature").loc["projected_change_pct"]
facts.add("crude_or_change", float(crude_change["odds_ratio"]))
facts.add("crude_or_change_ci_low", float(crude_change["ci_low"]))
facts.add("crude_or_change_ci_high", float(crude_change["ci_high"]))
facts.add("tilt_verdict", municipal.tilt_verdict(fit, crude))
present(crude, {c: "{:.2f}" for c in ["sd", "odds_ratio", "ci_low", "ci_high"]}
        | {"p_value": "{:.3f}"}, index="feature")

# %% [markdown]
# Size and projected change for each programme (adjusted odds ratios per SD, same rows):

# %%
by_programme = municipal.programme_comparison(used)
for row in by_programme.itertuples():
    facts.add_all({f"or_log_pop_{row.programme}": row.or_log_population,
                   f"or_log_pop_{row.programme}_ci_low": row.pop_ci_low,
                   f"or_log_pop_{row.programme}_ci_high": row.pop_ci_high}, only_declared=True)
present(by_programme, {c: "{:.2f}" for c in by_programme.columns[3:9]}, index="programme")

# %% [markdown]
# How much does size matter? Share selected by population quintile, and the model's average
# probability when only the population is set to each quintile's median (everything else as
# observed).

# %%
quintiles = municipal.quintile_table(used, outcome, fit)
top, bottom = quintiles.iloc[-1], quintiles.iloc[0]
facts.add("q5_observed_pct", float(top["observed_pct"]))
facts.add("q1_observed_pct", float(bottom["observed_pct"]))
facts.add("q5_adjusted_pct", float(top["adjusted_pct"]))
facts.add("q1_adjusted_pct", float(bottom["adjusted_pct"]))
facts.add("q_adjusted_ratio", float(top["adjusted_pct"] / bottom["adjusted_pct"]))
glue_figure("fig_size_gradient", municipal_plots.size_gradient(
    quintiles, "人口規模と選定 Selection by population quintile"))
present(quintiles, {"median": "{:.2f}", "observed_pct": "{:.1f}", "adjusted_pct": "{:.1f}"},
        index="quintile")

# %% [markdown]
# The same by quintile of the projected change (quintile 1 = fastest shrinking):

# %%
decline = municipal.quintile_table(used, outcome, fit, by="projected_change_pct")
facts.add("dq1_observed_pct", float(decline.iloc[0]["observed_pct"]))
facts.add("dq5_observed_pct", float(decline.iloc[-1]["observed_pct"]))
facts.add("dq1_median", float(decline.iloc[0]["median"]))
facts.add("dq5_median", float(decline.iloc[-1]["median"]))
present(decline, {"median": "{:.1f}", "observed_pct": "{:.1f}", "adjusted_pct": "{:.1f}"},
        index="quintile")

# %% [markdown]
# Without the projected change the model keeps the municipalities the projection edition leaves
# out (Fukushima in the 2018 edition):

# %%
fit_all, account_all = municipal.fit_without_projection(selection, outcome)
value, low, high = fit_all.odds_ratio("log_population")
facts.add("n_used_no_projection", account_all.used)
facts.add("logit_or_log_pop_no_projection", value)
facts.add("logit_or_log_pop_no_projection_ci_low", low)
facts.add("logit_or_log_pop_no_projection_ci_high", high)
present(fit_all.odds_ratios, {c: "{:.2f}" for c in ["sd", "odds_ratio", "ci_low", "ci_high"]}
        | {"p_value": "{:.3f}"}, index="feature")

# %% [markdown]
# ### Out-of-sample prediction
#
# Gradient boosting and a logistic regression, each scored by ROC AUC on held-out folds of a
# stratified k-fold split (mean over folds with a 95% t-interval).

# %%
cv = municipal.cross_validate(used, outcome, municipal.SELECTION_FEATURES, cv_folds, seed)
auc = municipal.auc_summary(cv.folds).set_index("model")
facts.add("cv_auc_gb", float(auc.loc["gradient_boosting", "auc_mean"]))
facts.add("cv_auc_gb_ci_low", float(auc.loc["gradient_boosting", "ci_low"]))
facts.add("cv_auc_gb_ci_high", float(auc.loc["gradient_boosting", "ci_high"]))
facts.add("cv_auc_logit", float(auc.loc["logit", "auc_mean"]))
facts.add("cv_auc_logit_ci_low", float(auc.loc["logit", "ci_low"]))
facts.add("cv_auc_logit_ci_high", float(auc.loc["logit", "ci_high"]))
facts.add("cv_folds", cv_folds)
facts.add("gb_vs_logit", "no better than" if auc.loc["gradient_boosting", "auc_mean"]
                           <= auc.loc["logit", "auc_mean"] else "slightly better than")
present(auc.reset_index(), {c: "{:.3f}" for c in ["auc_mean", "ci_low", "ci_high"]},
        index="model")
for key in ("n_estimators", "learning_rate", "max_depth", "subsample", "min_samples_leaf"):
    facts.add(f"gb_{key}", municipal.GB_SETTINGS[key])

# %% [markdown]
# Calibration of the out-of-fold probabilities (decile bins; the dashed line is perfect
# calibration):

# %%
calibration = municipal.calibration_table(cv.out_of_fold)
top_gb = calibration[calibration["model"] == "gradient_boosting"].iloc[-1]
facts.add("gb_top_decile_predicted_pct", float(top_gb["predicted"] * 100))
facts.add("gb_top_decile_observed_pct", float(top_gb["observed"] * 100))
glue_figure("fig_calibration", municipal_plots.calibration(calibration))

# %% [markdown]
# Permutation importance of the gradient-boosting model: how much the held-out AUC drops when
# one feature is shuffled (mean ± SD over folds).

# %%
facts.add("top_feature", cv.importance.iloc[0]["label"])
facts.add("top_feature_drop", float(cv.importance.iloc[0]["auc_drop_mean"]))
glue_figure("fig_importance", municipal_plots.importance_bars(cv.importance))
present(cv.importance, {"auc_drop_mean": "{:.4f}", "auc_drop_sd": "{:.4f}"}, index="feature")

# %% [markdown]
# ## Part 2: digital maturity and income
#
# The DX dashboard publishes names, not codes. Each name is checked, through the project's one
# name resolver, against the code its position in the 全国地方公共団体コード order gives it.

# %%
match = municipal.dx_name_match(data.local_gov_dx, data.units)
facts.add("dx_match_rate_pct", match.rate_pct)
facts.add("dx_columns", match.columns)
facts.add("dx_exact", match.exact)
facts.add("dx_ambiguous_by_name", match.columns - match.unique_by_name)

# %% [markdown]
# The digital-maturity composite is the first principal component of the standardised
# indicators; its loadings:

# %%
composite = municipal.digital_composite(data.indicators, indicators)
facts.add("pc1_explained_pct", composite.explained_pct)
facts.add("n_composite", composite.account.used)
facts.add("n_indicators", len(indicators))
glue_figure("fig_loadings",
     municipal_plots.loadings_bars(composite.loadings, composite.explained_pct))
present(composite.loadings, {"loading": "{:.3f}"}, index="indicator")

# %% [markdown]
# Log income per taxpayer on the composite (per SD), controlling for log population, share 65+,
# projected change and municipal type, with prefecture fixed effects and errors clustered by
# prefecture. Rows used:

# %%
income = municipal.income_frame(data.features, data.indicators, composite)
effect, income_account = municipal.income_effect(income)
pct, low, high = effect.pct()
facts.add("income_digital_coef_pct", pct)
facts.add("income_digital_ci_low", low)
facts.add("income_digital_ci_high", high)
facts.add("n_income", effect.n)
facts.add("n_clusters", effect.clusters)
facts.add("binned_scatter_bins", municipal.BINNED_SCATTER_BINS)
present(income_account.table(), index="rows")

# %% [markdown]
# Few and unequal clusters: a wild cluster restricted bootstrap (Webb weights, seeded) tests the same slope.

# %%
wild = municipal.income_wild_bootstrap(income, reps=municipal.WILD_BOOTSTRAP_REPS, seed=seed)
facts.add("income_wild_p", wild.p_value)
facts.add("income_wild_reps", wild.reps)
facts.add("income_wild_weights", wild.weights)
facts.add("income_cluster_p", effect.p_value)

# %% [markdown]
# How the association changes as the adjustments are added (same rows):

# %%
steps = municipal.income_effect_steps(income).set_index("model")
facts.add("income_raw_pct", float(steps.iloc[0]["pct"]))
facts.add("income_raw_ci_low", float(steps.iloc[0]["ci_low"]))
facts.add("income_raw_ci_high", float(steps.iloc[0]["ci_high"]))
facts.add("income_controls_pct", float(steps.iloc[1]["pct"]))
facts.add("income_controls_ci_low", float(steps.iloc[1]["ci_low"]))
facts.add("income_controls_ci_high", float(steps.iloc[1]["ci_high"]))
present(steps.reset_index(), {c: "{:.2f}" for c in ["pct", "ci_low", "ci_high"]}, index="model")

# %% [markdown]
# A binned scatter of the two residuals after the controls and prefecture effects are
# partialled out; the line is the fixed-effects slope.

# %%
glue_figure("fig_binned", municipal_plots.binned_scatter(municipal.binned_residuals(income), pct))

# %% [markdown]
# Each indicator alone in place of the composite (same rows, per SD of the indicator):

# %%
sensitivity = municipal.indicator_sensitivity(income, indicators)
alone = sensitivity[sensitivity["regressor"] != "digital_composite"]
facts.add("n_indicators_positive", int((alone["ci_low"] > 0).sum()))
facts.add("n_indicators_negative", int((alone["ci_high"] < 0).sum()))
facts.add("indicators_positive", "; ".join(alone.loc[alone["ci_low"] > 0, "label"])
                                   or "none")
facts.add("indicators_negative", "; ".join(alone.loc[alone["ci_high"] < 0, "label"])
                                   or "none")
facts.add("n_indicators_holm", int((alone["p_holm"] <= 1 - municipal.CI_LEVEL).sum()))
facts.add("indicators_holm", "; ".join(alone.loc[alone["p_holm"] <= 1 - municipal.CI_LEVEL, "label"])
                               or "none")
glue_figure("fig_sensitivity", municipal_plots.sensitivity_coefficients(sensitivity))
present(sensitivity, {c: "{:.2f}" for c in ["pct", "ci_low", "ci_high"]}
        | {c: "{:.4f}" for c in ["p_value", "p_holm"]}, index="regressor")

# %% [markdown]
# The specification curve: every regressor (the composite and each indicator alone) under every
# adjustment set (none, controls, prefecture fixed effects, both), same rows, sorted by the estimate.

# %%
curve = municipal.specification_curve(income, indicators)
facts.add("spec_n", len(curve))
facts.add("spec_n_positive", int((curve["ci_low"] > 0).sum()))
facts.add("spec_n_negative", int((curve["ci_high"] < 0).sum()))
composite_specs = curve[curve["regressor"] == "digital_composite"]
facts.add("spec_composite_n_positive", int((composite_specs["ci_low"] > 0).sum()))
facts.add("spec_composite_n", len(composite_specs))
facts.add("spec_composite_min_pct", float(composite_specs["pct"].min()))
facts.add("spec_composite_max_pct", float(composite_specs["pct"].max()))
present(curve, {c: "{:.2f}" for c in ["pct", "ci_low", "ci_high"]} | {"p_value": "{:.4f}"})

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
facts.publish()
