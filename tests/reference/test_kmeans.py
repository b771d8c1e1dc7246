"""k-means against scikit-learn's KMeans on Gaussian blobs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from reference.kmeans import kmeans, kmeans_plus_plus_init

CASES = [  # (n_samples, n_features, k, cluster_std, seed)
    (200, 2, 3, 1.0, 0),
    (300, 5, 4, 2.0, 1),
    (500, 2, 8, 1.5, 2),
    (150, 10, 2, 4.0, 3),
]


@pytest.mark.parametrize(("n", "d", "k", "std", "seed"), CASES)
def test_same_init_gives_same_clustering_as_sklearn(n: int, d: int, k: int, std: float, seed: int) -> None:
    x, _ = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=std, random_state=seed)
    init = kmeans_plus_plus_init(x, k, np.random.default_rng(seed))
    ours = kmeans(x, k, init=init)
    theirs = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(x)
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-9)
    np.testing.assert_array_equal(ours.labels, theirs.labels_)
    np.testing.assert_allclose(ours.centers, theirs.cluster_centers_, atol=1e-8)


@pytest.mark.parametrize(("n", "d", "k", "std", "seed"), CASES)
def test_inertia_not_worse_than_sklearn_default(n: int, d: int, k: int, std: float, seed: int) -> None:
    x, _ = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=std, random_state=seed)
    theirs = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
    # Best of a few seeds, as sklearn keeps the best of n_init runs.
    ours = min(kmeans(x, k, seed=s).inertia for s in range(5))
    assert ours <= theirs.inertia_ * 1.01


def test_plus_plus_init_spreads_seeds_over_separate_blobs() -> None:
    x, y = make_blobs(n_samples=300, centers=[[0, 0], [100, 0], [0, 100]], cluster_std=1.0, random_state=0)
    for seed in range(5):
        centers = kmeans_plus_plus_init(x, 3, np.random.default_rng(seed))
        nearest_blob = np.argmin(((centers[:, None] - np.array([[0, 0], [100, 0], [0, 100]])) ** 2).sum(2), axis=1)
        assert sorted(nearest_blob.tolist()) == [0, 1, 2]


def test_empty_cluster_keeps_its_center() -> None:
    x = np.array([[0.0], [1.0]])
    result = kmeans(x, 3, init=np.array([[0.0], [1.0], [50.0]]))
    assert result.centers[2, 0] == 50.0
    assert result.inertia == 0.0
