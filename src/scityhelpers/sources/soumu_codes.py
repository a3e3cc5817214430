"""総務省「全国地方公共団体コード」 (as of 2024-01-01), with readings from OtterSou.

The 総務省 workbook is the authority for codes, kanji names and katakana readings: one sheet
of prefectures and municipalities, one of the 20 designated cities and their 171 wards. The
OtterSou list (a GitHub compilation of the same codes) adds romaji, county membership and a
type code, which is used to cross-check the type derived from the 総務省 names.

The result, ``municipalities``, is the project's code list: every other Japanese table joins
on its ``code5`` and :mod:`scityhelpers.reference.municipalities` resolves names against it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import CODE6_PATTERN, require_columns, require_known
from scityhelpers.reference.municipal_names import check_digit_ok
from scityhelpers.reference.municipalities import normalize_kana
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    code5_column,
    pref_code_column,
    read_raw_csv,
    read_raw_excel,
)

SOURCE_ID = "soumu_codes"
OFFICIAL_PAGE = "https://www.soumu.go.jp/denshijiti/code.html"
FILE_CODES = "soumu_local_gov_codes_R6-2024-01-01.xlsx"
FILE_OTTERSOU = "ottersou_admin_divisions_2025-03.tsv"
SHEET_ALL = "R6.1.1現在の団体"
SHEET_DESIGNATED = "R6.1.1政令指定都市"

#: workbook headers after NFKC and removing the line break (the two sheets differ in width)
COL_CODE = "団体コード"
COL_PREF = "都道府県名(漢字)"
COL_NAME = "市区町村名(漢字)"
COL_PREF_KANA = "都道府県名(カナ)"
COL_NAME_KANA = "市区町村名(カナ)"
SOUMU_COLUMNS = [COL_CODE, COL_PREF, COL_NAME, COL_PREF_KANA, COL_NAME_KANA]
OTTERSOU_COLUMNS = ["code", "full-ja", "full-en", "level", "type", "county"]

#: Northern-Territories villages (北方領土): coded, but no administration and no census
HOPPO_CODES5 = frozenset({"01695", "01696", "01697", "01698", "01699", "01700"})

TYPES = ("都道府県", "政令指定都市", "市", "特別区", "町", "村", "政令市の区")
LEVELS = ("prefecture", "municipality", "designated_city_ward")
#: type → OtterSou type codes (level 1-4) it must agree with
OTTERSOU_TYPES = {
    "都道府県": {"11", "12", "13", "14"}, "政令指定都市": {"31"}, "市": {"32"},
    "特別区": {"33"}, "町": {"34", "35"}, "村": {"36", "37"}, "政令市の区": {"41"},
}
SUFFIX_TYPES = {"市": "市", "町": "町", "村": "村"}
OTTERSOU_COUNTY_TYPE = "24"


def _clean_header(name: object) -> str:
    return unicodedata.normalize("NFKC", str(name)).replace("\n", "")


def read_codes_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Read both sheets as text (codes keep their leading zero), headers NFKC-normalised.

    The workbook stores most codes as text but a few as numbers (e.g. 431052); every code is
    turned back into a 6-digit string.
    """
    sheets = read_raw_excel(
        path, SOURCE_ID, sheet_name=[SHEET_ALL, SHEET_DESIGNATED], dtype=object,
        read_as=f"the 総務省 code workbook with sheets {SHEET_ALL!r} and {SHEET_DESIGNATED!r}")
    cleaned = {}
    for sheet, frame in sheets.items():
        frame = frame.rename(columns=_clean_header)
        frame = frame.loc[:, [c for c in frame.columns if not c.startswith("Unnamed")]]
        require_columns(frame, SOUMU_COLUMNS, f"{path} [{sheet}]")
        frame = frame.dropna(subset=[COL_CODE])
        frame[COL_CODE] = frame[COL_CODE].map(lambda v: str(v).strip().zfill(6))
        cleaned[sheet] = frame
    return cleaned


def read_ottersou(path: Path) -> pd.DataFrame:
    """Read the OtterSou TSV as text; undecodable bytes are a corrupt file."""
    frame = read_raw_csv(path, SOURCE_ID, read_as="a UTF-8 TSV", advice="", encoding="utf-8",
                         sep="\t", dtype=str, keep_default_na=False)
    require_columns(frame, OTTERSOU_COLUMNS, path)
    return frame


def _check_codes(codes: pd.Series, where: Path | str) -> None:
    """Refuse codes that are not 6 digits or whose JIS X 0402 check digit is wrong."""
    bad_form = codes[~codes.str.fullmatch(CODE6_PATTERN)]
    if not bad_form.empty:
        raise SourceSchemaError(f"{where}: codes not of 6 digits: {sorted(bad_form)[:10]}")
    wrong = codes[~check_digit_ok(codes)]
    if not wrong.empty:
        raise SourceSchemaError(
            f"{where}: JIS X 0402 check digit wrong for {sorted(wrong)[:10]}; the workbook "
            "is damaged or not the 総務省 code list."
        )


def _municipal_type(name: str, code5: str, designated: set[str]) -> str:
    if code5 in designated:
        return "政令指定都市"
    if code5.startswith("13") and code5[2] == "1":
        return "特別区"
    return SUFFIX_TYPES.get(name[-1:], "unknown")


def parse_codes(sheets: dict[str, pd.DataFrame], where: Path | str) -> pd.DataFrame:
    """Stack prefectures, municipalities and designated-city wards into one code list.

    Prefecture rows have no municipal name. Wards are only on the designated-city sheet,
    named with their city (``札幌市中央区``); their ``parent_code5`` is the city's code.
    Half-width katakana readings become full-width (NFKC).
    """
    main, wards_sheet = sheets[SHEET_ALL], sheets[SHEET_DESIGNATED]
    _check_codes(pd.concat([main[COL_CODE], wards_sheet[COL_CODE]]), where)
    main_codes5 = set(main[COL_CODE].str[:5])
    designated = set(wards_sheet[COL_CODE].str[:5]) & main_codes5
    wards = wards_sheet[~wards_sheet[COL_CODE].str[:5].isin(main_codes5)]
    frames = []
    for frame, is_ward in ((main, False), (wards, True)):
        code5 = frame[COL_CODE].str[:5]
        is_pref = frame[COL_NAME].isna()
        name = frame[COL_NAME].where(~is_pref, frame[COL_PREF]).astype(str)
        kana = frame[COL_NAME_KANA].where(~is_pref, frame[COL_PREF_KANA])
        if is_ward:
            kind = pd.Series("政令市の区", index=frame.index)
        else:
            kind = pd.Series([_municipal_type(n, c, designated) for n, c in zip(
                name, code5, strict=True)], index=frame.index).where(~is_pref, "都道府県")
        frames.append(pd.DataFrame({
            "code6": frame[COL_CODE], "code5": code5, "pref_code": code5.str[:2],
            "pref_name": frame[COL_PREF].astype(str), "name": name.map(normalize_kana),
            "type": kind, "name_kana": kana.astype(str).map(normalize_kana),
        }))
    codes = pd.concat(frames, ignore_index=True)
    require_known(codes["type"], TYPES, "municipal type (name suffix)", where)
    codes["level"] = codes["type"].map(
        {"都道府県": "prefecture", "政令市の区": "designated_city_ward"}).fillna("municipality")
    return codes


def _ward_parent(code5: str, city_codes: list[str]) -> str:
    """Return the designated city a ward code belongs to (the nearest city code below it)."""
    return max(c for c in city_codes if c[:2] == code5[:2] and c <= code5)


def add_ottersou(codes: pd.DataFrame, ottersou: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Join romaji and county from OtterSou and check its type codes agree with ours.

    OtterSou repeats designated cities on two levels; only levels 1, 3 and 4 are the
    prefecture, municipality and ward rows. County names come from its level-2 county rows.
    """
    units = ottersou[ottersou["level"].isin(["1", "3", "4"])].drop_duplicates("code")
    counties = ottersou[ottersou["type"] == OTTERSOU_COUNTY_TYPE].set_index("code")["full-ja"]
    merged = codes.merge(units.rename(columns={"code": "code5"}), on="code5", how="left",
                         validate="1:1", indicator=True)
    missing = merged.loc[merged["_merge"] != "both", "code5"]
    if not missing.empty:
        raise SourceSchemaError(f"{where}: codes missing from OtterSou: {sorted(missing)[:10]}")
    disagree = merged[[t not in OTTERSOU_TYPES[k] for k, t in zip(
        merged["type_x"], merged["type_y"], strict=True)]]
    if not disagree.empty:
        raise SourceSchemaError(
            f"{where}: OtterSou type codes disagree with the 総務省 names for "
            f"{disagree['code5'].tolist()[:10]}"
        )
    cities = sorted(codes.loc[codes["type"] == "政令指定都市", "code5"])
    is_ward = codes["level"] == "designated_city_ward"
    codes = codes.assign(
        parent_code5=[_ward_parent(c, cities) if w else None
                      for c, w in zip(codes["code5"], is_ward, strict=True)],
        county_name=merged["county"].map(counties).where(lambda s: s.notna(), None).values,
        name_romaji=merged["full-en"].values,
        is_hoppo=codes["code5"].isin(HOPPO_CODES5),
        is_designated_city=codes["type"] == "政令指定都市",
    )
    return codes


def build_municipalities(files: RawFiles) -> pd.DataFrame:
    """Prefectures (47), municipalities (1,747) and designated-city wards (171) of 2024-01-01."""
    sheets = read_codes_workbook(files[FILE_CODES])
    codes = parse_codes(sheets, files[FILE_CODES])
    codes = add_ottersou(codes, read_ottersou(files[FILE_OTTERSOU]), files[FILE_OTTERSOU])
    return codes.sort_values("code5").reset_index(drop=True)


MUNICIPALITIES_SCHEMA = pa.DataFrameSchema(
    {
        "code6": pa.Column(str, [pa.Check.str_matches(CODE6_PATTERN),
                                 pa.Check(check_digit_ok, error="JIS X 0402 check digit")]),
        "code5": code5_column(),
        "pref_code": pref_code_column(),
        "pref_name": pa.Column(str, pa.Check.str_matches(r"^.+[都道府県]$")),
        "name": pa.Column(str, pa.Check.str_length(min_value=2)),
        "type": pa.Column(str, pa.Check.isin(TYPES)),
        "name_kana": pa.Column(str, pa.Check.str_matches(r"^[\u30A0-\u30FF]+$")),
        "level": pa.Column(str, pa.Check.isin(LEVELS)),
        "parent_code5": code5_column(nullable=True),
        "county_name": pa.Column(str, pa.Check.str_matches(r"^.+郡$"), nullable=True),
        "name_romaji": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z\-' ()ōūŌŪ]+$")),
        "is_hoppo": pa.Column(bool),
        "is_designated_city": pa.Column(bool),
    },
    checks=[
        pa.Check(lambda f: (f["code6"].str[:5] == f["code5"]).all(), error="code5 = code6[:5]"),
        pa.Check(lambda f: (f["code5"].str[:2] == f["pref_code"]).all(),
                 error="pref_code = code5[:2]"),
        pa.Check(lambda f: (f["parent_code5"].notna() == (f["level"] == "designated_city_ward"))
                 .all(), error="only wards have a parent city"),
        pa.Check(lambda f: f["is_hoppo"].sum() == len(HOPPO_CODES5),
                 error="six Northern-Territories villages"),
    ],
    unique=["code5"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="municipalities",
        build=build_municipalities,
        schema=MUNICIPALITIES_SCHEMA,
        description="Prefectures, municipalities and designated-city wards with codes "
                    "(総務省, 2024-01-01)",
    ),
)
