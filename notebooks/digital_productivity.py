# %% [markdown]
# # Digital maturity and productivity: the computation
#
# This notebook computes every number of the chapter {doc}`../book/digital_productivity`: a panel
# of OECD members, regressions of log GDP per hour worked on digital-maturity measures under five
# estimators and several lags, an out-of-sample check, and where Japan sits.
# Rerun it with other settings, e.g. `scity run --only digital_productivity -p lags=2`.

# %% tags=["parameters", "hide-input"]
start_year = 1995
end_year = 2024
lags = 5
indicators = ["internet", "mobile", "broadband", "egdi", "osi", "tii", "hci"]
cv_folds = 5
seed = 20231

# %% [markdown]
# We check the parameters against the data before computing anything, then load the tidy tables.

# %% tags=["hide-input"]
from myst_nb import glue

from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.digital_productivity import compute as countries
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.digital_productivity import figures as country_plots
from scityhelpers.book.reader_tables import Phrase, present

facts = FactRecord("digital_productivity")

check(countries.PARAMS, start_year=start_year, end_year=end_year, lags=lags,
      indicators=indicators, cv_folds=cv_folds, seed=seed)
tables = countries.load_tables()

# %% [markdown]
# The panel is every current OECD member × every year of the window, missing values kept, so each
# model can report the rows it used against the rows available. EGDI surveys are biennial: each
# survey's value is carried forward to the years before the next survey (2018 covers 2018–2021
# because the 2020 survey is missing).

# %%
panel, composite = countries.prepare(tables, start_year, end_year, indicators)
facts.add("start_year", start_year)
facts.add("end_year", end_year)
facts.add("n_grid_rows", len(panel))
facts.add("n_outcome_rows", int(panel[countries.OUTCOME].notna().sum()))
present(countries.coverage_table(panel, indicators), index="series")

# %% [markdown]
# The composite is the first principal component of the standardised indicators; its loadings
# and the share of variance it explains:

# %%
facts.add("composite_explained_pct", composite.explained_pct)
composite_first_year, composite_last_year = countries.composite_years(panel, composite)
facts.add("composite_first_year", composite_first_year)
facts.add("composite_last_year", composite_last_year)
facts.add("composite_pca_rows", composite.account.used)
facts.add("composite_members", ", ".join(composite.loadings["label"]))
present(composite.loadings, {"loading": "{:.3f}"}, index="indicator")

# %% [markdown]
# Every specification: each measure alone and the composite, five estimators, and the two-way
# fixed-effects model with the measure lagged 1 to `lags` years. Coefficients are changes in log
# GDP per hour for one standard deviation of the measure; 95% intervals use errors clustered by
# country.

# %%
coefficients = countries.fit_all(panel, countries.all_specs(indicators, lags))
columns = ["measure", "label", "coef", "ci_low", "ci_high", "se", "se_naive", "n_available",
           "n_used", "n_countries", "first_year", "last_year", "r2_within"]
formats = {c: "{:.3f}" for c in ["coef", "ci_low", "ci_high", "se", "se_naive", "r2_within"]}
present(coefficients.loc[coefficients["lag"] == 0, columns], formats)

# %% [markdown]
# The lagged two-way FE models, coefficient and 95% interval by lag (rows used are in the
# figure below and in the `n_used` column of `coefficients`):

# %%
countries.lag_table(coefficients)

# %% [markdown]
# The headline numbers: the composite under each estimator.

# %% tags=["hide-input"]
for estimator in ["pooled", "pooled_year", "fe", "twfe", "fd"]:
    row = countries.coefficient(coefficients, countries.COMPOSITE, estimator)
    facts.add_all({f"{estimator}_composite_{stat}": float(row[stat])
                   for stat in ["coef", "ci_low", "ci_high"]}, only_declared=True)
twfe = countries.coefficient(coefficients, countries.COMPOSITE, "twfe")
facts.add("n_rows", int(twfe["n_used"]))
facts.add("n_available", int(twfe["n_available"]))
facts.add("n_countries", int(twfe["n_countries"]))
facts.add("twfe_first_year", int(twfe["first_year"]))
facts.add("twfe_last_year", int(twfe["last_year"]))
facts.add("se_cluster_ratio", float(twfe["se"] / twfe["se_naive"]))
facts.add("twfe_verdict", countries.association_verdict(twfe))
longest = countries.coefficient(coefficients, countries.COMPOSITE, "twfe", lags)
facts.add("lags", lags)
facts.add("twfe_longest_lag_coef", float(longest["coef"]))
facts.add("twfe_longest_lag_n", int(longest["n_used"]))
pooled = countries.coefficient(coefficients, countries.COMPOSITE, "pooled")
facts.add("pooled_composite_pct", countries.log_points_as_pct(float(pooled["coef"])))

# %% [markdown]
# Which measures, taken alone, have a two-way FE interval entirely above or below zero:

# %%
labels = countries.measure_labels(indicators)
positive = countries.measures_with_sign(coefficients, "twfe", "+", labels)
negative = countries.measures_with_sign(coefficients, "twfe", "-", labels)
facts.add("twfe_positive_measures", positive)
facts.add("twfe_negative_measures", negative)
government = [m for m in ("egdi", "osi") if m in indicators]
facts.add("twfe_government_measures",
          countries.measure_results(coefficients, "twfe", government, labels) or "not estimated")
print(f"above zero: {positive}\nbelow zero: {negative}")

# %% [markdown]
# The composite's coefficient across specifications: large in pooled levels, smaller once each
# country is compared with itself, smaller still once common year shocks are removed.

# %%
glue_figure("coefficient_figure", country_plots.coefficient_plot(coefficients))

# %% [markdown]
# Each measure alone, by estimator (no lag):

# %%
glue_figure("indicator_figure", country_plots.indicator_plot(coefficients, labels))

# %% [markdown]
# Cross-check with a longer, independent outcome: Penn World Table 10.01 GDP per hour worked
# (2017 US$ at PPPs, to 2019), which also covers Korea before 2011. Labelled PWT; not the headline.

# %%
pwt_end = min(end_year, int(tables["pwt_productivity"]["year"].max()))
pwt_panel, _ = countries.prepare(tables, start_year, pwt_end, indicators, outcome="pwt")
pwt_specs = [countries.Spec(countries.COMPOSITE, e) for e in ["pooled", "fe", "twfe", "fd"]]
pwt_coefficients = countries.fit_all(pwt_panel, pwt_specs)
pwt_twfe = countries.coefficient(pwt_coefficients, countries.COMPOSITE, "twfe")
facts.add("pwt_twfe_composite_coef", float(pwt_twfe["coef"]))
facts.add("pwt_twfe_composite_ci_low", float(pwt_twfe["ci_low"]))
facts.add("pwt_twfe_composite_ci_high", float(pwt_twfe["ci_high"]))
facts.add("pwt_last_year", pwt_end)
present(pwt_coefficients[["label", "coef", "ci_low", "ci_high", "n_available", "n_used",
                          "n_countries", "first_year", "last_year"]],
        {c: "{:.3f}" for c in ["coef", "ci_low", "ci_high"]}, index="label")

# %% [markdown]
# Out of sample: predict next year's productivity growth (%) from last year's growth and level,
# with and without the digital measures, by ridge regression and gradient boosting, under
# time-ordered CV (train on years before t, test on t, for the last `cv_folds` years) and
# country-grouped CV; naive baselines are zero growth and each country's mean training growth.

# %%
scores, cv_rows, cv_available = countries.cross_validate(panel, indicators, cv_folds, seed)
facts.add("cv_rows", cv_rows)
facts.add("cv_available", cv_available)
facts.add("cv_folds", cv_folds)
present(scores, {"rmse_pp": "{:.3f}", "r2": "{:.3f}"})

# %% [markdown]
# The pre-declared headline comparison is ridge regression under time-ordered CV against the
# country-mean baseline.

# %% tags=["hide-input"]
cv_with = countries.rmse_of(scores, "time", "ridge: with digital")
cv_without = countries.rmse_of(scores, "time", "ridge: without digital")
cv_naive = countries.rmse_of(scores, "time", "naive: country mean growth")
facts.add("cv_rmse_with_digital", cv_with)
facts.add("cv_rmse_without_digital", cv_without)
facts.add("cv_rmse_naive", cv_naive)
facts.add("cv_country_rmse_with_digital", countries.rmse_of(scores, "country", "ridge: with digital"))
facts.add("cv_country_rmse_without_digital", countries.rmse_of(scores, "country", "ridge: without digital"))
facts.add("cv_country_rmse_naive", countries.rmse_of(scores, "country", "naive: country mean growth"))
facts.add("cv_verdict", countries.forecast_verdict(cv_with, cv_without, cv_naive))
for model, key in [("ridge: with digital", "with_digital"), ("ridge: without digital", "without_digital"),
                   ("naive: country mean growth", "naive")]:
    facts.add(f"cv_rmse_{key}_se", countries.rmse_of(scores, "time", model, "rmse_fold_se_pp"))

# %% [markdown]
# Where Japan sits: actual GDP per hour against the value predicted from the composite and the
# year (pooled OLS with year effects), in the latest year the composite covers.

# %%
fits = countries.actual_vs_fitted(panel)
japan_year, japan_residual = countries.residual_of(fits, "JPN")
facts.add("japan_residual_year", japan_year)
facts.add("japan_residual_pct", japan_residual)
facts.add("japan_residual_abs_pct", abs(japan_residual))
korea_residual = countries.residual_of(fits, "KOR", japan_year)[1]
facts.add("korea_residual_pct", korea_residual)
facts.add("japan_position", countries.position_word(japan_residual))
facts.add("japan_korea_positions", countries.positions_sentence(japan_residual, korea_residual))
glue_figure("fitted_figure", country_plots.actual_vs_fitted_plot(fits, japan_year))
present(fits[fits["year"] == japan_year].sort_values("residual_pct"),
        {"actual_usd": "{:.2f}", "fitted_usd": "{:.2f}", "residual_pct": "{:+.1f}"},
        index="iso3")

# %% [markdown]
# Digital maturity stated plainly: Japan's and Korea's UN E-Government Development Index, score and rank, in every survey.

# %%
egdi = countries.egdi_trend(tables["egdi"], ["JPN", "KOR"])
latest = egdi[egdi["survey_year"] == egdi["survey_year"].max()].set_index("iso3")
first = egdi[egdi["survey_year"] == egdi["survey_year"].min()].set_index("iso3")
facts.add("egdi_year", int(latest["survey_year"].iloc[0]))
facts.add("egdi_n_ranked", int(latest["n_ranked"].iloc[0]))
facts.add("egdi_first_year", int(first["survey_year"].iloc[0]))
for iso3, key in (("JPN", "japan"), ("KOR", "korea")):
    facts.add(f"{key}_egdi_score", float(latest.loc[iso3, "egdi"]))
    facts.add(f"{key}_egdi_rank", int(latest.loc[iso3, "egdi_rank"]))
    facts.add(f"{key}_egdi_first_score", float(first.loc[iso3, "egdi"]))
    facts.add(f"{key}_egdi_first_rank", int(first.loc[iso3, "egdi_rank"]))
    facts.add(f"{key}_egdi_best_rank", int(egdi.loc[egdi["iso3"] == iso3, "egdi_rank"].min()))
present(egdi.pivot(index="survey_year", columns="iso3", values=["egdi", "egdi_rank"]),
        {("egdi", "JPN"): "{:.3f}", ("egdi", "KOR"): "{:.3f}"})

# %% [markdown]
# The two-way FE coefficient as a picture (Frisch–Waugh–Lovell): log productivity and the
# composite, both net of country and year effects; the slope of this cloud is the coefficient.

# %%
partial = countries.partial_regression(panel)
glue_figure("fwl_figure", country_plots.partial_regression_plot(partial, twfe["coef"]))

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
facts.publish()
