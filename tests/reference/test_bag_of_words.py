"""Bag of words against scikit-learn's CountVectorizer; bag of visual words against sklearn k-means."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import pairwise_distances_argmin

from reference.bag_of_words import bag_of_visual_words, bag_of_words, build_vocabulary, fit_visual_codebook

DOC_CASES = [
    ["the cat sat on the mat", "the dog sat", "a cat and a dog"],
    ["beam search keeps the best beams", "greedy search keeps one", "search search search"],
    ["one", "two two", "three three three", ""],
]


@pytest.mark.parametrize("texts", DOC_CASES)
def test_counts_match_count_vectorizer(texts: list[str]) -> None:
    documents = [t.split() for t in texts]
    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False)
    expected = vectorizer.fit_transform(texts).toarray()
    vocabulary = build_vocabulary(documents)
    ours = bag_of_words(documents, vocabulary)
    # sklearn orders columns alphabetically; ours by frequency. Compare column by word.
    for word, column in vectorizer.vocabulary_.items():
        np.testing.assert_array_equal(ours[:, vocabulary[word]], expected[:, column])
    assert set(vocabulary) == set(vectorizer.vocabulary_)


@pytest.mark.parametrize("texts", DOC_CASES)
def test_max_size_keeps_the_most_frequent_words(texts: list[str]) -> None:
    documents = [t.split() for t in texts]
    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, max_features=2)
    vectorizer.fit(texts)
    # Both keep the top 2 by corpus frequency; sklearn breaks ties alphabetically as well.
    assert set(build_vocabulary(documents, max_size=2)) == set(vectorizer.vocabulary_)


def test_unknown_words_are_ignored() -> None:
    assert bag_of_words([["a", "zebra", "a"]], {"a": 0}).tolist() == [[2]]


def _images(seed: int) -> list[np.ndarray]:
    """Eight 'images', each a cloud of 2-D descriptors drawn around 4 visual-word prototypes."""
    rng = np.random.default_rng(seed)
    prototypes = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)
    images = []
    for _ in range(8):
        mix = rng.dirichlet(np.ones(4))
        words = rng.choice(4, size=int(rng.integers(20, 60)), p=mix)
        images.append(prototypes[words] + rng.normal(scale=0.5, size=(len(words), 2)))
    return images


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_visual_words_histograms_match_sklearn_assignment(seed: int) -> None:
    images = _images(seed)
    codebook = fit_visual_codebook(images, 4, seed=seed)
    reference_inertia = KMeans(n_clusters=4, n_init=10, random_state=seed).fit(np.concatenate(images)).inertia_
    ours_inertia = ((np.concatenate(images)[:, None] - codebook[None]) ** 2).sum(2).min(1).sum()
    assert ours_inertia <= reference_inertia * 1.01

    histograms = bag_of_visual_words(images, codebook, normalize=False)
    for image, histogram in zip(images, histograms, strict=True):
        expected = np.bincount(pairwise_distances_argmin(image, codebook), minlength=4)
        np.testing.assert_array_equal(histogram, expected)
    normalized = bag_of_visual_words(images, codebook)
    np.testing.assert_allclose(normalized.sum(axis=1), 1.0)
