"""Programme and KPI notebooks: papermill reruns glue what the analysis computes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import papermill
import pytest

from scityhelpers import load
from scityhelpers.book.facts import recorded
from scityhelpers.book.page_checks import glue_values
from scityhelpers.chapters.kpi import compute as kpi
from scityhelpers.chapters.parameters import check
from scityhelpers.chapters.programmes import compute as programmes
from scityhelpers.errors import ParameterError
from scityhelpers.reference.briefing import load_briefing
from scityhelpers.reference.programme_completeness import completeness
from scityhelpers.reference.projections import load_projection

REPO = Path(__file__).resolve().parents[1]

def _at(name: str, value: float) -> float:
    """``value`` as the programmes facts record holds it (compared at its precision)."""
    return recorded("programmes", name, value)



def _run(name: str, parameters: dict, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / f"{name}.ipynb"), str(out),
                               parameters=parameters, cwd=str(REPO / "notebooks"),
                               kernel_name="python3", progress_bar=False)
    return glue_values(out)


def test_programmes_as_of_2023_glues_the_2023_selection(pulled: Path, tmp_path: Path) -> None:
    glued = _run("programmes", {"as_of": 2023}, tmp_path)
    rounds = load("decarbonization_rounds")
    table = programmes.decarb_round_table(rounds, completeness(), 2023, load_briefing())
    assert glued["as_of"] == "2023"
    assert int(glued["decarb_rounds_shown"]) == len(table) == 4
    assert float(glued["decarb_pooled_rate_pct"]) == _at(
        "decarb_pooled_rate_pct", programmes.pooled_selection_rate(table))
    selected = programmes.selections(load("sdgs_future_cities"), load("decarbonization_areas"),
                                     load("special_zones"), rounds, completeness(), 2023)
    profile = programmes.municipal_profile(load("municipalities"),
                                           load("census2020_municipal"), load_projection(2018))
    groups = programmes.comparison_groups(profile, selected)
    medians = programmes.group_medians(profile, groups, "population_2020_persons")
    assert int(glued["group_selected"]) == int((groups == "selected").sum())
    assert float(glued["selected_median_pop"]) == _at("selected_median_pop", medians[0])
    assert float(glued["others_median_pop"]) == _at("others_median_pop", medians[1])
    # the briefing's counts do not depend on the cut-off
    assert glued["sdgs_cities_2018_2023"] == "182"
    assert glued["decarb_r3_proposals"] == "58"


def test_kpi_as_of_2023_04_30_counts_what_was_reported_by_then(pulled: Path,
                                                              tmp_path: Path) -> None:
    glued = _run("kpi", {"as_of": "2023-04-30"}, tmp_path)
    table = kpi.tracker(load("kpis"), date(2023, 4, 30), kpi.collected_date())
    counts = kpi.status_counts(table)
    assert glued["as_of"] == "2023-04-30"
    assert int(glued["kpi_on_track"]) == counts["on track"]
    assert int(glued["kpi_no_data"]) == counts["no data"]
    assert int(glued["kpi_behind"]) == counts["behind"]
    assert float(glued["k08_actual"]) == 96.6  # FY2022 end, published 2023-08-03
    # K11 was reported 2023-06-20, after the cut-off: no data (its status is not a fact)
    assert kpi.series_facts(table)["k11_status"] == "no data"


def test_parameters_outside_the_data_are_refused(pulled: Path) -> None:
    with pytest.raises(ParameterError, match="as_of"):
        check(programmes.PARAMS, as_of=2017, projection_edition=2018)
    with pytest.raises(ParameterError, match="as_of"):
        check(kpi.PARAMS, as_of="2024")
