"""デジタル庁 自治体DX dashboard (2024-07 release): the two wide tables, parsed and typed.

Both files carry **names only** in their first row: 1,741 municipality columns in the order of
the 全国地方公共団体コード. They are joined by position to today's 1,741 municipalities
(Northern-Territories villages excluded, code order); the builders in
:mod:`scityhelpers.sources.municipal_indicators` then check every name through the resolver, so
a single disagreement (the column order moved) stops the build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_known
from scityhelpers.sources._municipal_checks import (
    NAME_COLUMNS,
    code_columns,
    current_municipalities,
    parse_numbers,
)
from scityhelpers.sources._shared import code5_column

DX_AREAS = ("自治体DXの推進体制等", "自治体業務のDX", "住民サービスのDX")
DONE, NOT_DONE, NOT_SURVEYED = "実施", "未実施", "調査無し"
#: the dashboard's indicator label (column 2) → (tidy column, kind): kind "flag"
#: 実施/未実施/調査無し, "pct", "count". Not the modelling indicators of
#: :data:`scityhelpers.chapters.municipal_models.compute.DX_INDICATORS`.
DX_SOURCE_COLUMNS = {
    "CIOの任命": ("has_cio", "flag"),
    "CIO補佐官等の任命": ("has_cio_adviser", "flag"),
    "全体方針策定": ("has_dx_policy", "flag"),
    "全庁的な体制構築": ("has_dx_organisation", "flag"),
    "外部人材活用": ("has_external_talent", "flag"),
    "職員育成の取組": ("has_staff_development", "flag"),
    "全職員対象研修の実施": ("has_all_staff_training", "flag"),
    "AIの導入状況": ("has_ai", "flag"),
    "RPAの導入状況": ("has_rpa", "flag"),
    "テレワークの導入状況": ("has_telework", "flag"),
    "マイナンバーカードの保有状況": ("mynumber_card_holding_pct", "pct"),
    "子育て・介護26手続のオンライン化状況": ("childcare_care_26_online_pct", "pct"),
    "よく使う32手続のオンライン化状況": ("common_32_online_pct", "pct"),
    "よく使う32手続のオンライン化状況_実施されている手続総数（分母）":
        ("common_32_offered_count", "count"),
    "よく使う32手続のオンライン化状況_実施されている手続総数のうち「オンライン化済」と回答した手続数（分子）":
        ("common_32_online_count", "count"),
}
ONLINE_LABEL = "市区町村名"
ONLINE_GROUPS = ("よく使う32手続のオンライン申請利用状況",
                 "子育て・介護の26手続のオンライン申請利用状況")
FIRST_NAME_COLUMN = 2  # columns 0-1: area/group and indicator/procedure

def names_by_position(header: pd.Series, where: Path | str) -> pd.DataFrame:
    """Pair the file's municipality names with today's code-sorted municipalities.

    The dashboard publishes no codes, only names in 全国地方公共団体コード order, and 57 names
    occur more than once (府中市, 伊達市 …), so position is the only join; the resolver then
    checks every pair, with the prefecture of the positional code.
    """
    names = header.iloc[FIRST_NAME_COLUMN:]
    names = names[names.str.strip() != ""].str.strip()
    units = current_municipalities()
    if len(names) != len(units):
        raise SourceSchemaError(
            f"{where}: {len(names)} municipality columns, expected {len(units)} (today's "
            "municipalities without the Northern Territories); a positional join is impossible."
        )
    return pd.DataFrame({"column": names.index, "code5": units["code5"],
                         "code6": units["code6"], "pref_name": units["pref_name"],
                         "name_in_source": names.to_numpy()})


def _strip_labels(body: pd.DataFrame) -> pd.DataFrame:
    """Strip the two label columns (the release writes one indicator with a trailing space)."""
    body = body.copy()
    body[[0, 1]] = body[[0, 1]].apply(lambda column: column.str.strip())
    return body


def _flag(values: pd.Series, indicator: str, where: Path | str) -> pd.Series:
    require_known(values, [DONE, NOT_DONE, NOT_SURVEYED], f"value of {indicator}", where)
    return values.map({DONE: True, NOT_DONE: False, NOT_SURVEYED: pd.NA}).astype("boolean")


def _pct(values: pd.Series, indicator: str, where: Path | str) -> pd.Series:
    """``'72%'`` → 72.0; a bare ``'%'`` (no procedure offered, 0 ÷ 0) → NaN."""
    stripped = values.str.strip()
    if not stripped.str.endswith("%").all():
        raise SourceSchemaError(f"{where}: {indicator}: values without '%' "
                                f"{sorted(set(stripped[~stripped.str.endswith('%')]))[:5]}.")
    return parse_numbers(stripped.str.removesuffix("%"), indicator, where, ("",))


def parse_dx_comparison(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """One row per municipality: the dashboard's 15 indicators, typed.

    実施/未実施 → True/False, 調査無し → NA (not surveyed: 8 municipalities for the seven
    governance items); percentages as floats (card holding rate and shares of procedures
    online); procedure counts as integers.
    """
    pairs = names_by_position(raw.iloc[0], where)
    body = _strip_labels(raw.iloc[1:])
    require_known(body[0], DX_AREAS, "area", where)
    require_known(body[1], DX_SOURCE_COLUMNS, "indicator", where)
    missing = set(DX_SOURCE_COLUMNS) - set(body[1])
    if missing:
        raise SourceSchemaError(f"{where}: indicators {sorted(missing)} are missing.")
    frame = pairs.drop(columns="column").reset_index(drop=True)
    for _, row in body.iterrows():
        column, kind = DX_SOURCE_COLUMNS[row[1]]
        values = row[pairs["column"]].reset_index(drop=True)
        if kind == "flag":
            frame[column] = _flag(values, row[1], where)
        elif kind == "pct":
            frame[column] = _pct(values, row[1], where)
        else:
            frame[column] = parse_numbers(values, row[1], where).astype("int64")
    return frame


def parse_online_rates(raw: pd.DataFrame, where: Path | str) -> pd.DataFrame:
    """Long table of online application shares (%), one row per filled cell.

    An empty cell means the procedure is not offered online or was not reported; those cells
    get no row (23,952 of 90,532 are filled in the 2024-07 release).
    """
    if raw.iloc[0, 0] != ONLINE_LABEL:
        raise SourceSchemaError(f"{where}: first cell is {raw.iloc[0, 0]!r}, expected "
                                f"{ONLINE_LABEL!r}; the layout changed.")
    pairs = names_by_position(raw.iloc[0], where)
    body = _strip_labels(raw.iloc[1:])
    require_known(body[0], ONLINE_GROUPS, "procedure group", where)
    cells = body.set_index([0, 1])[pairs["column"]]
    cells.columns = pairs["code5"]
    long = cells.stack().rename("value").reset_index()
    long.columns = ["procedure_group", "procedure", "code5", "value"]
    long = long[long["value"].str.strip() != ""]
    return pd.DataFrame({
        "code5": long["code5"].to_numpy(),
        "procedure_group": long["procedure_group"].to_numpy(),
        "procedure": long["procedure"].to_numpy(),
        "online_application_share_pct": _pct(long["value"], "online share", where).to_numpy(),
    })


# -- schemas -------------------------------------------------------------------------------
def _share_column() -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0, 100), nullable=True)


def _flag_column() -> pa.Column:
    return pa.Column("boolean", nullable=True)


LOCAL_GOV_DX_SCHEMA = pa.DataFrameSchema(
    {
        **code_columns(),
        **NAME_COLUMNS,
        **{column: _flag_column()
           for column, kind in DX_SOURCE_COLUMNS.values() if kind == "flag"},
        **{column: _share_column()
           for column, kind in DX_SOURCE_COLUMNS.values() if kind == "pct"},
        **{column: pa.Column(int, pa.Check.in_range(0, 32))
           for column, kind in DX_SOURCE_COLUMNS.values() if kind == "count"},
    },
    checks=pa.Check(
        lambda df: df["common_32_online_count"] <= df["common_32_offered_count"],
        error="more procedures online than offered",
    ),
    unique=["code5"],
    strict=True,
    coerce=True,
)

ONLINE_SCHEMA = pa.DataFrameSchema(
    {
        "code5": code5_column(),
        "procedure_group": pa.Column(str, pa.Check.isin(list(ONLINE_GROUPS))),
        "procedure": pa.Column(str),
        "online_application_share_pct": pa.Column(float, pa.Check.in_range(0, 100)),
    },
    unique=["code5", "procedure_group", "procedure"],
    strict=True,
    coerce=True,
)
