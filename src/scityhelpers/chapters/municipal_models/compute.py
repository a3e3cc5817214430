"""Municipal models: who is selected for national programmes, and digital maturity vs income.

Two cross-sections over Japan's 1,741 municipalities (the 1,747 of the code list without the
six Northern-Territories villages, which have no administration):

1. **Selection.** Which municipalities became SDGs未来都市 (Cabinet Office) or lead proposers of
   a 脱炭素先行地域 (Ministry of the Environment)? Only selections whose every body is listed
   in the reference tables are used (from :mod:`scityhelpers.reference.programme_completeness`,
   announced counts vs
   rows, never assumed), so a municipality coded "not selected" really was not selected then.
   Prefectures selected as a whole are not municipal selections and are left out of the
   outcome. A logistic regression (odds ratios per standard deviation) and a gradient-boosting
   classifier (stratified k-fold cross-validation) describe who is selected.
2. **Digital maturity and income.** Log taxable income per taxpayer on a principal-component
   composite of the デジタル庁 DX dashboard indicators and the My Number card issuance rate,
   with prefecture fixed effects and errors clustered by prefecture.

Both are associations in a cross-section: they cannot separate cause from selection.
Rows with a missing value are never dropped silently: every fit reports the rows available, the
rows used and why the others were left out (:class:`RowAccount`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scityhelpers.chapters.parameters import Param
from scityhelpers.errors import ModelDataError
from scityhelpers.sources.programmes import LEAD_ROLES  # lead and joint-lead proposers

# -- what the chapter reads ------------------------------------------------------------------
TABLES = ("municipalities", "population_2015_2020", "municipal_projection",
          "fiscal_indicators", "taxable_income", "mynumber_card", "local_gov_dx",
          "sdgs_future_cities", "sdgs_by_year", "decarbonization_areas",
          "decarbonization_rounds", "prefectural_capitals")

PROGRAMMES = ("sdgs", "decarbonization", "either")
PROGRAMME_LABELS = {"sdgs": "SDGs未来都市 SDGs Future Cities",
                    "decarbonization": "脱炭素先行地域 Decarbonization Leading Areas (leads)",
                    "either": "either programme (SDGs未来都市 or 脱炭素先行地域 lead)"}
PROJECTION_BASE_YEAR = 2020  # projected change runs from 2020 to the edition's last year
MIN_CV_FOLDS = 2
MAX_CV_FOLDS = 10
MAX_SEED = 2**32 - 1
CI_LEVEL = 0.95
QUINTILES = 5
CALIBRATION_BINS = 10
BINNED_SCATTER_BINS = 20
PERMUTATION_REPEATS = 10
WILD_BOOTSTRAP_REPS = 1999  # replications of the wild cluster bootstrap (seeded)
#: gradient boosting: shallow trees, slow learning, row subsampling (fixed; seeded)
GB_SETTINGS = {"n_estimators": 200, "learning_rate": 0.05, "max_depth": 2, "subsample": 0.8,
               "min_samples_leaf": 20}

#: municipal type (総務省 list) → dummy column; 市 (ordinary city) is the reference category
TYPE_DUMMIES = {"政令指定都市": "is_designated_city", "特別区": "is_special_ward",
                "町": "is_town", "村": "is_village"}
REFERENCE_TYPE = "市"

#: continuous features of the selection model, scaled per standard deviation
SELECTION_CONTINUOUS = ("log_population", "projected_change_pct", "share_65plus_pct",
                        "log_area", "fiscal_capacity_index", "log_income_per_taxpayer")
SELECTION_BINARY = (*TYPE_DUMMIES.values(), "is_prefectural_capital")
SELECTION_FEATURES = (*SELECTION_CONTINUOUS, *SELECTION_BINARY)
INCOME_CONTROLS = ("log_population", "share_65plus_pct", "projected_change_pct",
                   *TYPE_DUMMIES.values())

FEATURE_LABELS = {
    "log_population": "人口 log population 2020",
    "projected_change_pct": "推計人口増減率 projected change to last year (%)",
    "share_65plus_pct": "65歳以上割合 share aged 65+ (%)",
    "log_area": "面積 log area (km², 2015)",
    "fiscal_capacity_index": "財政力指数 fiscal capability index",
    "log_income_per_taxpayer": "課税対象所得 log income per taxpayer",
    "is_designated_city": "政令指定都市 designated city",
    "is_special_ward": "特別区 special ward",
    "is_town": "町 town",
    "is_village": "村 village",
    "is_prefectural_capital": "県庁所在地 prefectural capital",
}

#: DX indicators (tidy column → label). ``mynumber_issuance_pct`` comes from the 総務省 issuance
#: table (2022-12-31); the others from the デジタル庁 dashboard (2024-07 release).
DX_INDICATORS = {
    "mynumber_issuance_pct": "マイナンバーカード交付率 card issuance 2022 (%)",
    "mynumber_card_holding_pct": "マイナンバーカード保有率 card holding 2024 (%)",
    "common_32_online_pct": "よく使う32手続オンライン化 common procedures online (%)",
    "childcare_care_26_online_pct": "子育て・介護26手続オンライン化 care procedures online (%)",
    "has_ai": "AI導入 AI adopted",
    "has_rpa": "RPA導入 RPA adopted",
    "has_telework": "テレワーク導入 telework adopted",
    "has_cio": "CIO任命 CIO appointed",
    "has_cio_adviser": "CIO補佐官 CIO adviser",
    "has_dx_policy": "全体方針 DX policy",
    "has_dx_organisation": "全庁的体制 DX organisation",
    "has_external_talent": "外部人材 external talent",
    "has_staff_development": "職員育成 staff development",
    "has_all_staff_training": "全職員研修 all-staff training",
}
#: the composite uses every indicator by default (no picking); the chapter shows each alone
DEFAULT_INDICATORS = tuple(DX_INDICATORS)


# == units and features ======================================================================
def municipal_units(municipalities: pd.DataFrame) -> pd.DataFrame:
    """Today's municipalities without the Northern-Territories villages (1,741), code order.

    Designated cities are whole cities (their wards are not units); the 23 special wards are.
    """
    units = municipalities[(municipalities["level"] == "municipality")
                           & ~municipalities["is_hoppo"]]
    columns = ["code5", "pref_code", "pref_name", "name", "type"]
    return units[columns].sort_values("code5").reset_index(drop=True)


def prefectural_capital_codes() -> frozenset[str]:
    """``code5`` of the 47 prefectural capitals (reference table ``prefectural_capitals``)."""
    from scityhelpers.pipeline.tidy import load

    return frozenset(load("prefectural_capitals")["code5"])


def projected_change(projection: pd.DataFrame, base_year: int = PROJECTION_BASE_YEAR
                     ) -> pd.Series:
    """Projected population change from ``base_year`` to the edition's last year, percent.

    Negative = shrinking. Municipalities the edition does not project (Fukushima in the 2018
    edition) are absent from the result, not zero.
    """
    last_year = int(projection["year"].max())
    wide = projection.pivot(index="code5", columns="year", values="population_persons")
    change = (wide[last_year] / wide[base_year] - 1) * 100
    return change.rename("projected_change_pct")


def municipal_features(units: pd.DataFrame, population: pd.DataFrame, projection: pd.DataFrame,
                       fiscal: pd.DataFrame, income: pd.DataFrame,
                       capitals: frozenset[str]) -> pd.DataFrame:
    """One row per unit: size, ageing, projected decline, area, fiscal capability, income.

    Units: persons; share and change in percent; area km² (2015 census, mapped to today's
    codes); income = taxable income per taxpayer (thousand yen, income of 2023). Logs are
    natural.
    Missing inputs stay missing (NaN); :func:`complete_rows` accounts for them.
    """
    frame = units.copy()
    pop = population.set_index("code5")
    persons = frame["code5"].map(pop["population_2020_persons"]).astype("Float64")
    persons = persons.where(persons > 0).astype(float)  # 双葉町: 0 enumerated in 2020
    frame["population_2020_persons"] = persons
    frame["log_population"] = np.log(persons)
    frame["share_65plus_pct"] = (frame["code5"].map(pop["age65plus_2020_persons"])
                                 .astype(float) / persons * 100)
    frame["log_area"] = np.log(frame["code5"].map(pop["area_2015_km2"]).astype(float))
    frame["projected_change_pct"] = frame["code5"].map(projected_change(projection))
    frame["fiscal_capacity_index"] = frame["code5"].map(
        fiscal.set_index("code5")["fiscal_capacity_index"])
    per_taxpayer = income.set_index("code5")["taxable_income_per_taxpayer_thousand_yen"]
    frame["income_per_taxpayer_thousand_yen"] = frame["code5"].map(per_taxpayer)
    frame["log_income_per_taxpayer"] = np.log(frame["income_per_taxpayer_thousand_yen"])
    for municipal_type, column in TYPE_DUMMIES.items():
        frame[column] = (frame["type"] == municipal_type).astype(float)
    frame["is_prefectural_capital"] = frame["code5"].isin(capitals).astype(float)
    return frame


# == which selections are complete ===========================================================
def selection_completeness(sdgs: pd.DataFrame, decarbonization: pd.DataFrame) -> pd.DataFrame:
    """The book's completeness rows (``reference.programme_completeness``), keyed for the models.

    ``sdgs`` and ``decarbonization`` are
    :func:`scityhelpers.reference.programme_completeness.sdgs_completeness` and
    :func:`~scityhelpers.reference.programme_completeness.decarbonization_completeness`. Adds
    ``is_listed``: every
    announced body is in the table, named or not (``known + unnamed == announced``). The models
    use listed selections: FY2021 of the SDGs list is listed but not complete (one body lost its
    name in the briefing); coding that one body "not selected" misclassifies at most one
    municipality, while dropping the year would misclassify the thirty named ones.
    """
    table = pd.concat([sdgs.assign(programme="sdgs"),
                       decarbonization.assign(programme="decarbonization")], ignore_index=True)
    table["selection"] = table["selection"].str.extract(r"(\d+)$", expand=False).astype(int)
    table["announced"] = table["announced"].astype("Int64")
    known = table["known"] + table["unnamed"]
    table["is_complete"] = ((table["known"] == table["announced"]).fillna(False).astype(bool)
                            & (table["unnamed"] == 0))
    table["is_listed"] = (known == table["announced"]).fillna(False).astype(bool)
    columns = ["programme", "selection", "announced", "known", "unnamed", "is_complete",
               "is_listed"]
    return table[columns].sort_values(["programme", "selection"]).reset_index(drop=True)


def complete_selections(completeness: pd.DataFrame, programme: str) -> list[int]:
    """Fiscal years (SDGs) or rounds (decarbonization) with every selected body listed."""
    rows = completeness[(completeness["programme"] == programme) & completeness["is_listed"]]
    return sorted(int(s) for s in rows["selection"])


#: how a municipality named only in incomplete selections is coded: left out of both groups
#: (the rule of every chapter: the programmes chapter's group comparison does the same) or,
#: as the alternative shown beside it, coded "not selected"
INCOMPLETE_RULES = ("exclude", "zero")


def selection_outcomes(units: pd.DataFrame, sdgs: pd.DataFrame, decarb: pd.DataFrame,
                       completeness: pd.DataFrame, incomplete: str = "exclude") -> pd.DataFrame:
    """``is_selected_<programme>`` (1/0/NA) for every unit, from complete selections.

    Bodies selected as a whole prefecture are not municipal selections and are ignored;
    decarbonization counts lead and joint-lead proposers only (co-proposers are named only in
    part in every round). A municipality named only in incomplete selections of a programme is
    NA for it (``incomplete="exclude"``, left out of both groups) or 0 (``"zero"``); "either"
    is 1 when one programme is 1, NA when neither is 1 and one is NA.

    Raises:
        ValueError: an unknown ``incomplete`` rule.
    """
    if incomplete not in INCOMPLETE_RULES:
        raise ValueError(f"incomplete must be one of {INCOMPLETE_RULES}, not {incomplete!r}")
    sdgs_years = complete_selections(completeness, "sdgs")
    decarb_rounds = complete_selections(completeness, "decarbonization")
    sdgs_named = sdgs[~sdgs["is_prefecture"] & sdgs["is_resolved"]]
    decarb_named = decarb[~decarb["is_prefecture"] & decarb["role"].isin(LEAD_ROLES)]
    outcome = units[["code5"]].copy()
    for name, named, in_complete in (
            ("sdgs", sdgs_named, sdgs_named["fiscal_year"].isin(sdgs_years)),
            ("decarbonization", decarb_named, decarb_named["round"].isin(decarb_rounds))):
        selected = outcome["code5"].isin(named.loc[in_complete, "code5"])
        only_incomplete = outcome["code5"].isin(named.loc[~in_complete, "code5"]) & ~selected
        column = selected.astype("Int64")
        if incomplete == "exclude":
            column[only_incomplete] = pd.NA
        outcome[outcome_column(name)] = column
    either = (outcome["is_selected_sdgs"] == 1) | (outcome["is_selected_decarbonization"] == 1)
    unknown = outcome[["is_selected_sdgs", "is_selected_decarbonization"]].isna().any(axis=1)
    outcome["is_selected_either"] = either.fillna(False).astype("Int64")
    outcome.loc[~either.fillna(False) & unknown, "is_selected_either"] = pd.NA
    return outcome


def outcome_column(programme: str) -> str:
    """Name of the 0/1 outcome column for a programme."""
    return f"is_selected_{programme}"


# == row accounting ==========================================================================
@dataclass(frozen=True)
class RowAccount:
    """Rows available to a model, rows used, and rows left out by the first missing column."""

    available: int
    used: int
    dropped: dict[str, int]

    def table(self) -> pd.DataFrame:
        """The account as a table (reason, rows), starting with the rows available."""
        rows = [("available", self.available),
                *((f"missing {column}", n) for column, n in self.dropped.items()),
                ("used", self.used)]
        return pd.DataFrame(rows, columns=["rows", "count"])


def complete_rows(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, RowAccount]:
    """Keep rows with every column present; say how many each column removed (first missing)."""
    remaining = frame
    dropped: dict[str, int] = {}
    for column in columns:
        missing = remaining[column].isna()
        if missing.any():
            dropped[column] = int(missing.sum())
            remaining = remaining[~missing]
    used = remaining.reset_index(drop=True)
    return used, RowAccount(len(frame), len(used), dropped)


# == logistic regression =====================================================================
def standardise(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Z-scores of ``columns`` on this sample (ddof = 1); returns the scaled copy and the SDs."""
    scaled = frame.copy()
    sds = frame[list(columns)].std(ddof=1)
    if (sds <= 0).any():
        raise ModelDataError(f"constant column(s) cannot be scaled: {list(sds[sds <= 0].index)}")
    scaled[list(columns)] = (frame[list(columns)] - frame[list(columns)].mean()) / sds
    return scaled, sds


def separating_dummies(frame: pd.DataFrame, outcome: str, binary: Sequence[str]) -> list[str]:
    """Dummies whose group has no selected (or no unselected) unit, or no unit at all.

    Maximum likelihood has no finite estimate for them (perfect separation); they are pooled
    with the reference category and the pooling is reported.
    """
    pooled = []
    for column in binary:
        group = frame.loc[frame[column] == 1, outcome]
        if group.empty or group.min() == group.max():
            pooled.append(column)
    return pooled


@dataclass(frozen=True)
class LogitFit:
    """Logistic regression with odds ratios per SD (continuous) or vs the reference (dummies).

    Attributes:
        odds_ratios: feature, label, scale, sd (one SD in the feature's unit), odds_ratio,
            ci_low, ci_high (95%), p_value.
        n, n_events: rows used, selected rows among them.
        pooled: dummies pooled into the reference category (perfect separation).
        result: the statsmodels result (on the standardised design).
        means, sds: the sample moments used to scale continuous features.
    """

    odds_ratios: pd.DataFrame
    n: int
    n_events: int
    pooled: tuple[str, ...]
    result: Any
    means: pd.Series
    sds: pd.Series

    def odds_ratio(self, feature: str) -> tuple[float, float, float]:
        """Odds ratio and its 95% CI for one feature."""
        row = self.odds_ratios.set_index("feature").loc[feature]
        return float(row["odds_ratio"]), float(row["ci_low"]), float(row["ci_high"])

    def design(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's design matrix for new rows (scaled with the fit's sample moments)."""
        columns = [c for c in self.result.model.exog_names if c != "const"]
        design = frame[columns].astype(float).copy()
        scaled = [c for c in columns if c in self.sds.index]
        design[scaled] = (design[scaled] - self.means[scaled]) / self.sds[scaled]
        return sm.add_constant(design, has_constant="add")

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted selection probabilities for ``frame``."""
        return np.asarray(self.result.predict(self.design(frame)))


def _odds_ratio_table(result: Any, sds: pd.Series) -> pd.DataFrame:
    interval = np.exp(result.conf_int(alpha=1 - CI_LEVEL)).drop(index="const")
    params = result.params.drop(index="const")
    table = pd.DataFrame({
        "feature": params.index,
        "label": [FEATURE_LABELS.get(f, f) for f in params.index],
        "scale": ["per SD" if f in sds.index else "vs 市" for f in params.index],
        "sd": [float(sds[f]) if f in sds.index else np.nan for f in params.index],
        "odds_ratio": np.exp(params.to_numpy()),
        "ci_low": interval[0].to_numpy(),
        "ci_high": interval[1].to_numpy(),
        "p_value": result.pvalues.drop(index="const").to_numpy(),
    })
    return table.reset_index(drop=True)


def fit_logit(frame: pd.DataFrame, outcome: str,
              continuous: Sequence[str] = SELECTION_CONTINUOUS,
              binary: Sequence[str] = SELECTION_BINARY) -> LogitFit:
    """Logit of the 0/1 ``outcome`` on per-SD continuous features and dummies (complete rows).

    Raises:
        ModelDataError: missing values in the design, or the fit did not converge.
    """
    columns = [outcome, *continuous, *binary]
    if frame[columns].isna().any().any():
        raise ModelDataError("fit_logit needs complete rows: call complete_rows() first")
    pooled = separating_dummies(frame, outcome, binary)
    kept = [c for c in binary if c not in pooled]
    scaled, sds = standardise(frame, continuous)
    design = sm.add_constant(scaled[[*continuous, *kept]].astype(float))
    result = sm.Logit(frame[outcome].astype(float), design).fit(disp=0, method="newton",
                                                                maxiter=100)
    if not result.mle_retvals["converged"]:
        raise ModelDataError(f"logit for {outcome} did not converge")
    means = frame[list(continuous)].mean()
    return LogitFit(_odds_ratio_table(result, sds), len(frame), int(frame[outcome].sum()),
                    tuple(pooled), result, means, sds)


def selection_rows(frame: pd.DataFrame, outcome: str,
                   features: Sequence[str] = SELECTION_FEATURES
                   ) -> tuple[pd.DataFrame, RowAccount]:
    """The rows a selection model can use (every feature and the outcome present).

    Rows whose outcome is NA (named only in incomplete selections) are counted as missing
    the outcome; the outcome of the rows used is a plain 0/1 integer.
    """
    used, account = complete_rows(frame, [*features, outcome])
    return used.assign(**{outcome: used[outcome].astype(int)}), account


def fit_without_projection(frame: pd.DataFrame, outcome: str) -> tuple[LogitFit, RowAccount]:
    """The logit without the projected change: keeps the municipalities no edition projects."""
    continuous = [c for c in SELECTION_CONTINUOUS if c != "projected_change_pct"]
    used, account = selection_rows(frame, outcome, [*continuous, *SELECTION_BINARY])
    return fit_logit(used, outcome, continuous), account


def crude_odds_ratios(frame: pd.DataFrame, outcome: str,
                      features: Sequence[str] = SELECTION_CONTINUOUS) -> pd.DataFrame:
    """Odds ratio per SD of each continuous feature alone (no adjustment), same rows."""
    rows = []
    for feature in features:
        table = fit_logit(frame, outcome, [feature], []).odds_ratios
        rows.append(table.iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True)


def programme_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Adjusted odds ratios of size and projected change for every programme (same rows).

    Columns: programme, n, selected, or_log_population (+ CI), or_projected_change (+ CI),
    pooled (dummies pooled because of separation).
    """
    rows = []
    for programme in PROGRAMMES:
        column = outcome_column(programme)
        known = frame.dropna(subset=[column])
        fit = fit_logit(known.assign(**{column: known[column].astype(int)}), column)
        size, change = fit.odds_ratio("log_population"), fit.odds_ratio("projected_change_pct")
        rows.append({"programme": programme, "n": fit.n, "selected": fit.n_events,
                     "or_log_population": size[0], "pop_ci_low": size[1],
                     "pop_ci_high": size[2], "or_projected_change": change[0],
                     "change_ci_low": change[1], "change_ci_high": change[2],
                     "pooled": ", ".join(fit.pooled)})
    return pd.DataFrame(rows)


def selected_by_type(frame: pd.DataFrame) -> pd.DataFrame:
    """Units and selected units per municipal type and programme (all 1,741 rows)."""
    columns = [outcome_column(p) for p in PROGRAMMES]
    table = frame.groupby("type")[columns].agg(["sum"]).droplevel(1, axis=1)
    table.insert(0, "units", frame.groupby("type").size())
    order = ["政令指定都市", "特別区", "市", "町", "村"]
    return table.reindex([t for t in order if t in table.index]).reset_index()


def clear_labels(table: pd.DataFrame, low: str = "ci_low", high: str = "ci_high",
                 null: float = 1.0) -> str:
    """Labels of the rows whose 95% CI excludes ``null`` (comma-separated; "none")."""
    clear = table[(table[low] > null) | (table[high] < null)]
    return ", ".join(clear["label"]) or "none"


def tilt_verdict(adjusted: LogitFit, crude: pd.DataFrame) -> str:
    """Words for the answer: is selection tilted to larger and less-shrinking places?"""
    size = adjusted.odds_ratio("log_population")
    change = adjusted.odds_ratio("projected_change_pct")
    crude_change = crude.set_index("feature").loc["projected_change_pct"]
    size_words = ("larger municipalities are clearly more likely to be selected, even at equal "
                  "area, ageing, projected change, type and income" if size[1] > 1 else
                  "size makes no difference the data can distinguish once the other features "
                  "are held fixed")
    if crude_change["ci_low"] > 1 and change[1] <= 1:
        change_words = ("less-shrinking places are selected more often, but that goes with "
                        "their other features (size, area, ageing): once those are held fixed "
                        "the projected change adds nothing the data can distinguish")
    elif change[1] > 1:
        change_words = "less-shrinking places are more likely to be selected even at equal size"
    else:
        change_words = "the projected change makes no distinguishable difference"
    return f"{size_words}; {change_words}"


# == how much does size matter ===============================================================
def quintile_table(frame: pd.DataFrame, outcome: str, fit: LogitFit,
                   by: str = "log_population") -> pd.DataFrame:
    """Selection by quintile of ``by``: observed rate and the model's size-only contrast.

    ``observed_pct`` is the share selected in the quintile. ``adjusted_pct`` is the model's
    average predicted probability over *all* rows when ``by`` is set to the quintile's median
    and everything else is kept as observed (g-computation): the difference that ``by`` alone
    makes, holding the other features at their real joint distribution.
    """
    quintile = pd.qcut(frame[by], QUINTILES, labels=False) + 1
    rows = []
    for q in range(1, QUINTILES + 1):
        members = frame[quintile == q]
        counterfactual = frame.assign(**{by: members[by].median()})
        rows.append({"quintile": q, "n": len(members), "median": float(members[by].median()),
                     "selected": int(members[outcome].sum()),
                     "observed_pct": float(members[outcome].mean() * 100),
                     "adjusted_pct": float(fit.predict(counterfactual).mean() * 100)})
    return pd.DataFrame(rows)


# == cross-validated prediction ==============================================================
@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold results of both classifiers.

    Attributes:
        folds: fold, model (``gradient_boosting`` / ``logit``), auc.
        out_of_fold: code5, observed, p_gradient_boosting, p_logit.
        importance: feature, label, auc_drop_mean, auc_drop_sd (permutation importance of the
            gradient-boosting model on each held-out fold, averaged over folds).
    """

    folds: pd.DataFrame
    out_of_fold: pd.DataFrame
    importance: pd.DataFrame


def _classifiers(seed: int) -> dict[str, Callable[[], Any]]:
    return {
        "gradient_boosting": lambda: GradientBoostingClassifier(**GB_SETTINGS,
                                                                random_state=seed),
        # mild L2 (C = 1) on standardised features keeps it finite under separation
        "logit": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    }


def cross_validate(frame: pd.DataFrame, outcome: str, features: Sequence[str], folds: int,
                   seed: int) -> CrossValidation:
    """Stratified k-fold CV (shuffled with ``seed``): AUC per fold, OOF probabilities, importance.

    Deterministic for a given seed: fold assignment, boosting subsamples and permutations are
    all seeded, and everything runs in one thread.
    """
    x = frame[list(features)].astype(float).to_numpy()
    y = frame[outcome].astype(int).to_numpy()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    oof = {name: np.full(len(y), np.nan) for name in _classifiers(seed)}
    aucs, drops = [], []
    for fold, (train, test) in enumerate(splitter.split(x, y), start=1):
        for name, make in _classifiers(seed).items():
            model = make().fit(x[train], y[train])
            oof[name][test] = model.predict_proba(x[test])[:, 1]
            aucs.append({"fold": fold, "model": name, "auc": roc_auc_score(y[test],
                                                                            oof[name][test])})
            if name == "gradient_boosting":
                drops.append(permutation_importance(
                    model, x[test], y[test], scoring="roc_auc", n_repeats=PERMUTATION_REPEATS,
                    random_state=seed).importances_mean)
    out_of_fold = pd.DataFrame({"code5": frame["code5"].to_numpy(), "observed": y,
                                **{f"p_{name}": p for name, p in oof.items()}})
    return CrossValidation(pd.DataFrame(aucs), out_of_fold, _importance_table(features, drops))


def _importance_table(features: Sequence[str], drops: list[np.ndarray]) -> pd.DataFrame:
    matrix = np.vstack(drops)
    table = pd.DataFrame({"feature": list(features),
                          "label": [FEATURE_LABELS.get(f, f) for f in features],
                          "auc_drop_mean": matrix.mean(axis=0),
                          "auc_drop_sd": matrix.std(axis=0, ddof=1) if len(drops) > 1 else 0.0})
    return table.sort_values(["auc_drop_mean", "feature"], ascending=[False, True]
                             ).reset_index(drop=True)


def mean_t_interval(values: Sequence[float], level: float = CI_LEVEL) -> tuple[float, float,
                                                                               float]:
    """Mean and t-interval over folds (folds share training rows: read it as a rough band)."""
    array = np.asarray(values, dtype=float)
    mean = float(array.mean())
    half = float(stats.t.ppf((1 + level) / 2, len(array) - 1) * array.std(ddof=1)
                 / np.sqrt(len(array)))
    return mean, mean - half, mean + half


def auc_summary(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean ROC AUC per model with its 95% t-interval over folds."""
    rows = []
    for model, group in folds.groupby("model", sort=True):
        mean, low, high = mean_t_interval(group["auc"])
        rows.append({"model": model, "folds": len(group), "auc_mean": mean, "ci_low": low,
                     "ci_high": high})
    return pd.DataFrame(rows)


def calibration_table(out_of_fold: pd.DataFrame, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Observed selection rate vs mean predicted probability in quantile bins, per model."""
    rows = []
    for column in [c for c in out_of_fold.columns if c.startswith("p_")]:
        observed, predicted = calibration_curve(out_of_fold["observed"], out_of_fold[column],
                                                n_bins=bins, strategy="quantile")
        rows.append(pd.DataFrame({"model": column.removeprefix("p_"),
                                  "predicted": predicted, "observed": observed}))
    return pd.concat(rows, ignore_index=True)


# == digital maturity ========================================================================
def dx_indicators(local_gov_dx: pd.DataFrame, mynumber: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality, every DX indicator as a float (flags 1/0, shares in %).

    調査無し (not surveyed) stays missing.
    """
    frame = local_gov_dx[["code5"]].copy()
    for column in DX_INDICATORS:
        if column in local_gov_dx.columns:
            frame[column] = local_gov_dx[column].astype("Float64").astype(float)
    issuance = mynumber.set_index("code5")["issuance_rate_pct"]
    frame["mynumber_issuance_pct"] = frame["code5"].map(issuance).astype(float)
    return frame[["code5", *DX_INDICATORS]]


@dataclass(frozen=True)
class NameMatch:
    """How the DX dashboard's names (no codes) map to codes.

    Attributes:
        columns: municipality columns in the file.
        resolved: names that the resolver maps, within the prefecture of their position in
            the 全国地方公共団体コード order, to exactly that position's code.
        exact: names spelled exactly as the 総務省 list spells them.
        unique_by_name: names that resolve to one code even without a prefecture (the rest
            are shared by several municipalities: 府中市, 伊達市 …).
    """

    columns: int
    resolved: int
    exact: int
    unique_by_name: int

    @property
    def rate_pct(self) -> float:
        """Share of columns whose name resolves to its positional code, percent."""
        return self.resolved / self.columns * 100


def _resolves_to(resolver: Any, name: str, prefecture: str | None, code5: str) -> bool:
    from scityhelpers.errors import UnknownMunicipalityError

    try:
        return resolver.resolve(name, prefecture) == code5
    except UnknownMunicipalityError:
        return False


def dx_name_match(local_gov_dx: pd.DataFrame, units: pd.DataFrame,
                  resolver: Any | None = None) -> NameMatch:
    """Check every DX column name against its positional code through the one resolver."""
    if resolver is None:
        from scityhelpers.reference.municipalities import default_resolver

        resolver = default_resolver()
    prefecture = local_gov_dx["code5"].map(units.set_index("code5")["pref_name"])
    resolved = unique = 0
    for name, pref, code5 in zip(local_gov_dx["name_in_source"], prefecture,
                                 local_gov_dx["code5"], strict=True):
        resolved += _resolves_to(resolver, name, pref, code5)
        unique += _resolves_to(resolver, name, None, code5)
    return NameMatch(len(local_gov_dx), resolved, int(local_gov_dx["is_exact_name_match"].sum()),
                     unique)


@dataclass(frozen=True)
class Composite:
    """First principal component of the standardised indicators (higher = more digital).

    Attributes:
        scores: code5 → composite score, standardised to mean 0 and SD 1 over the rows used.
        loadings: indicator, label, loading (unit-length eigenvector, sign fixed so that the
            loadings sum to a positive number).
        explained_pct: share of the indicators' total variance that PC1 carries, percent.
        account: rows available / used (indicators missing).
    """

    scores: pd.Series
    loadings: pd.DataFrame
    explained_pct: float
    account: RowAccount


def digital_composite(indicators: pd.DataFrame, columns: Sequence[str]) -> Composite:
    """PCA (PC1) of the z-scored ``columns``; rows missing any of them are reported, not used."""
    used, account = complete_rows(indicators, columns)
    if len(columns) < 1 or len(used) <= len(columns):
        raise ModelDataError(f"need more rows than indicators; got {len(used)} rows")
    z, _ = standardise(used, columns)
    matrix = z[list(columns)].to_numpy()
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(matrix, rowvar=False))
    first = eigenvectors[:, -1] * (1 if eigenvectors[:, -1].sum() >= 0 else -1)
    score = matrix @ first
    score = (score - score.mean()) / score.std(ddof=1)
    loadings = pd.DataFrame({"indicator": list(columns),
                             "label": [DX_INDICATORS.get(c, c) for c in columns],
                             "loading": first})
    explained = float(eigenvalues[-1] / eigenvalues.sum() * 100)
    return Composite(pd.Series(score, index=used["code5"].to_numpy(), name="digital_composite"),
                     loadings, explained, account)


# == fixed-effects regression with clustered errors ==========================================
@dataclass(frozen=True)
class Effect:
    """Slope of ``y`` on one SD of ``x`` with prefecture FE and prefecture-clustered errors.

    Attributes:
        coef, ci_low, ci_high: per SD of ``x``, in ``y``'s unit (log points for log income);
            95% CI with t(G − 1) critical values.
        n, clusters: rows and prefectures used.
        sd_x: one SD of ``x`` in its own unit.
        p_value: two-sided p-value of the slope (cluster-robust t, G − 1 degrees of freedom).
    """

    coef: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    clusters: int
    sd_x: float
    p_value: float = float("nan")

    def pct(self) -> tuple[float, float, float]:
        """The slope as a % difference in ``y`` per SD (for log ``y``), with its CI."""
        return tuple(float((np.exp(v) - 1) * 100) for v in (self.coef, self.ci_low,
                                                              self.ci_high))


def _fe_design(frame: pd.DataFrame, x: str, controls: Sequence[str], group: str,
               fixed_effects: bool = True) -> pd.DataFrame:
    """Design: x, controls and one dummy per group but the first (constant included)."""
    varying = [c for c in controls if frame[c].nunique() > 1]
    parts = [frame[[x, *varying]].astype(float)]
    if fixed_effects:
        parts.append(pd.get_dummies(frame[group], prefix="fe", drop_first=True, dtype=float))
    return sm.add_constant(pd.concat(parts, axis=1), has_constant="add")


def fe_cluster_ols(frame: pd.DataFrame, y: str, x: str, controls: Sequence[str],
                   group: str = "pref_code", *, fixed_effects: bool = True) -> Effect:
    """OLS of ``y`` on per-SD ``x`` + controls + group fixed effects, errors clustered by group.

    ``fixed_effects=False`` drops the group dummies (errors stay clustered): the comparison
    shows how much of the association lies between prefectures.

    Raises:
        ModelDataError: missing values, or fewer than two clusters.
    """
    columns = [y, x, *controls, group]
    if frame[columns].isna().any().any():
        raise ModelDataError("fe_cluster_ols needs complete rows: call complete_rows() first")
    if frame[group].nunique() < 2:
        raise ModelDataError("clustered errors need at least two groups")
    sd_x = float(frame[x].std(ddof=1))
    scaled = frame.assign(**{x: (frame[x] - frame[x].mean()) / sd_x})
    groups = pd.factorize(scaled[group])[0]
    design = _fe_design(scaled, x, controls, group, fixed_effects)
    result = sm.OLS(scaled[y].astype(float), design).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    low, high = result.conf_int(alpha=1 - CI_LEVEL).loc[x]
    return Effect(float(result.params[x]), float(result.bse[x]), float(low), float(high),
                  int(result.nobs), int(frame[group].nunique()), sd_x,
                  float(result.pvalues[x]))


def income_frame(features: pd.DataFrame, indicators: pd.DataFrame, composite: Composite
                 ) -> pd.DataFrame:
    """Features + DX indicators + composite, one row per unit (missing values kept)."""
    frame = features.merge(indicators, on="code5", how="left", validate="1:1")
    frame["digital_composite"] = frame["code5"].map(composite.scores)
    return frame


def income_effect(frame: pd.DataFrame, x: str = "digital_composite"
                  ) -> tuple[Effect, RowAccount]:
    """Log income per taxpayer on ``x`` (per SD), controls, prefecture FE; rows accounted."""
    used, account = complete_rows(frame, ["log_income_per_taxpayer", x, *INCOME_CONTROLS])
    return fe_cluster_ols(used, "log_income_per_taxpayer", x, INCOME_CONTROLS), account


def income_effect_steps(frame: pd.DataFrame, x: str = "digital_composite") -> pd.DataFrame:
    """The income slope as adjustments are added: none, controls, controls + prefecture FE.

    Same rows throughout (those the full model uses); % difference in income per SD of ``x``.
    """
    used, _ = complete_rows(frame, ["log_income_per_taxpayer", x, *INCOME_CONTROLS])
    specs = [("no controls", (), False), ("size, ageing, decline, type", INCOME_CONTROLS, False),
             ("+ prefecture fixed effects", INCOME_CONTROLS, True)]
    rows = []
    for name, controls, fixed in specs:
        effect = fe_cluster_ols(used, "log_income_per_taxpayer", x, controls,
                                fixed_effects=fixed)
        pct, low, high = effect.pct()
        rows.append({"model": name, "pct": pct, "ci_low": low, "ci_high": high, "n": effect.n})
    return pd.DataFrame(rows)


def indicator_sensitivity(frame: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """The income slope per SD of the composite and of each indicator alone (same rows).

    Columns: regressor, label, pct, ci_low, ci_high (% difference in income per SD), n.
    """
    used, _ = complete_rows(frame, ["log_income_per_taxpayer", "digital_composite",
                                    *indicators, *INCOME_CONTROLS])
    rows = []
    for regressor in ["digital_composite", *indicators]:
        effect = fe_cluster_ols(used, "log_income_per_taxpayer", regressor, INCOME_CONTROLS)
        pct, low, high = effect.pct()
        rows.append({"regressor": regressor,
                     "label": DX_INDICATORS.get(regressor, "DX総合指標 composite (PC1)"),
                     "pct": pct, "ci_low": low, "ci_high": high, "n": effect.n,
                     "p_value": effect.p_value})
    table = pd.DataFrame(rows)
    alone = table["regressor"] != "digital_composite"
    table["p_holm"] = np.nan
    table.loc[alone, "p_holm"] = holm_adjust(table.loc[alone, "p_value"].to_numpy())
    return table


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error), in the input order.

    The smallest p is multiplied by m, the next by m − 1, …; adjusted values are made
    monotone and capped at 1. Reject at level α where the adjusted p ≤ α.
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


#: specification curve of the income association: adjustment sets (label, controls, FE)
SPECIFICATIONS = (("no controls", (), False), ("controls", INCOME_CONTROLS, False),
                  ("prefecture FE", (), True), ("controls + prefecture FE", INCOME_CONTROLS, True))


def specification_curve(frame: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """The income slope per SD under every specification: regressor × adjustment set.

    Regressors: the composite and each indicator alone; adjustments: ``SPECIFICATIONS``. Same
    rows throughout (complete for every column). Sorted by the estimate, as a specification
    curve is read. Columns: regressor, label, specification, pct, ci_low, ci_high, p_value, n.
    """
    used, _ = complete_rows(frame, ["log_income_per_taxpayer", "digital_composite",
                                    *indicators, *INCOME_CONTROLS])
    rows = []
    for regressor in ["digital_composite", *indicators]:
        for name, controls, fixed in SPECIFICATIONS:
            effect = fe_cluster_ols(used, "log_income_per_taxpayer", regressor, controls,
                                    fixed_effects=fixed)
            pct, low, high = effect.pct()
            rows.append({"regressor": regressor,
                         "label": DX_INDICATORS.get(regressor, "DX総合指標 composite (PC1)"),
                         "specification": name, "pct": pct, "ci_low": low, "ci_high": high,
                         "p_value": effect.p_value, "n": effect.n})
    return pd.DataFrame(rows).sort_values(["pct", "regressor"]).reset_index(drop=True)


def income_wild_bootstrap(frame: pd.DataFrame, reps: int, seed: int,
                          x: str = "digital_composite") -> Any:
    """Wild cluster restricted bootstrap p-value of the headline income slope (Webb weights).

    Same model and rows as :func:`income_effect`; clusters are prefectures.
    """
    from scityhelpers.stats.wild_bootstrap import wild_cluster_test

    used, _ = complete_rows(frame, ["log_income_per_taxpayer", x, *INCOME_CONTROLS])
    scaled = used.assign(**{x: (used[x] - used[x].mean()) / used[x].std(ddof=1)})
    design = _fe_design(scaled, x, INCOME_CONTROLS, "pref_code")
    return wild_cluster_test(design.to_numpy(), scaled["log_income_per_taxpayer"].to_numpy(float),
                             scaled["pref_code"].to_numpy(), list(design.columns).index(x),
                             reps=reps, seed=seed)


def _residualise(frame: pd.DataFrame, column: str, controls: Sequence[str], group: str
                 ) -> np.ndarray:
    design = _fe_design(frame.assign(_zero=0.0), "_zero", controls, group).drop(columns="_zero")
    fit = sm.OLS(frame[column].astype(float), design).fit()
    return np.asarray(fit.resid)


#: decimals kept of residuals that are plotted (log points, SD units): far below a pixel
RESIDUAL_DECIMALS = 9


def binned_residuals(frame: pd.DataFrame, x: str = "digital_composite",
                     bins: int = BINNED_SCATTER_BINS) -> pd.DataFrame:
    """Binned scatter after partialling out controls and prefecture FE (Frisch–Waugh–Lovell).

    Both log income and ``x`` are residualised; the residuals keep their means at zero, so the
    OLS slope through the binned points' underlying data equals the FE coefficient. Columns:
    bin, n, x_resid (SD units of ``x``), income_resid_pct (100 × log points).

    Residuals are differences of nearly equal numbers, so their last bits depend on the BLAS
    kernel; they are rounded to ``RESIDUAL_DECIMALS`` (far below what the plot shows) so the
    bins and the picture are the same on every CPU.
    """
    used, _ = complete_rows(frame, ["log_income_per_taxpayer", x, *INCOME_CONTROLS])
    x_resid = (_residualise(used, x, INCOME_CONTROLS, "pref_code") / used[x].std(ddof=1)
               ).round(RESIDUAL_DECIMALS)
    y_resid = _residualise(used, "log_income_per_taxpayer", INCOME_CONTROLS, "pref_code"
                           ).round(RESIDUAL_DECIMALS)
    binned = pd.DataFrame({"bin": pd.qcut(x_resid, bins, labels=False) + 1, "x": x_resid,
                           "y": y_resid * 100})
    table = binned.groupby("bin").agg(n=("x", "size"), x_resid=("x", "mean"),
                                      income_resid_pct=("y", "mean")).reset_index()
    return table


# == loading everything ======================================================================
@dataclass(frozen=True)
class MunicipalData:
    """The chapter's inputs, built from the tidy tables."""

    units: pd.DataFrame
    features: pd.DataFrame
    completeness: pd.DataFrame
    outcomes: pd.DataFrame
    indicators: pd.DataFrame
    local_gov_dx: pd.DataFrame
    sdgs: pd.DataFrame
    decarb: pd.DataFrame

    def prefecture_selections(self) -> dict[str, int]:
        """Prefectures selected as a whole in the complete selections (not in the outcome)."""
        sdgs_years = complete_selections(self.completeness, "sdgs")
        rounds = complete_selections(self.completeness, "decarbonization")
        sdgs = self.sdgs[self.sdgs["fiscal_year"].isin(sdgs_years) & self.sdgs["is_prefecture"]]
        decarb = self.decarb[self.decarb["round"].isin(rounds) & self.decarb["is_prefecture"]
                             & self.decarb["role"].isin(LEAD_ROLES)]
        unnamed = self.sdgs["fiscal_year"].isin(sdgs_years) & ~self.sdgs["is_resolved"]
        return {"sdgs": len(sdgs), "decarbonization": len(decarb),
                "sdgs_unnamed": int(unnamed.sum())}

    def selection_frame(self) -> pd.DataFrame:
        """Features and outcomes, one row per unit (1,741)."""
        return self.features.merge(self.outcomes, on="code5", how="left", validate="1:1")


def load_municipal_data(projection_edition: int = 2018) -> MunicipalData:
    """Read the tidy tables and build features, outcomes and DX indicators."""
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.projections import load_projection

    units = municipal_units(load("municipalities"))
    features = municipal_features(units, load("population_2015_2020"),
                                  load_projection(projection_edition), load("fiscal_indicators"),
                                  load("taxable_income"), prefectural_capital_codes())
    completeness, outcomes = _outcomes_from_tidy()
    dx = load("local_gov_dx")
    return MunicipalData(units, features, completeness, outcomes,
                         dx_indicators(dx, load("mynumber_card")), dx,
                         load("sdgs_future_cities"), load("decarbonization_areas"))


# == parameters ==============================================================================
def _outcomes_from_tidy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Completeness and outcomes only (parameter checks need nothing else)."""
    from scityhelpers.pipeline.tidy import load
    from scityhelpers.reference.programme_completeness import (
        decarbonization_completeness,
        sdgs_completeness,
    )

    sdgs, decarb = load("sdgs_future_cities"), load("decarbonization_areas")
    completeness = selection_completeness(sdgs_completeness(), decarbonization_completeness())
    units = municipal_units(load("municipalities"))
    return completeness, selection_outcomes(units, sdgs, decarb, completeness)


def _programmes_with_data(values: dict[str, Any]) -> list[str]:
    completeness, _ = _outcomes_from_tidy()
    complete = [p for p in PROGRAMMES[:2] if complete_selections(completeness, p)]
    return [*complete, "either"] if complete else []


def _fold_bounds(values: dict[str, Any]) -> tuple[int, int]:
    """Each fold must hold selected units: at most min(10, selected units)."""
    _, outcomes = _outcomes_from_tidy()
    selected = int(outcomes[outcome_column(values["programme"])].sum())
    return MIN_CV_FOLDS, min(MAX_CV_FOLDS, selected)


def _indicators_available(values: dict[str, Any]) -> list[str]:
    from scityhelpers.pipeline.tidy import load

    columns = set(load("local_gov_dx").columns) | {"mynumber_issuance_pct"}
    return [c for c in DX_INDICATORS if c in columns]


def _editions(values: dict[str, Any]) -> list[int]:
    from scityhelpers.reference.projections import available_editions

    return available_editions()


PARAMS = (
    Param("programme", str, "outcome: sdgs, decarbonization (lead proposers) or either",
          allowed=_programmes_with_data),
    Param("projection_edition", int, "IPSS projection edition behind the projected change",
          allowed=_editions),
    Param("cv_folds", int, "folds of the stratified cross-validation",
          bounds=_fold_bounds),
    Param("seed", int, "random seed (fold assignment, boosting, permutations)",
          bounds=lambda v: (0, MAX_SEED)),
    Param("indicators", list, "DX indicators in the digital-maturity composite (PCA)",
          allowed=_indicators_available),
)


# == benchmark ===============================================================================
def time_all_models(programme: str = "either", folds: int = 5, seed: int = 0,
                    indicators: Sequence[str] = DEFAULT_INDICATORS) -> dict[str, float]:
    """Wall-clock seconds of each step on the real data (for ``scity bench``, not the book)."""
    timings: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = step()
        timings[name] = time.perf_counter() - start
        return value

    data = timed("load and build features", load_municipal_data)
    outcome = outcome_column(programme)
    frame, _ = selection_rows(data.selection_frame(), outcome)
    timed("logit (statsmodels)", lambda: fit_logit(frame, outcome))
    timed(f"cross-validation, {folds} folds (GB + logit + permutation importance)",
          lambda: cross_validate(frame, outcome, SELECTION_FEATURES, folds, seed))
    composite = timed("PCA composite", lambda: digital_composite(data.indicators, indicators))
    income = income_frame(data.features, data.indicators, composite)
    timed("FE + cluster OLS", lambda: income_effect(income))
    timed("indicator sensitivity", lambda: indicator_sensitivity(income, indicators))
    return timings
