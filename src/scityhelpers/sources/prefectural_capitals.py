"""Prefectural capitals (都道府県庁所在地): the municipality that holds each prefecture's office.

A committed reference table, one row per prefecture. Each prefecture fixes where its office
stands by ordinance (地方自治法第4条第1項), so the row's ``source_url`` is the law and the
``note`` says where the convention needs one (東京都庁 stands in 新宿区). The codes are those of
the 総務省 code list (``municipalities``); the build resolves every name again and refuses a
row whose stated code is not the one its name and prefecture resolve to.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import CODE5_PATTERN
from scityhelpers.reference.municipalities import RESOLVER_TABLES
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._reference import read_reference_csv, resolve_codes
from scityhelpers.sources._shared import code6_column, pref_code_column

SOURCE_ID = "prefectural_capitals"
FILE = "prefectural_capitals.csv"
COLUMNS = ["pref_code", "prefecture", "code5", "code6", "municipality", "source_url", "note"]
PREFECTURES = 47


def check_codes(raw: pd.DataFrame, resolved: pd.DataFrame, where: str) -> None:
    """Refuse rows whose ``code5``/``code6`` differ from what the name resolves to."""
    wrong = raw[(raw["code5"] != resolved["code5"]) | (raw["code6"] != resolved["code6"])]
    if not wrong.empty:
        found = [f"{r.prefecture}{r.municipality}: {r.code5}/{r.code6} in the file, "
                 f"{resolved.at[i, 'code5']}/{resolved.at[i, 'code6']} resolved"
                 for i, r in wrong.iterrows()]
        raise SourceSchemaError(
            f"{where}: codes that do not match their names:\n  " + "\n  ".join(found)
            + "\nCorrect the codes from the 総務省 list (`scity data list`), then record the "
              "new sha256 in data/manifest.yml.")


def check_prefecture_codes(raw: pd.DataFrame, where: str) -> None:
    """Each capital lies in its own prefecture: ``code5`` starts with ``pref_code``."""
    outside = raw[raw["code5"].str[:2] != raw["pref_code"]]
    if not outside.empty:
        raise SourceSchemaError(
            f"{where}: capitals outside their prefecture: "
            f"{sorted(outside['prefecture'] + outside['municipality'])}")


def build_prefectural_capitals(files: RawFiles) -> pd.DataFrame:
    """Build ``prefectural_capitals`` (text as written; codes checked against the names)."""
    path = files[FILE]
    raw = read_reference_csv(path, COLUMNS, SOURCE_ID)
    check_prefecture_codes(raw, str(path))
    check_codes(raw, resolve_codes(raw, "municipality", "prefecture", path), str(path))
    return raw[COLUMNS]


SCHEMA = pa.DataFrameSchema(
    {
        "pref_code": pref_code_column(),
        "prefecture": pa.Column(str, pa.Check.str_matches(r"^.+[都道府県]$")),
        "code5": pa.Column(str, pa.Check.str_matches(CODE5_PATTERN), unique=True),
        "code6": code6_column(),
        "municipality": pa.Column(str, pa.Check.str_matches(r"^.+[市区]$")),
        "source_url": pa.Column(str, pa.Check.str_startswith("https://")),
        "note": pa.Column(str),
    },
    checks=pa.Check(lambda t: len(t) == PREFECTURES, error="one row per prefecture (47)"),
    unique=["pref_code"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(name="prefectural_capitals", build=build_prefectural_capitals, schema=SCHEMA,
              description="Prefectural capitals: the municipality holding each prefecture's "
                          "office (47 rows)",
              depends=RESOLVER_TABLES),
)
