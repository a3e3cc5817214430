"""No typed data numbers in the book's prose: every number a reader sees comes from data (glue).

The check strips what is not prose (glue and other roles, code, HTML, links, directive options,
MyST labels), removes the number-like tokens the allow-list below names, and fails on any digit
left. Spelled-out numbers ("three decades") are not detected: keep them for counts that are
not data. ``data_sources.md`` is generated from ``data/manifest.yml`` (sizes, rows, hashes come
from the manifest, i.e. from data) and ``changes.md`` from ``_build/changes.json`` (the facts
records): neither is prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
#: rendered from data by scityhelpers (data_sources_markdown; the changes page at build time)
GENERATED = {"data_sources.md", "changes.md"}

#: what is not prose, removed before looking for numbers
NOT_PROSE = (
    re.compile(r"```.*?```", re.S),  # fenced blocks: glued figures and tables, code
    re.compile(r"^:::.*$", re.M),  # admonition fences
    re.compile(r"^:[a-z_-]+:.*$", re.M),  # directive options (:doc:, :class:)
    re.compile(r"\{[a-z:]+\}`[^`]*`"),  # roles: {glue:text}, {doc}, {cite:p}, …
    re.compile(r"`[^`]*`"),  # inline code: identifiers, commands, table names
    re.compile(r"<[^>]+>"),  # HTML tags (download links)
    re.compile(r"\]\([^)]*\)"),  # Markdown link targets
    re.compile(r"https?://\S+"),
    re.compile(r"^\([a-z0-9-]+\)=$", re.M),  # MyST labels
    re.compile(r"\b[\w.-]*_[\w.-]*\b"),  # snake_case identifiers and file names (x_2020.csv)
    re.compile(r"「[^」]*」"),  # verbatim quotes of the briefing (its figures: briefing_figures)
)

#: number-like tokens that are not data, each with the reason it may be typed
ALLOWED = (
    r"(?<!\d)(?:19|20)\d\d(?:[-–/]\d\d(?:[-–/]\d\d)?)?(?!\d)",  # years, ranges, ISO dates
    r"\bFY(?:19|20)\d\d\b",  # fiscal years
    r"(?:令和|平成|昭和)\d+年",  # Japanese era years (edition names: 令和5年推計)
    r"\b[CK]\d{1,2}\b",  # claim ids C1–C13, KPI ids K01–K15
    r"\bR\d+-p?\d+\b",  # decarbonization proposal ids
    r"第\d+回|\brounds? \d+(?:(?:, | and |–)\d+)*",  # selection rounds are names, not counts
    r"\bPart \d\b",  # the chapter's own parts
    r"^\s*\d+\.\s",  # list numbering
    r"\bPC1\b|\bL2\b|\b5G\b|\b3D\b",  # names: first principal component, L2 penalty, 5G, 3D
    r"\bCC BY \d\.\d\b|\bsha256\b",  # licence and hash names
    r"\b(?:Penn World )?[Tt]able \d+(?:[.-]\d+)*\b|\b\d+-\d+\.xlsx\b",  # official table names
    r"\bper 100 people\b|= 100\b",  # units: per 100 people, an index with base 100
    r"\baged 65\b|\b65 (?:and over|or older)|\b65\+|\b0–14\b|\b15–64\b",  # age bands
    r"\b1[ -]km\b",  # the mesh size of the briefing's claim (a definition)
    r"\b31 March\b|\b1 October\b",  # end of the fiscal year; census day (definitions)
    r"\b5- or 6-digit\b",  # the two forms of a municipal code (with or without check digit)
    r"\$[^$]+\$",  # inline maths (a formula's constants are not data)
    r"\b95%|95%信頼区間|\b5% level\b",  # confidence level and significance convention
    r"1標準偏差",  # "one standard deviation" (the unit of the coefficients)
    r"\bexcludes 1\b|− 1\b",  # the null odds ratio; degrees of freedom (G − 1)
    r"\b10th–90th\b",  # percentile names
)
ALLOWED_RE = re.compile("|".join(f"(?:{pattern})" for pattern in ALLOWED), re.M)
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def typed_numbers(text: str) -> list[tuple[int, str, str]]:
    """(line, number, line text) for every digit run left in the prose of ``text``."""
    for pattern in NOT_PROSE:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for token in DIGITS.findall(ALLOWED_RE.sub(" ", line)):
            found.append((number, token, line.strip()))
    return found


PAGES = sorted(p for p in BOOK.glob("*.md") if p.name not in GENERATED)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_typed_data_number_in_prose(page: Path) -> None:
    found = typed_numbers(page.read_text(encoding="utf-8"))
    assert not found, f"typed numbers in {page.name} (glue them from a facts record):\n" + \
        "\n".join(f"  line {n}: {token!r} in: {line[:100]}" for n, token, line in found)


def test_the_check_catches_a_typed_number_and_spares_glue() -> None:
    prose = ("Japan ranks {glue:text}`../notebooks/wages.ipynb::japan_rank:d`th in 2022 (C3),\n"
             "at 41.5 thousand dollars, see `wages_2022.csv`; 「日本は25位」.\n")
    assert [token for _, token, _ in typed_numbers(prose)] == ["41.5"]
