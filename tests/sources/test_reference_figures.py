"""Reference figures: IPSS 2023 key figures typed from a real excerpt; claims pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import reference_figures as ref

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
    assert claims["claim_id"].tolist() == [f"C{i}" for i in range(1, 14)]


# -- additions of 2026-11-29 -----------------------------------------------------------------
NATIONAL_2050 = "reference_figures/national_2050.csv"
ADDITIONS = "reference_figures/claims_additions.csv"
CLAIMS_C7_C9 = "reference_figures/claims_C7_C9_excerpt.csv"
BRIEFING_EU = "reference_figures/briefing_eu_excerpt.csv"


def test_national_2050_is_the_published_total(fixtures: Path) -> None:
    table = validate_table(ref.build_national_2050({ref.FILE_NATIONAL_2050:
                                                    fixtures / NATIONAL_2050}),
                           ref.NATIONAL_2050_SCHEMA, "national 2050")
    # reference_figures/SOURCES.md: 104,686 thousand persons (IPSS 2023, results table 1-1)
    assert table.loc[0, "value"] == 104686
    assert table.loc[0, "year"] == 2050


def test_national_2050_in_million_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(NATIONAL_2050)
    path.write_text(path.read_text(encoding="utf-8").replace("thousand persons", "million persons"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="million persons"):
        ref.build_national_2050({ref.FILE_NATIONAL_2050: path})


def test_additions_replace_a_repeated_claim(fixtures: Path) -> None:
    claims = ref.build_claims({ref.FILE_CLAIMS: fixtures / CLAIMS_C7_C9,
                               ref.FILE_CLAIMS_ADDITIONS: fixtures / ADDITIONS})
    validate_table(claims, ref.CLAIMS_SCHEMA, "claims")
    assert claims["claim_id"].tolist() == ["C7", "C8", "C9", "C12", "C13"]
    c8 = claims.set_index("claim_id").loc["C8", "figures_in_briefing"]
    assert "71 cities" in c8  # the restated row, not the first table's "100 + 12"


def test_briefing_eu_list_is_typed(fixtures: Path) -> None:
    table = validate_table(ref.build_briefing_eu_cities({ref.FILE_BRIEFING_EU:
                                                         fixtures / BRIEFING_EU}),
                           ref.BRIEFING_EU_SCHEMA, "briefing EU list")
    assert table.iloc[0].tolist()[:4] == ["Sarajevo", "BA", 1, 1]
    assert table.iloc[-1]["city_in_briefing"] == "Glasgow"


def test_briefing_eu_list_refuses_a_lost_column(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(BRIEFING_EU)
    path.write_text(path.read_text(encoding="utf-8").replace("country_code", "country", 1),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="country_code"):
        ref.build_briefing_eu_cities({ref.FILE_BRIEFING_EU: path})


def test_real_additions(pulled: Path) -> None:
    from scityhelpers import load

    claims = load("seed_claims")
    assert claims["claim_id"].tolist() == [f"C{i}" for i in range(1, 14)]
    # the briefing's three-column table under 【…欧州71都市】 has 70 name/country pairs
    # (seed_claims_additions_2026-11-29.csv, how_to_check of C8)
    assert len(load("briefing_eu_mission_cities")) == 70
