"""Bag of words for text and bag of visual words for images: both are histograms over a dictionary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from reference.kmeans import kmeans


def build_vocabulary(documents: Sequence[Sequence[str]], max_size: int | None = None) -> dict[str, int]:
    """Map each word to a column, most frequent words first (ties alphabetical), at most ``max_size``.

    Notes: 002 "Bag of Visual Words" ("To create a Bag of Words for a document, it necessary to create a
    dictionary first. Choosing the a dictionary is based on many factors including computational
    limitations"): ``max_size`` is that limit, and keeping the most frequent words loses the least.

    >>> build_vocabulary([["b", "a", "b"], ["c", "a", "b"]], max_size=2)
    {'b': 0, 'a': 1}
    """
    counts = Counter(word for doc in documents for word in doc)
    ranked = sorted(counts, key=lambda w: (-counts[w], w))[:max_size]
    return {word: i for i, word in enumerate(ranked)}


def bag_of_words(documents: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """Count matrix (n_documents, vocabulary size); words outside the vocabulary are ignored.

    Notes: 002 "Bag of Visual Words" ("It is a collection of word counts"; "The word counts are collected
    as part of a histogram and used as a feature vector for a machine learning model").

    >>> bag_of_words([["the", "cat", "the"], ["a", "dog"]], {"the": 0, "cat": 1, "dog": 2})
    array([[2, 1, 0],
           [0, 0, 1]])
    """
    counts = np.zeros((len(documents), len(vocabulary)), dtype=np.int64)
    for row, doc in enumerate(documents):
        for word in doc:
            column = vocabulary.get(word)
            if column is not None:
                counts[row, column] += 1
    return counts


def fit_visual_codebook(descriptors_per_image: Sequence[np.ndarray], n_words: int, seed: int = 0) -> np.ndarray:
    """Learn the visual dictionary: k-means centers (n_words, d) over all images' local descriptors.

    Notes: 002 "Bag of Visual Words" (the same recipe as text, where the "words" are clusters of local
    image descriptors, e.g. SIFT vectors or patches, since images have no dictionary of their own).

    >>> images = [np.array([[0.0, 0.0], [0.1, 0.0]]), np.array([[5.0, 5.0], [5.1, 5.0]])]
    >>> sorted(fit_visual_codebook(images, 2).round(2).tolist())
    [[0.05, 0.0], [5.05, 5.0]]
    """
    return kmeans(np.concatenate(descriptors_per_image, axis=0), n_words, seed=seed).centers


def bag_of_visual_words(
    descriptors_per_image: Sequence[np.ndarray], codebook: np.ndarray, normalize: bool = True
) -> np.ndarray:
    """One histogram per image (n_images, n_words): how many descriptors fall nearest each visual word.

    Notes: 002 "Bag of Visual Words" ("The word counts are collected as part of a histogram").
    ``normalize`` divides by the descriptor count, so images with more keypoints stay comparable.

    >>> codebook = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> bag_of_visual_words([np.array([[0.1, 0.0], [4.9, 5.0], [0.0, 0.2]])], codebook, normalize=False)
    array([[2., 1.]])
    """
    histograms = np.zeros((len(descriptors_per_image), len(codebook)))
    for row, descriptors in enumerate(descriptors_per_image):
        descriptors = np.asarray(descriptors, dtype=np.float64)
        words = ((descriptors[:, None, :] - codebook[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        histograms[row] = np.bincount(words, minlength=len(codebook))
        if normalize and len(descriptors):
            histograms[row] /= len(descriptors)
    return histograms
