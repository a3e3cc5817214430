"""Country model: the panel — every OECD member × every year, outcome, indicators, composite.

The outcome is the log of GDP per hour worked; each digital indicator is z-scored over the
panel (``z_<key>``), and ``composite`` is the first principal component of the chosen
indicators (:func:`scityhelpers.stats.composite.pca_composite`). Missing values stay NaN in
the grid, so every specification can count the rows it used against the rows available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scityhelpers.reference.countries import oecd_members
from scityhelpers.stats.composite import Composite, pca_composite, zscore

TABLES = ("productivity", "wb_indicators", "broadband", "egdi", "pwt_productivity")
COMPOSITE = "composite"
OUTCOME = "log_productivity"  # log of GDP per hour worked, USD PPP, constant 2020 prices
EGDI_COMPONENTS = ("osi", "tii", "hci")  # EGDI = the mean of these three
#: a survey's value holds until the year before the next survey; the last one for two years
SURVEY_SPAN_YEARS = 2
MIN_COMPOSITE_YEARS = 5  # the window must hold this many years where every indicator exists

#: notebook defaults, also used by :func:`time_all_specs`
DEFAULT_START_YEAR, DEFAULT_END_YEAR, DEFAULT_LAGS = 1995, 2024, 5
DEFAULT_INDICATORS = ("internet", "mobile", "broadband", "egdi", "osi", "tii", "hci")


@dataclass(frozen=True)
class Indicator:
    """A digital-maturity indicator: where it lives and its unit."""

    key: str
    label: str
    label_ja: str
    unit: str
    table: str
    column: str
    code: str | None = None  # World Bank indicator code (wb_indicators only)


INDICATORS = {
    i.key: i for i in (
        Indicator("internet", "Internet users", "インターネット利用率", "% of population",
                  "wb_indicators", "value", "IT.NET.USER.ZS"),
        Indicator("mobile", "Mobile subscriptions", "携帯電話契約数", "per 100 people",
                  "wb_indicators", "value", "IT.CEL.SETS.P2"),
        Indicator("broadband", "Fixed broadband", "固定ブロードバンド契約数", "per 100 people",
                  "broadband", "fixed_broadband_per_100"),
        Indicator("egdi", "EGDI", "電子政府発展指数", "index 0-1", "egdi", "egdi"),
        Indicator("osi", "EGDI: online services", "オンラインサービス指数", "index 0-1",
                  "egdi", "osi"),
        Indicator("tii", "EGDI: telecom infrastructure", "通信インフラ指数", "index 0-1",
                  "egdi", "tii"),
        Indicator("hci", "EGDI: human capital", "人的資本指数", "index 0-1", "egdi", "hci"),
    )
}


# --------------------------------------------------------------------------- the panel
def load_tables() -> dict[str, pd.DataFrame]:
    """Return the tidy tables the chapter reads (see ``TABLES``)."""
    from scityhelpers.pipeline.tidy import load

    return {name: load(name) for name in TABLES}


def egdi_annual(egdi: pd.DataFrame) -> pd.DataFrame:
    """Spread the biennial EGDI surveys over calendar years (iso3, year, egdi, osi, tii, hci).

    A survey's value is carried forward to every year until the year before the next survey;
    the last survey covers its own year and the next. Because the 2020 survey is missing, the
    2018 values stand for 2018-2021. Sub-indices follow the same rule.
    """
    surveys = sorted(egdi["survey_year"].unique().tolist())
    ends = [*[nxt - 1 for nxt in surveys[1:]], surveys[-1] + SURVEY_SPAN_YEARS - 1]
    columns = ["egdi", *EGDI_COMPONENTS]
    frames = []
    for survey, end in zip(surveys, ends, strict=True):
        rows = egdi.loc[egdi["survey_year"] == survey, ["iso3", *columns]]
        frames += [rows.assign(year=year) for year in range(survey, end + 1)]
    return pd.concat(frames, ignore_index=True)[["iso3", "year", *columns]]


def digital_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every indicator as one wide table of OECD members (iso3, year, one column per key)."""
    wb = tables["wb_indicators"]
    pieces = [
        wb[wb["indicator_code"] == INDICATORS[key].code]
        .rename(columns={"value": key})[["iso3", "year", key]]
        for key in ("internet", "mobile")
    ]
    pieces.append(tables["broadband"].rename(columns={"fixed_broadband_per_100": "broadband"}))
    pieces.append(egdi_annual(tables["egdi"]))
    wide = pieces[0]
    for piece in pieces[1:]:
        wide = wide.merge(piece, on=["iso3", "year"], how="outer", validate="1:1")
    wide = wide[wide["iso3"].isin(oecd_members())]
    return wide.sort_values(["iso3", "year"]).reset_index(drop=True)


def outcome_table(productivity: pd.DataFrame) -> pd.DataFrame:
    """Log GDP per hour worked (iso3, year, log_productivity) from the OECD table."""
    return productivity.assign(**{OUTCOME: np.log(productivity["gdp_per_hour_usd_ppp"])})[
        ["iso3", "year", OUTCOME]]


def pwt_outcome_table(pwt: pd.DataFrame) -> pd.DataFrame:
    """Log GDP per hour worked from Penn World Table 10.01 (2017 US$ PPP; to 2019)."""
    return pwt.assign(**{OUTCOME: np.log(pwt["gdp_per_hour_usd2017"])})[
        ["iso3", "year", OUTCOME]]


def lagged(panel: pd.DataFrame, column: str, k: int) -> pd.Series:
    """Value of ``column`` for the same country ``k`` years earlier (NaN outside the panel).

    Matched on the year, not on the row position, so a gap in a country's years never pairs
    values that are not ``k`` years apart.
    """
    earlier = panel[["iso3", "year", column]].assign(year=panel["year"] + k)
    matched = panel[["iso3", "year"]].merge(earlier, on=["iso3", "year"], how="left",
                                            validate="1:1")
    return pd.Series(matched[column].to_numpy(), index=panel.index, name=column)


def composite_members(indicators: list[str]) -> list[str]:
    """Indicators that enter the composite, in ``INDICATORS`` order.

    The EGDI is the mean of OSI, TII and HCI; when all three are listed the EGDI itself is
    left out of the composite (it is still estimated alone), so the government-side survey
    is not counted twice.
    """
    chosen = [key for key in INDICATORS if key in indicators]
    if set(EGDI_COMPONENTS) <= set(chosen) and "egdi" in chosen:
        chosen.remove("egdi")
    return chosen


def composite_min_rows(members: list[str]) -> int:
    """Fewest complete country-years for a composite of ``members``: 2 k + 2 (k members).

    Stricter than the estimator's default (k + 1): a country panel's rows are few and
    correlated over time, so the correlation matrix needs more of them to be worth reading.
    """
    return 2 * len(members) + 2


def panel_composite(panel: pd.DataFrame, members: list[str]) -> Composite:
    """PC1 of the z-scored ``members`` over the country-years with all of them.

    Scores are indexed like ``panel``'s rows (see :mod:`scityhelpers.stats.composite` for
    the rules: sign, SD units, percent).

    Raises:
        ModelDataError: too few complete country-years (the message says how to widen).
    """
    return pca_composite(panel, members, min_rows=composite_min_rows(members),
                         labels={k: INDICATORS[k].label for k in members}, name=COMPOSITE,
                         remedy="widen the years (start_year/end_year) or choose fewer "
                                "indicators")


def composite_years(panel: pd.DataFrame, composite: Composite) -> tuple[int, int]:
    """First and last year with a country-year in the composite (the rows the PCA used)."""
    years = panel.loc[composite.scores.index, "year"]
    return int(years.min()), int(years.max())


def build_panel(outcome: pd.DataFrame, digital: pd.DataFrame, start_year: int, end_year: int,
                indicators: list[str]) -> tuple[pd.DataFrame, Composite]:
    """Every OECD member × every year of the window, with outcome, indicators and composite.

    Missing values are kept as NaN in the grid, so each specification can report the rows it
    used against the rows available. Indicator columns ``z_<key>`` are standardised over their
    observed values in the window; ``composite`` is the first principal component.
    """
    grid = pd.MultiIndex.from_product([oecd_members(), range(start_year, end_year + 1)],
                                      names=["iso3", "year"]).to_frame(index=False)
    panel = grid.merge(outcome, on=["iso3", "year"], how="left", validate="1:1")
    panel = panel.merge(digital[["iso3", "year", *indicators]], on=["iso3", "year"],
                        how="left", validate="1:1")
    for key in indicators:
        panel[f"z_{key}"] = zscore(panel[key])
    composite = panel_composite(panel, composite_members(indicators))
    panel[COMPOSITE] = composite.scores.reindex(panel.index)
    return panel, composite


def prepare(tables: dict[str, pd.DataFrame], start_year: int, end_year: int,
            indicators: list[str], *, outcome: str = "oecd") -> tuple[pd.DataFrame, Composite]:
    """Build the panel from the tidy tables (``outcome`` = ``"oecd"`` or ``"pwt"``)."""
    target = (outcome_table(tables["productivity"]) if outcome == "oecd"
              else pwt_outcome_table(tables["pwt_productivity"]))
    return build_panel(target, digital_table(tables), start_year, end_year, indicators)


def measure_column(measure: str) -> str:
    """Panel column of a measure (``composite`` or an indicator key)."""
    return COMPOSITE if measure == COMPOSITE else f"z_{measure}"


def measure_labels(indicators: list[str]) -> dict[str, str]:
    """Display label of every measure (the composite first)."""
    return {COMPOSITE: "Composite (PC1)", **{k: INDICATORS[k].label for k in indicators}}


def coverage_table(panel: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """For the outcome, each indicator and the composite: years, countries, rows observed."""
    rows = []
    for column, label in [(OUTCOME, "log GDP per hour worked"),
                          *[(k, INDICATORS[k].label) for k in indicators],
                          (COMPOSITE, "Composite (PC1)")]:
        seen = panel.dropna(subset=[column])
        rows.append({"series": label, "first_year": int(seen["year"].min()),
                     "last_year": int(seen["year"].max()), "countries": seen["iso3"].nunique(),
                     "rows_observed": len(seen), "rows_in_grid": len(panel)})
    return pd.DataFrame(rows)




def egdi_trend(egdi: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """UN E-Government Development Index of ``countries`` in every survey: score and rank.

    The EGDI is a score from 0 to 1 (a mean of online services, human capital and
    telecommunication infrastructure); the rank is among all UN members surveyed that year
    (``n_ranked``). Sorted by country and survey year.
    """
    ranked = egdi.groupby("survey_year")["egdi_rank"].count().rename("n_ranked")
    rows = egdi[egdi["iso3"].isin(countries)].merge(ranked, on="survey_year", validate="m:1")
    return (rows[["iso3", "survey_year", "egdi", "egdi_rank", "n_ranked"]]
            .sort_values(["iso3", "survey_year"]).reset_index(drop=True))
