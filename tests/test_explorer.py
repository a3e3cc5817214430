"""The municipality explorer's rows and search keys, from the real tidy tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scityhelpers.book.explorer import (
    GLOBAL_NAME,
    explorer_payload,
    load_explorer_table,
    search_key,
    write_explorer_data,
)
from scityhelpers.pipeline.tidy import load
from scityhelpers.reference.municipalities import resolve


@pytest.mark.parametrize(("text", "key"), [
    ("ユスハラチョウ", "ゆすはらちょう"),   # katakana → hiragana
    ("ﾕｽﾊﾗ", "ゆすはら"),                 # half width → full width, then hiragana
    ("Chūō Ward", "chuoward"),           # macrons and spaces
    ("Nan-yo City", "nanyocity"),        # hyphen
    ("梼原町", "梼原町"),                  # kanji untouched
    ("３９４０５", "39405"),               # full-width digits
])
def test_search_key_folds_what_readers_type(text: str, key: str) -> None:
    assert search_key(text) == key


@pytest.fixture(scope="module")
def explorer(pulled: Path) -> tuple:
    return load_explorer_table()


def test_one_row_per_municipal_unit(explorer: tuple) -> None:
    table, meta = explorer
    units = load("municipalities").query("level == 'municipality' and not is_hoppo")
    assert table["code5"].tolist() == sorted(units["code5"])
    assert meta["projection_to"] > meta["projection_from"]


def test_row_values_equal_the_tidy_tables(explorer: tuple) -> None:
    table, _ = explorer
    code5 = resolve("梼原町", "高知県")
    row = table.set_index("code5").loc[code5]
    population = load("population_2015_2020").set_index("code5").loc[code5]
    income = load("taxable_income").set_index("code5").loc[code5]
    assert row["population_2020_persons"] == population["population_2020_persons"]
    assert row["income_per_taxpayer_thousand_yen"] == \
        income["taxable_income_per_taxpayer_thousand_yen"]
    decarb = load("decarbonization_areas")
    rounds = sorted(decarb.loc[decarb["code5"] == code5, "round"])
    assert [entry[0] for entry in row["decarbonization_rounds"]] == rounds
    assert "ゆすはら" in row["search_key"]
    assert "yusuhara" in row["search_key"]


def test_ward_selections_count_for_their_city(explorer: tuple) -> None:
    table, _ = explorer
    wards = load("municipalities").query("level == 'designated_city_ward'")
    assert not table["code5"].isin(wards["code5"]).any()
    sendai = table.set_index("code5").loc[resolve("仙台市", "宮城県")]
    assert search_key("青葉区") in sendai["search_key"]


def test_published_file_is_a_script_with_every_row(explorer: tuple, tmp_path: Path) -> None:
    table, meta = explorer
    path = write_explorer_data(tmp_path)
    text = path.read_text(encoding="utf-8")
    prefix = f"window.{GLOBAL_NAME} = "
    assert text.startswith(prefix)
    payload = json.loads(text[len(prefix):].rstrip().rstrip(";"))
    assert payload == json.loads(json.dumps(explorer_payload(table, meta), ensure_ascii=False))
    assert len(payload["rows"]) == len(table)
    assert all(v is None or v == v for row in payload["rows"] for v in row)  # no NaN


def test_no_current_projection_is_a_clear_error_naming_the_remedy(
        explorer: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    # the fault: with every projection table stale (parser code changed, no pull yet) the
    # explorer failed with a bare IndexError from an empty list of editions
    from scityhelpers.errors import StaleTidyError
    from scityhelpers.pipeline import tidy
    from scityhelpers.reference import projections

    real = tidy.is_current

    def projections_stale(table: str) -> bool:
        return table not in projections.EDITION_TABLES.values() and real(table)

    monkeypatch.setattr(tidy, "is_current", projections_stale)
    with pytest.raises(StaleTidyError, match="scity data pull"):
        load_explorer_table()
