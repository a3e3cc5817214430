"""The municipal-name resolver on the real code list and change history."""

from __future__ import annotations

import unicodedata
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scityhelpers.errors import UnknownMunicipalityError
from scityhelpers.paths import mirror_dir
from scityhelpers.reference import municipalities as mu


@pytest.fixture(scope="module")
def resolver() -> mu.MunicipalResolver:
    from scityhelpers import load
    from scityhelpers.pipeline.data_verbs import pull_all

    pull_all(sources=["soumu_codes", "estat_municipal_changes"], offline=True)
    return mu.MunicipalResolver.from_tables(load("municipalities"), load("municipal_changes"))


@pytest.fixture(scope="module")
def units(resolver: mu.MunicipalResolver) -> pd.DataFrame:
    return resolver.units.reset_index(drop=True)


# -- width, spacing and variant spellings -------------------------------------------------

def _half_width_map() -> dict[str, str]:
    """Full-width katakana → half-width (ガ → ｶﾞ), built from NFKC itself."""
    mapping = {}
    for point in range(0xFF61, 0xFFA0):
        half = chr(point)
        mapping.setdefault(unicodedata.normalize("NFKC", half), half)
        for mark in "ﾞﾟ":
            composed = unicodedata.normalize("NFKC", half + mark)
            if len(composed) == 1:
                mapping.setdefault(composed, half + mark)
    return mapping


HALF_WIDTH = _half_width_map()


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """The name with some katakana made half-width and stray (ideographic) spaces inserted."""
    chars = [HALF_WIDTH.get(c, c) if draw(st.booleans()) else c for c in name]
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\u3000",
                                                                             "\t"])))
    return "".join(chars)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_official_name_resolves_to_its_own_code(resolver: mu.MunicipalResolver,
                                                      units: pd.DataFrame,
                                                      data: st.DataObject) -> None:
    unit = units.iloc[data.draw(st.integers(0, len(units) - 1))]
    name = unit["name"]
    if unit["is_hoppo"]:  # 泊村 alone is 古宇郡泊村; the occupied villages need their county
        name = unit["county_name"] + name
    typed = data.draw(spelled(name))
    pref_form = data.draw(st.sampled_from([unit["pref_name"], unit["pref_code"],
                                           unit["pref_name"].rstrip("都府県") or "北海道"]))
    assert resolver.resolve(typed, pref_form) == unit["code5"]
    same_name = units["name"].map(mu.normalize_name) == mu.normalize_name(unit["name"])
    wards = units.loc[units["level"] == "designated_city_ward", "name"]
    short_ward = (wards != unit["name"]) & wards.str.endswith(unit["name"])  # 札幌市北区
    if same_name.sum() == 1 and not short_ward.any():
        assert resolver.resolve(typed) == unit["code5"]


def test_every_official_name_and_code_round_trips(resolver: mu.MunicipalResolver,
                                                  units: pd.DataFrame) -> None:
    """Exhaustive version of the property test: all 1,965 names with their prefecture."""
    wrong = []
    for unit in units.itertuples():
        name = unit.county_name + unit.name if unit.is_hoppo else unit.name
        if resolver.resolve(name, unit.pref_name) != unit.code5:
            wrong.append(unit.code5)
    assert wrong == []


def test_official_names_stay_distinct_after_normalisation(units: pd.DataFrame) -> None:
    # the occupied 国後郡泊村 shares its name with 古宇郡泊村: told apart by county only
    names = units["name"].where(~units["is_hoppo"], units["county_name"] + units["name"])
    keys = units["pref_code"] + names.map(mu.normalize_name)
    assert not keys.duplicated().any(), units[keys.duplicated(keep=False)]


def test_every_variant_row_has_a_source_and_an_official_target(units: pd.DataFrame) -> None:
    variants = mu.load_variants()
    official = {mu.normalize_name(n) for n in units["name"]}
    assert variants.characters["檮"] == "梼"
    assert set(variants.names.values()) <= official
    assert not set(variants.names) & official  # a variant never shadows an official name


@pytest.mark.parametrize(("name", "prefecture", "code5"), [
    ("檮原町", None, "39405"),               # OtterSou / デジタル庁 spelling of 梼原町
    ("高知県高岡郡梼原町", None, "39405"),   # prefecture and county in front
    ("石狩郡当別町", None, "01303"),
    ("ﾆｾｺ　町", "北海道", "01395"),          # half-width katakana, ideographic space
    ("ニセコ", None, "01395"),                # suffix left off
    ("府中市", "東京都", "13206"),
    ("府中市", "広島", "34208"),
    ("府中市", "34", "34208"),
    ("塩釜市", None, "04203"),                # everyday spelling of 塩竈市
    ("茅ケ崎市", None, "14207"),              # official 茅ヶ崎市
    ("龍ヶ崎市", None, "08208"),              # official 龍ケ崎市
    ("竜ケ崎市", None, "08208"),
    ("秋田県", "秋田県", "05000"),            # a prefecture selected in a programme
    ("北海道", None, "01000"),
    ("東京", None, "13000"),
    ("Yusuhara Town", None, "39405"),
    ("札幌市中央区", None, "01101"),
    ("中央区", "北海道", "01101"),             # ward name with its prefecture
    ("中央区", "東京都", "13102"),             # the special ward, not a designated-city ward
    ("千代田区", None, "13101"),
    ("泊村", "北海道", "01403"),               # not the Northern-Territories 泊村
    ("国後郡泊村", None, "01696"),
])
def test_names_people_write(resolver: mu.MunicipalResolver, name: str, prefecture: str | None,
                            code5: str) -> None:
    assert resolver.resolve(name, prefecture) == code5


@pytest.mark.parametrize(("name", "prefecture", "code5"), [
    ("富谷町", "宮城県", "04216"),      # 市制施行 2016-10-10
    ("那珂川町", "福岡県", "40231"),    # 市制施行 2018-10-01
    ("戸井町", None, "01202"),          # absorbed by 函館市 2004
    ("浦和市", None, "11100"),          # merged into さいたま市 2001, designated 2003
    ("浜北市", None, "22130"),          # absorbed by 浜松市 2005 → the city, not a ward
    ("蒲原町", "静岡県", "22100"),      # absorbed by 静岡市 2006
    ("美和村", "茨城県", "08225"),      # → 大宮町 → 常陸大宮市, both on 2004-10-16
    ("大和町", "宮城県", "04421"),      # current name wins over nothing older
    ("中区", "静岡県", "22138"),        # 浜松市中区 → 中央区 (2024 ward reorganisation)
])
def test_old_names_map_forward_to_todays_code(resolver: mu.MunicipalResolver, name: str,
                                              prefecture: str | None, code5: str) -> None:
    assert resolver.resolve(name, prefecture) == code5


def test_ambiguous_name_lists_every_candidate(resolver: mu.MunicipalResolver) -> None:
    with pytest.raises(mu.AmbiguousMunicipalityError) as caught:
        resolver.resolve("府中市")
    assert caught.value.candidates == ["府中市 (東京都, 13206)", "府中市 (広島県, 34208)"]
    assert isinstance(caught.value, UnknownMunicipalityError)


def test_reused_old_name_needs_as_of(resolver: mu.MunicipalResolver) -> None:
    # 愛知県 had two 旭町: 東春日井郡 (尾張旭市 from 1970-12-01) and 東加茂郡 (豊田市 from 2005)
    with pytest.raises(mu.AmbiguousMunicipalityError, match="23211.*23226|23226.*23211"):
        resolver.resolve("旭町", "愛知県")
    assert resolver.resolve("旭町", "愛知県", as_of=date(2000, 1, 1)) == "23211"


def test_split_unit_is_ambiguous_not_guessed(resolver: mu.MunicipalResolver) -> None:
    # 上九一色村 was divided between 甲府市 and 富士河口湖町 (2006-03-01)
    with pytest.raises(mu.AmbiguousMunicipalityError, match="19201.*19430"):
        resolver.resolve("上九一色村", "山梨県")
    with pytest.raises(mu.AmbiguousMunicipalityError, match="22138.*22139"):
        resolver.resolve("浜松市北区")


def test_unknown_name_suggests_close_names(resolver: mu.MunicipalResolver) -> None:
    with pytest.raises(UnknownMunicipalityError) as caught:
        resolver.resolve("府中氏", "東京都")
    assert caught.value.candidates[0] == "府中市 (東京都, 13206)"
    assert caught.value.prefecture == "東京都"


def test_unknown_prefecture_is_reported_as_such(resolver: mu.MunicipalResolver) -> None:
    with pytest.raises(mu.UnknownPrefectureError, match="東京府"):
        resolver.resolve("府中市", "東京府")


def test_forward_code_follows_the_change_history(resolver: mu.MunicipalResolver) -> None:
    # the two 2015→2024 code changes of the census panel (japan/SOURCES.md §3)
    assert resolver.forward_code("04423", date(2015, 10, 1)) == "04216"
    assert resolver.forward_code("40305", date(2015, 10, 1)) == "40231"
    assert resolver.forward_code("08346") == "08225"
    assert resolver.forward_code("13101") == "13101"
    assert resolver.forward_codes("22135") == ("22138", "22139")
    with pytest.raises(mu.AmbiguousMunicipalityError):
        resolver.forward_code("40102")  # 小倉区 → 小倉北区, 小倉南区 (1974)
    with pytest.raises(UnknownMunicipalityError):
        resolver.forward_code("99999")


def test_every_old_code_reaches_a_current_code(resolver: mu.MunicipalResolver,
                                               units: pd.DataFrame) -> None:
    current = set(units["code5"])
    old_codes = set(resolver._events)
    stranded = {c: resolver.forward_codes(c) for c in old_codes
                if not set(resolver.forward_codes(c)) <= current}
    assert stranded == {}


def test_resolve_frame_reports_all_failures_at_once(resolver: mu.MunicipalResolver) -> None:
    frame = pd.DataFrame({"municipality": ["梼原町", "府中市", "存在しない町", "府中市"],
                          "prefecture": ["高知県", None, "東京都", "広島県"]},
                         index=[10, 11, 12, 13])
    with pytest.raises(mu.UnresolvedMunicipalitiesError) as caught:
        resolver.resolve_frame(frame, "municipality", "prefecture")
    assert [f[0] for f in caught.value.failures] == [11, 12]
    ok = resolver.resolve_frame(frame.loc[[10, 13]], "municipality", "prefecture")
    assert ok.to_dict() == {10: "39405", 13: "34208"}


@pytest.mark.parametrize("file_name", ["decarbonization_leading_areas.csv",
                                       "sdgs_future_cities.csv"])
def test_every_programme_row_resolves(resolver: mu.MunicipalResolver, file_name: str) -> None:
    programme = pd.read_csv(mirror_dir() / "programmes" / file_name, dtype=str)
    codes = resolver.resolve_frame(programme, "municipality", "prefecture")
    assert codes.notna().all()
    is_pref = programme["is_prefecture"] == "yes"
    assert codes[is_pref].str.endswith("000").all()
    assert not codes[~is_pref].str.endswith("000").any()
    assert (codes.str[:2] == programme["prefecture"].map(resolver.prefecture_code)).all()


def test_module_functions_use_the_built_tables(resolver: mu.MunicipalResolver) -> None:
    assert mu.resolve("檮原町") == "39405"
    assert mu.forward_code("04423", as_of=date(2015, 10, 1)) == "04216"
    frame = pd.DataFrame({"name": ["石狩郡当別町"]})
    assert mu.resolve_frame(frame, "name").tolist() == ["01303"]


def test_digital_agency_dx_names_resolve_to_their_positional_codes(
        resolver: mu.MunicipalResolver, units: pd.DataFrame) -> None:
    """The DX dashboard CSV has names only, in code order (japan/SOURCES.md §8).

    Each name with the prefecture of the municipality at its position must resolve to that
    municipality's code; 檮原町 (the dashboard's spelling) included.
    """
    path = mirror_dir() / "japan/raw/digital_agency_local_gov_dx_municipal_comparison_2024-07.csv"
    header = pd.read_csv(path, header=None, dtype=str, nrows=1, encoding="utf-8-sig")
    names = header.iloc[0, 2:].dropna().tolist()
    municipal = units[(units["level"] == "municipality") & ~units["is_hoppo"]]
    assert len(names) == len(municipal) == 1_741
    frame = pd.DataFrame({"name": names, "prefecture": municipal["pref_name"].tolist()})
    codes = resolver.resolve_frame(frame, "name", "prefecture")
    assert codes.tolist() == municipal["code5"].tolist()
