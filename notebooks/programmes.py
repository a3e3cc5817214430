# %% [markdown]
# # Programmes: the computation
#
# This notebook computes every number of the chapter {doc}`../book/programmes`: how many places
# the government selected as SDGs Future Cities and Decarbonization Leading Areas, against the
# briefing's counts; where the selections fall; and how the selected municipalities differ from
# the rest. Rerun it with another cut-off with `scity run --only programmes -p as_of=2023`.

# %% tags=["parameters", "hide-input"]
as_of = 2025
projection_edition = 2018

# %% [markdown]
# We check the parameters against the data, then load the selection lists, their completeness
# (bodies named against those officially announced) and the municipal data.

# %% tags=["hide-input"]
from scityhelpers import load
from scityhelpers.chapters.programmes import compute as programmes
from scityhelpers.reference.briefing import load_briefing
from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.programmes import figures as programme_plots
from scityhelpers.reference.programme_completeness import completeness
from scityhelpers.reference.projections import load_projection
from scityhelpers.book.table_export import glue_table
from scityhelpers.book.reader_tables import Phrase, present, ranked_details, ranked_rows

facts = FactRecord("programmes")

check(programmes.PARAMS, as_of=as_of, projection_edition=projection_edition)
sdgs_by_year, rounds = load("sdgs_by_year"), load("decarbonization_rounds")
briefing = load_briefing()
round_years = programmes.round_fiscal_years(rounds)
list_completeness = completeness()
municipalities = load("municipalities")
projection = load_projection(projection_edition)
facts.add("as_of", as_of)
facts.add("projection_edition", projection_edition)
facts.add("projection_last_year", int(projection["year"].max()))

# %% [markdown]
# How complete the lists are, selection by selection. `known` counts the bodies the project's
# lists name (a joint proposal counts once, decarbonization counts lead proposals);
# `announced` is the official count.

# %%
present(list_completeness.drop(columns=["summary_table"]), index="selection")

# %% [markdown]
# ## SDGs Future Cities by fiscal year
#
# The briefing's counts, the counts announced by the Cabinet Office (summary table), and the
# cities the list names. The selection rate is cities selected over proposals, where the
# number of proposals was reported.

# %%
sdgs_years = programmes.sdgs_year_table(sdgs_by_year, list_completeness, as_of, briefing)
present(sdgs_years, {"selection_rate_pct": "{:.1f}", "announced": "{:%Y-%m-%d}"},
        index="fiscal_year")

# %% [markdown]
# The briefing's totals for FY2018–2023 against the announced counts:

# %%
totals = programmes.briefing_sdgs_totals(sdgs_by_year, briefing)
sdgs_rows = load("sdgs_future_cities")
sdgs_rows = sdgs_rows[sdgs_rows["fiscal_year"].between(*briefing.sdgs_years())]
facts.add("sdgs_cities_2018_2023", totals["cities"])
facts.add("sdgs_bodies_2018_2023", totals["bodies"])
facts.add("sdgs_model_projects_2018_2023", totals["model_projects"])
facts.add("sdgs_rows_known", int(sdgs_rows["is_resolved"].sum()))
facts.add("sdgs_rows_total", len(sdgs_rows))
facts.add("sdgs_briefing_cities", briefing.count("C7", "cities_total"))
facts.add("sdgs_briefing_model_projects", briefing.count("C7", "model_projects_total"))
briefing_years = sdgs_years.dropna(subset=["briefing_cities"])
facts.add("sdgs_years_matching", int((briefing_years["briefing_cities"]
                                 == briefing_years["cities_selected"]).sum()))
facts.add("sdgs_briefing_years", len(briefing_years))
totals

# %%
glue_figure("fig_sdgs_years", programme_plots.sdgs_counts(sdgs_years))

# %% [markdown]
# ## Decarbonization Leading Areas by round
#
# Proposals selected over proposals received, round by round; the briefing quotes rounds 1–3.

# %%
decarb_rounds = programmes.decarb_round_table(rounds, list_completeness, as_of, briefing)
present(decarb_rounds, {"selection_rate_pct": "{:.1f}", "announced": "{:%Y-%m-%d}"},
        index="round")

# %% tags=["hide-input"]
all_rounds = programmes.decarb_round_table(rounds, list_completeness, max(round_years), briefing)
facts.add_all(programmes.round_facts(all_rounds), only_declared=True)
quoted = all_rounds.dropna(subset=["briefing_selected"])
matches = ((quoted["briefing_selected"] == quoted["proposals_selected"])
           & (quoted["briefing_proposals"] == quoted["proposals_received"]))
facts.add("decarb_briefing_rounds_matching", int(matches.sum()))
facts.add("decarb_briefing_rounds", len(quoted))
facts.add("decarb_rounds_shown", len(decarb_rounds))
facts.add("decarb_pooled_rate_pct", programmes.pooled_selection_rate(decarb_rounds))
facts.add("decarb_cumulative_selected", int(decarb_rounds["cumulative_selected"].iloc[-1]))
net = programmes.cumulative_net_of_withdrawals(all_rounds)
facts.add("decarb_last_round", net["last_round"])
facts.add("decarb_cumulative_gross", net["gross"])
facts.add("decarb_withdrawn", net["withdrawn"])
facts.add("decarb_cumulative_net", net["net"])
facts.add("decarb_cumulative_reported", net["reported"])

# %%
glue_figure("fig_decarb_rounds", programme_plots.decarb_rounds(decarb_rounds))

# %% [markdown]
# ## Where the selections fall
#
# Every named body up to the cut-off, one row per body and selection; the note states how
# complete the lists are, so coverage below is a lower bound where a selection is incomplete.

# %%
selected = programmes.selections(load("sdgs_future_cities"), load("decarbonization_areas"),
                                 load("special_zones"), rounds, list_completeness, as_of)
members = programmes.membership(selected, municipalities)
note = programmes.completeness_note(list_completeness, as_of, round_years)
facts.add("coverage_completeness", note)
print(note)
profile = programmes.municipal_profile(municipalities, load("census2020_municipal"),
                                       projection)
facts.add("n_municipalities", len(profile))

# %% [markdown]
# By prefecture: the share of each prefecture's municipalities selected as an SDGs Future City
# or in a Decarbonization Leading Area (whether the prefecture itself was selected is shown
# separately).

# %%
by_prefecture = programmes.coverage_by_prefecture(profile, members, municipalities)
top = by_prefecture.sort_values(["share_pct", "pref_code"], ascending=[False, True]).iloc[0]
facts.add("top_prefecture", top["pref_name"])
facts.add("top_prefecture_share_pct", float(top["share_pct"]))
bottom = by_prefecture.sort_values(["share_pct", "pref_code"]).iloc[0]
facts.add("bottom_prefecture", bottom["pref_name"])
facts.add("bottom_prefecture_share_pct", float(bottom["share_pct"]))
facts.add("bottom_prefecture_municipalities", int(bottom["municipalities"]))
facts.add("prefectures_with_selection", int((by_prefecture["selected"] > 0).sum()))
glue_figure("fig_prefecture_map", programme_plots.prefecture_map(by_prefecture, as_of))
print(note)
present(by_prefecture, {"share_pct": "{:.1f}"}, index="pref_code")

# %% [markdown]
# Every prefecture ranked, for the chapter page beside the map:

# %%
glue_table("map_table", ranked_rows(by_prefecture, "share_pct", "選定 Selected (%)"),
           ranked_details(by_prefecture, "share_pct", "選定 Selected (%)", "{:.1f}",
                          "All prefectures ranked by the share selected"),
           chapter="programmes", title="都道府県別の選定割合 Share of municipalities selected by prefecture")

# %% [markdown]
# By 2020 population class: municipalities in each class and the share selected in each
# programme (`any` includes the special zones).

# %%
by_size = programmes.coverage_by_size(profile, members)
print(note)
facts.add("size_smallest_any_pct", float(by_size["any_share_pct"].iloc[0]))
facts.add("size_largest_any_pct", float(by_size["any_share_pct"].iloc[-1]))
facts.add("size_smallest_municipalities", int(by_size["municipalities"].iloc[0]))
glue_figure("fig_size_classes", programme_plots.size_class_bars(by_size))
present(by_size, {c: "{:.1f}" for c in by_size.columns if c.endswith("_pct")},
        index="size_class")

# %% [markdown]
# ## Overlap between programmes
#
# Each selected body (municipality or prefecture) counted once, in its combination of
# programmes.

# %%
overlap = programmes.overlap_table(members)
in_both = members["in_sdgs"] & members["in_decarb"]
facts.add("bodies_selected", len(members))
facts.add("overlap_sdgs_decarb", int(in_both.sum()))
facts.add("decarb_also_sdgs_pct", programmes.share_also_in(members, "decarb", "sdgs"))
facts.add("zones_also_other", int((members["in_zones"] & (members["in_sdgs"] | members["in_decarb"])
                              ).sum()))
facts.add("zones_bodies", int(members["in_zones"].sum()))
print(note)
present(overlap, index="combination")

# %% [markdown]
# (programmes-zones-table)=
# The special zones and what else they were selected for:

# %%
present(members[members["in_zones"]], index="code5")

# %% [markdown]
# ## Selected municipalities against the rest
#
# Only selections in which every announced body is accounted for are used (a partial list
# compiled from news pages over-represents the places news covers). Municipalities named only in
# incomplete selections are left out of both groups; some unnamed selected bodies remain among
# the "others" (upper bound below).

# %%
groups = programmes.comparison_groups(profile, selected)
results = programmes.compare_selected(profile, groups)
comparison = programmes.comparison_table(profile, groups, results)
unlisted = programmes.unlisted_upper_bound(list_completeness, as_of, round_years)
facts.add("group_selected", int((groups == "selected").sum()))
facts.add("group_others", int((groups == "others").sum()))
facts.add("group_excluded", int((groups == "excluded").sum()))
facts.add("unlisted_upper_bound", unlisted)
print(f"Groups: {groups.value_counts().sort_index().to_dict()}; at most {unlisted} announced "
      "selections are unnamed (they may sit among the others).")
present(comparison, {c: "{:,.2f}" for c in ["median_selected", "median_others",
                                             "rank_biserial_r", "hl_shift", "hl_ci95_low",
                                             "hl_ci95_high"]} | {"p_value": "{:.1e}"},
        index="measure")

# %% tags=["hide-input"]
facts.add("selected_median_pop", float(comparison.loc[0, "median_selected"]))
facts.add("others_median_pop", float(comparison.loc[0, "median_others"]))
facts.add_all(programmes.comparison_facts(comparison), only_declared=True)

# %% [markdown]
# The three distributions side by side:

# %%
glue_figure("fig_selected_vs_others",
     programme_plots.selected_vs_others(profile, groups, projection_edition,
                                        int(projection["year"].max())))

# %% [markdown]
# (programmes-eu-table)=
# ## The EU comparison
#
# The EU Mission "100 Climate-Neutral and Smart Cities by 2030", cities per country.

# %%
eu = load("eu_mission_cities")
eu_note = programmes.completeness_note(list_completeness, as_of, round_years, ("eu",))
facts.add("eu_mission_eu_cities", int((eu["group"] == "EU_member_state").sum()))
facts.add("eu_mission_associated_cities", int((eu["group"] == "associated_country").sum()))
facts.add("eu_mission_countries", int(eu["country"].nunique()))
facts.add("eu_completeness", eu_note)
print(eu_note)
present(programmes.eu_by_country(eu), index="country")

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
facts.publish()
