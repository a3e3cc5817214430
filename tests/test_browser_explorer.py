"""The municipality explorer in the configured Chromium: search by kana and romaji, filter, sort.

Every row the page shows is checked against the tidy tables it was generated from, so a
search that finds the wrong municipality, or a value lost between parquet and page, fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

from scityhelpers.pipeline.tidy import load
from scityhelpers.reference.municipalities import resolve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def explorer_page(browser: Browser, site: str) -> Iterator[tuple[Page, list[str]]]:
    """One explorer page for the module (loading 1,900 rows takes two seconds), and the
    URLs it has requested."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site}/book/explorer.html")
    page.wait_for_selector("#scity-explorer[data-ready='true']", timeout=15_000)
    yield page, requests
    page.close()


def _reset(page: Page, *, search: bool = True) -> None:
    """Put the controls back as the page opens: no filter, sorted by code, and no search.

    The search is cleared last, and not at all for a test that types its own (``search``
    False): showing every row again takes a second of layout, filtering a few rows none.
    """
    for selector in ("#explorer-pref", "#explorer-programme"):
        if page.input_value(selector):
            page.select_option(selector, "")
    code = page.locator("th[data-col='code5']")
    if code.get_attribute("aria-sort") != "ascending":
        code.click()  # another column's order, or code descending: one click sorts by code
    if search and page.input_value("#explorer-search"):
        page.fill("#explorer-search", "")


def _checked_page(page: Page, requests: list[str], site: str) -> Iterator[Page]:
    yield page
    outside = [url for url in requests if not url.startswith(site)]  # its load included
    assert outside == [], f"the explorer fetched from outside the site: {outside}"


@pytest.fixture
def explorer(explorer_page: tuple[Page, list[str]], site: str) -> Iterator[Page]:
    """The explorer as a reader first sees it; all the page fetched stays on the site."""
    page, requests = explorer_page
    _reset(page)
    units = load("municipalities").query("level == 'municipality' and not is_hoppo")
    assert page.inner_text("#explorer-count") == f"{len(units):,} / {len(units):,}"
    assert page.get_attribute("th[data-col='code5']", "aria-sort") == "ascending"
    yield from _checked_page(page, requests, site)


@pytest.fixture
def explorer_to_search(explorer_page: tuple[Page, list[str]], site: str) -> Iterator[Page]:
    """The explorer with no filter and sorted by code, for a test that types a search."""
    page, requests = explorer_page
    _reset(page, search=False)
    assert page.input_value("#explorer-pref") == ""
    assert page.input_value("#explorer-programme") == ""
    assert page.get_attribute("th[data-col='code5']", "aria-sort") == "ascending"
    yield from _checked_page(page, requests, site)


def _search(page: Page, text: str) -> list[dict[str, str]]:
    page.fill("#explorer-search", text)
    return _rows(page)


def _rows(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#explorer-table tbody tr",
        "trs => trs.map(tr => Object.fromEntries([['code5', tr.dataset.code5],"
        " ...[...tr.cells].map(td => [td.dataset.col, td.innerText])]))")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _check_against_tidy(row: dict[str, str], code5: str) -> None:
    """The row's population, income and card issuance equal the tidy tables, as displayed."""
    population = load("population_2015_2020").set_index("code5").loc[code5]
    income = load("taxable_income").set_index("code5").loc[code5]
    cards = load("mynumber_card").set_index("code5").loc[code5]
    names = load("municipalities").set_index("code5").loc[code5]
    assert row["code5"] == code5
    assert row["name"].startswith(names["name"])
    assert names["name_romaji"] in row["name"]
    assert row["pref_name"] == names["pref_name"]
    assert _number(row["population_2015_persons"]) == population["population_2015_persons"]
    assert _number(row["population_2020_persons"]) == population["population_2020_persons"]
    assert _number(row["income_per_taxpayer_thousand_yen"]) == round(
        income["taxable_income_per_taxpayer_thousand_yen"])
    assert _number(row["mynumber_issuance_pct"]) == round(cards["issuance_rate_pct"], 1)


def test_explorer_lists_every_municipal_unit(explorer: Page) -> None:
    units = load("municipalities").query("level == 'municipality' and not is_hoppo")
    assert explorer.inner_text("#explorer-count") == f"{len(units):,} / {len(units):,}"
    assert len(_rows(explorer)) == len(units)


@pytest.mark.parametrize("query", ["ゆすはら", "ユスハラ", "ﾕｽﾊﾗ"])
def test_search_by_kana_finds_yusuhara(explorer_to_search: Page, query: str) -> None:
    rows = _search(explorer_to_search, query)
    assert [r["code5"] for r in rows] == [resolve("梼原町", "高知県")]
    _check_against_tidy(rows[0], rows[0]["code5"])


@pytest.mark.parametrize("query", ["kamishihoro", "Kami-Shihoro", "KAMISHIHORO"])
def test_search_by_romaji_finds_kamishihoro(explorer_to_search: Page, query: str) -> None:
    rows = _search(explorer_to_search, query)
    code5 = resolve("上士幌町", "北海道")
    assert [r["code5"] for r in rows] == [code5]
    _check_against_tidy(rows[0], code5)
    decarb = load("decarbonization_areas")
    first = decarb[decarb["code5"] == code5].sort_values("round").iloc[0]
    assert rows[0]["decarbonization_rounds"].startswith(
        f"R{first['round']} {first['announced'].year} lead")


def test_search_by_code_and_by_ward_name(explorer_to_search: Page) -> None:
    assert [r["code5"] for r in _search(explorer_to_search, "394050")] == ["39405"]
    # a ward is found through its city: 青葉区 is a ward of 仙台市 and of 横浜市
    cities = {r["name"].split("\n")[0] for r in _search(explorer_to_search, "青葉区")}
    assert cities == {"仙台市", "横浜市"}


def test_filters_by_prefecture_and_programme(explorer: Page) -> None:
    explorer.select_option("#explorer-pref", "39")
    explorer.select_option("#explorer-programme", "sdgs")
    rows = _rows(explorer)
    sdgs = load("sdgs_future_cities")
    expected = sdgs[(sdgs["code5"].str[:2] == "39") & ~sdgs["is_prefecture"]
                    & sdgs["is_resolved"]]["code5"]
    assert sorted(r["code5"] for r in rows) == sorted(set(expected))
    assert all(r["pref_name"] == "高知県" and r["sdgs_years"] for r in rows)


def test_sort_by_population_descending(explorer: Page) -> None:
    header = explorer.locator("th[data-col='population_2020_persons']")
    header.click()
    header.click()
    rows = _rows(explorer)
    population = load("population_2015_2020")
    units = load("municipalities").query("level == 'municipality' and not is_hoppo")
    largest = (population[population["code5"].isin(units["code5"])]
               .sort_values("population_2020_persons", ascending=False)["code5"].head(3))
    assert [r["code5"] for r in rows[:3]] == largest.tolist()
    assert header.get_attribute("aria-sort") == "descending"
    shown = [_number(r["population_2020_persons"]) for r in rows
             if r["population_2020_persons"]]
    assert shown == sorted(shown, reverse=True)
    assert pd.notna(shown[-1])
