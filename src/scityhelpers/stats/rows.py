"""Row accounting: which rows an estimate used, and which column left each other row out.

No estimate here drops a row silently: the rows available, the rows used and, for every
column, the rows it removed (counted at the first missing column, in the order given) travel
with the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RowAccount:
    """Rows available to a model, rows used, and rows left out by the first missing column.

    Attributes:
        available: rows in the input (count).
        used: rows with every column present (count).
        dropped: column → rows it removed, counted at the first missing column (count).
    """

    available: int
    used: int
    dropped: dict[str, int]

    def table(self) -> pd.DataFrame:
        """The account as a table (reason, rows), starting with the rows available."""
        rows = [("available", self.available),
                *((f"missing {column}", n) for column, n in self.dropped.items()),
                ("used", self.used)]
        return pd.DataFrame(rows, columns=["rows", "count"])


def complete_rows(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, RowAccount]:
    """Keep rows with every column present; say how many each column removed (first missing).

    The rows kept are renumbered from 0 (``reset_index(drop=True)``).
    """
    remaining = frame
    dropped: dict[str, int] = {}
    for column in columns:
        missing = remaining[column].isna()
        if missing.any():
            dropped[column] = int(missing.sum())
            remaining = remaining[~missing]
    used = remaining.reset_index(drop=True)
    return used, RowAccount(len(frame), len(used), dropped)
