"""One composite index: the first principal component of z-scored columns.

Rules (the only ones; both model chapters use them):

- **Rows.** Only rows with every column present enter; the others are counted by
  :func:`~scityhelpers.stats.rows.complete_rows`, never dropped silently. At least
  ``min_rows`` complete rows are required; the default, one more row than columns
  (:func:`default_min_rows`), is the fewest that can give a correlation matrix of full rank.
  A chapter may ask for more (the country panel asks for ``2 k + 2``).
- **Scale.** Each column is z-scored over the complete rows (mean 0, SD 1, ddof 1), so the
  components are those of the correlation matrix. A constant column cannot be z-scored and
  is refused.
- **Sign.** An eigenvector's sign is arbitrary. It is fixed so that the loadings sum to zero
  or more: the vector is flipped only when the sum is negative. With columns that all rise
  with the thing measured, a higher score then means more of it.
- **Score.** The projection on the first component, standardised again to mean 0 and SD 1
  (ddof 1) over the rows used: one unit of the score is one standard deviation.
- **Explained variance** is reported in **percent** (0–100) of the columns' total variance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scityhelpers.errors import ModelDataError
from scityhelpers.stats.rows import RowAccount, complete_rows


@dataclass(frozen=True)
class Composite:
    """First principal component of z-scored columns (higher = more of the common factor).

    Attributes:
        members: the columns in the composite, in the order given.
        loadings: indicator, label, loading: the unit-length eigenvector (sign rule in the
            module docstring); ``label`` is the caller's label, or the column name.
        explained_pct: share of the columns' total variance that PC1 carries, percent (0–100).
        eigenvalues: every eigenvalue of the correlation matrix, largest first (variance
            units of one z-scored column: they sum to the number of columns).
        scores: the composite for every row used, SD units (mean 0, SD 1), indexed like the
            input frame's rows.
        account: rows available, used, and left out by each missing column.
    """

    members: tuple[str, ...]
    loadings: pd.DataFrame
    explained_pct: float
    eigenvalues: tuple[float, ...]
    scores: pd.Series
    account: RowAccount


def default_min_rows(columns: int) -> int:
    """Fewest complete rows for ``columns`` columns: one more than columns (full rank)."""
    return columns + 1


def zscore(values: pd.Series) -> pd.Series:
    """Standardise over the observed values (mean 0, SD 1, ddof 1); NaN stays NaN.

    Units: SDs of ``values``.
    """
    return (values - values.mean()) / values.std(ddof=1)


def _oriented(vector: np.ndarray) -> np.ndarray:
    """The eigenvector with its loadings summing to zero or more (flipped if negative)."""
    return -vector if vector.sum() < 0 else vector


def pca_composite(frame: pd.DataFrame, columns: Sequence[str], *,
                  min_rows: int | None = None, labels: Mapping[str, str] | None = None,
                  name: str = "composite",
                  remedy: str = "use more rows or fewer columns") -> Composite:
    """PC1 of the z-scored ``columns`` over the rows where all are present.

    Args:
        frame: one row per unit; ``columns`` numeric (any unit: each is z-scored).
        columns: the composite's members (at least one).
        min_rows: fewest complete rows accepted; default :func:`default_min_rows`.
        labels: display label per column for the loadings table (default: the name).
        name: name of the score series.
        remedy: what the error for too few rows tells the reader to do.

    Raises:
        ModelDataError: no columns, fewer complete rows than ``min_rows``, or a column that
            is constant over the complete rows.
    """
    members = list(columns)
    if not members:
        raise ModelDataError("a composite needs at least one column; pass the indicators")
    needed = default_min_rows(len(members)) if min_rows is None else min_rows
    _, account = complete_rows(frame, members)
    if account.used < needed:
        raise ModelDataError(
            f"only {account.used} rows have all of {members} (need {needed}); {remedy}")
    complete = frame[members].dropna()
    sds = complete.std(ddof=1)
    if (sds <= 0).any():
        raise ModelDataError(f"constant column(s) cannot be z-scored: {list(sds[sds <= 0].index)}"
                             "; leave them out of the composite")
    standard = complete.apply(zscore).to_numpy()
    eigenvalues, vectors = np.linalg.eigh(np.atleast_2d(np.cov(standard, rowvar=False)))
    first = _oriented(vectors[:, -1])  # eigh sorts eigenvalues in ascending order
    score = zscore(pd.Series(standard @ first, index=complete.index, name=name))
    loadings = pd.DataFrame({"indicator": members,
                             "label": [(labels or {}).get(c, c) for c in members],
                             "loading": first})
    return Composite(tuple(members), loadings, float(eigenvalues[-1] / eigenvalues.sum() * 100),
                     tuple(float(e) for e in eigenvalues[::-1]), score, account)
