"""The claims ledger: verdict rules on known inputs, and the real ledger from the chapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers.chapters.claims import ledger as claims
from scityhelpers.chapters.claims.compute import corridor_figures
from scityhelpers.reference.briefing import BriefingFigures

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
                       "claim_japan_trend_high": 0.5, "claim_japan_is_flat": 0,
                       "claim_japan_change_pct": 8.0, "claim_oecd_change_pct": 30.0}}
    window = _briefing(("C4", "window_start_year", 1991), ("C4", "window_end_year", 2022))
    assert claims.check_c4(facts, window).verdict.label == claims.FAILS
    facts["wages"].update(claim_japan_trend_low=-0.1, claim_japan_is_flat=1)
    check = claims.check_c4(facts, window)
    assert check.verdict.label == claims.HOLDS
    assert "1991–2022 Japan +8.0%, OECD average +30.0%" in check.verdict.detail


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
    from scityhelpers.book.facts import facts_folders, load_facts
    from scityhelpers.chapters.registry import get_chapter

    facts = load_facts([*get_chapter("claims").reads_chapters, "claims"], facts_folders(None))
    table = claims.ledger(load("seed_claims"), load("briefing_figures"), facts)
    assert list(table["claim"]) == [f"C{i}" for i in range(1, 14)]
    assert set(table["verdict"]) <= set(claims.VERDICTS)
    verdicts = table.set_index("claim")["verdict"]
    assert verdicts["C3"] == claims.HOLDS  # the briefing's ranks, in the briefing's edition
    assert verdicts["C11"] == claims.HOLDS
    assert verdicts["C9"] == verdicts["C2"] == claims.UNCHECKABLE
    # targets and the briefing's own survey are not checkable facts, never "holds"
    assert verdicts["C5"] == verdicts["C10"] == claims.NOT_FACTUAL
    # IPSS 2023 publishes 104,686 thousand for 2050 (reference_figures/SOURCES.md): +4.7%
    assert verdicts["C1"] == claims.HOLDS
    assert "104.7 M in 2050" in table.set_index("claim").loc["C1", "recomputed"]
    # the briefing's 70 names are all official Mission cities, but its heading says 71
    assert verdicts["C8"] == claims.APPROX
    c5 = table.set_index("claim").loc["C5", "recomputed"]
    assert "not assessable" in c5
    assert "flagged series" in c5


def test_claims_notebook_rerun_for_another_fiscal_year(pulled: Path, tmp_path: Path) -> None:
    import papermill

    from scityhelpers import load
    from scityhelpers.book.page_checks import glue_values

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
    assert int(glued["n_claims"]) == 13


def _kpi_facts(**groups: float) -> dict:
    kpi = {"kpi_count": 15, "kpi_on_track": 7, "kpi_behind": 2, "kpi_no_data": 5,
           "kpi_not_assessable": 1, "kpi_on_track_flagged": 4,
           "kpi_on_track_flagged_ids": "K01, K02, K07, K11", "kpi_not_assessable_ids": "K12"}
    return {"kpi": kpi | groups}


def test_c5_rows_add_up_and_name_flagged_progress() -> None:
    check = claims.check_c5(_kpi_facts(), _briefing())
    assert check.verdict.label == claims.NOT_FACTUAL
    assert "1 not assessable (K12)" in check.recomputed
    assert "4 of them resting on flagged series: K01, K02, K07, K11; 3 plainly" in check.recomputed
    with pytest.raises(ValueError, match="do not add up"):
        claims.check_c5(_kpi_facts(kpi_not_assessable=0), _briefing())


def _digital(low: float, with_digital: float) -> dict:
    return {"digital_productivity": {"twfe_composite_coef": 0.05, "twfe_composite_ci_low": low,
                                     "twfe_composite_ci_high": 0.1,
                                     "cv_rmse_with_digital": with_digital,
                                     "cv_rmse_without_digital": 3.8}}


@pytest.mark.parametrize(("low", "with_digital", "label"),
                         [(0.01, 3.7, claims.HOLDS), (-0.01, 3.7, claims.APPROX),
                          (0.01, 3.9, claims.APPROX), (-0.01, 3.9, claims.FAILS)])
def test_c12_rule_needs_association_and_forecasting_gain(low: float, with_digital: float,
                                                         label: str) -> None:
    check = claims.check_c12(_digital(low, with_digital), _briefing())
    assert check.verdict.label == label
    assert "Causation is not checkable" in check.verdict.detail


@pytest.mark.parametrize(("widening", "label"),
                         [((1, 1, 1), claims.HOLDS), ((1, 1, 0), claims.APPROX),
                          ((1, 0, 0), claims.FAILS)])
def test_c13_rule_counts_comparators_with_a_widening_gap(widening: tuple[int, int, int],
                                                         label: str) -> None:
    wages = {"gap_start_year": 2011, "gap_end_year": 2022, "japan_gap_cagr_pct": 0.9}
    for comparator, flag in zip(("usa", "europe", "korea"), widening, strict=True):
        wages |= {f"gap_{comparator}_is_widening": flag, f"gap_{comparator}_start_pct": -30.0,
                  f"gap_{comparator}_end_pct": -35.0 if flag else -25.0}
    assert claims.check_c13({"wages": wages}, _briefing()).verdict.label == label


def test_briefing_eu_names_match_the_official_list(pulled: Path) -> None:
    from scityhelpers import load
    from scityhelpers.chapters.claims.compute import match_briefing_eu_list

    matched = match_briefing_eu_list(load("briefing_eu_mission_cities"),
                                     load("eu_mission_cities")).set_index("city_in_briefing")
    assert matched["is_matched"].all()
    assert matched.loc["Turin", "official_city"] == "Torino"  # exonym mapped
    assert matched.loc["Malmo", "official_city"] == "Malmö"  # accent ignored


def test_unknown_name_is_not_matched() -> None:
    import pandas as pd

    from scityhelpers.chapters.claims.compute import match_briefing_eu_list

    official = pd.DataFrame({"city": ["Lyon"], "country": ["France"]})
    listed = pd.DataFrame({"city_in_briefing": ["Lyon", "Lyon", "Nice"],
                           "country_code": ["FR", "IT", "FR"]})
    assert match_briefing_eu_list(listed, official)["is_matched"].tolist() == [True, False, False]


def test_machine_readable_ledger_parses() -> None:
    """claims.csv (the download link's data URI) and the JSON-LD in the executed notebook."""
    import csv
    import io
    import json
    import re
    from urllib.parse import unquote

    from scityhelpers.book.notebook_files import notebook_cells
    from scityhelpers.chapters.claims.compute import CSV_COLUMNS

    html = {}
    for cell in notebook_cells(REPO / "notebooks" / "claims.ipynb"):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name in ("ledger_csv_link", "ledger_json_ld"):
                text = output["data"]["application/papermill.record/text/html"]
                html[name] = "".join(text) if isinstance(text, list) else text
    link = re.search(r'download="claims.csv" href="data:text/csv;charset=utf-8,([^"]+)"',
                     html["ledger_csv_link"])
    rows = list(csv.DictReader(io.StringIO(unquote(link.group(1)))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["claim"] for r in rows] == [f"C{i}" for i in range(1, 14)]
    assert all(r["verdict"] in claims.VERDICTS for r in rows)
    script = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>',
                          html["ledger_json_ld"], re.S)
    reviews = json.loads(script.group(1))
    assert len(reviews) == len(rows)
    for review, row in zip(reviews, rows, strict=True):
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["reviewRating"]["alternateName"] == row["verdict"]
        assert review["claimReviewed"] == row["claim_en"]
