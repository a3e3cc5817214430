"""Population to 2050: the national projection and municipal decline, from IPSS projections.

Two claims of the briefing are checked here. C1, 日本の人口は、2050年で1億人程度へ減少: the
national total in 2050. Offline only the IPSS 2023 national projection's published key figures
are at hand and 2050 is not among them, so the 2050 value is a log-linear interpolation between
the published years around it (2045 and 2056, medium variant) — an estimate, labelled as such;
the annual series (IPSS workbook 1-9.xlsx) would replace it. C2, 2050年には居住地域の約5割が
少子高齢化地域となる: a statement about 1-km mesh cells, approximated here with municipalities
(share of municipalities, of their land area and of their population whose projected decline
is at least a threshold), with the threshold varied to show how much the answer depends on it.

Units: persons, million persons, percent (of municipalities, of km², of persons), km².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scityhelpers.chapters.parameters import Param
from scityhelpers.reference.projections import available_editions, load_projection

# The briefing's year and national figure (C1) and its share of ageing areas (C2) come from
# the reference table briefing_figures (scityhelpers.reference.briefing).
#: the key-figures rows used for the national projection
KEY_EDITION = "IPSS 2023 (令和5年推計)"
KEY_MEASURE_TOTAL = "total population"
KEY_VARIANT_MEDIUM = "medium fertility / medium mortality"
KEY_VARIANT_CENSUS = "census base"
PREVIOUS_KEY_EDITION = "IPSS 2017 (平成29年推計)"
PREVIOUS_BELOW_100M_MEASURE = "total population below 100 million (first year)"
#: year in which the 2018 regional and the 2023 national projection can be compared directly
COMPARISON_YEAR = 2045
#: a figure within this distance of the briefing's round number counts as "about" it, percent
ROUND_FIGURE_TOLERANCE_PCT = 5.0
#: thresholds of the sensitivity curve, percent decline
SENSITIVITY_THRESHOLDS_PCT = tuple(float(t) for t in range(10, 61))
SENSITIVITY_TABLE_THRESHOLDS_PCT = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]  # rows shown
DECLINE_THRESHOLD_BOUNDS_PCT = (5.0, 90.0)
STEEP_DECLINE_PCT = 50.0  # "halved": the second fixed threshold the chapter reports
AGE_COLUMNS = {"age0_14_persons": "0–14", "age15_64_persons": "15–64",
               "age65plus_persons": "65+"}
#: what each share is weighted by, for the sensitivity curve and its labels
WEIGHTS = {"municipalities": None, "land area": "area_km2",
           "population 2020": "population_2020_persons"}
#: tidy tables read (rerun hashing, "Download data"). ``municipal_projection_2023`` exists only
#: after an online pull (hashed as "absent" until then); the boundary index carries the
#: TopoJSON the map is drawn from.
TABLES = ("municipal_projection", "municipal_projection_2023", "population_2015_2020",
          "ipss2023_key_figures", "municipalities", "municipal_boundary_index")


# --------------------------------------------------------------------------- national (C1)
@dataclass(frozen=True)
class Interpolation:
    """A value estimated between two published points, with the points it came from.

    Attributes:
        year: the year estimated.
        value: the estimate (same unit as the points, here million persons).
        lower_year, lower_value, upper_year, upper_value: the published points around ``year``.
    """

    year: int
    value: float
    lower_year: int
    lower_value: float
    upper_year: int
    upper_value: float

    @property
    def annual_change_pct(self) -> float:
        """Constant yearly rate of change between the two points, percent per year."""
        span = self.upper_year - self.lower_year
        return ((self.upper_value / self.lower_value) ** (1 / span) - 1) * 100

    def facts(self) -> dict[str, float | int]:
        """The published points around the estimate and the yearly rate between them, as facts.

        Keyed ``interpolation_*`` as the chapter glues them: years, million persons, % a year.
        """
        return {"interpolation_lower_year": self.lower_year,
                "interpolation_lower_million": self.lower_value,
                "interpolation_upper_year": self.upper_year,
                "interpolation_upper_million": self.upper_value,
                "interpolation_rate_pct_per_year": self.annual_change_pct}


def loglinear(year0: int, value0: float, year1: int, value1: float, year: int) -> float:
    """Interpolate assuming a constant rate of change between two points (log-linear)."""
    if not year0 < year < year1:
        raise ValueError(f"{year} is not strictly between {year0} and {year1}")
    weight = (year - year0) / (year1 - year0)
    return float(math.exp(math.log(value0) + weight * (math.log(value1) - math.log(value0))))


def national_series(key_figures: pd.DataFrame) -> pd.DataFrame:
    """IPSS 2023 national total by year: the 2020 census base and the medium variant.

    Returns columns ``year``, ``population_million`` (million persons) and ``variant``, sorted
    by year; only the years the overview publishes.
    """
    rows = key_figures[(key_figures["edition"] == KEY_EDITION)
                       & (key_figures["measure"] == KEY_MEASURE_TOTAL)
                       & key_figures["variant"].isin([KEY_VARIANT_CENSUS, KEY_VARIANT_MEDIUM])]
    series = rows.rename(columns={"value": "population_million"})
    return (series[["year", "population_million", "variant"]]
            .sort_values("year").reset_index(drop=True))


def published_national_million(key_figures: pd.DataFrame, year: int) -> float:
    """The published national total for ``year`` (million persons); KeyError if not published."""
    series = national_series(key_figures).set_index("year")["population_million"]
    if year not in series.index:
        raise KeyError(f"IPSS 2023 key figures publish no total for {year}; "
                       f"published years: {series.index.tolist()}")
    return float(series.loc[year])


def interpolate_national(key_figures: pd.DataFrame, year: int) -> Interpolation:
    """Estimate the national total in ``year`` between the nearest published years around it.

    Log-linear, i.e. a constant yearly rate between the two points; the IPSS curve is smooth
    over a decade, so the error is small but not zero — the published annual series
    (1-9.xlsx, live only) replaces this estimate when fetched.
    """
    series = national_series(key_figures).set_index("year")["population_million"]
    lower = series[series.index < year]
    upper = series[series.index > year]
    if lower.empty or upper.empty:
        raise ValueError(f"no published years on both sides of {year}: {series.index.tolist()}")
    y0, y1 = int(lower.index.max()), int(upper.index.min())
    v0, v1 = float(series.loc[y0]), float(series.loc[y1])
    return Interpolation(year, loglinear(y0, v0, y1, v1, year), y0, v0, y1, v1)


def first_year_below(key_figures: pd.DataFrame, million: float) -> int:
    """First published year whose medium-variant total is below ``million`` persons."""
    series = national_series(key_figures)
    below = series[series["population_million"] < million]
    return int(below["year"].min())


def previous_edition_first_year_below(key_figures: pd.DataFrame) -> int:
    """First year below 100 million persons in the previous (2017) national projection."""
    rows = key_figures[(key_figures["edition"] == PREVIOUS_KEY_EDITION)
                       & (key_figures["measure"] == PREVIOUS_BELOW_100M_MEASURE)]
    if len(rows) != 1:
        raise KeyError(f"expected one {PREVIOUS_BELOW_100M_MEASURE!r} row for "
                       f"{PREVIOUS_KEY_EDITION}, found {len(rows)}")
    return int(rows["year"].iloc[0])


def gap_pct(estimate: Interpolation, claimed_million: float) -> float:
    """How far the estimate lies above (+) or below (−) the briefing's figure, percent."""
    return (estimate.value / claimed_million - 1) * 100


def round_figure_verdict(estimate: Interpolation, claimed_million: float) -> str:
    """Say whether the estimate is "about" the briefing's round number (within the tolerance)."""
    gap = gap_pct(estimate, claimed_million)
    if abs(gap) <= ROUND_FIGURE_TOLERANCE_PCT:
        return (f"holds as a round number: the estimate is within "
                f"{ROUND_FIGURE_TOLERANCE_PCT:.0f}% of {claimed_million:.0f} million")
    direction = "above" if gap > 0 else "below"
    return (f"does not hold as stated: the estimate is more than "
            f"{ROUND_FIGURE_TOLERANCE_PCT:.0f}% {direction} {claimed_million:.0f} million")


# --------------------------------------------------------------------------- projection tables
def projection_years(projection: pd.DataFrame) -> list[int]:
    """Years of an edition, base year first."""
    return sorted(projection["year"].unique().tolist())


def base_year(projection: pd.DataFrame) -> int:
    """The edition's base year (a census year: 2015 for the 2018 edition, 2020 for 2023)."""
    return projection_years(projection)[0]


def target_years(projection: pd.DataFrame) -> list[int]:
    """Projected years after the base year (valid values of ``target_year``)."""
    return projection_years(projection)[1:]


def national_sum(projection: pd.DataFrame) -> pd.DataFrame:
    """Sum of all projected municipalities by year (persons; areas not projected are missing)."""
    columns = ["population_persons", *AGE_COLUMNS]
    return projection.groupby("year", as_index=False)[columns].sum()


def national_sum_million(projection: pd.DataFrame, year: int) -> float:
    """The edition's sum of municipalities in ``year``, million persons."""
    totals = national_sum(projection).set_index("year")["population_persons"]
    return float(totals.loc[year] / 1e6)


def age_shares(projection: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """National age structure of the municipal sum: persons and % by broad age group and year."""
    totals = national_sum(projection)
    totals = totals[totals["year"].isin(years)]
    long = totals.melt(id_vars=["year", "population_persons"], value_vars=list(AGE_COLUMNS),
                       var_name="column", value_name="persons")
    long["age_group"] = long["column"].map(AGE_COLUMNS)
    long["share_pct"] = long["persons"] / long["population_persons"] * 100
    return (long[["year", "age_group", "persons", "share_pct"]]
            .sort_values(["year", "age_group"]).reset_index(drop=True))


def share_65plus_pct(projection: pd.DataFrame, year: int) -> float:
    """Share of the municipal sum aged 65+ in ``year``, percent."""
    shares = age_shares(projection, [year])
    return float(shares.loc[shares["age_group"] == "65+", "share_pct"].iloc[0])


# --------------------------------------------------------------------------- municipal (C2)
def municipal_change(projection: pd.DataFrame, target_year: int,
                     census: pd.DataFrame) -> pd.DataFrame:
    """Projected change of each municipality from the base year to ``target_year``.

    Columns: ``code5``, ``name``, ``pref_code``, base and target persons, ``change_pct``
    (percent, negative = decline), ``decline_pct`` (= −change), ``age65plus_target_pct``, and
    the weights for shares: ``population_2020_persons`` (2020 census) and ``area_km2`` (2015
    census area, carried to today's codes). Every projected municipality must have both.
    """
    first = base_year(projection)
    wide = projection.pivot_table(index=["code5", "name"], columns="year",
                                  values="population_persons").reset_index()
    target = projection[projection["year"] == target_year].set_index("code5")
    table = pd.DataFrame({
        "code5": wide["code5"], "name": wide["name"], "pref_code": wide["code5"].str[:2],
        "base_persons": wide[first].astype("int64"),
        "target_persons": wide[target_year].astype("int64"),
    })
    table["change_pct"] = (table["target_persons"] / table["base_persons"] - 1) * 100
    table["decline_pct"] = -table["change_pct"]
    table["age65plus_target_pct"] = (
        table["code5"].map(target["age65plus_persons"] / target["population_persons"]) * 100)
    weights = (census[census["level"] == "municipality"]
               .set_index("code5")[["population_2020_persons", "area_2015_km2"]])
    table = table.join(weights, on="code5", validate="1:1").rename(
        columns={"area_2015_km2": "area_km2"})
    missing = table[table[["population_2020_persons", "area_km2"]].isna().any(axis=1)]
    if not missing.empty:
        raise ValueError(f"no 2020 census population or area for {missing['code5'].tolist()}; "
                         "rebuild population_2015_2020 (`scity data pull census`).")
    table["population_2020_persons"] = table["population_2020_persons"].astype("int64")
    return table.sort_values("code5").reset_index(drop=True)


def share_declining_pct(changes: pd.DataFrame, threshold_pct: float,
                        weight: str | None = None) -> float:
    """Percent of municipalities, or of ``weight`` (area, population), declining ≥ threshold."""
    declining = changes["decline_pct"] >= threshold_pct
    if weight is None:
        return float(declining.mean() * 100)
    return float(changes.loc[declining, weight].sum() / changes[weight].sum() * 100)


@dataclass(frozen=True)
class DeclineShares:
    """Shares declining at least ``threshold_pct`` by the target year, percent."""

    threshold_pct: float
    municipalities_pct: float
    area_pct: float
    population_pct: float
    n_municipalities: int


def decline_shares(changes: pd.DataFrame, threshold_pct: float) -> DeclineShares:
    """Shares of municipalities, land area and 2020 population declining ≥ ``threshold_pct``."""
    return DeclineShares(
        threshold_pct,
        share_declining_pct(changes, threshold_pct),
        share_declining_pct(changes, threshold_pct, "area_km2"),
        share_declining_pct(changes, threshold_pct, "population_2020_persons"),
        len(changes),
    )


def shares_table(shares: Sequence[DeclineShares]) -> pd.DataFrame:
    """Shares declining at least each threshold as a table for readers (percent)."""
    return pd.DataFrame([{"decline ≥ (%)": f"{s.threshold_pct:.0f}",
                          "municipalities (%)": s.municipalities_pct,
                          "land area (%)": s.area_pct,
                          "population 2020 (%)": s.population_pct,
                          "municipalities projected": s.n_municipalities} for s in shares])


SHARES_FORMATS = {"municipalities (%)": "{:.1f}", "land area (%)": "{:.1f}",
                  "population 2020 (%)": "{:.1f}"}


def sensitivity(changes: pd.DataFrame,
                thresholds: Sequence[float] = SENSITIVITY_THRESHOLDS_PCT) -> pd.DataFrame:
    """Share declining at least each threshold, by what is counted (long table, percent)."""
    rows = [{"threshold_pct": float(t), "measure": measure,
             "share_pct": share_declining_pct(changes, t, weight)}
            for measure, weight in WEIGHTS.items() for t in thresholds]
    return pd.DataFrame(rows)


def threshold_for_share(changes: pd.DataFrame, share_pct: float,
                        weight: str | None = None) -> float:
    """Largest decline threshold at which at least ``share_pct`` % (of ``weight``) still counts.

    A weighted quantile of the decline: with ``share_pct`` = 50 and land area as the weight,
    half the land area lies in municipalities losing at least the returned percentage.
    """
    ordered = changes.sort_values("decline_pct", ascending=False)
    weights = (np.ones(len(ordered)) if weight is None
               else ordered[weight].to_numpy(dtype=float))
    cumulative = np.cumsum(weights) / weights.sum() * 100
    position = int(np.searchsorted(cumulative, share_pct - 1e-9))
    return float(ordered["decline_pct"].iloc[position])


def half_verdict(shares: DeclineShares, half_area_threshold_pct: float,
                 claimed_share_pct: float) -> str:
    """Say whether the briefing's share of land area (percent) declines at least the threshold."""
    if shares.area_pct >= claimed_share_pct:
        return (f"yes at a {shares.threshold_pct:.0f}% threshold: municipalities declining at "
                "least that much cover half the land area or more")
    return (f"not at a {shares.threshold_pct:.0f}% threshold: half the land area is reached "
            f"only when the threshold is lowered to {half_area_threshold_pct:.0f}%")


def coverage(projection: pd.DataFrame, census: pd.DataFrame,
             municipalities: pd.DataFrame) -> pd.DataFrame:
    """Today's municipalities that the edition does not project, with their 2020 population.

    Columns ``code5``, ``pref_code``, ``population_2020_persons`` (2020 census; 双葉町 had no
    residents and counts 0). For the 2018 edition this is the whole of Fukushima (not projected
    by municipality); for 2023 the 13 municipalities of 浜通り. The six Northern-Territories
    villages are not counted: no census reaches them.
    """
    current = municipalities[(municipalities["level"] == "municipality")
                             & ~municipalities["is_hoppo"]]
    absent = current[~current["code5"].isin(projection["code5"])]
    persons = census[census["level"] == "municipality"].set_index("code5")[
        "population_2020_persons"]
    table = pd.DataFrame({"code5": absent["code5"], "pref_code": absent["pref_code"],
                          "population_2020_persons":
                              absent["code5"].map(persons).fillna(0).astype("int64")})
    return table.sort_values("code5").reset_index(drop=True)


def coverage_note(absent: pd.DataFrame, municipalities: pd.DataFrame) -> str:
    """Name the prefectures with unprojected municipalities, how many, and their 2020 persons."""
    if absent.empty:
        return "none: every municipality with a 2020 census population is projected"
    current = municipalities[(municipalities["level"] == "municipality")
                             & ~municipalities["is_hoppo"]]
    per_prefecture = current.groupby("pref_code").size()
    names = prefecture_names(municipalities)
    parts = []
    for pref_code, rows in absent.groupby("pref_code"):
        n, total = len(rows), int(per_prefecture.loc[pref_code])
        count = f"all {n}" if n == total else f"{n} of {total}"
        parts.append(f"{names.loc[pref_code]} ({count} municipalities, "
                     f"{int(rows['population_2020_persons'].sum()):,} persons in 2020)")
    return "; ".join(parts)


def steepest(changes: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` municipalities with the steepest projected decline (ties broken by code)."""
    ordered = changes.sort_values(["decline_pct", "code5"], ascending=[False, True])
    return ordered.head(n)[["code5", "name", "base_persons", "target_persons", "change_pct",
                            "age65plus_target_pct"]].reset_index(drop=True)


def prefecture_names(municipalities: pd.DataFrame) -> pd.Series:
    """Prefecture names by 2-digit code."""
    prefectures = municipalities[municipalities["level"] == "prefecture"]
    return prefectures.set_index("pref_code")["pref_name"].sort_index()


def prefecture_change(changes: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Projected change by prefecture (sum of its projected municipalities), percent.

    Every prefecture is listed; one without projected municipalities (Fukushima in the 2018
    edition) has no value rather than a misleading zero.
    """
    sums = changes.groupby("pref_code")[["base_persons", "target_persons"]].sum()
    names = prefecture_names(municipalities)
    table = sums.reindex(names.index)
    table["change_pct"] = (table["target_persons"] / table["base_persons"] - 1) * 100
    table.insert(0, "pref_name", names)
    return table.reset_index()


def horizon_note(projection: pd.DataFrame, edition: int, briefing_year: int) -> str:
    """Say plainly how far the edition projects, against the briefing's year (2050)."""
    last = projection_years(projection)[-1]
    if last < briefing_year:
        return (f"the IPSS {edition} edition used here projects to {last}, not "
                f"{briefing_year}: no municipal figure in this chapter reaches the briefing's "
                "horizon")
    return f"the IPSS {edition} edition used here projects to {last}, the briefing's horizon"


# --------------------------------------------------------------------------- parameters
def _edition_years(values: dict) -> list[int]:
    return target_years(load_projection(values["edition"]))


PARAMS = (
    Param("edition", int,
          "IPSS regional projection edition (2018 offline; 2023 once fetched online)",
          allowed=lambda v: available_editions()),
    Param("target_year", int,
          "projected year compared with the base year (at most the edition's last year)",
          allowed=_edition_years),
    Param("decline_threshold", float,
          "decline (percent of base-year population) at which a municipality counts as "
          "depopulating",
          bounds=lambda v: DECLINE_THRESHOLD_BOUNDS_PCT),
)
