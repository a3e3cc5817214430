"""万人 companions: the same recorded fact, in the unit a Japanese reader expects."""

from __future__ import annotations

import pytest

from scityhelpers.book.facts import FactRecord
from scityhelpers.book.units_ja import add_man_companions, man_name
from scityhelpers.errors import FactError


def test_man_name_replaces_the_million_suffix() -> None:
    assert man_name("national_2045_ipss2023_million") == "national_2045_ipss2023_man"


def test_companion_is_the_recorded_million_value_times_100() -> None:
    facts = FactRecord("claims", glue=False)
    facts.add("corridor_population_million", 72.8967)  # recorded at 1 decimal: 72.9
    add_man_companions(facts)
    assert facts.values["corridor_population_million"] == pytest.approx(72.9)
    assert facts.values["corridor_population_man"] == pytest.approx(7290.0)


def test_no_companion_without_its_million_fact() -> None:
    facts = FactRecord("claims", glue=False)
    add_man_companions(facts)
    assert "corridor_population_man" not in facts.values
    with pytest.raises(FactError, match="declares facts it did not produce"):
        facts.publish()
