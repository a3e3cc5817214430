"""Municipal models: the DX indicators of every municipality and their composite (PCA).

The デジタル庁 dashboard gives names, not codes: :func:`dx_name_match` checks every name
against its positional code through the one resolver. The composite is
:func:`scityhelpers.stats.composite.pca_composite` of every chosen indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scityhelpers.stats.composite import Composite, pca_composite

#: DX indicators (tidy column → label). ``mynumber_issuance_pct`` comes from the 総務省 issuance
#: table (2022-12-31); the others from the デジタル庁 dashboard (2024-07 release).
DX_INDICATORS = {
    "mynumber_issuance_pct": "マイナンバーカード交付率 card issuance 2022 (%)",
    "mynumber_card_holding_pct": "マイナンバーカード保有率 card holding 2024 (%)",
    "common_32_online_pct": "よく使う32手続オンライン化 common procedures online (%)",
    "childcare_care_26_online_pct": "子育て・介護26手続オンライン化 care procedures online (%)",
    "has_ai": "AI導入 AI adopted",
    "has_rpa": "RPA導入 RPA adopted",
    "has_telework": "テレワーク導入 telework adopted",
    "has_cio": "CIO任命 CIO appointed",
    "has_cio_adviser": "CIO補佐官 CIO adviser",
    "has_dx_policy": "全体方針 DX policy",
    "has_dx_organisation": "全庁的体制 DX organisation",
    "has_external_talent": "外部人材 external talent",
    "has_staff_development": "職員育成 staff development",
    "has_all_staff_training": "全職員研修 all-staff training",
}
#: the composite uses every indicator by default (no picking); the chapter shows each alone
DEFAULT_INDICATORS = tuple(DX_INDICATORS)


# == digital maturity ========================================================================
def dx_indicators(local_gov_dx: pd.DataFrame, mynumber: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality, every DX indicator as a float (flags 1/0, shares in %).

    調査無し (not surveyed) stays missing.
    """
    frame = local_gov_dx[["code5"]].copy()
    for column in DX_INDICATORS:
        if column in local_gov_dx.columns:
            frame[column] = local_gov_dx[column].astype("Float64").astype(float)
    issuance = mynumber.set_index("code5")["issuance_rate_pct"]
    frame["mynumber_issuance_pct"] = frame["code5"].map(issuance).astype(float)
    return frame[["code5", *DX_INDICATORS]]


@dataclass(frozen=True)
class NameMatch:
    """How the DX dashboard's names (no codes) map to codes.

    Attributes:
        columns: municipality columns in the file.
        resolved: names that the resolver maps, within the prefecture of their position in
            the 全国地方公共団体コード order, to exactly that position's code.
        exact: names spelled exactly as the 総務省 list spells them.
        unique_by_name: names that resolve to one code even without a prefecture (the rest
            are shared by several municipalities: 府中市, 伊達市 …).
    """

    columns: int
    resolved: int
    exact: int
    unique_by_name: int

    @property
    def rate_pct(self) -> float:
        """Share of columns whose name resolves to its positional code, percent."""
        return self.resolved / self.columns * 100


def _resolves_to(resolver: Any, name: str, prefecture: str | None, code5: str) -> bool:
    from scityhelpers.errors import UnknownMunicipalityError

    try:
        return resolver.resolve(name, prefecture) == code5
    except UnknownMunicipalityError:
        return False


def dx_name_match(local_gov_dx: pd.DataFrame, units: pd.DataFrame,
                  resolver: Any | None = None) -> NameMatch:
    """Check every DX column name against its positional code through the one resolver."""
    if resolver is None:
        from scityhelpers.reference.municipalities import default_resolver

        resolver = default_resolver()
    prefecture = local_gov_dx["code5"].map(units.set_index("code5")["pref_name"])
    resolved = unique = 0
    for name, pref, code5 in zip(local_gov_dx["name_in_source"], prefecture,
                                 local_gov_dx["code5"], strict=True):
        resolved += _resolves_to(resolver, name, pref, code5)
        unique += _resolves_to(resolver, name, None, code5)
    return NameMatch(len(local_gov_dx), resolved, int(local_gov_dx["is_exact_name_match"].sum()),
                     unique)


#: label of the composite among the regressors
COMPOSITE_LABEL = "DX総合指標 composite (PC1)"


def digital_composite(indicators: pd.DataFrame, columns: Sequence[str]) -> Composite:
    """PC1 of the z-scored ``columns`` (one row per ``code5``); scores indexed by ``code5``.

    The rules (complete rows, sign, percent) are :mod:`scityhelpers.stats.composite`'s; rows
    missing an indicator are counted in ``account``, not used.
    """
    return pca_composite(indicators.set_index("code5"), columns, labels=DX_INDICATORS,
                         name="digital_composite")
