"""The claims ledger: verdict rules on known inputs, and the real ledger from the chapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers import claims
from scityhelpers.analysis.claims import corridor_figures
from scityhelpers.briefing import BriefingFigures

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("recomputed", "label"),
    [(104.7, claims.HOLDS), (95.5, claims.HOLDS), (112.0, claims.APPROX),
     (87.0, claims.APPROX), (120.0, claims.FAILS)],
)
def test_numeric_verdict_tolerances(recomputed: float, label: str) -> None:
    assert claims.numeric_verdict(recomputed, 100.0, "x").label == label


def _briefing(*rows: tuple[str, str, float]) -> BriefingFigures:
    import pandas as pd

    return BriefingFigures(pd.DataFrame(rows, columns=["claim_id", "figure", "value"]))


def test_mesh_claim_is_reported_but_not_judged() -> None:
    facts = {"population": {"share_area_declining_pct": 70.5, "decline_threshold": 30.0,
                            "target_year": 2045, "threshold_half_area_pct": 39.9,
                            "edition": 2018}}
    check = claims.check_c2(facts, _briefing())
    assert check.verdict.label == claims.UNCHECKABLE
    assert "reached at a decline of 40%" in check.verdict.detail


def test_counts_verdict() -> None:
    assert claims.counts_verdict([("a", 26, 26), ("b", 79, 79)]).label == claims.HOLDS
    assert claims.counts_verdict([("a", 25, 26)]).label == claims.APPROX
    failing = claims.counts_verdict([("a", 20, 26)])
    assert failing.label == claims.FAILS
    assert "20 vs 26" in failing.detail


def test_flat_trend_verdict_follows_the_confidence_interval() -> None:
    facts = {"wages": {"claim_japan_trend_pct": 0.3, "claim_japan_trend_low": 0.1,
                       "claim_japan_trend_high": 0.5, "claim_japan_is_flat": 0}}
    assert claims.check_c4(facts, _briefing()).verdict.label == claims.FAILS
    facts["wages"].update(claim_japan_trend_low=-0.1, claim_japan_is_flat=1)
    assert claims.check_c4(facts, _briefing()).verdict.label == claims.HOLDS


def test_missing_fact_names_the_chapter_and_key() -> None:
    with pytest.raises(KeyError, match="wages::claim_japan_trend_pct"):
        claims.check_c4({"wages": {}}, _briefing())


def test_briefing_figures_come_from_the_table_not_the_code() -> None:
    # the same recomputed ranks judged against other "briefing" figures flip the verdict:
    # the check reads the figures it is given, it has none of its own
    facts = {"wages": {"briefing_japan_rank": 25, "briefing_korea_rank": 19,
                       "briefing_japan_wage": 41509.0, "briefing_korea_wage": 48922.0,
                       "japan_rank": 24}}
    real = _briefing(("C3", "japan_rank", 25), ("C3", "korea_rank", 19),
                     ("C3", "japan_wage_thousand_usd", 41.5),
                     ("C3", "korea_wage_thousand_usd", 48.9))
    other = _briefing(("C3", "japan_rank", 21), ("C3", "korea_rank", 19),
                      ("C3", "japan_wage_thousand_usd", 41.5),
                      ("C3", "korea_wage_thousand_usd", 48.9))
    assert claims.check_c3(facts, real).verdict.label == claims.HOLDS
    assert claims.check_c3(facts, other).verdict.label == claims.FAILS


def test_missing_briefing_figure_says_where_to_add_it() -> None:
    with pytest.raises(KeyError, match="briefing_figures.csv"):
        _briefing().value("C1", "population_2050_million")


def test_corridor_reproduces_published_figures(pulled: Path) -> None:
    from scityhelpers import load

    figures = corridor_figures(load("prefecture_population_2020"), load("gpp"), 2019)
    # japan_prefectures/SOURCES.md, "Japan Central Corridor check": 72.90 M and 359.8 tn yen
    assert figures["corridor_population_million"] == pytest.approx(72.90, abs=0.005)
    assert figures["corridor_gpp_trillion_yen"] == pytest.approx(359.8, abs=0.05)


def test_real_ledger_has_every_claim_with_a_computed_verdict(pulled: Path) -> None:
    from scityhelpers import load
    from scityhelpers.facts import facts_folders, load_facts

    facts = load_facts(["wages", "population", "programmes", "kpi", "claims"],
                       facts_folders(None))
    table = claims.ledger(load("seed_claims"), load("briefing_figures"), facts)
    assert list(table["claim"]) == [f"C{i}" for i in range(1, 12)]
    assert set(table["verdict"]) <= set(claims.VERDICTS)
    verdicts = table.set_index("claim")["verdict"]
    assert verdicts["C3"] == claims.HOLDS  # the briefing's ranks, in the briefing's edition
    assert verdicts["C11"] == claims.HOLDS
    assert verdicts["C9"] == verdicts["C10"] == verdicts["C2"] == claims.UNCHECKABLE
    assert verdicts["C1"] == claims.HOLDS  # 104.5 M interpolated: within 5% of "about 100 M"


def test_claims_notebook_rerun_for_another_fiscal_year(pulled: Path, tmp_path: Path) -> None:
    import papermill

    from scityhelpers import load
    from scityhelpers.book import glue_values

    out = tmp_path / "claims_fy2021.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / "claims.ipynb"), str(out),
                               parameters={"corridor_fiscal_year": 2021},
                               cwd=str(REPO / "notebooks"), kernel_name="python3",
                               progress_bar=False)
    glued = glue_values(out)
    expected = corridor_figures(load("prefecture_population_2020"), load("gpp"), 2021)
    assert float(glued["corridor_gpp_trillion_yen"]) == pytest.approx(
        expected["corridor_gpp_trillion_yen"], abs=0.05)  # recorded to 0.1 trillion yen
    assert glued["corridor_gpp_fiscal_year"] == "2021"
    assert int(glued["n_claims"]) == 11
