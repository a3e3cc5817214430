"""Place names as the resolver compares them: normalisation, variant spellings, name records.

What a name may look like and still match its official spelling:

* width and spacing variants: NFKC (half-width katakana, full-width digits and letters) and
  every whitespace removed, so ``"ﾆｾｺ 町"`` and ``" ニセコ町 "`` are ``ニセコ町``;
* variant kanji and everyday spellings listed, each with its source, in
  ``resources/municipal_name_variants.csv`` (檮原町 → 梼原町, 塩釜市 → 塩竈市, ヶ/ケ …).

Official names and queries go through the same :func:`normalize_name`, so a variant can never
hide an official spelling. The resolver that uses these keys is
:class:`scityhelpers.reference.municipalities.MunicipalResolver`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import pandas as pd

JIS_WEIGHTS = (6, 5, 4, 3, 2)
VARIANTS_FILE = "municipal_name_variants.csv"
PREFECTURE_SUFFIXES = ("都", "道", "府", "県")
MUNICIPAL_SUFFIXES = ("市", "町", "村", "区")
_WHITESPACE = re.compile(r"\s+")


def jis_check_digit(code5: str) -> str:
    """Return the JIS X 0402 check digit of a 5-digit code.

    Weights 6,5,4,3,2; the check digit is the last digit of ``11 − (Σ mod 11)``
    (so a remainder of 0 gives 1 and a remainder of 1 gives 0).
    """
    if not (len(code5) == 5 and code5.isdigit()):
        raise ValueError(f"expected a 5-digit code, got {code5!r}")
    total = sum(int(d) * w for d, w in zip(code5, JIS_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def check_digit_ok(code6: pd.Series) -> pd.Series:
    """True where a code is six digits whose last is the JIS X 0402 check digit of the first five.

    False for anything else (wrong length, a letter, a wrong check digit): one rule for every
    source that publishes six-digit codes.
    """
    well_formed = code6.str.fullmatch(r"\d{6}").fillna(False).astype(bool)
    ok = pd.Series(False, index=code6.index)
    six = code6[well_formed]
    ok[well_formed] = six.str[5] == six.str[:5].map(jis_check_digit)
    return ok


def normalize_kana(text: str) -> str:
    """NFKC-normalise (half-width katakana → full-width, full-width digits → ASCII)."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Variants:
    """Variant spellings: single characters and whole names, mapped to the official form."""

    characters: dict[str, str]
    names: dict[str, str]


@lru_cache(maxsize=1)
def load_variants() -> Variants:
    """Read ``resources/municipal_name_variants.csv`` (package data, one source per row)."""
    text = resources.files("scityhelpers.reference.resources").joinpath(VARIANTS_FILE).read_text(
        encoding="utf-8")
    characters: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        if not row["source"].strip():
            raise ValueError(f"{VARIANTS_FILE}: variant {row['variant']!r} has no source")
        target = characters if row["kind"] == "character" else names
        target[basic_form(row["variant"])] = basic_form(row["standard"])
    return Variants(characters, names)


#: katakana ァ..ヶ → hiragana ぁ..ゖ (same offset), so ｻｲﾀﾏ市 (NFKC: サイタマ市) meets さいたま市
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def basic_form(text: str) -> str:
    """NFKC, katakana as hiragana, no whitespace, case-folded: the key before variants."""
    text = unicodedata.normalize("NFKC", text).translate(_KATAKANA_TO_HIRAGANA)
    return _WHITESPACE.sub("", text).casefold()


def normalize_name(text: str) -> str:
    """Return the matching key of a place name.

    NFKC, no whitespace at all (also ideographic spaces), lower case for romaji, variant
    characters replaced, then a whole-name variant replaced. Official names and queries go
    through the same function, so a variant can never hide an official spelling.
    """
    variants = load_variants()
    key = basic_form(text)
    key = "".join(variants.characters.get(ch, ch) for ch in key)
    return variants.names.get(key, key)


@dataclass(frozen=True)
class NameRecord:
    """One name a code carried for a while.

    Attributes:
        code5: the code the name denoted (an old code for a former municipality).
        pref_code: 2-digit prefecture code.
        name: the official spelling.
        kind: ``prefecture``, ``municipality``, ``ward``, ``ward_short`` (a ward's name without
            its city) or ``former`` (a name that appears only as the old side of a change).
        valid_from: first day the name was in force, None if before 1970-07-01.
        valid_to: day the name ceased (the change date), None if still in force.
        county: county of a current town or village (None otherwise).
        is_hoppo: one of the six Northern-Territories villages.
    """

    code5: str
    pref_code: str
    name: str
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    county: str | None = None
    is_hoppo: bool = False

    def in_force(self, on: date) -> bool:
        """True if the name was in force on ``on``."""
        return ((self.valid_from is None or self.valid_from <= on)
                and (self.valid_to is None or on < self.valid_to))


def name_starts(changes: pd.DataFrame) -> dict[tuple[str, str], date]:
    """(code, name) → date a change created that pair (absorptions create nothing).

    ``changes`` is the ``municipal_changes`` tidy table; the dates become
    :attr:`NameRecord.valid_from`.
    """
    created = changes[changes["reason"] != "absorption"]
    starts: dict[tuple[str, str], date] = {}
    for row in created.itertuples():
        if (row.old_code5, row.old_name) == (row.new_code5, row.new_name):
            continue
        key = (row.new_code5, row.new_name)
        when = pd.Timestamp(row.date).date()
        starts[key] = max(starts.get(key, when), when)
    return starts


def romaji_stem(romaji: str) -> str:
    """``'Hokkaido Prefecture'`` → ``'Hokkaido'``; ``'Tokyo Metropolis'`` → ``'Tokyo'``."""
    return romaji.rsplit(" ", 1)[0] if " " in romaji else romaji


def looks_like_ward(code5: str, name: str) -> bool:
    """A designated-city ward code: 1xx range outside Tokyo, name ending in 区."""
    return code5[2] == "1" and code5[:2] != "13" and name.endswith("区")

