"""Wild cluster bootstrap: weights, known answers on synthetic data, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from scityhelpers.errors import ModelDataError
from scityhelpers.stats.wild_bootstrap import (
    RADEMACHER,
    WEBB,
    cluster_weights,
    wild_cluster_test,
)

# Synthetic data (generated here, never presented as real): few clusters of very unequal size,
# a cluster-level shock in x and in the error, the setting the bootstrap is meant for.
SIZES = (3, 4, 5, 6, 8, 10, 15, 25, 40, 60, 90, 140)


def _sample(rng: np.random.Generator, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    groups = np.repeat(np.arange(len(SIZES)), SIZES)
    x1 = rng.normal(size=len(SIZES))[groups] + rng.normal(size=groups.size)
    error = rng.normal(size=len(SIZES))[groups] + rng.normal(size=groups.size)
    design = np.column_stack([np.ones(groups.size), x1])
    return design, beta * x1 + error, groups


@pytest.mark.parametrize("kind", [RADEMACHER, WEBB])
def test_weights_have_mean_zero_and_unit_variance(kind: str) -> None:
    draws = cluster_weights(np.random.default_rng(1), 20000, 12, kind)
    assert abs(draws.mean()) < 0.02
    assert draws.var() == pytest.approx(1.0, abs=0.02)


def test_unknown_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown weights"):
        cluster_weights(np.random.default_rng(1), 2, 2, "normal")


def test_a_large_effect_is_detected() -> None:
    x, y, groups = _sample(np.random.default_rng(7), beta=2.0)
    result = wild_cluster_test(x, y, groups, column=1, reps=499, seed=3)
    assert result.p_value < 0.01
    assert result.clusters == len(SIZES)


def test_size_under_the_null_is_close_to_nominal() -> None:
    """With β = 0 the test rejects at 5% in about 5% of samples (binomial slack: 200 draws)."""
    rng = np.random.default_rng(11)
    rejections = 0
    for _ in range(200):
        x, y, groups = _sample(rng, beta=0.0)
        rejections += wild_cluster_test(x, y, groups, 1, reps=199,
                                        seed=int(rng.integers(1 << 31))).p_value < 0.05
    assert 2 <= rejections <= 22  # 1%–11%: a test without the bootstrap's correction exceeds it


def test_same_seed_same_answer() -> None:
    x, y, groups = _sample(np.random.default_rng(5), beta=0.3)
    first = wild_cluster_test(x, y, groups, 1, reps=199, seed=9)
    assert first == wild_cluster_test(x, y, groups, 1, reps=199, seed=9)


def test_one_cluster_is_refused() -> None:
    x, y, _ = _sample(np.random.default_rng(5), beta=0.3)
    with pytest.raises(ModelDataError, match="two clusters"):
        wild_cluster_test(x, y, np.zeros(len(y)), 1)
