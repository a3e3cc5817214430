"""Municipal mergers and code changes (廃置分合) 1970–2024 from e-Stat 統計LOD 標準地域コード.

One event per old→new pair: a merger of n municipalities is n rows, a split (分割) is one row
per successor. County abolitions (郡の廃止) are kept — their ``old_code5`` is the county's
code, not a municipality's — so the table mirrors the LOD list;
:mod:`scityhelpers.reference.municipalities`
skips them when it maps old codes forward. Boundary adjustments without a code change (境界変更)
are not in the source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_known
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import code5_column, read_raw_json

SOURCE_ID = "estat_municipal_changes"
LOD_URL = "https://data.e-stat.go.jp/lodw/"
FILE_CHANGES = "estat_lod_municipal_changes_1970-2024.json"
EVENT_KEYS = ("date", "reason", "old", "new")

#: LOD reason identifiers → the Japanese term, as the file's own "reasons" block lists them
REASONS_JA = {
    "abolishmentOfDistrict": "郡の廃止",
    "absorption": "編入合併",
    "changesOfBoundaries": "境界変更",
    "changesOfBoundariesOfDistrict": "郡の区域変更",
    "changesOfNames": "名称変更",
    "changesToCity": "市制施行",
    "changesToTown": "町制施行",
    "divisionIntoSeveralMunicipalities": "分割",
    "establishmentOfNewDistrict": "郡の新設",
    "establishmentOfNewMunicipalityByMerging": "新設合併",
    "establishmentOfWard": "区の新設",
    "others": "その他",
    "reorganizationOfWards": "区の再編",
    "separation": "分離",
    "shiftToAnotherKindOfCity": "都市種別変更",
    "shiftToDesignatedCity": "政令指定都市施行",
}


def read_changes(path: Path) -> dict:
    """Read the LOD extract; broken JSON is a corrupt file."""
    return read_raw_json(path, SOURCE_ID, read_as="UTF-8 JSON", advice="", encoding="utf-8")


def parse_changes(document: dict, where: Path | str) -> pd.DataFrame:
    """Flatten the events to one row per old→new pair, in date order.

    The file's own reason labels must agree with :data:`REASONS_JA`, so a relabelled or new
    reason is noticed rather than mapped silently.
    """
    if not isinstance(document, dict) or not isinstance(document.get("changes"), list):
        raise SourceSchemaError(f"{where}: expected an object with a 'changes' list")
    labels = document.get("reasons", {})
    drifted = {k: v for k, v in labels.items() if REASONS_JA.get(k) != v}
    if drifted:
        raise SourceSchemaError(f"{where}: reason labels changed or added: {drifted}")
    rows = []
    for number, event in enumerate(document["changes"]):
        missing = [k for k in EVENT_KEYS if k not in event]
        if missing:
            raise SourceSchemaError(f"{where}: event {number} lacks {missing}; found {list(event)}")
        rows.append((event["date"], event["reason"], event["old"]["code"], event["old"]["name"],
                     event["new"]["code"], event["new"]["name"]))
    changes = pd.DataFrame(rows, columns=["date", "reason", "old_code5", "old_name",
                                          "new_code5", "new_name"])
    require_known(changes["reason"], REASONS_JA, "change reason", where)
    changes["date"] = pd.to_datetime(changes["date"], format="%Y-%m-%d")
    changes.insert(2, "reason_ja", changes["reason"].map(REASONS_JA))
    return changes.sort_values(["date", "new_code5", "old_code5"], kind="stable").reset_index(
        drop=True)


def build_municipal_changes(files: RawFiles) -> pd.DataFrame:
    """Return the 2,248 change events of 1970-07-01 … 2024-01-01."""
    path = files[FILE_CHANGES]
    return parse_changes(read_changes(path), path)


MUNICIPAL_CHANGES_SCHEMA = pa.DataFrameSchema(
    {
        "date": pa.Column("datetime64[ns]", pa.Check.in_range(pd.Timestamp("1970-01-01"),
                                                             pd.Timestamp("2100-01-01"))),
        "reason": pa.Column(str, pa.Check.isin(list(REASONS_JA))),
        "reason_ja": pa.Column(str, pa.Check.isin(list(REASONS_JA.values()))),
        "old_code5": code5_column(),
        "old_name": pa.Column(str, pa.Check.str_length(min_value=2)),
        "new_code5": code5_column(),
        "new_name": pa.Column(str, pa.Check.str_length(min_value=2)),
    },
    unique=["date", "reason", "old_code5", "new_code5"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="municipal_changes",
        build=build_municipal_changes,
        schema=MUNICIPAL_CHANGES_SCHEMA,
        description="Municipal mergers and code changes 1970-2024, one row per old→new pair "
                    "(e-Stat LOD)",
    ),
)
