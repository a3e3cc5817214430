"""Population notebook: a papermill rerun glues what the analysis computes for its parameters."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest

from scityhelpers import load
from scityhelpers.book.facts import recorded
from scityhelpers.book.page_checks import glue_values
from scityhelpers.book.run_plan import plan
from scityhelpers.chapters.population import compute as population
from scityhelpers.chapters.registry import get_chapter
from scityhelpers.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]

def _at(name: str, value: float) -> float:
    """``value`` as the population facts record holds it (compared at its precision)."""
    return recorded("population", name, value)



def test_papermill_threshold_50_in_2040_glues_the_computed_shares(pulled: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "population_2040.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / "population.ipynb"), str(out),
                               parameters={"target_year": 2040, "decline_threshold": 50.0},
                               cwd=str(REPO / "notebooks"), kernel_name="python3",
                               progress_bar=False)
    glued = glue_values(out)
    changes = population.municipal_change(load("municipal_projection"), 2040,
                                          load("population_2015_2020"))
    shares = population.decline_shares(changes, 50.0)
    assert glued["target_year"] == "2040"
    assert float(glued["decline_threshold"]) == 50.0
    assert float(glued["share_municipalities_decline_ge_threshold_pct"]) == _at(
        "share_municipalities_decline_ge_threshold_pct", shares.municipalities_pct)
    assert float(glued["share_area_declining_pct"]) == _at(
        "share_area_declining_pct", shares.area_pct)
    assert float(glued["share_population_in_declining_pct"]) == _at(
        "share_population_in_declining_pct", shares.population_pct)
    assert int(glued["n_municipalities"]) == len(changes)
    # the national interpolation does not depend on the municipal parameters
    committed = glue_values(REPO / "notebooks" / "population.ipynb")
    assert glued["national_2050_interpolated_million"] == \
        committed["national_2050_interpolated_million"]


def test_a_target_year_beyond_the_edition_is_refused_before_running(pulled: Path) -> None:
    with pytest.raises(ParameterError, match="target_year"):
        plan(get_chapter("population"), {"target_year": 2050}, None)
