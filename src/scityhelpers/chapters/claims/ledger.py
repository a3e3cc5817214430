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
  1 km mesh) → cannot be checked, with the reason and the nearest approximation;
- statements that are not checkable facts — targets the government set (C5) and the briefing's
  own survey (C10) — get their own category, ``NOT_FACTUAL``, and never count as holding;
- argument-level claims (C12, C13) get a rule each, stated in their check below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scityhelpers.reference.briefing import BriefingFigures

HOLDS = "holds"
APPROX = "holds approximately"
FAILS = "does not hold"
UNCHECKABLE = "cannot be checked"
NOT_FACTUAL = "not a checkable fact"
VERDICTS = (HOLDS, APPROX, FAILS, UNCHECKABLE, NOT_FACTUAL)
#: CSS class of each verdict in the rendered ledger (book/_static/claims.css)
VERDICT_CLASSES = {HOLDS: "verdict-holds", APPROX: "verdict-approx", FAILS: "verdict-fails",
                   UNCHECKABLE: "verdict-uncheckable", NOT_FACTUAL: "verdict-not-factual"}

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
    """What the ledger prints for one claim besides the claim itself.

    ``section`` is the anchor (MyST label) of the chapter section that computes the value;
    ``rule`` the verdict rule in one sentence; ``value`` and ``unit`` the headline recomputed
    number for the machine-readable ledger (None where the claim has no single number).
    """

    recomputed: str
    vintage: str
    verdict: Verdict
    chapter: str
    section: str = ""
    rule: str = ""
    value: float | None = None
    unit: str = ""


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
    """Population about 100 million in 2050: the published IPSS 2023 figure (table 1-1).

    The log-linear interpolation between published key figures is kept as a labelled
    cross-check, never as the compared value.
    """
    value = number(facts, "claims", "national_2050_published_million")
    interpolated = number(facts, "population", "national_2050_interpolated_million")
    claimed = briefing.value("C1", "population_2050_million")
    verdict = numeric_verdict(value, claimed, "published 2050 population, million")
    verdict = Verdict(verdict.label, f"{verdict.detail}; cross-check: a log-linear "
                                     f"interpolation of the key figures gives {interpolated:.1f}")
    return Check(f"{value:.1f} M in 2050 (IPSS 2023 published, medium variant); "
                 f"interpolation cross-check {interpolated:.1f} M",
                 "IPSS 2023 national projection, results table 1-1", verdict, "claims",
                 "claims-c1", "numbers: within 5% holds, within 15% holds approximately",
                 value, "million persons")


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
                 Verdict(UNCHECKABLE, detail), "population", "population-half-area",
                 "shares of an undefined category on data the book lacks: cannot be checked",
                 share, "% of land area")


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
                 verdict, "wages", "wages-ranking",
                 "ranks equal holds, off by one holds approximately; wages to the printed 0.1K",
                 ranks[0][1], "rank")


def check_c4(facts: Facts, briefing: BriefingFigures) -> Check:
    """Japan's average wage almost flat 1991–2022 (and the OECD average over the same years)."""
    trend = number(facts, "wages", "claim_japan_trend_pct")
    low = number(facts, "wages", "claim_japan_trend_low")
    high = number(facts, "wages", "claim_japan_trend_high")
    flat = number(facts, "wages", "claim_japan_is_flat") == 1
    japan = number(facts, "wages", "claim_japan_change_pct")
    oecd = number(facts, "wages", "claim_oecd_change_pct")
    start, end = briefing.wage_window()
    detail = (f"trend {trend:+.2f}% a year, 95% CI {low:+.2f} to {high:+.2f}; over "
              f"{start}–{end} Japan {japan:+.1f}%, OECD average {oecd:+.1f}%")
    verdict = (Verdict(HOLDS, f"{detail}: the CI includes zero growth") if flat
               else Verdict(FAILS, f"{detail}: the CI excludes zero growth"))
    return Check(f"{trend:+.2f}% a year (CI {low:+.2f} to {high:+.2f}); {start}–{end}: Japan "
                 f"{japan:+.1f}%, OECD average {oecd:+.1f}%",
                 "OECD AV_AN_WAGE, 2025 price edition", verdict, "wages", "wages-flat",
                 "trends: flat holds when the 95% CI of the growth rate includes zero",
                 trend, "% a year")


def check_c5(facts: Facts, briefing: BriefingFigures) -> Check:
    """Digital Garden City Nation KPI targets: targets, not a factual claim; progress reported.

    Every KPI falls in exactly one group (on track, behind, no reported actual, not
    assessable); progress that rests on a flagged series (counts of offices not governments,
    single-year counts, a method break, a lower bound, an undated actual) is named.

    Raises:
        ValueError: the groups do not add up to the number of KPIs.
    """
    count = number(facts, "kpi", "kpi_count")
    groups = {"on track": number(facts, "kpi", "kpi_on_track"),
              "behind": number(facts, "kpi", "kpi_behind"),
              "without a reported actual": number(facts, "kpi", "kpi_no_data"),
              "not assessable": number(facts, "kpi", "kpi_not_assessable")}
    if sum(groups.values()) != count:
        raise ValueError(f"KPI groups {groups} do not add up to {count:.0f} KPIs; check the kpi "
                         "chapter's status rule")
    flagged = number(facts, "kpi", "kpi_on_track_flagged")
    flagged_ids = facts["kpi"]["kpi_on_track_flagged_ids"]
    on_track = groups["on track"]
    recomputed = (f"{count:.0f} KPIs: {on_track:.0f} on track ({flagged:.0f} of them resting on "
                  f"flagged series: {flagged_ids}; {on_track - flagged:.0f} plainly), "
                  f"{groups['behind']:.0f} behind, {groups['without a reported actual']:.0f} "
                  f"without a reported actual, {groups['not assessable']:.0f} not assessable "
                  f"({facts['kpi']['kpi_not_assessable_ids']})")
    verdict = Verdict(NOT_FACTUAL, "a list of targets set by the government, not a statement of "
                                   "fact; progress towards them is reported, not scored")
    return Check(recomputed, "KPI table compiled 2026-11-25 (source URL per row)", verdict, "kpi",
                 "kpi-tracker", "targets are not checkable facts; progress reported, not scored",
                 on_track - flagged, "KPIs plainly on track")


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
                 counts_verdict(pairs), "programmes", "programmes-counts",
                 "counts: equal holds, off by one holds approximately", pairs[0][1],
                 "proposals selected in round 1")


def check_c7(facts: Facts, briefing: BriefingFigures) -> Check:
    """SDGs Future Cities 2018–2023: 182 cities, 60 model projects."""
    pairs = [("cities", number(facts, "programmes", "sdgs_cities_2018_2023"),
              briefing.count("C7", "cities_total")),
             ("model projects", number(facts, "programmes", "sdgs_model_projects_2018_2023"),
              briefing.count("C7", "model_projects_total"))]
    return Check(f"{pairs[0][1]:.0f} cities, {pairs[1][1]:.0f} model projects",
                 "Cabinet Office yearly selections (summary table)", counts_verdict(pairs),
                 "programmes", "programmes-counts",
                 "counts: equal holds, off by one holds approximately", pairs[0][1], "cities")


def check_c8(facts: Facts, briefing: BriefingFigures) -> Check:
    """EU: 100 climate-neutral cities planned by 2030; the cities selected so far ("71").

    Rule: the planned figure is compared with the official selection in EU member states
    (counts rule); the briefing's list is matched name by name with the official selection of
    2022-04-28. Holds when the planned figure matches, every listed name is an official Mission
    city and the heading's count equals the names listed; holds approximately when only the
    heading's count is off, by at most ``RANK_SLACK``; otherwise does not hold.
    """
    eu_cities = number(facts, "programmes", "eu_mission_eu_cities")
    associated = number(facts, "programmes", "eu_mission_associated_cities")
    listed = number(facts, "claims", "eu_list_names")
    matched = number(facts, "claims", "eu_list_matched")
    unmatched = facts["claims"]["eu_list_unmatched"]
    heading = briefing.count("C8", "cities_listed")
    planned = counts_verdict([("EU cities selected vs planned", eu_cities,
                               briefing.count("C8", "cities_planned_2030"))])
    names = (f"the list headed {heading} cities shows {listed:.0f} names, {matched:.0f} of them "
             f"official Mission cities (not matched: {unmatched}); the official selection has "
             f"{eu_cities:.0f} EU + {associated:.0f} associated-country cities")
    if planned.label == HOLDS and matched == listed and listed == heading:
        verdict = Verdict(HOLDS, f"{planned.detail}; {names}")
    elif planned.label == HOLDS and matched == listed and abs(listed - heading) <= RANK_SLACK:
        verdict = Verdict(APPROX, f"{planned.detail}; {names}; the heading's count differs from "
                                  "the names printed")
    else:
        verdict = Verdict(FAILS, f"{planned.detail}; {names}")
    return Check(f"{eu_cities:.0f} EU cities selected for the 2030 mission; the briefing's list: "
                 f"{listed:.0f} names, {matched:.0f} matched", "European Commission, 2022-04-28",
                 verdict, "claims", "claims-c8",
                 "planned count vs official selection; list matched name by name", matched,
                 "names matched")


def check_c9(facts: Facts, briefing: BriefingFigures) -> Check:
    """連携中枢都市圏 on 2023-04-01: 40 centre cities, 38 areas, 372 municipalities.

    Rule: the member list is partial, so the counts cannot be checked for the claim's date;
    what the list knows of each announced count is reported, with the official count for the
    nearest date the sources give.
    """
    areas = number(facts, "claims", "renkei_areas_known")
    centres = number(facts, "claims", "renkei_centres_known")
    members = number(facts, "claims", "renkei_member_entries_confirmed")
    official = {k: number(facts, "claims", f"renkei_official_{k}")
                for k in ("centre_cities", "areas", "municipalities")}
    official_date = facts["claims"]["renkei_official_as_of"]
    known = (f"known of announced: {areas:.0f} of {briefing.count('C9', 'areas')} areas, "
             f"{centres:.0f} of {briefing.count('C9', 'centre_cities')} centre cities, "
             f"{members:.0f} confirmed of {briefing.count('C9', 'municipalities')} member entries")
    detail = (f"{known}; the official count on {official_date} is "
              f"{official['centre_cities']:.0f} centre cities, {official['areas']:.0f} areas, "
              f"{official['municipalities']:.0f} municipalities (a year after the claim's date)")
    return Check(known, "member list compiled 2026-11-29 (partial); 総務省 count",
                 Verdict(UNCHECKABLE, detail), "claims", "claims-c9",
                 "partial list: known-of-announced reported; no verdict on the counts", areas,
                 "areas known")


def check_c10(_: Facts, __: BriefingFigures) -> Check:
    """SCI-Japan survey shares (49% → 25%, 4% → 17%): the briefing's own survey."""
    return Check("—", "the briefing's own survey",
                 Verdict(NOT_FACTUAL, "the briefing's own survey: its microdata are not "
                                      "published, so the shares are the briefing's data, not a "
                                      "checkable statement about public data"), "claims",
                 "claims-rules", "the briefing's own survey is not a checkable fact")


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
                 "claims", "claims-c11", "numbers: within 5% holds, within 15% holds approximately",
                 people, "million persons")


def check_c12(facts: Facts, briefing: BriefingFigures) -> Check:
    """Digitalisation holds the key to productivity: judged as an association only.

    Rule: the data can test an association, not a cause. The claim holds (as an association)
    when both (a) the within-country association — two-way fixed effects, 95% CI — is positive
    and excludes zero and (b) adding the digital measures lowers the out-of-sample forecast
    error of productivity growth; holds approximately when one of the two does; otherwise does
    not hold.
    """
    digital = "digital_productivity"
    coef = number(facts, digital, "twfe_composite_coef")
    low = number(facts, digital, "twfe_composite_ci_low")
    high = number(facts, digital, "twfe_composite_ci_high")
    with_digital = number(facts, digital, "cv_rmse_with_digital")
    without = number(facts, digital, "cv_rmse_without_digital")
    association = low > 0
    forecast_gain = with_digital < without
    detail = (f"within-country association {coef:+.3f} log points per SD (95% CI {low:+.3f} to "
              f"{high:+.3f}): {'excludes' if association else 'includes'} zero; forecast error "
              f"{with_digital:.2f} with the digital measures vs {without:.2f} without: "
              f"{'a gain' if forecast_gain else 'no gain'}. Causation is not checkable here")
    label = {2: HOLDS, 1: APPROX, 0: FAILS}[int(association) + int(forecast_gain)]
    return Check(f"within-country {coef:+.3f} (CI {low:+.3f} to {high:+.3f}); forecast RMSE "
                 f"{with_digital:.2f} vs {without:.2f}", "OECD, UN EGDI, World Bank panel",
                 Verdict(label, detail), digital, "digital-within",
                 "association and forecasting gain both: holds; one: approximately; none: not",
                 coef, "log points per SD of the digital composite")


def check_c13(facts: Facts, briefing: BriefingFigures) -> Check:
    """Japan's productivity stagnates while the gap to Europe, the US and Korea widens.

    Rule: for each comparator (US, Europe = mean of the four largest European economies,
    Korea) the gap "widens" when Japan is behind at the end of the window and further behind
    than at the start (GDP per hour, the years all have data). Widening for all comparators
    holds; for all but one holds approximately; otherwise does not hold.
    """
    comparators = ("usa", "europe", "korea")
    widening = {c: number(facts, "wages", f"gap_{c}_is_widening") == 1 for c in comparators}
    parts = [f"{c}: {number(facts, 'wages', f'gap_{c}_start_pct'):+.1f}% → "
             f"{number(facts, 'wages', f'gap_{c}_end_pct'):+.1f}% "
             f"({'widens' if widening[c] else 'does not widen'})" for c in comparators]
    start = number(facts, "wages", "gap_start_year")
    end = number(facts, "wages", "gap_end_year")
    growth = number(facts, "wages", "japan_gap_cagr_pct")
    n_widening = sum(widening.values())
    label = (HOLDS if n_widening == len(comparators)
             else APPROX if n_widening == len(comparators) - 1 else FAILS)
    detail = (f"Japan's GDP per hour {start:.0f}–{end:.0f}: {growth:+.2f}% a year; Japan against "
              + "; ".join(parts))
    return Check(f"gap widens for {n_widening} of {len(comparators)} comparators; Japan "
                 f"{growth:+.2f}% a year", "OECD Productivity Database, GDP per hour worked",
                 Verdict(label, detail), "wages", "wages-productivity",
                 "gap widens for every comparator: holds; all but one: approximately", n_widening,
                 "comparators with a widening gap")


CHECKS: dict[str, Callable[[Facts, BriefingFigures], Check]] = {
    "C1": check_c1, "C2": check_c2, "C3": check_c3, "C4": check_c4, "C5": check_c5,
    "C6": check_c6, "C7": check_c7, "C8": check_c8, "C9": check_c9, "C10": check_c10,
    "C11": check_c11, "C12": check_c12, "C13": check_c13,
}


def ledger(claims: pd.DataFrame, figures: pd.DataFrame, facts: Facts) -> pd.DataFrame:
    """One row per claim of ``seed_claims``: claim, briefing figure, recomputed, verdict.

    Raises:
        KeyError: a claim without a check, or a check whose fact is missing.
    """
    missing = sorted(set(claims["claim_id"]) - set(CHECKS))
    if missing:
        raise KeyError(f"no check for claim(s) {missing}; add one to "
                       "scityhelpers.chapters.claims.ledger.CHECKS")
    briefing = BriefingFigures(figures)
    rows = []
    for claim in claims.sort_values("claim_id", key=lambda s: s.str[1:].astype(int)).itertuples():
        check = CHECKS[claim.claim_id](facts, briefing)
        rows.append({"claim": claim.claim_id, "topic": claim.topic, "briefing says": claim.claim_en,
                     "figures": claim.figures_in_briefing, "recomputed": check.recomputed,
                     "data vintage": check.vintage, "verdict": check.verdict.label,
                     "why": check.verdict.detail, "chapter": check.chapter,
                     "section": check.section, "rule": check.rule, "value": check.value,
                     "unit": check.unit})
    return pd.DataFrame(rows)
