"""Population chapter: interpolation, municipal decline shares, thresholds, coverage."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers import load
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.population import compute as population
from scityhelpers.errors import ParameterError

MEDIUM = population.KEY_VARIANT_MEDIUM


def _key_figures(points: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({
        "edition": population.KEY_EDITION, "variant": MEDIUM, "year": list(points),
        "measure": population.KEY_MEASURE_TOTAL, "value": list(points.values()),
        "unit": "million persons", "source_url": "", "source_note": ""})


def _projection(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """(code5, year, total, aged 65+) → a projection table; the rest of the total is 15–64."""
    return pd.DataFrame([{"edition": 2018, "code5": c, "name": f"m{c}", "name_in_edition": c,
                          "year": y, "population_persons": p, "age0_14_persons": 0,
                          "age15_64_persons": p - old, "age65plus_persons": old}
                         for c, y, p, old in rows])


def _census(weights: dict[str, tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"code5": c, "level": "municipality", "population_2015_persons": p,
                          "area_2015_km2": a, "population_2020_persons": p,
                          "age65plus_2020_persons": 0, "change_2015_2020_pct": 0.0}
                         for c, (p, a) in weights.items()])


# Three municipalities, declines of 60%, 30% and 0% by 2045 (from 1000 persons each);
# 2020 population weights 100, 300, 600 and areas 50, 30, 20 km².
SYNTHETIC = _projection([
    ("01001", 2015, 1000, 200), ("01001", 2045, 400, 200),
    ("01002", 2015, 1000, 200), ("01002", 2045, 700, 350),
    ("02001", 2015, 1000, 100), ("02001", 2045, 1000, 300),
])
SYNTHETIC_CENSUS = _census({"01001": (100, 50.0), "01002": (300, 30.0), "02001": (600, 20.0)})


def test_loglinear_midpoint_is_the_geometric_mean() -> None:
    assert population.loglinear(2000, 100.0, 2010, 50.0, 2005) == pytest.approx(
        math.sqrt(100.0 * 50.0))
    with pytest.raises(ValueError, match="not strictly between"):
        population.loglinear(2000, 100.0, 2010, 50.0, 2010)


def test_interpolation_uses_the_nearest_published_years() -> None:
    figures = _key_figures({2020: 126.0, 2045: 110.0, 2056: 100.0, 2070: 87.0})
    estimate = population.interpolate_national(figures, 2050)
    assert (estimate.lower_year, estimate.upper_year) == (2045, 2056)
    assert estimate.value == pytest.approx(110.0 * (100.0 / 110.0) ** (5 / 11))
    assert estimate.annual_change_pct == pytest.approx(((100 / 110) ** (1 / 11) - 1) * 100)
    assert population.first_year_below(figures, 100.5) == 2056


def test_interpolation_refuses_a_year_outside_the_published_range() -> None:
    with pytest.raises(ValueError, match="no published years on both sides"):
        population.interpolate_national(_key_figures({2045: 110.0, 2056: 100.0}), 2070)


def test_round_figure_verdict_uses_the_tolerance() -> None:
    near = population.Interpolation(2050, 104.0, 2045, 108.0, 2056, 99.0)
    far = population.Interpolation(2050, 112.0, 2045, 115.0, 2056, 110.0)
    assert population.round_figure_verdict(near, 100.0).startswith("holds")
    assert "more than 5% above" in population.round_figure_verdict(far, 100.0)


def test_municipal_change_and_shares_on_known_declines() -> None:
    changes = population.municipal_change(SYNTHETIC, 2045, SYNTHETIC_CENSUS)
    assert changes["change_pct"].round(6).tolist() == [-60.0, -30.0, 0.0]
    assert changes["age65plus_target_pct"].round(6).tolist() == [50.0, 50.0, 30.0]
    shares = population.decline_shares(changes, 30.0)
    assert shares.municipalities_pct == pytest.approx(200 / 3)
    assert shares.area_pct == pytest.approx(80.0)        # 50 + 30 of 100 km²
    assert shares.population_pct == pytest.approx(40.0)  # 100 + 300 of 1000 persons
    halved = population.decline_shares(changes, 50.0)
    assert (halved.municipalities_pct, halved.area_pct, halved.population_pct) == \
        pytest.approx((100 / 3, 50.0, 10.0))


def test_threshold_for_share_is_a_weighted_quantile_of_decline() -> None:
    changes = population.municipal_change(SYNTHETIC, 2045, SYNTHETIC_CENSUS)
    assert population.threshold_for_share(changes, 50.0, "area_km2") == pytest.approx(60.0)
    assert population.threshold_for_share(changes, 50.0) == pytest.approx(30.0)
    assert population.threshold_for_share(
        changes, 50.0, "population_2020_persons") == pytest.approx(0.0)


def test_sensitivity_never_rises_with_the_threshold() -> None:
    changes = population.municipal_change(SYNTHETIC, 2045, SYNTHETIC_CENSUS)
    curve = population.sensitivity(changes)
    for _, rows in curve.groupby("measure"):
        assert rows.sort_values("threshold_pct")["share_pct"].is_monotonic_decreasing
    assert set(curve["measure"]) == set(population.WEIGHTS)


def test_a_municipality_without_census_weights_is_refused() -> None:
    census = SYNTHETIC_CENSUS[SYNTHETIC_CENSUS["code5"] != "02001"]
    with pytest.raises(ValueError, match="02001"):
        population.municipal_change(SYNTHETIC, 2045, census)


def test_prefecture_without_projection_has_no_value_not_zero() -> None:
    changes = population.municipal_change(SYNTHETIC, 2045, SYNTHETIC_CENSUS)
    municipalities = pd.DataFrame({"level": "prefecture", "pref_code": ["01", "02", "07"],
                                   "pref_name": ["北海道", "青森県", "福島県"]})
    table = population.prefecture_change(changes, municipalities).set_index("pref_code")
    assert table.loc["01", "change_pct"] == pytest.approx(-45.0)
    assert table.loc["02", "change_pct"] == pytest.approx(0.0)
    assert math.isnan(table.loc["07", "change_pct"])


def test_horizon_note_says_when_the_edition_stops_short() -> None:
    assert "projects to 2045, not 2050" in population.horizon_note(SYNTHETIC, 2018, 2050)


# --------------------------------------------------------------------------- real data
def test_2018_edition_base_equals_census_2015_without_fukushima(pulled: Path) -> None:
    projection = load("municipal_projection")
    # 2015 census: Japan 127,094,745 persons; Fukushima 1,914,039 (総務省統計局, 平成27年国勢調査
    # 人口等基本集計; both in census table 00100, as the manifest's ipss_projections caveat says)
    assert population.national_sum(projection).set_index("year").loc[
        2015, "population_persons"] == 127_094_745 - 1_914_039


def test_real_2050_estimate_lies_between_the_published_ipss_figures(pulled: Path) -> None:
    # IPSS 2023 overview: 1億880万人 in 2045, 9965万人 in 2056 (medium variant)
    estimate = population.interpolate_national(load("ipss2023_key_figures"), 2050)
    assert (estimate.lower_value, estimate.upper_value) == (108.80, 99.65)
    assert estimate.value == pytest.approx(108.80 * (99.65 / 108.80) ** (5 / 11))
    assert population.first_year_below(load("ipss2023_key_figures"), 100.0) == 2056


def test_fukushima_is_the_area_the_2018_edition_leaves_out(pulled: Path) -> None:
    projection = load("municipal_projection")
    absent = population.coverage(projection, load("population_2015_2020"), load("municipalities"))
    assert set(absent["pref_code"]) == {"07"}
    assert len(absent) == 59  # all of Fukushima: 59 municipalities in the 総務省 code list
    assert population.municipal_change(projection, 2045, load("population_2015_2020")).shape[0] \
        == 1682


def test_parameters_follow_the_edition(pulled: Path) -> None:
    check(population.PARAMS, edition=2018, target_year=2045, decline_threshold=30.0)
    with pytest.raises(ParameterError, match="2045"):
        check(population.PARAMS, edition=2018, target_year=2050, decline_threshold=30.0)
    with pytest.raises(ParameterError, match="outside"):
        check(population.PARAMS, edition=2018, target_year=2045, decline_threshold=95.0)
    with pytest.raises(ParameterError, match="valid values"):
        check(population.PARAMS, edition=2023, target_year=2050, decline_threshold=30.0)
