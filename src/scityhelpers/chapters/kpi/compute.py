"""Digital Garden City Nation KPIs: each target against the latest reported actual.

The ``kpis`` table keeps targets and dates as published text (``FY2024;FY2027``, ``2025``,
``FY2019 end (2020-03-31)``, ``2022 survey (April 2022) — elementary``). This module reads
them into dates with explicit rules and applies one stated rule for "on track":

1. no reported actual up to ``as_of`` → **no data**;
2. the series cannot be compared with its target (annual counts against a cumulative
   target, K12) or the target is not a number → **not assessable**;
3. the latest actual has reached the nearest target → **on track** (target reached);
4. the nearest target's deadline passed before the actual without reaching it → **behind**;
5. otherwise, with an earlier reported actual (the *baseline*, the series' first value):
   **on track** if the latest actual is at or above the straight line from the baseline
   to the target at the actual's date, **behind** if below;
6. without a baseline: **on track** if progress (actual / target, %) is at least the share
   of the time from the strategy's adoption (2022-12-23) to the deadline that has elapsed
   at the actual's date, **behind** otherwise.

The *nearest target* is the first numeric target whose deadline is on or after the actual's
date (the next one due); if every deadline has passed, the last. Dates are those the values
refer to; a fiscal year ends on 31 March; a value with no date is placed at the date the
reports were collected (the latest it can be — the strictest test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from scityhelpers.chapters.parameters import Param

SOURCE_ID = "kpi"
#: デジタル田園都市国家構想総合戦略, Cabinet decision: the clock starts here without a baseline
STRATEGY_ADOPTED = date(2022, 12, 23)
TABLES = ("kpis",)
STATUSES = ("on track", "behind", "not assessable", "no data")
#: caveats from the reference table's SOURCES.md: KPI → (flag, why)
FLAGS = {
    "K01": ("proxy", "counts satellite offices (箇所), not local governments; offices ≥ "
                     "governments, so the proxy overstates the KPI"),
    "K02": ("single-year count", "recipients in one fiscal year; the KPI counts governments "
                                 "that have ever used it, so the value is a lower bound"),
    "K06": ("approximate", "stated as 約130都市; another page says 約100"),
    "K07": ("series break", "method changed from the FY2023-end survey; no later comparable "
                            "value"),
    "K11": ("lower bound", "stated as 「2万人強」 (just over 20,000)"),
    "K12": ("not comparable", "annual selections (regions recur across years) against a "
                              "cumulative target"),
}
#: KPIs whose reported series cannot be judged against the target at all
NOT_COMPARABLE = frozenset({"K12"})
MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})(?!\d|-\d)")
_MONTH_YEAR = re.compile(rf"({'|'.join(MONTHS)}) (\d{{4}})")
_FISCAL = re.compile(r"FY(\d{4})")
_YEAR_ONLY = re.compile(r"^\s*(\d{4})\s*$")
_LEADING_NUMBER = re.compile(r"^\s*([\d,]+(?:\.\d+)?)")
SERIES_SEPARATOR = " — "
TRACKER_COLUMNS = ["kpi_id", "series", "kpi", "kpi_en", "unit", "targets", "target_value",
                   "target_due", "actual_value", "actual_date", "actual_as_of", "is_undated",
                   "progress_pct", "required_pct", "status", "rule", "flag", "is_flagged",
                   "n_reported", "source_title", "source_url"]


# -- dates and targets ---------------------------------------------------------------------
def fiscal_year_end(year: int) -> date:
    """Last day of Japanese fiscal year ``year`` (FY2024 → 2025-03-31)."""
    return date(year + 1, 3, 31)


def month_end(year: int, month: int) -> date:
    """Last day of a month."""
    return (pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)).date()


def actual_date(text: str) -> date | None:
    """The date a reported value refers to, read from ``actual_as_of``.

    First match wins: a full ISO date; an ISO month or "April 2022" (end of that month);
    a fiscal year (its 31 March). None when no date is stated.
    """
    if match := _ISO_DAY.search(text):
        return date(*map(int, match.groups()))
    if match := _ISO_MONTH.search(text):
        return month_end(int(match[1]), int(match[2]))
    if match := _MONTH_YEAR.search(text):
        return month_end(int(match[2]), MONTHS[match[1]])
    if match := _FISCAL.search(text):
        return fiscal_year_end(int(match[1]))
    return None


def deadline(text: str) -> date | None:
    """Deadline of one target year (None for words such as "~5 years from 2022").

    The end of the last fiscal year named ("FY2022-FY2026" → 2027-03-31), or 31 December
    for a calendar year ("2025").
    """
    fiscal = _FISCAL.findall(text)
    if fiscal:
        return fiscal_year_end(int(fiscal[-1]))
    if match := _YEAR_ONLY.match(text):
        return date(int(match[1]), 12, 31)
    return None


def target_number(text: str) -> float | None:
    """The leading number of one target; None for words (十数か所, 完成, "realised by …").

    "100+" → 100 and "100 selected by FY2025" → 100.
    """
    match = _LEADING_NUMBER.match(text)
    return float(match[1].replace(",", "")) if match else None


@dataclass(frozen=True)
class Target:
    """One target of a KPI: a value (in the KPI's unit) due by a date."""

    value: float
    due: date
    text: str


def parse_targets(values: str, years: str) -> list[Target]:
    """Numeric targets with a deadline, in deadline order (``;``-separated pairs)."""
    pairs = zip(values.split(";"), years.split(";"), strict=True)
    targets = [Target(target_number(v), deadline(y), f"{v.strip()} ({y.strip()})")
               for v, y in pairs]
    usable = [t for t in targets if t.value is not None and t.due is not None]
    return sorted(usable, key=lambda t: t.due)


def nearest_target(targets: list[Target], on: date) -> Target | None:
    """The first target due on or after ``on``; the last one if all are past."""
    if not targets:
        return None
    upcoming = [t for t in targets if t.due >= on]
    return upcoming[0] if upcoming else targets[-1]


# -- observations --------------------------------------------------------------------------
def observations(kpis: pd.DataFrame, collected: date) -> pd.DataFrame:
    """Reported actuals, one row each, with ``series`` and the date they refer to.

    ``series`` splits a KPI reported separately for groups ("K03 elementary");
    ``is_undated`` marks values with no stated date, placed at ``collected``.
    """
    rows = kpis[kpis["actual_value"].notna()].copy()
    group = rows["actual_as_of"].str.partition(SERIES_SEPARATOR)[2].str.strip()
    rows["series"] = np.where(group != "", rows["kpi_id"] + " " + group, rows["kpi_id"])
    dates = rows["actual_as_of"].map(actual_date)
    rows["is_undated"] = dates.isna()
    rows["as_of_date"] = pd.to_datetime(dates.fillna(collected))
    return rows.sort_values(["kpi_id", "series", "as_of_date"], ignore_index=True)


def as_of_dates(kpis: pd.DataFrame, collected: date) -> list[str]:
    """Dates on which the assessment can change: reported actuals' dates and the collection date.

    ``as_of`` takes any date; between two of these it gives the same actuals as the earlier.
    """
    dates = observations(kpis, collected)["as_of_date"].dt.date.tolist() + [collected]
    return sorted({d.isoformat() for d in dates})


# -- the tracker ---------------------------------------------------------------------------
def _path_value(baseline: pd.Series, target: Target, on: date) -> float:
    """Value on the straight line from the baseline to the target at ``on``."""
    start = baseline["as_of_date"].date()
    span = (target.due - start).days
    share = (on - start).days / span if span > 0 else 1.0
    return float(baseline["actual_value"] + (target.value - baseline["actual_value"]) * share)


def _elapsed_pct(target: Target, on: date) -> float:
    """Share (%) of the time from the strategy's adoption to the deadline elapsed at ``on``."""
    span = (target.due - STRATEGY_ADOPTED).days
    return float(np.clip((on - STRATEGY_ADOPTED).days / span, 0, 1) * 100)


def _target_fields(target: Target | None) -> dict:
    if target is None:
        return {}
    return {"target_value": target.value, "target_due": pd.Timestamp(target.due)}


def assess(history: pd.DataFrame, targets: list[Target], kpi_id: str) -> dict:
    """Status of one series (rows sorted by date, all up to ``as_of``) by the module's rule."""
    latest = history.iloc[-1]
    on = latest["as_of_date"].date()
    target = nearest_target(targets, on)
    result = {"actual_value": latest["actual_value"], "actual_date": latest["as_of_date"],
              "actual_as_of": latest["actual_as_of"], "is_undated": latest["is_undated"],
              "source_url": latest["actual_source_url"],
              "source_title": latest["actual_source_title"], "n_reported": len(history)}
    if target is None:
        return {**result, "status": "not assessable", "rule": "no numeric target"}
    result |= _target_fields(target)
    if kpi_id in NOT_COMPARABLE:
        return {**result, "status": "not assessable", "rule": "series not comparable"}
    progress = latest["actual_value"] / target.value * 100
    result["progress_pct"] = progress
    if progress >= 100:
        return {**result, "status": "on track", "rule": "target reached",
                "required_pct": 100.0}
    if target.due < on:
        return {**result, "status": "behind", "rule": "deadline passed",
                "required_pct": 100.0}
    if len(history) > 1:
        required = _path_value(history.iloc[0], target, on) / target.value * 100
        rule = "linear path from the first reported value"
    else:
        required = _elapsed_pct(target, on)
        rule = "progress vs time elapsed since 2022-12-23"
    status = "on track" if progress >= required else "behind"
    return {**result, "status": status, "rule": rule, "required_pct": required}


def tracker(kpis: pd.DataFrame, as_of: date, collected: date) -> pd.DataFrame:
    """One row per KPI series: target, latest actual up to ``as_of``, progress, status."""
    observed = observations(kpis, collected)
    observed = observed[observed["as_of_date"].dt.date <= as_of]
    rows = []
    for kpi_id, kpi in kpis.groupby("kpi_id", sort=True):
        first = kpi.iloc[0]
        targets = parse_targets(first["target_value"], first["target_year"])
        base = {"kpi_id": kpi_id, "kpi": first["kpi"], "kpi_en": first["kpi_en"],
                "unit": first["unit"], "targets": f"{first['target_value']} "
                                                  f"({first['target_year']})",
                "flag": FLAGS.get(kpi_id, ("", ""))[0]}
        series = observed[observed["kpi_id"] == kpi_id]
        if series.empty:
            rows.append({**base, "series": kpi_id, "status": "no data",
                         "rule": "no reported actual",
                         **_target_fields(nearest_target(targets, as_of))})
            continue
        for name, history in series.groupby("series", sort=True):
            rows.append({**base, "series": name, **assess(history, targets, kpi_id)})
    table = pd.DataFrame(rows).reindex(columns=TRACKER_COLUMNS)
    table["is_flagged"] = table["flag"] != ""
    for column in ("target_due", "actual_date"):
        table[column] = pd.to_datetime(table[column])
    return table


def kpi_status(table: pd.DataFrame) -> pd.Series:
    """One status per KPI: a KPI reported for several groups is behind if any group is."""
    order = {status: i for i, status in enumerate(["behind", "on track", "not assessable",
                                                   "no data"])}
    return table.groupby("kpi_id")["status"].agg(lambda s: min(s, key=order.__getitem__))


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """KPIs per status (every status present, zeros included)."""
    counts = kpi_status(table).value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def series_facts(table: pd.DataFrame) -> dict[str, Any]:
    """Every per-series fact the tracker can publish, keyed ``<series>_<what>``.

    For each series (``K03 elementary`` → ``k03_elementary``): its status and, when it has a
    reported actual, the actual (in the KPI's own unit) and its date; the nearest numeric
    target and its due date; the progress made and the progress a straight path requires
    (% of the way from baseline to target). The chapter's facts.csv chooses which are published.
    """
    facts: dict[str, Any] = {}
    for row in table.itertuples():
        key = row.series.lower().replace(" ", "_")
        facts[f"{key}_status"] = row.status
        if row.status == "no data":
            continue
        facts[f"{key}_actual"] = float(row.actual_value)
        facts[f"{key}_actual_date"] = f"{row.actual_date:%Y-%m-%d}"
        if pd.notna(row.target_value):
            facts[f"{key}_target"] = float(row.target_value)
            facts[f"{key}_target_due"] = f"{row.target_due:%Y-%m-%d}"
        if pd.notna(row.progress_pct):
            facts[f"{key}_progress_pct"] = float(row.progress_pct)
            facts[f"{key}_required_pct"] = float(row.required_pct)
    return facts


def readable_number(value: float) -> str:
    """A value as a reader writes it: thousands separated, no exponent, no trailing zeros.

    >>> readable_number(2300000.0), readable_number(99.84), readable_number(1348.0)
    ('2,300,000', '99.84', '1,348')
    """
    if pd.isna(value):
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def _actual_text(row: Any, value_text: str) -> str:
    if not value_text:
        return "none found"
    if row.is_undated is True:
        return f"{value_text} (date not stated; taken as {row.actual_date:%Y-%m-%d})"
    return f"{value_text} ({row.actual_date:%Y-%m-%d})"


def reader_table(table: pd.DataFrame) -> pd.DataFrame:
    """The tracker as readers need it: one row per KPI series, in words and plain numbers.

    Columns: KPI (id, Japanese name, English name), target (value and unit, due date),
    latest actual (value and unit, its date), progress (actual / target, %) and status
    (with the flag when the series is a proxy, a break or a bound). Units are the strategy's
    own (団体, %, 人 …); dates are ISO; missing values are an empty cell.
    """
    def _with_unit(value: float, unit: str) -> str:
        number = readable_number(value)
        if not number:
            return ""
        return f"{number}%" if unit == "%" else f"{number} {unit}"

    rows = []
    for row in table.itertuples(index=False):
        group = row.series.removeprefix(row.kpi_id).strip()
        rows.append({
            "KPI": row.kpi_id + (f" ({group})" if group else ""),
            "指標 Indicator": f"{row.kpi} — {row.kpi_en}",
            "目標 Target": (f"{_with_unit(row.target_value, row.unit)} by "
                          f"{row.target_due:%Y-%m-%d}" if pd.notna(row.target_value)
                          else row.targets),
            "最新実績 Latest actual": _actual_text(row, _with_unit(row.actual_value, row.unit)),
            "進捗 Progress": "" if pd.isna(row.progress_pct) else f"{row.progress_pct:.0f}%",
            "状況 Status": row.status + (f" ({row.flag})" if row.flag else ""),
        })
    return pd.DataFrame(rows)


# -- parameters ----------------------------------------------------------------------------
def collected_date() -> date:
    """The date the reports were collected (the reference table's retrieval date)."""
    from scityhelpers.pipeline.manifest import get_source

    return date.fromisoformat(get_source(SOURCE_ID).files[0].retrieved)


def _kpis() -> pd.DataFrame:
    from scityhelpers.pipeline.tidy import load

    return load("kpis")


PARAMS = (
    Param("as_of", str,
          "any ISO date (YYYY-MM-DD): each KPI's latest actual on or before it is assessed "
          "(default: the date the reports were collected)",
          parse=date.fromisoformat),
)
