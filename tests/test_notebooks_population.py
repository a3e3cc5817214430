"""Population notebook: a papermill rerun glues what the analysis computes for its parameters."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest

from scityhelpers import load
from scityhelpers.analysis import population
from scityhelpers.book import glue_values
from scityhelpers.chapters import get_chapter
from scityhelpers.errors import ParameterError
from scityhelpers.runner import plan

REPO = Path(__file__).resolve().parents[1]


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
    assert float(glued["share_municipalities_decline_ge_threshold_pct"]) == pytest.approx(
        shares.municipalities_pct, abs=0.05)  # facts: 1 dp
    assert float(glued["share_area_declining_pct"]) == pytest.approx(shares.area_pct, abs=0.05)
    assert float(glued["share_population_in_declining_pct"]) == pytest.approx(
        shares.population_pct, abs=0.05)
    assert int(glued["n_municipalities"]) == len(changes)
    # the national interpolation does not depend on the municipal parameters
    committed = glue_values(REPO / "notebooks" / "population.ipynb")
    assert glued["national_2050_interpolated_million"] == \
        committed["national_2050_interpolated_million"]


def test_a_target_year_beyond_the_edition_is_refused_before_running(pulled: Path) -> None:
    with pytest.raises(ParameterError, match="target_year"):
        plan(get_chapter("population"), {"target_year": 2050}, None)
