"""Digital-productivity chapter: a rerun glues what the model computes; the page shows it."""

from __future__ import annotations

from pathlib import Path

import papermill

from scityhelpers.book.facts import recorded
from scityhelpers.book.page_checks import glue_values, page_text
from scityhelpers.chapters.digital_productivity import compute as countries
from scityhelpers.chapters.digital_productivity.compute import COMPOSITE, Spec

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "digital_productivity.ipynb"
ALTERNATIVE = {"lags": 2, "indicators": ["internet", "mobile", "broadband"], "cv_folds": 3}

def _at(name: str, value: float) -> float:
    """``value`` as the digital_productivity facts record holds it (compared at its precision)."""
    return recorded("digital_productivity", name, value)



def test_papermill_rerun_with_other_indicators_glues_the_models_result(
        pulled: Path, tmp_path: Path) -> None:
    out = tmp_path / "digital_productivity_alt.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=ALTERNATIVE,
                               cwd=str(NOTEBOOK.parent), kernel_name="python3",
                               progress_bar=False)
    glued = glue_values(out)
    panel, composite = countries.prepare(countries.load_tables(), 1995, 2024,
                                         ALTERNATIVE["indicators"])
    twfe = countries.fit_spec(panel, Spec(COMPOSITE, "twfe")).result
    assert float(glued["twfe_composite_coef"]) == _at("twfe_composite_coef", twfe.coef)
    assert float(glued["twfe_composite_ci_low"]) == _at("twfe_composite_ci_low", twfe.ci_low)
    assert int(glued["n_rows"]) == twfe.n_used
    assert glued["lags"] == "2"
    # without the EGDI the composite starts with broadband, well before 2010
    first_year, _ = countries.composite_years(panel, composite)
    assert int(glued["composite_first_year"]) == first_year < 2005
    longest = countries.fit_spec(panel, Spec(COMPOSITE, "twfe", 2)).result
    assert float(glued["twfe_longest_lag_coef"]) == _at("twfe_longest_lag_coef", longest.coef)
    scores, _, _ = countries.cross_validate(panel, ALTERNATIVE["indicators"], 3, 20231)
    assert float(glued["cv_rmse_with_digital"]) == _at(
        "cv_rmse_with_digital", countries.rmse_of(scores, "time", "ridge: with digital"))


def test_committed_notebook_glues_the_ledger_keys() -> None:
    glued = glue_values(NOTEBOOK)
    for key in ["twfe_composite_coef", "twfe_composite_ci_low", "twfe_composite_ci_high",
                "fe_composite_coef", "pooled_composite_coef", "fd_composite_coef",
                "cv_rmse_with_digital", "cv_rmse_without_digital", "cv_rmse_naive",
                "japan_residual_pct", "n_countries", "n_rows"]:
        assert key in glued, key
    assert not any("seconds" in key or "time" in key for key in glued)


def test_built_page_shows_the_two_way_estimate(built_book: Path) -> None:
    text = page_text(built_book / "book" / "digital_productivity.html")
    panel, _ = countries.prepare(countries.load_tables(), 1995, 2024,
                                 list(countries.DEFAULT_INDICATORS))
    twfe = countries.fit_spec(panel, Spec(COMPOSITE, "twfe")).result
    assert f"leaves {twfe.coef:.3f} (95% CI {twfe.ci_low:.3f} to {twfe.ci_high:.3f}" in text
    assert "デジタル化は、生産性向上のカギをにぎる" in text
