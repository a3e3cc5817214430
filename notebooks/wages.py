# %% [markdown]
# # Wages and productivity: the computation
#
# This notebook computes every number of the chapter {doc}`../book/wages`: OECD ranks of average
# wages, in the current edition and in the one the briefing quoted, the long-run trend, and
# GDP per hour worked beside wages.
# Rerun it for another year with `scity run --only wages -p year=2019`.

# %% tags=["parameters", "hide-input"]
year = 2022
price_base_year = 2025
start_year = 1991
countries = ["JPN", "KOR", "USA", "DEU", "OECD"]

# %% [markdown]
# We check the parameters against the data before computing anything, then load the tidy table.

# %% tags=["hide-input"]
from myst_nb import glue

from scityhelpers import load
from scityhelpers.chapters.wages import productivity
from scityhelpers.chapters.wages import compute as wages
from scityhelpers.reference.briefing import load_briefing
from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.wages import figures as wage_plots
from scityhelpers.book.reader_tables import Phrase, present

facts = FactRecord("wages")

check(wages.PARAMS, year=year, price_base_year=price_base_year, start_year=start_year,
      countries=countries)
wage_table = load("wages")
productivity_table = load("productivity")
claim_window = load_briefing().wage_window()

# %% [markdown]
# Every OECD member with a value for the chosen year is ranked; the OECD average is shown without a rank.

# %%
ranking = wages.rank_table(wage_table, year, price_base_year)
present(ranking, {"wage_usd_ppp": "{:,.0f}"}, index="rank")

# %% tags=["hide-input"]
facts.add("year", year)
facts.add("price_base_year", price_base_year)
facts.add("japan_rank", wages.rank_of(ranking, "JPN"))
facts.add("japan_wage", wages.wage_of(ranking, "JPN"))
facts.add("korea_rank", wages.rank_of(ranking, "KOR"))
facts.add("korea_wage", wages.wage_of(ranking, "KOR"))
facts.add("oecd_wage", wages.wage_of(ranking, "OECD"))
facts.add("n_ranked", int(ranking["n_ranked"].max()))

# %% [markdown]
# The briefing quoted the OECD release of spring 2024 (constant 2022 prices, 2022 values). The same
# ranking in that edition:

# %%
briefing = wages.rank_table(wage_table, 2022, wages.BRIEFING_PRICE_BASE_YEAR)
facts.add("briefing_japan_rank", wages.rank_of(briefing, "JPN"))
facts.add("briefing_japan_wage", wages.wage_of(briefing, "JPN"))
facts.add("briefing_korea_rank", wages.rank_of(briefing, "KOR"))
facts.add("briefing_korea_wage", wages.wage_of(briefing, "KOR"))
facts.add("briefing_n_ranked", int(briefing["n_ranked"].max()))
change = wages.rank_change(wage_table, "JPN", 2022, wages.BRIEFING_PRICE_BASE_YEAR,
                           price_base_year)
facts.add_all(wages.rank_change_facts(change))
present(briefing.query("iso3 in @countries"), {"wage_usd_ppp": "{:,.0f}"}, index="rank")

# %% [markdown]
# All ranked members for the chosen year, the highlighted countries in colour:

# %%
glue_figure("ranking_figure", wage_plots.ranking_bars(ranking, year, price_base_year, countries))

# %% [markdown]
# Real wages indexed to the start year. Japan's line is the flat one.

# %%
last_year = max(wages.years_available(wage_table, price_base_year))
index_table = wages.indexed(wage_table, countries, start_year, price_base_year)
glue_figure("indexed_figure", wage_plots.indexed_lines(index_table, start_year, price_base_year))
facts.add("start_year", start_year)
facts.add("last_year", last_year)

# %% [markdown]
# "Flat" is tested, not eyeballed: the average growth rate from a log-linear trend with
# Newey–West (HAC) 95% confidence intervals, and the plain change between the end points.

# %%
trends = {iso3: wages.trend(wage_table, iso3, start_year, last_year, price_base_year)
          for iso3 in ["JPN", "KOR", "OECD"]}
for iso3, fit in trends.items():
    key = wages.GLUE_PREFIX[iso3]
    facts.add_all({f"{key}_trend_pct": fit.growth_pct_per_year, f"{key}_trend_low": fit.ci_low,
                   f"{key}_trend_high": fit.ci_high,
                   f"{key}_change_pct": wages.change_pct(wage_table, iso3, start_year, last_year,
                                                         price_base_year)},
                  only_declared=True)
facts.add("japan_flat_verdict", wages.flat_verdict(trends["JPN"]))
facts.add("hac_lags", wages.HAC_LAGS)
present(wages.trend_table(trends), {c: "{:.2f}" for c in ["growth_pct_per_year", "ci95_low", "ci95_high"]}, index="iso3")

# %% [markdown]
# The briefing's own window, 1991–2022, in the current edition:

# %%
claim = wages.trend(wage_table, "JPN", *claim_window, price_base_year)
facts.add("claim_start", claim_window[0])
facts.add("claim_end", claim_window[1])
facts.add("claim_japan_trend_pct", claim.growth_pct_per_year)
facts.add("claim_japan_trend_low", claim.ci_low)
facts.add("claim_japan_trend_high", claim.ci_high)
facts.add("claim_japan_change_pct", wages.change_pct(wage_table, "JPN", *claim_window,
                                                price_base_year))
facts.add("claim_japan_is_flat", int(claim.is_flat))
claim_oecd = wages.trend(wage_table, "OECD", *claim_window, price_base_year)
facts.add("claim_oecd_trend_pct", claim_oecd.growth_pct_per_year)
facts.add("claim_oecd_change_pct", wages.change_pct(wage_table, "OECD", *claim_window,
                                               price_base_year))
facts.add("claim_korea_change_pct", wages.change_pct(wage_table, "KOR", *claim_window,
                                                price_base_year))

# %% [markdown]
# Productivity: GDP per hour worked (USD PPP, constant 2020 prices), ranked in the latest year up
# to the chosen one for which Japan has a value. The file has no OECD aggregate, so the mean is
# the unweighted mean of the members ranked.

# %%
productivity_year = productivity.latest_year_for(productivity_table, "JPN", year)
output_ranking = productivity.rank_table(productivity_table, productivity_year)
facts.add("productivity_year", productivity_year)
facts.add("japan_productivity_rank", int(output_ranking.set_index("iso3").loc["JPN", "rank"]))
facts.add("productivity_n_ranked", int(output_ranking["n_ranked"].max()))
facts.add("japan_gdp_per_hour", float(output_ranking.set_index("iso3").loc["JPN", "gdp_per_hour_usd_ppp"]))
facts.add("japan_gap_member_mean_pct", float(output_ranking.set_index("iso3").loc["JPN", "gap_to_member_mean_pct"]))
facts.add("japan_gap_korea_pct", productivity.gap_pct(output_ranking, "JPN", "KOR"))
facts.add("japan_gap_usa_pct", productivity.gap_pct(output_ranking, "JPN", "USA"))
present(output_ranking.query("iso3 in @countries"),
        {"gdp_per_hour_usd_ppp": "{:.2f}", "gap_to_member_mean_pct": "{:+.1f}"}, index="rank")

# %% [markdown]
# Did wages follow productivity? Both indexed to 1995 (the productivity series' first year);
# each country over the years both series cover.

# %%
growth = productivity.growth_comparison(wage_table, productivity_table,
                                        [c for c in countries if c != "OECD"],
                                        productivity.PRODUCTIVITY_START, price_base_year)
japan_growth = growth.set_index("iso3").loc["JPN"]
facts.add("growth_from", int(japan_growth["from"]))
facts.add("growth_to", int(japan_growth["to"]))
facts.add("japan_wage_cagr_pct", float(japan_growth["wage_cagr_pct"]))
facts.add("japan_productivity_cagr_pct", float(japan_growth["productivity_cagr_pct"]))
present(growth, {c: "{:.2f}" for c in ["wage_cagr_pct", "productivity_cagr_pct", "gap_pp"]},
        index="iso3")
comparator_countries = [m for members in productivity.GAP_COMPARATORS.values() for m in members]
gap_start = productivity.first_common_year(productivity_table, ["JPN", *comparator_countries],
                                           productivity_year)
gaps = productivity.gap_change(productivity_table, "JPN", productivity.GAP_COMPARATORS,
                               gap_start, productivity_year)
facts.add("gap_start_year", gap_start)
facts.add("gap_end_year", productivity_year)
facts.add("japan_gap_cagr_pct", float(gaps["own_cagr_pct"].iloc[0]))
facts.add_all(productivity.gap_facts(gaps))
facts.add("gap_europe_members", gaps.set_index("comparator").loc["europe", "members"])
present(gaps, {c: "{:+.1f}" for c in ["gap_start_pct", "gap_end_pct"]}
        | {c: "{:.2f}" for c in ["own_cagr_pct", "comparator_cagr_pct"]}, index="comparator")

# %%
japan_lines = productivity.wage_and_productivity(wage_table, productivity_table, "JPN",
                                                 productivity.PRODUCTIVITY_START, price_base_year)
glue_figure("wage_productivity_figure",
     wage_plots.wage_productivity_lines(japan_lines, "日本 Japan", productivity.PRODUCTIVITY_START))

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
facts.publish()
