"""The claims-ledger chapter: parameters, tables read, and what it computes itself.

The verdict rules live in :mod:`scityhelpers.chapters.claims.ledger`; this module adds the one
computation no
other chapter makes (the Japan Central Corridor sums) and declares the chapter's inputs.
"""

from __future__ import annotations

import pandas as pd

from scityhelpers.chapters.parameters import Param
from scityhelpers.reference.corridor import PREFERRED_SET, corridor_totals

TABLES = ("seed_claims", "briefing_figures", "prefecture_population_2020", "gpp",
          "ipss2023_national_2050", "briefing_eu_mission_cities", "eu_mission_cities",
          "renkei_areas", "renkei_official_counts")


def _gpp_years() -> list[int]:
    from scityhelpers.pipeline.tidy import load

    return sorted(load("gpp")["fiscal_year"].unique().tolist())


PARAMS = (
    Param("corridor_fiscal_year", int,
          "fiscal year of gross prefectural product compared with the briefing's ~360 tn yen",
          allowed=lambda v: _gpp_years()),
    Param("facts_dir", str,
          "folder of a what-if run whose facts records the ledger reads first (empty: the "
          "committed records in notebooks/); `scity run --out` sets it"),
)


def corridor_figures(population: pd.DataFrame, gpp: pd.DataFrame,
                     fiscal_year: int) -> dict[str, float]:
    """Population (million) and GPP (trillion yen, ``fiscal_year``) of the preferred set."""
    totals = corridor_totals(population, gpp).set_index("prefecture_set").loc[PREFERRED_SET]
    return {"corridor_population_million": float(totals["population_2020_million"]),
            "corridor_gpp_trillion_yen": float(totals[f"gpp_fy{fiscal_year}_trillion_yen"]),
            "corridor_gpp_fiscal_year": float(fiscal_year)}


# -- C1: the published 2050 figure ---------------------------------------------------------
THOUSAND_PER_MILLION = 1000


def national_2050_million(national_2050: pd.DataFrame) -> float:
    """The published IPSS 2023 medium-variant total for 2050, in million persons.

    Raises:
        ValueError: the table does not hold exactly one total-population row for 2050.
    """
    rows = national_2050[(national_2050["year"] == 2050)
                         & (national_2050["measure"] == "total population")]
    if len(rows) != 1:
        raise ValueError(f"expected one 2050 total in ipss2023_national_2050, found {len(rows)}; "
                         "run `scity data pull reference_figures`")
    return float(rows["value"].iloc[0]) / THOUSAND_PER_MILLION


# -- C8: the briefing's EU list, name by name ------------------------------------------------
#: country codes as the briefing prints them → country names of the official list
BRIEFING_COUNTRY_CODES = {
    "BA": "Bosnia and Herzegovina", "BE": "Belgium", "BG": "Bulgaria", "DE": "Germany",
    "DK": "Denmark", "ES": "Spain", "FI": "Finland", "FR": "France", "GR": "Greece",
    "HR": "Croatia", "HU": "Hungary", "IE": "Ireland", "IS": "Iceland", "IT": "Italy",
    "LT": "Lithuania", "LV": "Latvia", "NL": "Netherlands", "NO": "Norway", "PL": "Poland",
    "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia",
    "TR": "Turkey", "UK": "United Kingdom"}
#: English exonyms the briefing uses where the official list keeps another form (normalised)
CITY_ALIASES = {"turin": "torino", "eindhoven": "eindhovenhelmond"}


def normalise_city(name: str) -> str:
    """Lower case, accents and punctuation dropped.

    'Grenoble-Alpes Métropole' → 'grenoblealpesmetropole'; exonyms go through CITY_ALIASES.
    """
    import unicodedata

    plain = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l"))
    key = "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch)).lower()
    return CITY_ALIASES.get(key, key)


def match_briefing_eu_list(listed: pd.DataFrame, official: pd.DataFrame) -> pd.DataFrame:
    """Match each city the briefing lists with the official Mission selection (2022-04-28).

    A match needs the same normalised name (accents and punctuation ignored, the exonyms in
    ``CITY_ALIASES`` mapped) and the same country. Columns: the briefing's name and country
    code, ``official_city`` (empty when not matched) and ``is_matched``.

    Raises:
        KeyError: a country code not in ``BRIEFING_COUNTRY_CODES``.
    """
    unknown = sorted(set(listed["country_code"]) - set(BRIEFING_COUNTRY_CODES))
    if unknown:
        raise KeyError(f"country codes {unknown} are not in BRIEFING_COUNTRY_CODES; add them")
    keys = {(normalise_city(c), country): c
            for c, country in zip(official["city"], official["country"], strict=True)}
    rows = []
    for city, code in zip(listed["city_in_briefing"], listed["country_code"], strict=True):
        found = keys.get((normalise_city(city), BRIEFING_COUNTRY_CODES[code]), "")
        rows.append({"city_in_briefing": city, "country_code": code, "official_city": found,
                     "is_matched": bool(found)})
    return pd.DataFrame(rows)


# -- C9: 連携中枢都市圏, known of announced ------------------------------------------------------
def renkei_coverage(members: pd.DataFrame) -> dict[str, int]:
    """What the partial member list knows: areas, centre cities and member entries (延べ).

    ``areas_known`` counts areas with at least one row; ``centres_known`` the distinct bodies
    marked as a centre city; ``member_entries_confirmed`` the rows whose source confirms
    membership on the target date (``member_status`` confirmed), ``member_entries_listed`` all
    rows.
    """
    return {"areas_known": int(members["area_name"].nunique()),
            "centres_known": int(members.loc[members["is_centre"].fillna(False),
                                             "code5"].nunique()),
            "member_entries_confirmed": int((members["member_status"] == "confirmed").sum()),
            "member_entries_listed": len(members)}


# -- the ledger as a reader meets it: linked HTML, CSV, ClaimReview JSON-LD ------------------
BRIEFING_TITLE = "全国のスマートシティの現状と課題"
BRIEFING_AUTHOR = "Smart City Institute Japan (スマートシティ・インスティテュート)"
BRIEFING_DATE = "2023-08-02"
REVIEWER = "scity data book"
#: columns of the published claims.csv, in order
CSV_COLUMNS = ["claim", "topic", "claim_en", "briefing_figure", "recomputed_value", "unit",
               "recomputed", "rule", "verdict", "why", "data_vintage", "source"]
#: schema.org Rating for the verdicts that judge a fact (1 = does not hold … 3 = holds);
#: "cannot be checked" and "not a checkable fact" carry only their name
RATING = {"holds": 3, "holds approximately": 2, "does not hold": 1}
LEDGER_COLUMNS = {"briefing says": "The briefing says", "figures": "Figures in the briefing",
                  "recomputed": "Recomputed", "verdict": "Verdict", "why": "Why",
                  "data vintage": "Data vintage"}


def section_href(chapter: str, section: str) -> str:
    """Link from the claims page to the section that computes a claim (``page.html#label``)."""
    return f"{chapter}.html#{section}" if section else f"{chapter}.html"


def ledger_table_html(ledger: pd.DataFrame, verdict_classes: dict[str, str]) -> str:
    """The ledger as an HTML table inside a scrolling container.

    Each claim id links to the chapter section that computes it; each verdict is a span with
    its CSS class (``verdict_classes``). The container scrolls sideways on narrow screens, so
    the page itself never widens. All text is HTML-escaped.
    """
    from html import escape

    head = "".join(f"<th scope=\"col\">{escape(label)}</th>" for label in
                   ["Claim", *LEDGER_COLUMNS.values()])
    rows = []
    for row in ledger.to_dict("records"):
        href = section_href(row["chapter"], row["section"])
        cells = [f"<th scope=\"row\" id=\"claim-{row['claim'].lower()}\">"
                 f"<a href=\"{escape(href)}\">{escape(row['claim'])}</a></th>"]
        for column in LEDGER_COLUMNS:
            text = escape(str(row[column]))
            if column == "verdict":
                text = (f"<span class=\"verdict {verdict_classes[row['verdict']]}\">"
                        f"{text}</span>")
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<div class=\"ledger-scroll\"><table class=\"claims-ledger\">"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def ledger_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's downloadable rows (``CSV_COLUMNS``): one row per claim, in ledger order."""
    frame = pd.DataFrame({
        "claim": ledger["claim"], "topic": ledger["topic"], "claim_en": ledger["briefing says"],
        "briefing_figure": ledger["figures"], "recomputed_value": ledger["value"],
        "unit": ledger["unit"], "recomputed": ledger["recomputed"], "rule": ledger["rule"],
        "verdict": ledger["verdict"], "why": ledger["why"],
        "data_vintage": ledger["data vintage"],
        "source": [f"{section_href(c, s)} (notebooks/{c}.facts.json)"
                   for c, s in zip(ledger["chapter"], ledger["section"], strict=True)],
    })
    return frame[CSV_COLUMNS].reset_index(drop=True)


def ledger_csv(ledger: pd.DataFrame) -> str:
    """The ledger as CSV text (``CSV_COLUMNS``): one row per claim, UTF-8, newline line ends."""
    return ledger_rows(ledger).to_csv(index=False, lineterminator="\n")


def csv_download_link(csv_text: str, filename: str = "claims.csv") -> str:
    """An HTML link that downloads ``csv_text`` as ``filename`` (a data: URI, no file written)."""
    from html import escape
    from urllib.parse import quote

    return (f"<a class=\"claims-download\" download=\"{escape(filename)}\" "
            f"href=\"data:text/csv;charset=utf-8,{quote(csv_text)}\">{escape(filename)}</a>")


def claim_reviews(ledger: pd.DataFrame) -> list[dict]:
    """One schema.org ``ClaimReview`` per claim (verdict as the rating's name)."""
    reviews = []
    for row in ledger.to_dict("records"):
        rating = {"@type": "Rating", "alternateName": row["verdict"]}
        if row["verdict"] in RATING:
            rating |= {"ratingValue": RATING[row["verdict"]], "bestRating": max(RATING.values()),
                       "worstRating": min(RATING.values())}
        reviews.append({
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": f"claims.html#claim-{row['claim'].lower()}",
            "claimReviewed": row["briefing says"],
            "author": {"@type": "Organization", "name": REVIEWER},
            "itemReviewed": {"@type": "Claim", "datePublished": BRIEFING_DATE,
                             "author": {"@type": "Organization", "name": BRIEFING_AUTHOR},
                             "appearance": {"@type": "CreativeWork", "name": BRIEFING_TITLE}},
            "reviewRating": rating,
            "reviewBody": f"{row['recomputed']}. {row['why']}",
        })
    return reviews


def json_ld_script(reviews: list[dict]) -> str:
    """The reviews as one ``<script type="application/ld+json">`` element (``</`` escaped)."""
    import json

    payload = json.dumps(reviews, ensure_ascii=False, indent=1, sort_keys=True)
    return ("<script type=\"application/ld+json\">"
            + payload.replace("</", "<\\/") + "</script>")
