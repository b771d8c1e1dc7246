"""k-means clustering: k-means++ seeding, then Lloyd iterations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KMeansResult:
    """Cluster centers (k, d), the label of each point (n,), inertia and iterations run."""

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int


def squared_distances(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance from every point (n, d) to every center (k, d) -> (n, k).

    Notes: 003 "Machine Learning Basics" (K-Means: the within-cluster variance is built from these).

    >>> squared_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0]]))
    array([[ 0.],
           [25.]])
    """
    return ((x[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)


def kmeans_plus_plus_init(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Pick k starting centers, each new one drawn with probability proportional to D(x)^2.

    Notes: 003 "Machine Learning Basics" ("K-Means Clustering ... minimizing within-cluster variance"):
    a bad start leaves Lloyd's iterations in a poor local minimum of that variance. D(x) is the
    distance to the nearest center chosen so far, so seeds spread over the data (Arthur and
    Vassilvitskii, 2007).

    >>> x = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> sorted(np.round(kmeans_plus_plus_init(x, 2, np.random.default_rng(0)).ravel()).tolist())
    [0.0, 10.0]
    """
    x = np.asarray(x, dtype=np.float64)
    centers = [x[rng.integers(len(x))]]
    closest = squared_distances(x, centers[0][None])[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        # If every point already sits on a center, any point will do.
        probs = closest / total if total > 0 else np.full(len(x), 1 / len(x))
        center = x[rng.choice(len(x), p=probs)]
        centers.append(center)
        closest = np.minimum(closest, squared_distances(x, center[None])[:, 0])
    return np.array(centers)


def kmeans(
    x: np.ndarray,
    k: int,
    max_iter: int = 300,
    tol: float = 1e-8,
    seed: int = 0,
    init: np.ndarray | None = None,
) -> KMeansResult:
    """Group points into k clusters by minimising within-cluster squared distance (the inertia).

    Notes: 003 "Machine Learning Basics" ("K-Means Clustering: an unsupervised method that groups data
    into clusters by minimizing within-cluster variance"). Lloyd's algorithm alternates two steps that
    each can only lower the inertia: assign every point to its nearest center, then move every center
    to the mean of its points. A cluster left empty keeps its old center. Stops when centers move less
    than ``tol`` (squared), or after ``max_iter`` rounds.

    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> result = kmeans(x, 2, seed=0)
    >>> sorted(result.centers.tolist()), result.inertia
    ([[0.0, 0.5], [10.0, 0.5]], 1.0)
    """
    x = np.asarray(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    centers = kmeans_plus_plus_init(x, k, rng) if init is None else np.array(init, dtype=np.float64)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        labels = squared_distances(x, centers).argmin(axis=1)
        new_centers = centers.copy()
        for j in range(k):
            members = x[labels == j]
            if len(members):
                new_centers[j] = members.mean(axis=0)
        shift = ((new_centers - centers) ** 2).sum()
        centers = new_centers
        if shift <= tol:
            break
    distances = squared_distances(x, centers)
    labels = distances.argmin(axis=1)
    inertia = float(distances[np.arange(len(x)), labels].sum())
    return KMeansResult(centers, labels, inertia, n_iter)
