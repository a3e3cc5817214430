"""Projection editions: 2018 offline, 2023 only once its live-only table is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from scityhelpers.errors import ParameterError
from scityhelpers.pipeline import tidy
from scityhelpers.reference import projections


def test_offline_only_the_2018_edition_is_available(pulled: Path) -> None:
    assert projections.available_editions() == [2018]
    frame = projections.load_projection(2018)
    assert frame["year"].min() == 2015
    assert frame["year"].max() == 2045


def test_the_2023_edition_offline_says_how_to_get_it(pulled: Path) -> None:
    with pytest.raises(ParameterError, match="scity data pull ipss_projections_2023"):
        projections.load_projection(2023)


def test_editions_follow_the_built_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    built = {"municipal_projection", "municipal_projection_2023"}
    monkeypatch.setattr(tidy, "is_current", lambda table: table in built)
    assert projections.available_editions() == [2018, 2023]
    built.discard("municipal_projection")
    assert projections.available_editions() == [2023]


def test_unknown_edition_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="known: \\[2018, 2023\\]"):
        projections.load_projection(2017)
