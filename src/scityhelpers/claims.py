"""The claims ledger: each quantitative claim of the briefing, recomputed, with a verdict.

Recomputed values come from the chapters' facts records (``<chapter>.facts.json``: the numbers
the book prints, at their stated precision), so the ledger and the chapters cannot disagree.
The briefing's own figures come from the reference table ``briefing_figures`` (one row per
figure, with the quote it stands in), never from literals here. Verdicts come from the rules
below, with their tolerances stated, never typed by hand:

- numeric claims: within ``HOLDS_TOLERANCE`` (relative) → holds; within
  ``APPROX_TOLERANCE`` → holds approximately (by how much is said); otherwise does not hold;
- counts and ranks: equal → holds; off by ``RANK_SLACK`` → holds approximately;
- figures the briefing rounds to 0.1 (``rounded_0.1``): within ``ROUNDING_TOLERANCE`` holds;
- claims with no data to check against, or measured on data the book does not have (C2's
  1 km mesh) → cannot be checked, with the reason and the nearest approximation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scityhelpers.briefing import BriefingFigures

HOLDS = "holds"
APPROX = "holds approximately"
FAILS = "does not hold"
UNCHECKABLE = "cannot be checked"
VERDICTS = (HOLDS, APPROX, FAILS, UNCHECKABLE)

HOLDS_TOLERANCE = 0.05  # "about 100 million" etc.: within 5% holds
APPROX_TOLERANCE = 0.15  # within 15% holds approximately
RANK_SLACK = 1
ROUNDING_TOLERANCE = 0.05  # a figure printed to 0.1 matches anything that rounds to it

Facts = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Verdict:
    """A verdict label and the sentence that justifies it."""

    label: str
    detail: str


@dataclass(frozen=True)
class Check:
    """What the ledger prints for one claim besides the claim itself."""

    recomputed: str
    vintage: str
    verdict: Verdict
    chapter: str


def number(facts: Facts, chapter: str, key: str) -> float:
    """A chapter's fact as a float (KeyError names chapter and key if it is missing)."""
    try:
        return float(facts[chapter][key])
    except KeyError as error:
        raise KeyError(f"the claims ledger needs {chapter}::{key}, which the chapter's facts "
                       f"record lacks; rerun `scity run --only {chapter}`") from error


def numeric_verdict(recomputed: float, claimed: float, what: str) -> Verdict:
    """Compare a recomputed number with the briefing's, relative tolerance rules above."""
    diff = recomputed / claimed - 1
    size = f"{what}: {recomputed:,.2f} vs the briefing's {claimed:,.2f} ({diff:+.1%})"
    if abs(diff) <= HOLDS_TOLERANCE:
        return Verdict(HOLDS, size)
    if abs(diff) <= APPROX_TOLERANCE:
        return Verdict(APPROX, f"{size}; off by more than {HOLDS_TOLERANCE:.0%}")
    return Verdict(FAILS, f"{size}; off by more than {APPROX_TOLERANCE:.0%}")


def counts_verdict(pairs: list[tuple[str, float, float]]) -> Verdict:
    """All (label, recomputed, claimed) counts equal → holds; else list the differences."""
    off = [(label, got, want) for label, got, want in pairs if got != want]
    listing = "; ".join(f"{label} {got:,.0f}" for label, got, _ in pairs)
    if not off:
        return Verdict(HOLDS, f"all equal: {listing}")
    if all(abs(got - want) <= RANK_SLACK for _, got, want in off):
        return Verdict(APPROX, "within one: " + "; ".join(
            f"{label} {got:,.0f} vs {want:,.0f}" for label, got, want in off))
    return Verdict(FAILS, "differ: " + "; ".join(
        f"{label} {got:,.0f} vs {want:,.0f}" for label, got, want in off))


# ------------------------------------------------------------------------------ the claims
def check_c1(facts: Facts, briefing: BriefingFigures) -> Check:
    """Population about 100 million in 2050 (IPSS 2023 medium variant)."""
    value = number(facts, "population", "national_2050_interpolated_million")
    claimed = briefing.value("C1", "population_2050_million")
    verdict = numeric_verdict(value, claimed, "2050 population, million (interpolated)")
    return Check(f"{value:.1f} M in 2050 (log-linear interpolation of IPSS 2023 key figures)",
                 "IPSS 2023 national projection, key figures", verdict, "population")


def check_c2(facts: Facts, briefing: BriefingFigures) -> Check:
    """About half of inhabited areas become ageing/depopulated areas by 2050.

    The briefing's figure counts 1 km mesh cells of an undefined category (少子高齢化地域);
    neither the mesh data nor the definition is available, so the claim cannot be checked.
    The municipal approximation is reported, with the decline threshold at which it reaches
    one half of the land area, so readers can judge how far the claim depends on the definition.
    """
    share = number(facts, "population", "share_area_declining_pct")
    threshold = number(facts, "population", "decline_threshold")
    year = number(facts, "population", "target_year")
    half_at = number(facts, "population", "threshold_half_area_pct")
    detail = (f"1 km-mesh claim with an undefined category; at municipal level {share:.1f}% of "
              f"land area lies in municipalities losing ≥{threshold:.0f}% by {year:.0f}, and "
              f"one half of the land area is reached at a decline of {half_at:.0f}%")
    return Check(f"{share:.1f}% of municipal land area (≥{threshold:.0f}% decline by {year:.0f})",
                 f"IPSS regional projection, edition {facts['population'].get('edition', '?')}",
                 Verdict(UNCHECKABLE, detail), "population")


def check_c3(facts: Facts, briefing: BriefingFigures) -> Check:
    """OECD average wages 2022: Japan 25th (41.5K), Korea 19th (48.9K)."""
    ranks = [("Japan rank", number(facts, "wages", "briefing_japan_rank"),
              briefing.count("C3", "japan_rank")),
             ("Korea rank", number(facts, "wages", "briefing_korea_rank"),
              briefing.count("C3", "korea_rank"))]
    verdict = counts_verdict(ranks)
    japan_k = number(facts, "wages", "briefing_japan_wage") / 1000
    korea_k = number(facts, "wages", "briefing_korea_wage") / 1000
    wages_match = (
        abs(japan_k - briefing.value("C3", "japan_wage_thousand_usd")) <= ROUNDING_TOLERANCE
        and abs(korea_k - briefing.value("C3", "korea_wage_thousand_usd")) <= ROUNDING_TOLERANCE)
    if verdict.label == HOLDS and not wages_match:
        verdict = Verdict(APPROX, f"ranks equal, wages {japan_k:.1f}K / {korea_k:.1f}K differ")
    current = number(facts, "wages", "japan_rank")
    return Check(f"Japan {ranks[0][1]:.0f}th ({japan_k:.1f}K), Korea {ranks[1][1]:.0f}th "
                 f"({korea_k:.1f}K) in the 2022-price edition; Japan {current:.0f}th in the "
                 "current edition", "OECD AV_AN_WAGE, 2022 and 2025 price editions",
                 verdict, "wages")


def check_c4(facts: Facts, briefing: BriefingFigures) -> Check:
    """Japan's average wage almost flat 1991–2022."""
    trend = number(facts, "wages", "claim_japan_trend_pct")
    low = number(facts, "wages", "claim_japan_trend_low")
    high = number(facts, "wages", "claim_japan_trend_high")
    flat = number(facts, "wages", "claim_japan_is_flat") == 1
    detail = f"trend {trend:+.2f}% a year, 95% CI {low:+.2f} to {high:+.2f}"
    verdict = (Verdict(HOLDS, f"{detail}: the CI includes zero growth") if flat
               else Verdict(FAILS, f"{detail}: the CI excludes zero growth"))
    return Check(f"{trend:+.2f}% a year (CI {low:+.2f} to {high:+.2f})",
                 "OECD AV_AN_WAGE, 2025 price edition", verdict, "wages")


def check_c5(facts: Facts, briefing: BriefingFigures) -> Check:
    """Digital Garden City Nation KPI targets, and how far they have come."""
    count = number(facts, "kpi", "kpi_count")
    on_track = number(facts, "kpi", "kpi_on_track")
    behind = number(facts, "kpi", "kpi_behind")
    no_data = number(facts, "kpi", "kpi_no_data")
    recomputed = (f"{count:.0f} KPIs: {on_track:.0f} on track, {behind:.0f} behind, "
                  f"{no_data:.0f} without a reported actual")
    verdict = Verdict(HOLDS, "the targets are those of the official strategy (source per row); "
                             "progress is reported, not a claim of the briefing")
    return Check(recomputed, "KPI table compiled 2026-11-25 (source URL per row)", verdict, "kpi")


def check_c6(facts: Facts, briefing: BriefingFigures) -> Check:
    """Decarbonization Leading Areas rounds 1–3: 26/79, 20/50, 16/58."""
    pairs = []
    for round_no in (1, 2, 3):
        for what in ("selected", "proposals"):
            pairs.append((f"round {round_no} {what}",
                          number(facts, "programmes", f"decarb_r{round_no}_{what}"),
                          briefing.count("C6", f"r{round_no}_{what}")))
    text = ", ".join(f"{pairs[i][1]:.0f}/{pairs[i + 1][1]:.0f}" for i in range(0, 6, 2))
    return Check(text, "Ministry of the Environment round announcements (summary table)",
                 counts_verdict(pairs), "programmes")


def check_c7(facts: Facts, briefing: BriefingFigures) -> Check:
    """SDGs Future Cities 2018–2023: 182 cities, 60 model projects."""
    pairs = [("cities", number(facts, "programmes", "sdgs_cities_2018_2023"),
              briefing.count("C7", "cities_total")),
             ("model projects", number(facts, "programmes", "sdgs_model_projects_2018_2023"),
              briefing.count("C7", "model_projects_total"))]
    return Check(f"{pairs[0][1]:.0f} cities, {pairs[1][1]:.0f} model projects",
                 "Cabinet Office yearly selections (summary table)", counts_verdict(pairs),
                 "programmes")


def check_c8(facts: Facts, briefing: BriefingFigures) -> Check:
    """EU Cities Mission: 100 climate-neutral cities planned by 2030 (the EU's selection)."""
    eu_cities = number(facts, "programmes", "eu_mission_eu_cities")
    associated = number(facts, "programmes", "eu_mission_associated_cities")
    pairs = [("EU cities selected vs planned", eu_cities,
              briefing.count("C8", "cities_planned_2030"))]
    return Check(f"{eu_cities:.0f} EU cities selected (+ {associated:.0f} in associated "
                 "countries, not in the briefing)", "European Commission, 2022-04-28",
                 counts_verdict(pairs), "programmes")


def check_c9(_: Facts, __: BriefingFigures) -> Check:
    """連携中枢都市圏: 40 centre cities, 38 areas, 372 municipalities."""
    return Check("—", "no list collected",
                 Verdict(UNCHECKABLE, "no list of 連携中枢都市圏 is in the data (the 総務省 page "
                                      "was not retrievable); recorded as the briefing's figure"),
                 "claims")


def check_c10(_: Facts, __: BriefingFigures) -> Check:
    """SCI-Japan survey shares (49% → 25%, 4% → 17%)."""
    return Check("—", "the briefing's own survey",
                 Verdict(UNCHECKABLE, "SCI-Japan's survey microdata are not published; the "
                                      "shares are cited as the briefing's own data"), "claims")


def check_c11(facts: Facts, briefing: BriefingFigures) -> Check:
    """Japan Central Corridor: about 360 trillion yen GDP and 73 million people."""
    people = number(facts, "claims", "corridor_population_million")
    output = number(facts, "claims", "corridor_gpp_trillion_yen")
    year = number(facts, "claims", "corridor_gpp_fiscal_year")
    population_verdict = numeric_verdict(people, briefing.value("C11", "population_million"),
                                         "population, million")
    output_verdict = numeric_verdict(output, briefing.value("C11", "gpp_trillion_yen"),
                                     f"nominal GPP FY{year:.0f}, trillion yen")
    worst = max((population_verdict, output_verdict), key=lambda v: VERDICTS.index(v.label))
    detail = (f"{population_verdict.detail}; {output_verdict.detail}. The prefecture set is "
              "inferred (14 prefectures), not stated in the briefing")
    return Check(f"{people:.1f} M people (2020), {output:.1f} tn yen (FY{year:.0f})",
                 "Census 2020; 県民経済計算 FY2011–2022 release", Verdict(worst.label, detail),
                 "claims")


CHECKS: dict[str, Callable[[Facts, BriefingFigures], Check]] = {
    "C1": check_c1, "C2": check_c2, "C3": check_c3, "C4": check_c4, "C5": check_c5,
    "C6": check_c6, "C7": check_c7, "C8": check_c8, "C9": check_c9, "C10": check_c10,
    "C11": check_c11,
}


def ledger(claims: pd.DataFrame, figures: pd.DataFrame, facts: Facts) -> pd.DataFrame:
    """One row per claim of ``seed_claims``: claim, briefing figure, recomputed, verdict.

    Raises:
        KeyError: a claim without a check, or a check whose fact is missing.
    """
    missing = sorted(set(claims["claim_id"]) - set(CHECKS))
    if missing:
        raise KeyError(f"no check for claim(s) {missing}; add one to scityhelpers.claims.CHECKS")
    briefing = BriefingFigures(figures)
    rows = []
    for claim in claims.sort_values("claim_id", key=lambda s: s.str[1:].astype(int)).itertuples():
        check = CHECKS[claim.claim_id](facts, briefing)
        rows.append({"claim": claim.claim_id, "topic": claim.topic, "briefing says": claim.claim_en,
                     "figures": claim.figures_in_briefing, "recomputed": check.recomputed,
                     "data vintage": check.vintage, "verdict": check.verdict.label,
                     "why": check.verdict.detail, "chapter": check.chapter})
    return pd.DataFrame(rows)
