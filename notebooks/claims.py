# %% [markdown]
# # Claims ledger: the computation
#
# This notebook builds the ledger of {doc}`../book/claims`: every quantitative claim of the
# briefing, the value recomputed by the chapter that computes it (read from that chapter's facts
# record), and a verdict from the rules in `scityhelpers.chapters.claims.ledger`.

# %% tags=["parameters", "hide-input"]
corridor_fiscal_year = 2019
facts_dir = ""

# %% [markdown]
# We check the parameter and load the two prefecture tables the corridor claim needs.

# %% tags=["hide-input"]
from IPython.display import HTML
from myst_nb import glue

from scityhelpers import load
from scityhelpers.chapters.claims import compute as chapter
from scityhelpers.reference.corridor import corridor_totals
from scityhelpers.chapters.registry import get_chapter
from scityhelpers.chapters.claims.ledger import (
    APPROX_TOLERANCE,
    HOLDS_TOLERANCE,
    NOT_FACTUAL,
    VERDICT_CLASSES,
    VERDICTS,
    ledger,
)
from scityhelpers.book.facts import FactRecord, facts_folders, load_facts
from scityhelpers.chapters.parameters import check
from scityhelpers.book.table_export import glue_table
from scityhelpers.book.reader_tables import present
from scityhelpers.book.units_ja import add_man_companions

facts = FactRecord("claims")

check(chapter.PARAMS, corridor_fiscal_year=corridor_fiscal_year, facts_dir=facts_dir)
population = load("prefecture_population_2020")
gross_product = load("gpp")

# %% [markdown]
# The Japan Central Corridor is the one claim no other chapter computes. Three candidate sets of
# prefectures (the briefing names none):

# %%
corridor = corridor_totals(population, gross_product)
gpp_column = f"gpp_fy{corridor_fiscal_year}_trillion_yen"
present(corridor[["prefecture_set", "n_prefectures", "population_2020_million", gpp_column]],
        {"population_2020_million": "{:.2f}", gpp_column: "{:.1f}"}, index="prefecture_set")

# %%
figures = chapter.corridor_figures(population, gross_product, corridor_fiscal_year)
facts.add_all(figures)

# %% [markdown]
# C1: the published IPSS 2023 total for 2050 (results table 1-1), the figure the claim is checked against.

# %%
facts.add("national_2050_published_million",
          chapter.national_2050_million(load("ipss2023_national_2050")))

# %% [markdown]
# C8: the city names the briefing lists under its EU heading, matched with the official Mission selection
# (accents and punctuation ignored; two English exonyms mapped).

# %%
eu_match = chapter.match_briefing_eu_list(load("briefing_eu_mission_cities"),
                                         load("eu_mission_cities"))
facts.add("eu_list_names", len(eu_match))
facts.add("eu_list_matched", int(eu_match["is_matched"].sum()))
facts.add("eu_list_unmatched",
          ", ".join(eu_match.loc[~eu_match["is_matched"], "city_in_briefing"]) or "none")
present(eu_match[eu_match["official_city"] != eu_match["city_in_briefing"]], index="city_in_briefing")

# %% [markdown]
# C9: what the partial 連携中枢都市圏 list knows, and the official count for the date the sources give.

# %%
facts.add_all({f"renkei_{key}": value
               for key, value in chapter.renkei_coverage(load("renkei_areas")).items()})
official = load("renkei_official_counts").sort_values("as_of").iloc[-1]
facts.add("renkei_official_as_of", official["as_of"].strftime("%Y-%m-%d"))
for key in ("centre_cities", "areas", "municipalities"):
    facts.add(f"renkei_official_{key}", int(official[key]))

# %% [markdown]
# The ledger: each chapter's facts record, checked against the briefing's figures (table
# `briefing_figures`).

# %%
chapter_facts = load_facts(get_chapter("claims").reads_chapters, facts_folders(facts_dir))
chapter_facts["claims"] = dict(facts.values)
claims_ledger = ledger(load("seed_claims"), load("briefing_figures"), chapter_facts)
for row in claims_ledger.itertuples():
    facts.add(f"verdict_{row.claim.lower()}", row.verdict)
for verdict in VERDICTS:
    facts.add(f"n_{verdict.replace(' ', '_')}", int((claims_ledger["verdict"] == verdict).sum()))
facts.add("n_claims", len(claims_ledger))
facts.add("holds_tolerance_pct", HOLDS_TOLERANCE * 100)
facts.add("approx_tolerance_pct", APPROX_TOLERANCE * 100)
facts.add("n_factual_claims", int((claims_ledger["verdict"] != NOT_FACTUAL).sum()))
ledger_html = chapter.ledger_table_html(claims_ledger, VERDICT_CLASSES)
glue_table("ledger_table", chapter.ledger_rows(claims_ledger), ledger_html, chapter="claims",
           title="主張の検証台帳 Claims ledger", units={"recomputed_value": "see column unit"})
HTML(ledger_html)

# %% [markdown]
# The same ledger, machine-readable: a CSV (downloadable from the claims page) and one schema.org
# `ClaimReview` per claim, embedded in the page as JSON-LD.

# %%
ledger_csv = chapter.ledger_csv(claims_ledger)
glue("ledger_csv_link", HTML(chapter.csv_download_link(ledger_csv)), display=False)
glue("ledger_json_ld", HTML(chapter.json_ld_script(chapter.claim_reviews(claims_ledger))),
     display=False)
print(ledger_csv.splitlines()[0])

# %% [markdown]
# Every number above that the chapter publishes, with its unit and precision, is recorded once:

# %% tags=["hide-input"]
add_man_companions(facts)  # 万人 for the Japanese edition (scityhelpers.book.units_ja)
facts.publish()
