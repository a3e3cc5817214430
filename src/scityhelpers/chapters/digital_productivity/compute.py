"""Country model: does digital maturity go with labour productivity across OECD members?

The panel is every current OECD member × every year of the window; the outcome is the log of
GDP per hour worked (USD at constant 2020 prices and PPPs, OECD Productivity Database). Digital
maturity is measured by seven indicators (internet users, mobile and fixed-broadband
subscriptions, the UN EGDI and its three sub-indices), each standardised over the panel, and by
a composite: the first principal component of the standardised indicators.

Every estimate is an association: the panel cannot tell whether digitalisation raises
productivity, richer economies digitalise faster, or both follow a third factor. Standard
errors are clustered by country (38 clusters), because a country's residuals are correlated
over time.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from threadpoolctl import threadpool_limits

from scityhelpers.chapters.parameters import Param
from scityhelpers.errors import ModelDataError
from scityhelpers.reference.countries import names, oecd_members

TABLES = ("productivity", "wb_indicators", "broadband", "egdi", "pwt_productivity")
COMPOSITE = "composite"
OUTCOME = "log_productivity"  # log of GDP per hour worked, USD PPP, constant 2020 prices
EGDI_COMPONENTS = ("osi", "tii", "hci")  # EGDI = the mean of these three
#: a survey's value holds until the year before the next survey; the last one for two years
SURVEY_SPAN_YEARS = 2
MIN_COMPOSITE_YEARS = 5  # the window must hold this many years where every indicator exists
MAX_LAGS = 8
MIN_COUNTRIES = 5
CONFIDENCE = 0.95
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 11))
BOOSTING = {"n_estimators": 60, "max_depth": 2, "learning_rate": 0.1, "subsample": 0.8}

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

ESTIMATORS = {
    "pooled": "Pooled OLS",
    "pooled_year": "Pooled OLS + year effects",
    "fe": "Country fixed effects",
    "twfe": "Two-way fixed effects (country + year)",
    "fd": "First differences",
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


@dataclass(frozen=True)
class Composite:
    """First principal component of the standardised indicators.

    Attributes:
        members: indicators in the composite.
        loadings: weight of each standardised indicator (unit-length vector, sum positive).
        explained_share: share of the total variance the first component explains (0-1).
        eigenvalues: all eigenvalues of the correlation matrix, largest first.
        n_rows: country-years with every member observed (the rows the PCA used).
        first_year, last_year: years with at least one complete row.
    """

    members: tuple[str, ...]
    loadings: pd.Series
    explained_share: float
    eigenvalues: tuple[float, ...]
    n_rows: int
    first_year: int
    last_year: int

    def table(self) -> pd.DataFrame:
        """Loadings as a table (indicator, label, loading)."""
        return pd.DataFrame({
            "indicator": list(self.members),
            "label": [INDICATORS[m].label for m in self.members],
            "loading": self.loadings.to_numpy(),
        })


def zscore(values: pd.Series) -> pd.Series:
    """Standardise over the observed values (mean 0, SD 1, ddof 1); NaN stays NaN."""
    return (values - values.mean()) / values.std(ddof=1)


def principal_component(panel: pd.DataFrame, members: list[str]) -> tuple[pd.Series, Composite]:
    """Composite score (unit SD, NaN where any member is missing) and its description.

    Each member is standardised over the complete rows, so the PCA is on their correlation
    matrix; the sign is fixed so that loadings sum to a positive number (higher = more
    digital).
    """
    complete = panel.dropna(subset=members)
    if len(complete) < 2 * len(members) + 2:
        raise ModelDataError(
            f"only {len(complete)} country-years have all of {members}; widen the years "
            "(start_year/end_year) or choose fewer indicators."
        )
    standard = complete[members].apply(zscore)
    eigenvalues, vectors = np.linalg.eigh(
        np.atleast_2d(np.corrcoef(standard.to_numpy(), rowvar=False)))
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, first = eigenvalues[order], vectors[:, order[0]]
    first = first if first.sum() > 0 else -first
    score = zscore(pd.Series(standard.to_numpy() @ first, index=complete.index))
    description = Composite(
        tuple(members), pd.Series(first, index=members), float(eigenvalues[0] / eigenvalues.sum()),
        tuple(float(e) for e in eigenvalues), len(complete),
        int(complete["year"].min()), int(complete["year"].max()))
    return score.reindex(panel.index), description


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
    panel[COMPOSITE], composite = principal_component(panel, composite_members(indicators))
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


# --------------------------------------------------------------------------- regressions
@dataclass(frozen=True)
class Spec:
    """One regression: the digital measure, the estimator and the lag of the measure (years)."""

    measure: str
    estimator: str
    lag: int = 0

    @property
    def label(self) -> str:
        """Short display label, e.g. ``Two-way FE, lag 2``."""
        short = {"pooled": "Pooled OLS", "pooled_year": "Pooled + year FE", "fe": "Country FE",
                 "twfe": "Two-way FE", "fd": "First differences"}[self.estimator]
        return f"{short}, lag {self.lag}" if self.lag else short


@dataclass(frozen=True)
class SpecResult:
    """Coefficient of the (standardised) digital measure on log productivity.

    ``coef`` is the change in log GDP per hour (≈ share) for one standard deviation of the
    measure; the CI uses country-clustered errors with a t distribution on (countries - 1)
    degrees of freedom; ``se_naive`` is the textbook (iid) error for comparison.
    ``n_available`` counts the rows whose outcome is observed (for first differences: whose
    change is observed); ``n_used`` those that also have the measure. ``r2_within`` is the
    share of the variance left after the fixed effects that the measure explains (for pooled
    OLS and first differences: the ordinary R²).
    """

    measure: str
    estimator: str
    lag: int
    label: str
    coef: float
    se: float
    se_naive: float
    ci_low: float
    ci_high: float
    p_value: float
    n_available: int
    n_used: int
    n_countries: int
    first_year: int
    last_year: int
    r2_within: float


def spec_rows(panel: pd.DataFrame, spec: Spec) -> tuple[pd.DataFrame, int]:
    """Rows a specification uses (iso3, year, y, x) and the number of rows available.

    The drop of rows without the measure is explicit and counted, never silent.
    """
    x = panel[measure_column(spec.measure)]
    if spec.lag:
        x = lagged(panel, measure_column(spec.measure), spec.lag)
    frame = panel[["iso3", "year"]].assign(y=panel[OUTCOME].to_numpy(), x=x.to_numpy())
    if spec.estimator == "fd":
        frame = frame.assign(y=frame["y"] - lagged(frame, "y", 1),
                             x=frame["x"] - lagged(frame, "x", 1))
    available = int(frame["y"].notna().sum())
    return frame.dropna(subset=["y", "x"]).reset_index(drop=True), available


def effects_design(rows: pd.DataFrame, estimator: str) -> pd.DataFrame:
    """Constant plus the estimator's dummies (country and/or year; first level dropped)."""
    parts = [pd.DataFrame({"const": np.ones(len(rows))}, index=rows.index)]
    if estimator in ("fe", "twfe"):
        parts.append(pd.get_dummies(rows["iso3"], prefix="c", drop_first=True, dtype=float))
    if estimator in ("twfe", "pooled_year"):
        parts.append(pd.get_dummies(rows["year"], prefix="y", drop_first=True, dtype=float))
    return pd.concat(parts, axis=1)


def residual_sum_of_squares(y: np.ndarray, design: np.ndarray) -> float:
    """Sum of squared OLS residuals of ``y`` on a full-rank ``design`` (via QR, fast)."""
    basis, _ = np.linalg.qr(design)
    residual = y - basis @ (basis.T @ y)
    return float(residual @ residual)


@dataclass(frozen=True)
class SpecFit:
    """A fitted specification: the summary and the rows with fitted values and residuals."""

    result: SpecResult
    rows: pd.DataFrame  # iso3, year, y, x, fitted, residual


def fit_spec(panel: pd.DataFrame, spec: Spec) -> SpecFit:
    """Fit one specification by OLS with dummies; errors clustered by country.

    Raises:
        ModelDataError: fewer than ``MIN_COUNTRIES`` countries, or a rank-deficient design
            (the measure does not vary once the fixed effects are taken out).
    """
    rows, available = spec_rows(panel, spec)
    if rows["iso3"].nunique() < MIN_COUNTRIES:
        raise ModelDataError(
            f"{spec.label} of {spec.measure}: only {rows['iso3'].nunique()} countries have "
            f"data (need {MIN_COUNTRIES}); widen start_year/end_year or lower lags.")
    effects = effects_design(rows, spec.estimator)
    design = np.column_stack([rows["x"].to_numpy(), effects.to_numpy()])
    model = sm.OLS(rows["y"].to_numpy(), design)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SingularMatrixWarning)
        try:
            naive = model.fit()
        except SingularMatrixWarning as error:
            raise ModelDataError(
                f"{spec.label} of {spec.measure}: the design is rank deficient (the measure "
                "does not vary within the fixed effects).") from error
    groups = pd.factorize(rows["iso3"], sort=True)[0]
    clustered = naive.get_robustcov_results(cov_type="cluster", groups=groups, use_t=True)
    low, high = clustered.conf_int(alpha=1 - CONFIDENCE)[0]
    ssr_effects = residual_sum_of_squares(rows["y"].to_numpy(), effects.to_numpy())
    result = SpecResult(
        spec.measure, spec.estimator, spec.lag, spec.label, float(clustered.params[0]),
        float(clustered.bse[0]), float(naive.bse[0]), float(low), float(high),
        float(clustered.pvalues[0]), available, len(rows), rows["iso3"].nunique(),
        int(rows["year"].min()), int(rows["year"].max()), float(1 - naive.ssr / ssr_effects))
    fitted = rows.assign(fitted=naive.fittedvalues, residual=naive.resid)
    return SpecFit(result, fitted)


def all_specs(indicators: list[str], lags: int) -> list[Spec]:
    """Each indicator alone and the composite, under every estimator and two-way FE lags."""
    specs = []
    for measure in [COMPOSITE, *indicators]:
        specs += [Spec(measure, estimator) for estimator in ESTIMATORS]
        specs += [Spec(measure, "twfe", lag) for lag in range(1, lags + 1)]
    return specs


def fit_all(panel: pd.DataFrame, specs: list[Spec]) -> pd.DataFrame:
    """Coefficient table, one row per specification (see :class:`SpecResult`).

    BLAS runs single-threaded here: the matrices are small (about 1,000 × 70), and on a
    shared two-core machine OpenBLAS threads slow each fit several-fold.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return pd.DataFrame([asdict(fit_spec(panel, spec).result) for spec in specs])


def coefficient(table: pd.DataFrame, measure: str, estimator: str, lag: int = 0) -> pd.Series:
    """One row of :func:`fit_all`'s table."""
    match = table[(table["measure"] == measure) & (table["estimator"] == estimator)
                  & (table["lag"] == lag)]
    if len(match) != 1:
        raise KeyError(f"no single row for {measure}/{estimator}/lag {lag}")
    return match.iloc[0]


def lag_table(table: pd.DataFrame) -> pd.DataFrame:
    """Two-way FE coefficient of each measure by lag, as ``coef [ci_low, ci_high]`` text."""
    rows = table[table["estimator"] == "twfe"].assign(
        cell=lambda t: [f"{c:.3f} [{lo:.3f}, {hi:.3f}]"
                        for c, lo, hi in zip(t["coef"], t["ci_low"], t["ci_high"], strict=True)])
    wide = rows.pivot(index="measure", columns="lag", values="cell")
    wide.columns = [f"lag {lag}" for lag in wide.columns]
    return wide.loc[list(dict.fromkeys(rows["measure"]))]


def measures_with_sign(table: pd.DataFrame, estimator: str, sign: str,
                       labels: dict[str, str]) -> str:
    """Measures whose 95% CI (no lag) lies above (``sign="+"``) or below zero, in words."""
    rows = table[(table["estimator"] == estimator) & (table["lag"] == 0)]
    chosen = rows[rows["ci_low"] > 0] if sign == "+" else rows[rows["ci_high"] < 0]
    return ", ".join(labels[m] for m in chosen["measure"]) or "none"


def measure_results(table: pd.DataFrame, estimator: str, measures: list[str],
                    labels: dict[str, str]) -> str:
    """Each measure's coefficient (log points per SD, no lag) with its 95% CI, in words."""
    parts = []
    for measure in measures:
        row = coefficient(table, measure, estimator)
        parts.append(f"{labels[measure]} {row['coef']:+.3f} (95% CI {row['ci_low']:+.3f} to "
                     f"{row['ci_high']:+.3f})")
    return "; ".join(parts)


def log_points_as_pct(log_points: float) -> float:
    """A difference in logs as a percentage difference: 100 (e^b − 1).

    >>> round(log_points_as_pct(0.321), 1)
    37.9
    """
    return float(100 * np.expm1(log_points))


def time_all_specs(repeats: int = 3) -> float:
    """Wall seconds to fit every default specification (best of ``repeats``; for benchmarks).

    Kept out of the notebook: timings differ between runs and would break nbval.
    """
    tables = load_tables()
    panel, _ = prepare(tables, DEFAULT_START_YEAR, DEFAULT_END_YEAR, list(DEFAULT_INDICATORS))
    specs = all_specs(list(DEFAULT_INDICATORS), DEFAULT_LAGS)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fit_all(panel, specs)
        best = min(best, time.perf_counter() - start)
    return best


# --------------------------------------------------------------------------- where Japan sits
#: decimals kept of FWL residuals (log points / SD units): far below what a plot can show
RESIDUAL_DECIMALS = 9


def partial_regression(panel: pd.DataFrame, measure: str = COMPOSITE) -> pd.DataFrame:
    """Frisch-Waugh-Lovell: outcome and measure net of country and year effects.

    The slope of ``y_resid`` on ``x_resid`` equals the two-way FE coefficient. Residuals are
    rounded to ``RESIDUAL_DECIMALS``: their last bits depend on the BLAS kernel, and a plot of
    them must be the same picture on every CPU.
    """
    rows, _ = spec_rows(panel, Spec(measure, "twfe"))
    effects = effects_design(rows, "twfe").to_numpy()
    residualise = lambda v: sm.OLS(v, effects).fit().resid.round(RESIDUAL_DECIMALS)  # noqa: E731
    return rows.assign(y_resid=residualise(rows["y"].to_numpy()),
                       x_resid=residualise(rows["x"].to_numpy()))[
        ["iso3", "year", "y_resid", "x_resid"]]


def actual_vs_fitted(panel: pd.DataFrame, measure: str = COMPOSITE) -> pd.DataFrame:
    """Pooled OLS with year effects: actual and fitted GDP per hour (USD) per country-year.

    The residual compares a country with others of the same digital maturity in the same
    year; ``residual_pct`` is how far actual productivity is above (+) or below (−) that, in %.
    """
    rows = fit_spec(panel, Spec(measure, "pooled_year")).rows
    return rows.assign(
        actual_usd=np.exp(rows["y"]), fitted_usd=np.exp(rows["fitted"]),
        residual_pct=(np.exp(rows["residual"]) - 1) * 100,
        country=names(rows["iso3"], "en").to_numpy())[
        ["iso3", "country", "year", "actual_usd", "fitted_usd", "residual_pct"]]


def residual_of(fits: pd.DataFrame, iso3: str, year: int | None = None) -> tuple[int, float]:
    """A country's residual in % (latest year of the model if ``year`` is None)."""
    own = fits[fits["iso3"] == iso3]
    year = int(own["year"].max()) if year is None else year
    return year, float(own.loc[own["year"] == year, "residual_pct"].iloc[0])


def position_word(residual_pct: float) -> str:
    """``below``/``above`` the fitted line (the sign of a residual)."""
    return "below" if residual_pct < 0 else "above"


def positions_sentence(japan_residual_pct: float, korea_residual_pct: float) -> str:
    """Where Japan and Korea sit against the fitted line, as one clause."""
    japan, korea = position_word(japan_residual_pct), position_word(korea_residual_pct)
    if japan == korea:
        return f"Japan and Korea both sit {japan} the line"
    return f"Japan sits {japan} the line and Korea {korea} it"


# --------------------------------------------------------------------------- out of sample
BASE_FEATURES = ("growth_lag1_pct", "log_productivity_lag1")


def digital_features(indicators: list[str]) -> list[str]:
    """Features added in the 'with digital' models (all measured the year before)."""
    return ["composite_lag1", "composite_change_lag1", *[f"z_{k}_lag1" for k in indicators]]


def growth_frame(panel: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, int]:
    """Productivity growth (%, log points × 100) with last year's features; rows available.

    Both feature sets use the same rows (those with every feature), so the comparison is fair.
    """
    frame = panel[["iso3", "year"]].copy()
    frame["growth_pct"] = 100 * (panel[OUTCOME] - lagged(panel, OUTCOME, 1))
    frame["growth_lag1_pct"] = lagged(frame, "growth_pct", 1)
    frame["log_productivity_lag1"] = lagged(panel, OUTCOME, 1)
    frame["composite_lag1"] = lagged(panel, COMPOSITE, 1)
    frame["composite_change_lag1"] = frame["composite_lag1"] - lagged(panel, COMPOSITE, 2)
    for key in indicators:
        frame[f"z_{key}_lag1"] = lagged(panel, f"z_{key}", 1)
    available = int(frame["growth_pct"].notna().sum())
    needed = ["growth_pct", *BASE_FEATURES, *digital_features(indicators)]
    return frame.dropna(subset=needed).reset_index(drop=True), available


def cv_splits(frame: pd.DataFrame, scheme: str,
              folds: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Train/test row positions.

    ``time``: for each of the last ``folds`` years t, train on years < t and test on t.
    ``country``: grouped K-fold, each country's rows all in one fold.
    """
    if scheme == "time":
        years = np.sort(frame["year"].unique())
        for year in years[-folds:]:
            yield (np.flatnonzero(frame["year"] < year), np.flatnonzero(frame["year"] == year))
    else:
        yield from GroupKFold(n_splits=folds).split(frame, groups=frame["iso3"])


def _model(kind: str, seed: int) -> object:
    if kind == "ridge":
        return make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS))
    return GradientBoostingRegressor(random_state=seed, **BOOSTING)


def _naive(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, np.ndarray]:
    """Zero growth, and each country's mean growth in training (pooled mean if unseen)."""
    country_mean = train.groupby("iso3")["growth_pct"].mean()
    mean = test["iso3"].map(country_mean).fillna(train["growth_pct"].mean())
    return {"naive: zero growth": np.zeros(len(test)),
            "naive: country mean growth": mean.to_numpy()}


def out_of_fold(frame: pd.DataFrame, indicators: list[str], scheme: str, folds: int,
                seed: int) -> pd.DataFrame:
    """Out-of-fold predictions of every model (rows: test country-years × models)."""
    sets = {"without digital": list(BASE_FEATURES),
            "with digital": [*BASE_FEATURES, *digital_features(indicators)]}
    pieces = []
    for fold, (train_at, test_at) in enumerate(cv_splits(frame, scheme, folds)):
        train, test = frame.iloc[train_at], frame.iloc[test_at]
        predictions = _naive(train, test)
        for kind in ("ridge", "boosting"):
            for name, features in sets.items():
                model = _model(kind, seed).fit(train[features], train["growth_pct"])
                predictions[f"{kind}: {name}"] = model.predict(test[features])
        for model_name, predicted in predictions.items():
            pieces.append(test[["iso3", "year", "growth_pct"]].assign(
                fold=fold, model=model_name, predicted=predicted))
    return pd.concat(pieces, ignore_index=True).assign(scheme=scheme)


def score_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """RMSE (percentage points of growth) and out-of-sample R² per scheme and model.

    ``rmse_fold_se_pp`` is the standard error of the RMSE across folds (SD of the per-fold
    RMSEs / √folds): a rough measure of how much the score depends on which years or
    countries are held out.
    """
    def _score(group: pd.DataFrame) -> pd.Series:
        error = group["growth_pct"] - group["predicted"]
        total = ((group["growth_pct"] - group["growth_pct"].mean()) ** 2).sum()
        per_fold = np.sqrt((error ** 2).groupby(group["fold"]).mean())
        return pd.Series({"rmse_pp": float(np.sqrt((error ** 2).mean())),
                          "rmse_fold_se_pp": float(per_fold.std(ddof=1)
                                                   / np.sqrt(len(per_fold))),
                          "r2": float(1 - (error ** 2).sum() / total),
                          "n_predictions": len(group), "folds": group["fold"].nunique()})

    scores = predictions.groupby(["scheme", "model"])[
        ["growth_pct", "predicted", "fold"]].apply(_score).reset_index()
    scores["n_predictions"] = scores["n_predictions"].astype(int)
    scores["folds"] = scores["folds"].astype(int)
    return scores.sort_values(["scheme", "rmse_pp", "model"]).reset_index(drop=True)


def cross_validate(panel: pd.DataFrame, indicators: list[str], folds: int,
                   seed: int) -> tuple[pd.DataFrame, int, int]:
    """Scores under time-ordered and country-grouped CV; rows used and rows available."""
    frame, available = growth_frame(panel, indicators)
    with threadpool_limits(limits=1, user_api="blas"):
        predictions = pd.concat([out_of_fold(frame, indicators, scheme, folds, seed)
                                 for scheme in ("time", "country")], ignore_index=True)
    return score_table(predictions), len(frame), available


def rmse_of(scores: pd.DataFrame, scheme: str, model: str, column: str = "rmse_pp") -> float:
    """RMSE (pp of growth) of one model under one CV scheme (or its fold SE: ``column``)."""
    return float(scores.set_index(["scheme", "model"]).loc[(scheme, model), column])


# --------------------------------------------------------------------------- verdicts
def association_verdict(row: pd.Series) -> str:
    """Whether the composite's 95% CI excludes zero, in words."""
    if row["ci_low"] > 0:
        return "positive: the 95% interval lies above zero"
    if row["ci_high"] < 0:
        return "negative: the 95% interval lies below zero"
    return "not distinguishable from zero: the 95% interval includes it"


def forecast_verdict(with_digital: float, without: float, naive: float) -> str:
    """Whether digital measures improve out-of-sample growth forecasts, in words."""
    gain = (without - with_digital) / without * 100
    better = "lowers" if gain > 0 else "raises"
    versus = "beats" if with_digital < naive else "does not beat"
    return (f"adding the digital measures {better} the forecast error by {abs(gain):.0f}%, "
            f"and the model with them {versus} the naive country-mean forecast")


# --------------------------------------------------------------------------- parameters
def _window_years(values: dict) -> tuple[list[int], int, int]:
    """Outcome years of members, and the first/last year with every chosen indicator."""
    tables = load_tables()
    members = oecd_members()
    productivity = tables["productivity"]
    years = sorted(productivity.loc[productivity["iso3"].isin(members), "year"].unique())
    chosen = [k for k in values.get("indicators", []) if k in INDICATORS] or ["internet"]
    digital = digital_table(tables).dropna(subset=composite_members(chosen))
    return [int(y) for y in years], int(digital["year"].min()), int(digital["year"].max())


def _allowed_start(values: dict) -> list[int]:
    years, _, last = _window_years(values)
    limit = min(last, values["end_year"]) - MIN_COMPOSITE_YEARS + 1
    return [y for y in years if y <= limit]


def _allowed_end(values: dict) -> list[int]:
    years, first, _ = _window_years(values)
    return [y for y in years if y >= max(first, values["start_year"]) + MIN_COMPOSITE_YEARS - 1]


def _allowed_indicators(values: dict) -> list[str]:
    digital = digital_table(load_tables())
    return [k for k in INDICATORS if digital[k].notna().any()]


def _lag_bounds(values: dict) -> tuple[int, int]:
    _, first, last = _window_years(values)
    span = min(last, values["end_year"]) - max(first, values["start_year"]) + 1
    return 0, max(0, min(MAX_LAGS, span - 3))


def _fold_bounds(values: dict) -> tuple[int, int]:
    _, first, last = _window_years(values)
    span = min(last + 1, values["end_year"]) - max(first + 2, values["start_year"]) + 1
    return 2, max(2, min(span - 2, len(oecd_members()) // 2))


PARAMS = (
    Param("start_year", int, "first year of the panel (outcome and indicators)",
          allowed=_allowed_start),
    Param("end_year", int, "last year of the panel (the latest OECD productivity year)",
          allowed=_allowed_end),
    Param("lags", int, "longest lag of the digital measure in the two-way FE models, years",
          bounds=_lag_bounds),
    Param("indicators", list, "digital indicators estimated alone and combined in the composite",
          allowed=_allowed_indicators),
    Param("cv_folds", int, "test years (time-ordered CV) and folds (country-grouped CV)",
          bounds=_fold_bounds),
    Param("seed", int, "random seed of the gradient boosting (row subsampling)",
          bounds=lambda v: (0, 2**32 - 1)),
)


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
