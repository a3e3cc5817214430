"""Wild cluster bootstrap for one OLS coefficient, for few and unequal clusters.

Cluster-robust standard errors rely on many clusters of similar size. With a few dozen
prefectures of very different sizes, the t(G − 1) reference distribution can reject too often.
The wild cluster *restricted* bootstrap (WCR; Cameron, Gelbach and Miller 2008; MacKinnon and
Webb 2017) imposes the null hypothesis β = 0, flips the restricted residuals of each cluster by
one random weight per cluster, refits, and compares the observed cluster-robust t statistic
with the bootstrap ones. Weights: Rademacher (±1) or Webb's six-point distribution (better
with fewer than about a dozen clusters). Pure numpy, seeded, deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scityhelpers.errors import ModelDataError

RADEMACHER = "rademacher"
WEBB = "webb"
#: Webb's six-point weights: ±sqrt(1/2), ±1, ±sqrt(3/2), each with probability 1/6
WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class WildBootstrap:
    """Result of a wild cluster restricted bootstrap test of one coefficient = 0.

    Attributes:
        t_stat: observed cluster-robust t statistic of the coefficient.
        p_value: share of bootstrap |t*| at least as large as |t| (two-sided).
        reps, clusters: bootstrap replications and clusters used.
        weights: ``rademacher`` or ``webb``.
    """

    t_stat: float
    p_value: float
    reps: int
    clusters: int
    weights: str


def cluster_weights(rng: np.random.Generator, reps: int, clusters: int,
                    kind: str = WEBB) -> np.ndarray:
    """A (reps × clusters) array of bootstrap weights with mean 0 and variance 1."""
    if kind == RADEMACHER:
        return rng.choice(np.array([-1.0, 1.0]), size=(reps, clusters))
    if kind == WEBB:
        return rng.choice(WEBB_POINTS, size=(reps, clusters))
    raise ValueError(f"unknown weights {kind!r}; use {RADEMACHER!r} or {WEBB!r}")


def _cluster_t(x: np.ndarray, bread: np.ndarray, y: np.ndarray, groups: np.ndarray,
               n_groups: int, column: int, scale: float) -> np.ndarray:
    """Cluster-robust t statistics of ``column`` for each column of ``y`` (n × b)."""
    beta = bread @ (x.T @ y)  # k × b
    resid = y - x @ beta  # n × b
    # score of the coefficient of interest, summed by cluster: c_g = a' X_g' u_g, a = bread row
    a = x @ bread[column]  # n
    scores = np.zeros((n_groups, y.shape[1]))
    np.add.at(scores, groups, a[:, None] * resid)
    se = np.sqrt(scale * (scores**2).sum(axis=0))
    return beta[column] / se


def wild_cluster_test(x: np.ndarray, y: np.ndarray, groups: np.ndarray, column: int,
                      reps: int = 999, seed: int = 0, weights: str = WEBB) -> WildBootstrap:
    """Test coefficient ``column`` of the OLS of ``y`` on ``x`` (with its constant) = 0.

    Args:
        x: n × k design (constant and fixed effects included), full column rank.
        y: n outcomes.
        groups: n cluster labels (any hashable values).
        column: index of the tested coefficient in ``x``.
        reps: bootstrap replications.
        seed: seed of numpy's default generator (same seed, same answer).
        weights: ``webb`` (six-point) or ``rademacher`` (±1).

    Raises:
        ModelDataError: fewer than two clusters, or a rank-deficient design.
    """
    labels, codes = np.unique(groups, return_inverse=True)
    n_groups = len(labels)
    if n_groups < 2:
        raise ModelDataError("a cluster bootstrap needs at least two clusters")
    n, k = x.shape
    if np.linalg.matrix_rank(x) < k:
        raise ModelDataError("the design is rank deficient; drop collinear columns first")
    scale = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    bread = np.linalg.inv(x.T @ x)
    t_obs = float(_cluster_t(x, bread, y[:, None], codes, n_groups, column, scale)[0])
    restricted = np.delete(x, column, axis=1)
    fitted = restricted @ np.linalg.lstsq(restricted, y, rcond=None)[0]
    resid = y - fitted
    draws = cluster_weights(np.random.default_rng(seed), reps, n_groups, weights)
    y_star = fitted[:, None] + resid[:, None] * draws[:, codes].T  # n × reps
    t_star = _cluster_t(x, bread, y_star, codes, n_groups, column, scale)
    p_value = float(np.mean(np.abs(t_star) >= abs(t_obs)))
    return WildBootstrap(t_obs, p_value, reps, n_groups, weights)
