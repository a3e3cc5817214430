"""Prefectural capitals: a reference table whose codes must agree with their names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scityhelpers.errors import SourceSchemaError, TidySchemaError
from scityhelpers.pipeline.validate import validate_table
from scityhelpers.sources import prefectural_capitals as capitals

PULLED_SOURCES = ["soumu_codes", "estat_municipal_changes", "prefectural_capitals"]
EXCERPT = "prefectural_capitals/capitals_01_02_13_excerpt.csv"

#: the code5 of the 47 capitals the municipal model used before the table existed (the
#: PREFECTURAL_CAPITALS literal of scityhelpers.chapters.municipal_models.compute at commit
#: 002b205, resolved)
CODES_BEFORE_THE_MOVE = frozenset({
    "01100", "02201", "03201", "04100", "05201", "06201", "07201", "08201", "09201", "10201",
    "11100", "12100", "13104", "14100", "15100", "16201", "17201", "18201", "19201", "20201",
    "21201", "22100", "23100", "24201", "25201", "26100", "27100", "28100", "29201", "30201",
    "31201", "32201", "33100", "34100", "35203", "36201", "37201", "38201", "39201", "40130",
    "41201", "42201", "43100", "44201", "45201", "46201", "47201",
})


def build(path: Path):
    return capitals.build_prefectural_capitals({capitals.FILE: path})


def test_excerpt_keeps_names_codes_and_the_tokyo_note(pulled_sources: Path,
                                                      fixtures: Path) -> None:
    table = build(fixtures / EXCERPT).set_index("pref_code")
    assert table.loc["01", ["municipality", "code5", "code6"]].tolist() == ["札幌市", "01100",
                                                                          "011002"]
    assert table.loc["13", "municipality"] == "新宿区"
    assert "新宿区" in table.loc["13", "note"]


def test_a_code_that_does_not_match_its_name_is_refused(
        pulled_sources: Path, copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    text = path.read_text(encoding="utf-8").replace("02201,022012", "02202,022021")  # 弘前市
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="青森県青森市: 02202/022021 in the file, "
                                                "02201/022012 resolved"):
        build(path)


def test_a_capital_outside_its_prefecture_is_refused(
        pulled_sources: Path, copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    path.write_text(path.read_text(encoding="utf-8").replace("\n02,", "\n03,"), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="outside their prefecture"):
        build(path)


def test_a_renamed_column_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(EXCERPT)
    text = path.read_text(encoding="utf-8").replace("municipality,", "city,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="municipality"):
        build(path)


def test_the_schema_wants_one_row_per_prefecture(pulled_sources: Path, fixtures: Path) -> None:
    with pytest.raises(TidySchemaError, match="one row per prefecture"):
        validate_table(build(fixtures / EXCERPT), capitals.SCHEMA, "prefectural_capitals")


# -- the committed table ---------------------------------------------------------------------
def test_47_rows_one_per_prefecture_each_resolving_to_its_code(pulled_sources: Path) -> None:
    from scityhelpers import load
    from scityhelpers.reference.municipalities import resolve

    table = load("prefectural_capitals")
    municipalities = load("municipalities").set_index("code5")
    assert len(table) == 47
    assert table["pref_code"].tolist() == [f"{i:02d}" for i in range(1, 48)]
    prefectures = municipalities[municipalities["level"] == "prefecture"]
    assert dict(zip(table["pref_code"], table["prefecture"], strict=True)) \
        == dict(zip(prefectures["pref_code"], prefectures["name"], strict=True))
    for row in table.itertuples():
        assert resolve(row.municipality, row.prefecture) == row.code5
        assert municipalities.loc[row.code5, "level"] == "municipality"
        assert municipalities.loc[row.code5, "code6"] == row.code6
    assert frozenset(table["code5"]) == CODES_BEFORE_THE_MOVE


def test_the_municipal_model_flags_exactly_the_tables_capitals(pulled: Path) -> None:
    from scityhelpers import load
    from scityhelpers.chapters.municipal_models import compute as municipal

    frame = municipal.load_municipal_data(2018).selection_frame()
    flagged = frozenset(frame.loc[frame["is_prefectural_capital"] == 1.0, "code5"])
    assert flagged == frozenset(load("prefectural_capitals")["code5"]) == CODES_BEFORE_THE_MOVE
    assert "prefectural_capitals" in municipal.TABLES  # the runner reruns the chapter on edits
