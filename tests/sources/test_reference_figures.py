"""Reference figures: IPSS 2023 key figures typed from a real excerpt; claims pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import SourceSchemaError
from scityhelpers.sources import reference_figures as ref
from scityhelpers.validate import validate_table

EXCERPT = "reference_figures/key_figures_excerpt.csv"


def build(path: Path):
    return ref.build_key_figures({ref.FILE_KEY_FIGURES: path})


def test_excerpt_is_typed(fixtures: Path) -> None:
    table = validate_table(build(fixtures / EXCERPT), ref.KEY_FIGURES_SCHEMA, "key figures")
    figures = table.set_index(["edition", "year"])["value"]
    assert figures[("IPSS 2023 (令和5年推計)", 2045)] == 108.80  # million persons
    assert figures.isna()[("IPSS 2017 (平成29年推計)", 2053)]  # the figure is the year itself


def test_unknown_unit_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace("million persons", "thousand persons",
                                                             1), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="thousand persons"):
        build(path)


def test_real_tables(pulled: Path) -> None:
    from scityhelpers import load

    figures = load("ipss2023_key_figures").set_index(["edition", "variant", "year", "measure"])
    # reference_figures/ipss2023_national_projection_key_figures.csv (IPSS overview, quoted):
    # 2070 total 87.00 million under medium fertility / medium mortality
    assert figures.loc[("IPSS 2023 (令和5年推計)", "medium fertility / medium mortality", 2070,
                        "total population"), "value"] == 87.00
    claims = load("seed_claims")
    assert claims["claim_id"].tolist() == [f"C{i}" for i in range(1, 12)]
