"""Wages: OECD ranks by edition, change since a start year, and a trend test for "flat"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scityhelpers.chapters.parameters import Param
from scityhelpers.reference.countries import OECD_AGGREGATE, names, oecd_members

#: The briefing's edition: OECD average wages at constant 2022 prices (the copy used here was
#: saved on 2024-04-06; its 2022 values for Japan and Korea are the figures the briefing quoted
#: in August 2023).
BRIEFING_PRICE_BASE_YEAR = 2022
HAC_LAGS = 2  # Newey-West lags for annual series (autocorrelated residuals)
TABLES = ("wages", "productivity")  # tidy tables the chapter reads
# The window of the briefing's claim 「日本は、ほぼ横ばいのまま」 (its OECD chart's years) comes
# from the reference table briefing_figures
# (scityhelpers.reference.briefing.BriefingFigures.wage_window).
GLUE_PREFIX = {"JPN": "japan", "KOR": "korea", "OECD": "oecd"}  # names of glued keys


def edition(wages: pd.DataFrame, price_base_year: int) -> pd.DataFrame:
    """Return one edition's rows (USD PPP at constant ``price_base_year`` prices)."""
    return wages[wages["price_base_year"] == price_base_year]


def years_available(wages: pd.DataFrame, price_base_year: int) -> list[int]:
    """Years with at least one member-country value in the edition."""
    rows = edition(wages, price_base_year)
    return sorted(rows.loc[rows["iso3"] != OECD_AGGREGATE, "year"].unique().tolist())


def rank_table(wages: pd.DataFrame, year: int, price_base_year: int) -> pd.DataFrame:
    """Rank OECD members by average wage in ``year`` (1 = highest; USD PPP, constant prices).

    Only members with a value that year are ranked, so the number ranked is part of the result
    (``n_ranked``); the OECD aggregate is kept as a reference row without a rank.
    """
    rows = edition(wages, price_base_year)
    rows = rows[rows["year"] == year]
    members = rows[rows["iso3"].isin(oecd_members())].copy()
    members = members.sort_values(["wage_usd_ppp", "iso3"], ascending=[False, True])
    members["rank"] = np.arange(1, len(members) + 1)
    members["n_ranked"] = len(members)
    table = pd.concat([members, rows[rows["iso3"] == OECD_AGGREGATE]], ignore_index=True)
    table["country"] = names(table["iso3"], "en")
    table["country_ja"] = names(table["iso3"], "ja")
    table["rank"] = table["rank"].astype("Int64")
    table["n_ranked"] = table["n_ranked"].astype("Int64")
    return table[["rank", "iso3", "country", "country_ja", "wage_usd_ppp", "n_ranked"]]


def rank_of(table: pd.DataFrame, iso3: str) -> int:
    """Return a country's rank from :func:`rank_table` (KeyError if it has no value)."""
    return int(table.set_index("iso3").loc[iso3, "rank"])


def wage_of(table: pd.DataFrame, iso3: str) -> float:
    """Return a country's wage (USD PPP) from :func:`rank_table`."""
    return float(table.set_index("iso3").loc[iso3, "wage_usd_ppp"])


def series(wages: pd.DataFrame, iso3: str, price_base_year: int,
           start: int | None = None, end: int | None = None) -> pd.Series:
    """One country's wage series indexed by year (USD PPP, constant prices)."""
    rows = edition(wages, price_base_year)
    rows = rows[rows["iso3"] == iso3].set_index("year")["wage_usd_ppp"].sort_index()
    return rows.loc[start:end]


def change_pct(wages: pd.DataFrame, iso3: str, start: int, end: int,
               price_base_year: int) -> float:
    """Real change in the average wage from ``start`` to ``end``, in percent."""
    values = series(wages, iso3, price_base_year)
    return float((values.loc[end] / values.loc[start] - 1) * 100)


def cagr_pct(wages: pd.DataFrame, iso3: str, start: int, end: int,
             price_base_year: int) -> float:
    """Compound annual growth rate of the real average wage, percent per year."""
    values = series(wages, iso3, price_base_year)
    return float(((values.loc[end] / values.loc[start]) ** (1 / (end - start)) - 1) * 100)


@dataclass(frozen=True)
class Trend:
    """Log-linear trend of a series: growth in % per year with its 95% confidence interval."""

    iso3: str
    start: int
    end: int
    growth_pct_per_year: float
    ci_low: float
    ci_high: float
    n_years: int

    @property
    def is_flat(self) -> bool:
        """True when the 95% CI includes zero growth."""
        return self.ci_low <= 0 <= self.ci_high


def trend(wages: pd.DataFrame, iso3: str, start: int, end: int,
          price_base_year: int) -> Trend:
    """Fit log(wage) = a + b·year by OLS with Newey-West (HAC) errors.

    ``b`` is the average real growth rate; HAC errors because annual wages are
    autocorrelated, which would otherwise make the CI too narrow.
    """
    # imported here, from its own module: ``statsmodels.api`` costs a second at import, and
    # ``scity run`` imports this module only to read PARAMS
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    values = series(wages, iso3, price_base_year, start, end)
    design = add_constant(values.index.to_numpy(dtype=float) - start)
    fit = OLS(np.log(values.to_numpy()), design).fit(
        cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS})
    low, high = fit.conf_int(alpha=0.05)[1]
    to_pct = lambda b: float((np.exp(b) - 1) * 100)  # noqa: E731
    return Trend(iso3, start, end, to_pct(fit.params[1]), to_pct(low), to_pct(high),
                 len(values))


def indexed(wages: pd.DataFrame, countries: list[str], start: int,
            price_base_year: int) -> pd.DataFrame:
    """Wages indexed to ``start`` = 100 for each country (long table for plotting)."""
    rows = edition(wages, price_base_year)
    rows = rows[rows["iso3"].isin(countries) & (rows["year"] >= start)].copy()
    base = rows[rows["year"] == start].set_index("iso3")["wage_usd_ppp"]
    rows["index_start_100"] = rows["wage_usd_ppp"] / rows["iso3"].map(base) * 100
    rows["country"] = names(rows["iso3"], "en")
    return rows.dropna(subset=["index_start_100"]).sort_values(["iso3", "year"])


def _wages_table() -> pd.DataFrame:
    from scityhelpers.pipeline.tidy import load

    return load("wages")


PARAMS = (
    Param("price_base_year", int,
          "OECD edition: base year of the constant prices (2025 = current, 2022 = briefing)",
          allowed=lambda v: sorted(_wages_table()["price_base_year"].unique().tolist())),
    Param("year", int, "year whose ranking is shown",
          allowed=lambda v: years_available(_wages_table(), v["price_base_year"])),
    Param("start_year", int, "first year of the long-run comparison (the briefing uses 1991)",
          allowed=lambda v: years_available(_wages_table(), v["price_base_year"])),
    Param("countries", list, "ISO3 codes highlighted in the chart",
          allowed=lambda v: [*oecd_members(), OECD_AGGREGATE]),
)


def trend_table(trends: dict[str, Trend]) -> pd.DataFrame:
    """Trends as a table: growth in % per year with its 95% CI, sorted by country code."""
    rows = [{"iso3": t.iso3, "country": names(pd.Series([t.iso3])).iloc[0], "from": t.start,
             "to": t.end, "years": t.n_years, "growth_pct_per_year": t.growth_pct_per_year,
             "ci95_low": t.ci_low, "ci95_high": t.ci_high, "flat (CI includes 0)": t.is_flat}
            for t in trends.values()]
    return pd.DataFrame(rows).sort_values("iso3").reset_index(drop=True)


def flat_verdict(fit: Trend) -> str:
    """One sentence saying whether the trend's 95% CI includes zero growth."""
    if fit.is_flat:
        return ("yes: the interval includes zero, so the data cannot distinguish Japan's "
                "trend from no growth at all — the claim of a flat wage holds")
    direction = "rising" if fit.ci_low > 0 else "falling"
    return (f"no: the interval excludes zero; the wage was {direction}, so \"flat\" "
            "does not describe it")


def rank_change(wages: pd.DataFrame, iso3: str, year: int, old_base: int,
                new_base: int) -> dict[str, float]:
    """Decompose the change in ``iso3``'s rank for ``year`` between two editions.

    Three steps, each a rank (1 = highest wage):

    - ``rank_old``: in the old edition, among the members it has a ``year`` value for;
    - ``rank_new_same_members``: in the new edition, among those same members only. The
      difference from ``rank_old`` is what *revisions* do: each member's value divided by its
      old value (``ratio``) differs between countries (revised data, PPPs and each country's
      own deflator between the two price bases);
    - ``rank_new``: in the new edition among all members with a value. The difference from
      ``rank_new_same_members`` is what the *members added* in the new edition do.

    A uniform price-base rescaling (every value multiplied by the same factor) moves no rank; the
    median ``ratio`` is reported as ``median_ratio`` and its spread (``ratio_p10``, ``ratio_p90``)
    shows how far from uniform the rescaling was. ``n_old``/``n_new`` are the fields ranked;
    ``passed`` / ``passed_by`` name the members ``iso3`` moved above / below between editions.
    """
    old = rank_table(wages, year, old_base).dropna(subset=["rank"]).set_index("iso3")
    new = rank_table(wages, year, new_base).dropna(subset=["rank"]).set_index("iso3")
    same = new.loc[new.index.intersection(old.index), "wage_usd_ppp"].sort_values(ascending=False)
    ratio = (new["wage_usd_ppp"] / old["wage_usd_ppp"]).dropna()
    added = sorted(set(new.index) - set(old.index))
    above_added = [c for c in added if new.loc[c, "wage_usd_ppp"] > new.loc[iso3, "wage_usd_ppp"]]
    was_above = set(old.index[old["wage_usd_ppp"] > old.loc[iso3, "wage_usd_ppp"]])
    now_above = set(same.index[same > same[iso3]])
    return {"rank_old": int(old.loc[iso3, "rank"]), "n_old": len(old),
            "passed": ", ".join(sorted(was_above - now_above)),
            "passed_by": ", ".join(sorted(now_above - was_above)),
            "rank_new_same_members": int(list(same.index).index(iso3) + 1),
            "rank_new": int(new.loc[iso3, "rank"]), "n_new": len(new),
            "n_added": len(added), "n_added_above": len(above_added),
            "added_above": ", ".join(above_added),
            "median_ratio": float(ratio.median()), "ratio_p10": float(ratio.quantile(0.1)),
            "ratio_p90": float(ratio.quantile(0.9)), "own_ratio": float(ratio[iso3])}


def rank_change_facts(change: dict[str, Any]) -> dict[str, Any]:
    """The facts of a :func:`rank_change` decomposition, keyed ``rc_*`` as the chapter glues them.

    Ranks and counts are exact; the two effects (places, + = lower rank) split the rank change
    into the revision of the members' wages and the members added; ratios are new / old wage
    (USD PPP of the two price bases); an empty list of countries is published as "none".
    """
    return {"rc_rank_old": change["rank_old"], "rc_n_old": change["n_old"],
            "rc_rank_same_members": change["rank_new_same_members"],
            "rc_rank_new": change["rank_new"], "rc_n_new": change["n_new"],
            "rc_revision_effect": change["rank_new_same_members"] - change["rank_old"],
            "rc_n_added": change["n_added"], "rc_n_added_above": change["n_added_above"],
            "rc_added_effect": change["rank_new"] - change["rank_new_same_members"],
            "rc_passed": change["passed"] or "none", "rc_passed_by": change["passed_by"] or "none",
            "rc_median_ratio": change["median_ratio"], "rc_ratio_p10": change["ratio_p10"],
            "rc_ratio_p90": change["ratio_p90"], "rc_japan_ratio": change["own_ratio"]}
