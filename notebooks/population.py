# %% [markdown]
# # Population to 2050: the computation
#
# This notebook computes every number of the chapter {doc}`../book/population`: the national
# total in 2050 (interpolated between published IPSS figures), and how many municipalities, how
# much land and how many people face a steep projected decline. Rerun it with another threshold
# or year, e.g. `scity run --only population -p decline_threshold=50 -p target_year=2040`.

# %% tags=["parameters", "hide-input"]
edition = 2018
target_year = 2045
decline_threshold = 30.0

# %% [markdown]
# We check the parameters against the data before computing anything, then load the tidy tables.

# %% tags=["hide-input"]
from scityhelpers import load
from scityhelpers.chapters.population import compute as population
from scityhelpers.reference.briefing import load_briefing
from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.population import figures as population_plots
from scityhelpers.reference.projections import load_projection
from scityhelpers.book.table_export import glue_table
from scityhelpers.book.reader_tables import Phrase, present, ranked_details, ranked_rows
from scityhelpers.book.units_ja import add_man_companions

facts = FactRecord("population")

check(population.PARAMS, edition=edition, target_year=target_year,
      decline_threshold=decline_threshold)
projection = load_projection(edition)
census = load("population_2015_2020")
key_figures = load("ipss2023_key_figures")
municipalities = load("municipalities")
briefing_year, briefing_million = load_briefing().national_2050()
briefing_half_pct = load_briefing().ageing_area_share_pct()

# %% [markdown]
# ## The national total (claim C1)
#
# The overview of the IPSS 2023 national projection publishes these totals (2020 is the census,
# the rest the medium variant, million persons). 2050 is not among them.

# %%
national = population.national_series(key_figures)
present(national, {"population_million": "{:.2f}"}, index="year")

# %% [markdown]
# The 2050 value is therefore **interpolated** between the published years around it, assuming a
# constant yearly rate of change (log-linear). It is an estimate, not an IPSS figure; the annual
# series (IPSS workbook 1-9.xlsx, not in the offline mirror) would replace it.

# %%
estimate = population.interpolate_national(key_figures, briefing_year)
facts.add("national_2050_interpolated_million", estimate.value)
facts.add_all(estimate.facts())
facts.add("national_2050_verdict", population.round_figure_verdict(
    estimate, briefing_million))
facts.add("national_2050_gap_pct", population.gap_pct(estimate, briefing_million))
facts.add("first_year_below_100_million", population.first_year_below(key_figures, briefing_million))
facts.add("first_year_below_100_million_2017_edition", population.previous_edition_first_year_below(key_figures))
print(f"{estimate.year} (interpolated, not published): {estimate.value:.2f} million")

# %% [markdown]
# For comparison, the regional projection's own national sum: the municipalities of the chosen
# edition added up. Municipalities the edition does not project one by one are missing from it.

# %%
regional = population.national_sum(projection)
regional["population_million"] = regional["population_persons"] / 1e6
not_projected = population.coverage(projection, census, municipalities)
facts.add("national_2045_ipss2023_million", population.published_national_million(key_figures, population.COMPARISON_YEAR))
facts.add("national_2045_regional_sum_million", population.national_sum_million(projection, population.COMPARISON_YEAR))
facts.add("comparison_year", population.COMPARISON_YEAR)
facts.add("not_projected_note", population.coverage_note(not_projected, municipalities))
present(regional[["year", "population_persons", "population_million"]],
        {"population_persons": "{:,.0f}", "population_million": "{:.2f}"}, index="year")

# %% [markdown]
# The published national path, the interpolated 2050 (hollow marker) and the regional sum:

# %%
glue_figure("national_figure", population_plots.national_path(
    national, estimate, regional[["year", "population_million"]], edition, briefing_million))

# %% [markdown]
# ## Municipal projections (claim C2)
#
# How far does the chosen edition reach? Offline it is the 2018 edition, which stops before 2050.

# %%
base = population.base_year(projection)
last_year = population.projection_years(projection)[-1]
facts.add("edition", edition)
facts.add("base_year", base)
facts.add("target_year", target_year)
facts.add("decline_threshold", decline_threshold)
facts.add("sensitivity_min_pct", min(population.SENSITIVITY_THRESHOLDS_PCT))
facts.add("sensitivity_max_pct", max(population.SENSITIVITY_THRESHOLDS_PCT))
facts.add("horizon_note", population.horizon_note(projection, edition, briefing_year))
print(population.horizon_note(projection, edition, briefing_year))

# %% [markdown]
# The age structure of the projected municipalities, added up, in the base and the target year:

# %%
shares = population.age_shares(projection, [base, target_year])
facts.add("share_65plus_base_pct", population.share_65plus_pct(projection, base))
facts.add("share_65plus_target_pct", population.share_65plus_pct(projection, target_year))
glue_figure("age_figure", population_plots.age_structure(shares, edition))
present(shares, {"persons": "{:,.0f}", "share_pct": "{:.1f}"}, index="year")

# %% [markdown]
# Each municipality's projected change from the base year to the target year, and the shares
# declining at least the threshold — counted as municipalities, as land area (2015 census) and
# as people (2020 census) — at the chosen threshold and at 50% (population halved).

# %%
changes = population.municipal_change(projection, target_year, census)
chosen = population.decline_shares(changes, decline_threshold)
halved = population.decline_shares(changes, population.STEEP_DECLINE_PCT)
facts.add("n_municipalities", chosen.n_municipalities)
facts.add("median_change_pct", float(changes["change_pct"].median()))
facts.add("share_municipalities_decline_ge_threshold_pct", chosen.municipalities_pct)
facts.add("share_area_declining_pct", chosen.area_pct)
facts.add("share_population_in_declining_pct", chosen.population_pct)
facts.add("share_municipalities_decline_ge_50_pct", halved.municipalities_pct)
facts.add("share_area_declining_ge_50_pct", halved.area_pct)
facts.add("share_population_in_declining_ge_50_pct", halved.population_pct)
present(population.shares_table([chosen, halved]), population.SHARES_FORMATS,
        index="decline ≥ (%)")

# %% [markdown]
# The distribution of projected change; municipalities at or beyond the threshold in red.

# %%
glue_figure("histogram_figure", population_plots.change_histogram(
    changes, decline_threshold, base, target_year, edition))

# %% [markdown]
# The briefing's "about half of inhabited areas" comes from 1-km mesh cells, which this data does
# not have. The municipal approximation depends on the threshold, so we draw the whole curve and
# find the threshold at which each share falls to one half.

# %%
curve = population.sensitivity(changes)
half = {measure: population.threshold_for_share(changes, briefing_half_pct, weight)
        for measure, weight in population.WEIGHTS.items()}
facts.add("threshold_half_municipalities_pct", half["municipalities"])
facts.add("threshold_half_area_pct", half["land area"])
facts.add("threshold_half_population_pct", half["population 2020"])
facts.add("half_area_verdict", population.half_verdict(chosen, half["land area"], briefing_half_pct))
glue_figure("sensitivity_figure", population_plots.sensitivity_curve(
    curve, decline_threshold, target_year, edition))
present(curve.pivot(index="threshold_pct", columns="measure", values="share_pct")
        .loc[population.SENSITIVITY_TABLE_THRESHOLDS_PCT].reset_index(),
        dict.fromkeys(population.WEIGHTS, "{:.1f}"), index="threshold_pct")

# %% [markdown]
# By prefecture (sum of its projected municipalities), the projected change on a map:

# %%
by_prefecture = population.prefecture_change(changes, municipalities)
ranked = by_prefecture.dropna(subset=["change_pct"]).sort_values("change_pct")
facts.add("n_prefectures_declining", int((ranked["change_pct"] < 0).sum()))
facts.add("n_prefectures_projected", len(ranked))
facts.add("steepest_prefecture", ranked["pref_name"].iloc[0])
facts.add("steepest_prefecture_change_pct", float(ranked["change_pct"].iloc[0]))
facts.add("top_prefecture", ranked["pref_name"].iloc[-1])
facts.add("top_prefecture_change_pct", float(ranked["change_pct"].iloc[-1]))
glue_figure("map_figure", population_plots.prefecture_map(by_prefecture, base, target_year, edition))

# %% [markdown]
# Every prefecture ranked, for the chapter page beside the map:

# %%
glue_table("map_table", ranked_rows(by_prefecture, "change_pct", "増減率 Change (%)"),
           ranked_details(by_prefecture, "change_pct", "増減率 Change (%)", "{:+.1f}",
                          "All prefectures ranked by projected change"),
           chapter="population", title="都道府県別の将来人口増減率 Projected change by prefecture")

# %% [markdown]
# The ten municipalities with the steepest projected decline:

# %%
present(population.steepest(changes), {"base_persons": "{:,.0f}", "target_persons": "{:,.0f}",
        "change_pct": "{:.1f}", "age65plus_target_pct": "{:.1f}"}, index="code5")

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
add_man_companions(facts)  # 万人 for the Japanese edition (scityhelpers.book.units_ja)
facts.publish()
