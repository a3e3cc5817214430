"""The one place where Japanese place names become codes.

Every Japanese table joins on ``code5`` (the 5-digit 標準地域コード without check digit, as used
by the census, IPSS and 国土数値情報); :func:`resolve` returns that code, and the
``municipalities`` tidy table maps it to the 6-digit ``code6`` when a file needs it.

What a name may look like and still resolve:

* any spelling that :func:`scityhelpers.reference.municipal_names.normalize_name` maps to the
  official one: width and spacing variants (``"ﾆｾｺ 町"``), variant kanji and everyday spellings
  from ``resources/municipal_name_variants.csv`` (檮原町 → 梼原町, 塩釜市 → 塩竈市, ヶ/ケ …);
* a prefecture or county in front (``高知県高岡郡梼原町``, ``石狩郡当別町``) and a missing
  suffix (``ニセコ``) when that leaves exactly one match;
* a prefecture's own name (``秋田県`` or ``秋田``) → its code ``05000``;
* a designated-city ward by its full name (``札幌市中央区``), or by the ward name with its
  prefecture (``中央区``, ``北海道``) when that is unique; a bare ward name without prefecture
  that is also a special ward (``中央区``, ``北区``) is ambiguous, never silently Tokyo's;
* an old name (a municipality merged away, a 町 that became a 市, a renamed city) → the code of
  the municipality that holds it today, followed forward through ``municipal_changes``.
  A former municipality absorbed into a designated city resolves to the city, not a ward.
  Without ``as_of`` a current name wins over an old one; pass ``as_of`` to read a name as it
  was on that date (needed when a name was reused: 愛知県 had two 旭町).

Splits are rare (上九一色村 2006 → 甲府市 + 富士河口湖町; the 北九州市 wards in 1974; 浜松市北区
in 2024); a name or code with several successors raises :class:`AmbiguousMunicipalityError`
listing them, never a guess.
The six Northern-Territories villages are only chosen when named with their county
(``国後郡泊村``) or when no other municipality has the name (``泊村`` alone is 古宇郡泊村).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

# the resolver's errors are defined in scityhelpers.errors and stay importable from here
from scityhelpers.errors import (
    AmbiguousMunicipalityError,
    MissingMunicipalityNameError,
    MunicipalityNotInForceError,
    UnknownMunicipalityError,
    UnknownPrefectureError,
    UnresolvedMunicipalitiesError,
)

# name normalisation lives in municipal_names; these names stay importable from here
from scityhelpers.reference.municipal_names import (
    MUNICIPAL_SUFFIXES,
    PREFECTURE_SUFFIXES,
    NameRecord,
    basic_form,
    looks_like_ward,
    name_starts,
    romaji_stem,
)
from scityhelpers.reference.municipal_names import jis_check_digit as jis_check_digit
from scityhelpers.reference.municipal_names import load_variants as load_variants
from scityhelpers.reference.municipal_names import normalize_kana as normalize_kana
from scityhelpers.reference.municipal_names import normalize_name as normalize_name

#: events whose old code is a county (郡) or subprefecture, not a municipality
COUNTY_REASONS = frozenset({"abolishmentOfDistrict"})
MAX_CANDIDATES = 5
#: the tidy tables the resolver is built from: a table whose build resolves names or maps
#: codes forward lists them in its ``TableSpec.depends``
RESOLVER_TABLES = ("municipalities", "municipal_changes")


@dataclass(frozen=True)
class _Event:
    when: date
    new_code5: str


class MunicipalResolver:
    """Name → code index built from the ``municipalities`` and ``municipal_changes`` tables.

    Build it with :meth:`from_tables` (pure; tests pass small frames); the module-level
    :func:`resolve` uses one built from the tidy tables.
    """

    def __init__(self, municipalities: pd.DataFrame, changes: pd.DataFrame) -> None:
        self.units = municipalities.set_index("code5", drop=False)
        self.current = set(self.units["code5"])
        self.parent = self.units["parent_code5"].dropna().to_dict()
        self.pref_names = (self.units[self.units["level"] == "prefecture"]
                           .set_index("pref_code")["name"].to_dict())
        self._events = self._index_events(changes)
        self.records: dict[str, list[NameRecord]] = defaultdict(list)
        self._add_current(municipalities, changes)
        self._add_former(changes)
        self.counties = self._county_names(municipalities, changes)
        self._pref_keys = self._prefecture_keys()

    @classmethod
    def from_tables(cls, municipalities: pd.DataFrame, changes: pd.DataFrame
                    ) -> MunicipalResolver:
        """Build from the two tidy tables (``tidy.load("municipalities")`` etc.)."""
        return cls(municipalities, changes)

    # -- building the index -------------------------------------------------------------
    @staticmethod
    def _index_events(changes: pd.DataFrame) -> dict[str, list[_Event]]:
        """Old code → successor events, in date order; county rows and self-loops dropped."""
        events: dict[str, list[_Event]] = defaultdict(list)
        usable = changes[~changes["reason"].isin(COUNTY_REASONS)
                         & (changes["old_code5"] != changes["new_code5"])]
        for row in usable.sort_values("date").itertuples():
            events[row.old_code5].append(_Event(pd.Timestamp(row.date).date(), row.new_code5))
        return events

    def _add(self, key_name: str, record: NameRecord) -> None:
        bucket = self.records[normalize_name(key_name)]
        if record not in bucket:
            bucket.append(record)

    def _add_current(self, municipalities: pd.DataFrame, changes: pd.DataFrame) -> None:
        starts = name_starts(changes)
        for row in municipalities.itertuples():
            valid_from = starts.get((row.code5, row.name))
            if row.level == "prefecture":
                record = NameRecord(row.code5, row.pref_code, row.name, "prefecture")
                self._add(row.name, record)
                self._add(row.name.rstrip("".join(PREFECTURE_SUFFIXES)) or row.name, record)
                self._add(romaji_stem(row.name_romaji), record)
                continue
            if row.level == "designated_city_ward":
                ward = NameRecord(row.code5, row.pref_code, row.name, "ward", valid_from)
                self._add(row.name, ward)
                city = self.units.loc[row.parent_code5, "name"]
                short = row.name.removeprefix(city)
                self._add(short, NameRecord(row.code5, row.pref_code, short, "ward_short",
                                            valid_from))
                continue
            county = row.county_name if isinstance(row.county_name, str) else None
            record = NameRecord(row.code5, row.pref_code, row.name, "municipality",
                                valid_from, None, county, bool(row.is_hoppo))
            self._add(row.name, record)
            self._add(row.name_romaji, record)

    def _add_former(self, changes: pd.DataFrame) -> None:
        """Index every old name of a change (not counties) until the date it ceased."""
        starts = name_starts(changes)
        for row in changes[~changes["reason"].isin(COUNTY_REASONS)].itertuples():
            if row.old_code5 in self.current and self._still_named(row.old_code5, row.old_name):
                continue
            ceased = pd.Timestamp(row.date).date()
            began = starts.get((row.old_code5, row.old_name))
            is_ward = looks_like_ward(row.old_code5, row.old_name)
            record = NameRecord(row.old_code5, row.old_code5[:2], row.old_name,
                                "former_ward" if is_ward else "former",
                                began if began and began < ceased else None, ceased)
            self._add(row.old_name, record)
            if is_ward:  # also under its city's name: 浜松市北区
                city = self._city_of(row.new_code5)
                if city:
                    self._add(city + row.old_name, record)

    def _city_of(self, ward_code5: str) -> str | None:
        parent = self.parent.get(ward_code5)
        return self.units.loc[parent, "name"] if parent else None

    def _still_named(self, code5: str, name: str) -> bool:
        return self.units.loc[code5, "name"] == name

    @staticmethod
    def _county_names(municipalities: pd.DataFrame, changes: pd.DataFrame) -> set[str]:
        current = municipalities["county_name"].dropna()
        former = changes.loc[changes["reason"].isin(COUNTY_REASONS), "old_name"]
        return {normalize_name(n) for n in (*current, *former) if str(n).endswith("郡")}

    def _prefecture_keys(self) -> dict[str, str]:
        keys = {}
        for key, records in self.records.items():
            for record in records:
                if record.kind == "prefecture":
                    keys[key] = record.pref_code
        return keys

    # -- forward mapping -----------------------------------------------------------------
    def forward_codes(self, code5: str, as_of: date | None = None) -> tuple[str, ...]:
        """Map a code in force on ``as_of`` to the code(s) in force today.

        Follows every change after ``as_of`` whose old side is the code (mergers, 市制施行,
        renames, designated-city status, ward reorganisations). Without ``as_of`` a code in
        today's list is returned as is (codes are sometimes reused after a merger: pass
        ``as_of`` to follow the older unit), and an old code is followed from its first change.
        Several codes come back only for splits.
        """
        if as_of is None and code5 in self.current:
            return (code5,)
        # a successor may change again on the same day (大宮町 absorbs four villages and
        # becomes 常陸大宮市 on 2004-10-16), so later hops include their own date
        frontier = [(code5, as_of or date.min, False)]
        seen: set[tuple[str, date]] = set()
        done: set[str] = set()
        while frontier:
            code, since, inclusive = frontier.pop()
            later = [e for e in self._events.get(code, [])
                     if e.when > since or (inclusive and e.when == since)]
            later = [e for e in later if (e.new_code5, e.when) not in seen]
            if not later:
                done.add(code)
                continue
            first = min(e.when for e in later)
            for event in later:
                if event.when == first:
                    seen.add((event.new_code5, first))
                    frontier.append((event.new_code5, first, True))
        return tuple(sorted(done))

    def forward_code(self, code5: str, as_of: date | None = None) -> str:
        """Like :meth:`forward_codes` but exactly one code in today's list, or an error."""
        codes = self.forward_codes(code5, as_of)
        gone = [c for c in codes if c not in self.current]
        if gone:
            raise UnknownMunicipalityError(code5, None, gone)
        if len(codes) > 1:
            raise AmbiguousMunicipalityError(code5, None, [self._label(c) for c in codes])
        return codes[0]

    # -- resolving names ---------------------------------------------------------------
    def prefecture_code(self, prefecture: str) -> str:
        """Return the 2-digit code of a prefecture given by name, short name, romaji or code."""
        text = basic_form(prefecture)
        if re.fullmatch(r"\d{2}(000)?", text) and text[:2] in self.pref_names:
            return text[:2]
        key = normalize_name(prefecture)
        if key in self._pref_keys:
            return self._pref_keys[key]
        near = difflib.get_close_matches(key, list(self._pref_keys), n=MAX_CANDIDATES,
                                         cutoff=0.3)
        raise UnknownPrefectureError("", prefecture,
                                     sorted({self.pref_names[self._pref_keys[k]] for k in near}))

    def resolve(self, name: str, prefecture: str | None = None, *,
                as_of: date | None = None) -> str:
        """Return the ``code5`` of today's municipality (or prefecture, or ward) ``name`` means.

        Raises:
            AmbiguousMunicipalityError: several codes fit; the message lists them.
            UnknownMunicipalityError: nothing fits; ``candidates`` are the closest names.
        """
        if not isinstance(name, str) or not name.strip():
            raise MissingMunicipalityNameError(name, prefecture)
        try:
            pref_code = self.prefecture_code(prefecture) if prefecture else None
        except UnknownPrefectureError as error:
            raise UnknownPrefectureError(name, prefecture, error.candidates) from error
        key = normalize_name(name)
        for candidate_key, implied_pref, county in self._readings(key, pref_code):
            codes = self._codes_for(candidate_key, implied_pref, county, as_of)
            if len(codes) == 1:
                return codes[0]
            if codes:
                raise AmbiguousMunicipalityError(name, prefecture,
                                                 [self._label(c) for c in codes])
        if as_of is not None and (periods := self._periods(key, pref_code)):
            raise MunicipalityNotInForceError(name, prefecture, as_of, periods)
        raise UnknownMunicipalityError(name, prefecture, self._closest(key, pref_code))

    def _periods(self, key: str, pref_code: str | None) -> list[str]:
        """When each unit a name denoted carried it, and what it is today (for messages)."""
        periods = []
        for candidate_key, implied_pref, _ in self._readings(key, pref_code):
            for record in self.records.get(candidate_key, []):
                if implied_pref is not None and record.pref_code != implied_pref:
                    continue
                start = record.valid_from.isoformat() if record.valid_from else "before 1970"
                end = (f"until {_day_before(record.valid_to).isoformat()}" if record.valid_to
                       else "until today")
                today = ", ".join(self._label(c) for c in self._codes_of([record], None, None))
                now = f"; today {today}" if record.valid_to and today else ""
                periods.append(f"{record.name} ({self.pref_names.get(record.pref_code, '')}, "
                               f"{record.code5}) from {start} {end}{now}")
            if periods:
                break
        return list(dict.fromkeys(periods))[:MAX_CANDIDATES]

    def _readings(self, key: str, pref_code: str | None
                  ) -> Iterable[tuple[str, str | None, str | None]]:
        """Yield (key, prefecture, county) readings of a name, most literal first."""
        yield key, pref_code, None
        rest, pref = self._strip_prefecture(key, pref_code)
        if rest != key and rest:
            yield rest, pref, None
        for i, char in enumerate(rest):
            if char == "郡" and rest[: i + 1] in self.counties and rest[i + 1:]:
                yield rest[i + 1:], pref, rest[: i + 1]
        if not rest.endswith(MUNICIPAL_SUFFIXES + PREFECTURE_SUFFIXES):
            for suffix in MUNICIPAL_SUFFIXES:
                yield rest + suffix, pref, None

    def _strip_prefecture(self, key: str, pref_code: str | None) -> tuple[str, str | None]:
        for code, pref_name in self.pref_names.items():
            pref_key = normalize_name(pref_name)
            if (key.startswith(pref_key) and len(key) > len(pref_key)
                    and pref_code in (None, code)):
                return key[len(pref_key):], code
        return key, pref_code

    def _codes_for(self, key: str, pref_code: str | None, county: str | None,
                   as_of: date | None) -> list[str]:
        records = [r for r in self.records.get(key, [])
                   if pref_code is None or r.pref_code == pref_code]
        if county:
            records = [r for r in records if r.county is None or normalize_name(r.county) == county]
        if not records:
            return []
        if as_of is not None:
            return self._codes_of(
                [r for r in records if r.in_force(as_of)], as_of, county)
        for tier in (("prefecture", "municipality", "ward"), ("ward_short",),
                     ("former", "former_ward")):
            chosen = [r for r in records if r.kind in tier]
            if tier == ("prefecture", "municipality", "ward") and pref_code is None and chosen:
                chosen += [r for r in records if r.kind == "ward_short"]
            codes = self._codes_of(chosen, None, county)
            if codes:
                return codes
        return []

    def _codes_of(self, records: list[NameRecord], as_of: date | None,
                  county: str | None) -> list[str]:
        """Today's codes for the records (forwarded; Northern Territories only if alone)."""
        if not county and any(not r.is_hoppo for r in records):
            records = [r for r in records if not r.is_hoppo]
        codes: set[str] = set()
        for record in records:
            if record.kind in ("former", "former_ward"):
                since = as_of or (record.valid_to and _day_before(record.valid_to))
                forwarded = self.forward_codes(record.code5, since)
                if record.kind == "former":
                    forwarded = tuple(self.parent.get(c, c) for c in forwarded)
                codes.update(forwarded)
            elif as_of is not None:
                codes.update(self.forward_codes(record.code5, as_of))
            else:
                codes.add(record.code5)
        return sorted(codes)

    def _label(self, code5: str) -> str:
        if code5 not in self.current:
            return code5
        unit = self.units.loc[code5]
        return f"{unit['name']} ({unit['pref_name']}, {code5})"

    def _closest(self, key: str, pref_code: str | None) -> list[str]:
        keys = [k for k, records in self.records.items()
                if any(pref_code is None or r.pref_code == pref_code for r in records)
                and not k.isascii()]
        near = difflib.get_close_matches(key, keys, n=MAX_CANDIDATES, cutoff=0.5)
        labels = []
        for k in near:
            for record in self.records[k]:
                if pref_code is None or record.pref_code == pref_code:
                    pref_name = self.pref_names.get(record.pref_code, record.pref_code)
                    labels.append(f"{record.name} ({pref_name}, {record.code5})")
        return list(dict.fromkeys(labels))[:MAX_CANDIDATES]

    def resolve_frame(self, frame: pd.DataFrame, name_col: str, pref_col: str | None = None,
                      *, as_of: date | None = None) -> pd.Series:
        """Resolve a column of names (with an optional prefecture column) in one go.

        Every row is tried; if any fails, one :class:`UnresolvedMunicipalitiesError` lists all
        failures with their index, so a programme list is fixed in one pass.
        """
        codes: dict[object, str] = {}
        failures: list[tuple[object, str, str | None, str]] = []
        for index, row in frame.iterrows():
            name = row[name_col]
            pref = row[pref_col] if pref_col else None
            pref = pref if isinstance(pref, str) and pref.strip() else None
            try:
                codes[index] = self.resolve(str(name), pref, as_of=as_of)
            except UnknownMunicipalityError as error:
                failures.append((index, str(name), pref, str(error)))
        if failures:
            raise UnresolvedMunicipalitiesError(failures)
        return pd.Series(codes, name="code5", dtype="str").reindex(frame.index)


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


@lru_cache(maxsize=2)
def _resolver_for(municipalities_fp: str, changes_fp: str) -> MunicipalResolver:
    from scityhelpers.pipeline import tidy

    return MunicipalResolver.from_tables(tidy.load("municipalities"),
                                         tidy.load("municipal_changes"))


def default_resolver() -> MunicipalResolver:
    """The resolver over the built tidy tables (rebuilt when either table changes)."""
    from scityhelpers.pipeline.fingerprints import fingerprint

    return _resolver_for(fingerprint("municipalities"), fingerprint("municipal_changes"))


def resolve(name: str, prefecture: str | None = None, *, as_of: date | None = None) -> str:
    """Return the ``code5`` (5-digit, no check digit) of the place ``name`` denotes today.

    Args:
        name: a municipality, ward or prefecture name, in any width, with or without its
            prefecture/county prefix; old (merged or renamed) names are mapped forward.
        prefecture: the prefecture (``東京都``, ``東京``, ``Tokyo`` or ``13``) to disambiguate.
        as_of: read ``name`` as the name in force on that date.

    Returns:
        ``code5`` of today's unit: ``NN000`` for a prefecture, a ward's own code for a ward.
        Join ``municipalities`` on ``code5`` for ``code6``.

    Raises:
        AmbiguousMunicipalityError: several municipalities fit (listed in the message).
        UnknownMunicipalityError: nothing fits; ``candidates`` holds the closest names.
    """
    return default_resolver().resolve(name, prefecture, as_of=as_of)


def forward_code(code5: str, as_of: date | None = None) -> str:
    """Map an old ``code5`` (in force on ``as_of``) to today's code through the change history."""
    return default_resolver().forward_code(code5, as_of)


def forward_codes(code5: str, as_of: date | None = None) -> tuple[str, ...]:
    """All of today's codes an old ``code5`` went to (several only after a split)."""
    return default_resolver().forward_codes(code5, as_of)


def resolve_frame(frame: pd.DataFrame, name_col: str, pref_col: str | None = None, *,
                  as_of: date | None = None) -> pd.Series:
    """Resolve every row of ``frame``; raise one error listing all unresolved rows."""
    return default_resolver().resolve_frame(frame, name_col, pref_col, as_of=as_of)
