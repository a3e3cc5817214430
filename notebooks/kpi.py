# %% [markdown]
# # KPI tracker: the computation
#
# This notebook computes every number of the chapter {doc}`../book/kpi`: for each Digital Garden
# City Nation KPI, the nearest target, the latest reported actual up to a cut-off date, progress
# towards the target and a status by one stated rule. Rerun it for an earlier cut-off with
# `scity run --only kpi -p as_of=2023-04-30`.

# %% tags=["parameters", "hide-input"]
as_of = "2026-11-25"

# %% [markdown]
# We check the parameter against the data (valid cut-offs are the dates of reported actuals and
# the date the reports were collected), then load the KPI table.

# %% tags=["hide-input"]
from datetime import date

from scityhelpers import load
from scityhelpers.chapters.kpi import compute as kpi
from scityhelpers.book.facts import FactRecord
from scityhelpers.book.figure_export import glue_figure
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.kpi import figures as kpi_plots
from scityhelpers.book.table_export import glue_table
from scityhelpers.book.reader_tables import Phrase, full_html, present

facts = FactRecord("kpi")

check(kpi.PARAMS, as_of=as_of)
kpi_table = load("kpis")
collected = kpi.collected_date()
facts.add("as_of", as_of)
facts.add("collected", collected.isoformat())
facts.add("strategy_adopted", kpi.STRATEGY_ADOPTED.isoformat())

# %% [markdown]
# The rule, as the analysis module states it (`scityhelpers.chapters.kpi.compute`):

# %%
print(kpi.__doc__.split("\n\n", 1)[1])

# %% [markdown]
# Every reported actual, with the date read from the table's text (`as_of_date`) and the series
# it belongs to (K03 is reported separately for elementary and junior-high schools).

# %%
observed = kpi.observations(kpi_table, collected)
present(observed[["series", "actual_value", "actual_as_of", "as_of_date", "is_undated"]],
        {"actual_value": "{:,.2f}", "as_of_date": "{:%Y-%m-%d}"}, index="series")

# %% [markdown]
# (kpi-tracker-table)=
# The tracker: one row per KPI series, the latest actual on or before the cut-off against the
# nearest target, progress (actual / target) and the progress the rule requires at the
# actual's date.

# %%
tracker = kpi.tracker(kpi_table, date.fromisoformat(as_of), collected)
present(tracker.drop(columns=["kpi_en", "is_flagged"]),
        {"target_value": "{:,.6g}", "actual_value": "{:,.6g}", "progress_pct": "{:.1f}",
         "required_pct": "{:.1f}", "target_due": "{:%Y-%m-%d}", "actual_date": "{:%Y-%m-%d}",
         "n_reported": "{:.0f}"}, index="series")

# %% [markdown]
# The same tracker for readers (the chapter shows it): bilingual names, target and latest actual with their dates, progress and status, numbers written out.

# %%
reader_rows = kpi.reader_table(tracker)
glue_table("kpi_table", reader_rows, full_html(reader_rows), chapter="kpi",
           title="KPIの進捗 KPI progress by series",
           units={"目標 Target": "in the cell", "最新実績 Latest actual": "in the cell",
                  "進捗 Progress": "% of target"})

# %% [markdown]
# Counts per KPI (a KPI reported for two groups is behind if either group is):

# %%
counts = kpi.status_counts(tracker)
per_kpi = kpi.kpi_status(tracker)
flagged = set(tracker.loc[tracker["is_flagged"], "kpi_id"])
facts.add("kpi_count", int(kpi_table["kpi_id"].nunique()))
facts.add("kpi_with_actual", int((per_kpi != "no data").sum()))
facts.add("kpi_on_track", counts["on track"])
facts.add("kpi_behind", counts["behind"])
facts.add("kpi_no_data", counts["no data"])
facts.add("kpi_not_assessable", counts["not assessable"])
facts.add("kpi_not_assessable_ids",
          ", ".join(sorted(per_kpi[per_kpi == "not assessable"].index)) or "none")
on_track_flagged = sorted(k for k in flagged if per_kpi[k] == "on track")
facts.add("kpi_on_track_flagged", len(on_track_flagged))
facts.add("kpi_on_track_flagged_ids", ", ".join(on_track_flagged) or "none")
facts.add("kpi_target_reached", int(tracker.loc[tracker["rule"] == "target reached", "kpi_id"]
                               .nunique()))
counts

# %% tags=["hide-input"]
facts.add_all(kpi.series_facts(tracker), only_declared=True)

# %% [markdown]
# The flagged series and why (from the reference table's caveats):

# %%
present(tracker.loc[tracker["is_flagged"], ["series", "flag"]].assign(
    why=lambda t: t["series"].str[:3].map(lambda k: kpi.FLAGS[k][1])), index="series")

# %% [markdown]
# Progress of every KPI series in one figure.

# %%
glue_figure("fig_kpi_progress", kpi_plots.progress_dots(tracker, as_of))

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
facts.publish()
