"""Selection rounds and how complete the lists are, for the programmes chapter.

Fiscal years, the SDGs and decarbonization round tables, net counts and the completeness notes
the chapter prints. Re-exported by ``compute``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scityhelpers.reference.briefing import BriefingFigures

# The briefing's figures (yearly SDGs counts, decarbonization rounds) come from the reference
# table briefing_figures through scityhelpers.reference.briefing.BriefingFigures.

#: programme keys used in every table, with their display names
FISCAL_YEAR_START_MONTH = 4


def fiscal_year(dates: pd.Series) -> pd.Series:
    """Japanese fiscal year (April–March) of each date; NaT stays missing."""
    years = dates.dt.year - (dates.dt.month < FISCAL_YEAR_START_MONTH).astype(int)
    return years.astype("Int64")


def round_fiscal_years(rounds: pd.DataFrame) -> pd.Series:
    """Fiscal year of each decarbonization round, indexed by round.

    A round whose day is not stated (round 7) comes after every dated round, so it is placed
    in the fiscal year of the latest dated round — at least as late as that.
    """
    years = fiscal_year(rounds["announced"]).set_axis(rounds["round"]).sort_index()
    return years.ffill().astype(int)


def as_of_years(sdgs_by_year: pd.DataFrame, rounds: pd.DataFrame) -> list[int]:
    """Valid cut-offs: fiscal years from the first decarbonization round to the latest data."""
    first = int(round_fiscal_years(rounds).min())
    last = max(int(sdgs_by_year["fiscal_year"].max()), int(round_fiscal_years(rounds).max()))
    return list(range(first, last + 1))


# -- counts against the briefing -----------------------------------------------------------
def _completeness_of(completeness: pd.DataFrame, programme: str) -> pd.DataFrame:
    rows = completeness[completeness["programme"] == programme].copy()
    rows["number"] = rows["selection"].str.extract(r"(\d+)$", expand=False).astype(int)
    return rows.set_index("number")


def completeness_label(known: pd.Series, announced: pd.Series) -> pd.Series:
    """"known / announced" as text (announced missing → "known / ?")."""
    return [f"{k} / {a}" if pd.notna(a) else f"{k} / ?" for k, a in
            zip(known, announced, strict=True)]


def sdgs_year_table(sdgs_by_year: pd.DataFrame, completeness: pd.DataFrame,
                    as_of: int, briefing: BriefingFigures) -> pd.DataFrame:
    """SDGs Future Cities per fiscal year up to ``as_of``: briefing vs announced vs named.

    ``selection_rate_pct`` = cities selected / proposals received (applicants), where the
    number of applicants was reported. ``named`` counts cities the list names (a joint
    proposal is one city).
    """
    table = sdgs_by_year[sdgs_by_year["fiscal_year"] <= as_of].copy()
    known = _completeness_of(completeness, "SDGs未来都市")
    table["briefing_cities"] = table["fiscal_year"].map(
        briefing.sdgs_cities_by_year()).astype("Int64")
    table["named"] = table["fiscal_year"].map(known["known"]).astype(int)
    table["unnamed"] = table["fiscal_year"].map(known["unnamed"]).astype(int)
    table["model_projects_named"] = table["fiscal_year"].map(
        known["model_projects_known"]).astype("Int64")
    table["selection_rate_pct"] = (table["cities_selected"] / table["applicants"] * 100
                                   ).astype("Float64")
    table["list_completeness"] = completeness_label(table["named"], table["cities_selected"])
    return table[["fiscal_year", "announced", "briefing_cities", "cities_selected",
                  "municipalities_selected", "applicants", "selection_rate_pct",
                  "model_projects", "model_projects_named", "named", "unnamed",
                  "list_completeness"]].reset_index(drop=True)


def briefing_sdgs_totals(sdgs_by_year: pd.DataFrame,
                         briefing: BriefingFigures) -> dict[str, int]:
    """Announced totals over the briefing's years (FY2018–2023): cities, bodies, models."""
    years = sdgs_by_year[sdgs_by_year["fiscal_year"].between(*briefing.sdgs_years())]
    return {"cities": int(years["cities_selected"].sum()),
            "bodies": int(years["municipalities_selected"].sum()),
            "model_projects": int(years["model_projects"].sum()),
            "cumulative_cities": int(years["cumulative_cities"].iloc[-1])}


def decarb_round_table(rounds: pd.DataFrame, completeness: pd.DataFrame,
                       as_of: int, briefing: BriefingFigures) -> pd.DataFrame:
    """Decarbonization rounds up to fiscal year ``as_of``: selected, proposals, rate, named.

    ``selection_rate_pct`` = proposals selected / proposals received; ``leads_named`` counts
    lead proposals the list names (co-proposers are incomplete in several rounds).
    """
    years = round_fiscal_years(rounds)
    known = _completeness_of(completeness, "脱炭素先行地域")
    table = rounds.assign(fiscal_year=rounds["round"].map(years))
    table = table[table["fiscal_year"] <= as_of].copy()
    table["selection_rate_pct"] = (table["proposals_selected"] / table["proposals_received"]
                                   * 100).astype("Float64")
    claimed = briefing.decarb_rounds()
    table["briefing_selected"] = table["round"].map(
        {r: s for r, (s, _) in claimed.items()}).astype("Int64")
    table["briefing_proposals"] = table["round"].map(
        {r: p for r, (_, p) in claimed.items()}).astype("Int64")
    table["leads_named"] = table["round"].map(known["known"]).astype(int)
    table["list_completeness"] = completeness_label(table["leads_named"],
                                                    table["proposals_selected"])
    return table[["round", "announced", "fiscal_year", "briefing_selected",
                  "briefing_proposals", "proposals_selected", "proposals_received",
                  "selection_rate_pct", "cumulative_selected", "leads_named",
                  "list_completeness"]].reset_index(drop=True)


def cumulative_net_of_withdrawals(rounds: pd.DataFrame) -> dict[str, int]:
    """Selections after the last of ``rounds``: gross, withdrawn and net, in proposals.

    The rounds file records withdrawals (辞退) only through its reported cumulative counts:
    a reported cumulative count below the running sum of selections means proposals withdrew
    by then. Rule: ``withdrawn`` is the largest such shortfall over the rounds (a later
    cumulative reported as the plain sum, as round 7's is, does not undo an earlier
    withdrawal); ``net`` = ``gross`` − ``withdrawn``.
    """
    ordered = rounds.sort_values("round")
    running = ordered["proposals_selected"].astype(int).cumsum()
    shortfall = (running - ordered["cumulative_selected"].astype("Int64")).dropna()
    withdrawn = max(int(shortfall.max()) if not shortfall.empty else 0, 0)
    gross = int(running.iloc[-1])
    return {"gross": gross, "withdrawn": withdrawn, "net": gross - withdrawn,
            "reported": int(ordered["cumulative_selected"].iloc[-1]),
            "last_round": int(ordered["round"].iloc[-1])}


def pooled_selection_rate(rounds: pd.DataFrame) -> float:
    """Selected / received over the given rounds, in percent."""
    return float(rounds["proposals_selected"].sum() / rounds["proposals_received"].sum() * 100)


# -- completeness ---------------------------------------------------------------------------
#: completeness() programme names → this module's keys
COMPLETENESS_PROGRAMMES = {"SDGs未来都市": "sdgs", "脱炭素先行地域": "decarb",
                           "スーパーシティ型国家戦略特別区域": "zones",
                           "デジタル田園健康特区(革新的事業連携型国家戦略特別区域)": "zones",
                           "EU Cities Mission": "eu"}
COMPLETENESS_WORDS = {"sdgs": ("SDGs未来都市", "cities"),
                      "decarb": ("脱炭素先行地域", "lead proposals"),
                      "zones": ("特区 zones", "municipalities"),
                      "eu": ("EU Cities Mission", "cities")}


def completeness_up_to(completeness: pd.DataFrame, as_of: int,
                       round_years: pd.Series) -> pd.DataFrame:
    """Rows of :func:`~scityhelpers.reference.programme_completeness.completeness` up to ``as_of``.

    Adds ``key`` (sdgs/decarb/zones/eu) and ``fiscal_year`` of each selection.
    """
    table = completeness.assign(key=completeness["programme"].map(COMPLETENESS_PROGRAMMES))
    number = table["selection"].str.extract(r"^(?:FY|round )(\d+)$", expand=False)
    number = pd.to_numeric(number).astype("Int64")
    year = pd.Series(pd.NA, index=table.index, dtype="Int64")
    year[table["key"] == "sdgs"] = number[table["key"] == "sdgs"]
    is_round = table["key"] == "decarb"
    year[is_round] = number[is_round].map(round_years).astype("Int64")
    dated = table["selection"].str.extract(r"^(\d{4})-(\d{2})", expand=True)
    other = table["key"].isin(["zones", "eu"])
    year[other] = (dated.loc[other, 0].astype(int)
                   - (dated.loc[other, 1].astype(int) < FISCAL_YEAR_START_MONTH)).astype("Int64")
    table["fiscal_year"] = year
    return table[table["fiscal_year"] <= as_of].reset_index(drop=True)


def completeness_note(completeness: pd.DataFrame, as_of: int, round_years: pd.Series,
                      keys: tuple[str, ...] = ("sdgs", "decarb", "zones")) -> str:
    """One sentence per programme: bodies named / announced up to ``as_of``, gaps listed."""
    table = completeness_up_to(completeness, as_of, round_years)
    parts = []
    for key in keys:
        rows = table[table["key"] == key]
        name, unit = COMPLETENESS_WORDS[key]
        gaps = rows[~rows["is_complete"]]
        gap_text = ", ".join(f"{s} {k}/{a}" for s, k, a in
                             zip(gaps["selection"], gaps["known"], gaps["announced"],
                                 strict=True))
        parts.append(f"{name}: {int(rows['known'].sum())} of "
                     f"{int(rows['announced'].sum())} {unit} named"
                     + (f" (incomplete: {gap_text})" if gap_text else " (complete)"))
    return f"List completeness up to FY{as_of} — " + "; ".join(parts) + "."


# -- who is selected -----------------------------------------------------------------------


def round_facts(round_table: pd.DataFrame) -> dict[str, Any]:
    """Each Decarbonization Leading Areas round's counts and selection rate, as facts.

    Keyed ``decarb_r<round>_selected|proposals`` (proposals) and ``decarb_r<round>_rate_pct``
    (% of proposals selected); the chapter's facts.csv chooses which are published.
    """
    facts: dict[str, Any] = {}
    for row in round_table.itertuples():
        facts[f"decarb_r{row.round}_selected"] = int(row.proposals_selected)
        facts[f"decarb_r{row.round}_proposals"] = int(row.proposals_received)
        facts[f"decarb_r{row.round}_rate_pct"] = float(row.selection_rate_pct)
    return facts
