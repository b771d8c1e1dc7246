"""A section title turned into a question reads as English: "What are Continuous distributions?", not "What is"."""

from __future__ import annotations

import pytest

from service.study.guide import title_question


@pytest.mark.parametrize(
    ("title", "question"),
    [
        ("Continuous distributions", "What are Continuous distributions?"),
        ("Markov chains", "What are Markov chains?"),
        ("Eigenvalues", "What are Eigenvalues?"),
        ("Central limit theorem", "What is Central limit theorem?"),
        ("Adam", "What is Adam?"),
        ("Principal component analysis", "What is Principal component analysis?"),
        ("Bayesian statistics", "What is Bayesian statistics?"),
        ("Naive Bayes", "What is Naive Bayes?"),
        ("Cross-entropy loss", "What is Cross-entropy loss?"),
        ("Calculus", "What is Calculus?"),
        ("Bias", "What is Bias?"),
        ("Tests for two proportions", "Explain Tests for two proportions."),
        ("Pandas", "What is Pandas?"),  # the library, capitalized as a title
        ("K-means", "What is K-means?"),  # one clustering method
        ("Fuzzy c-means", "What is Fuzzy c-means?"),
        ("K-medoids", "What is K-medoids?"),
        ("P-values", "What are P-values?"),  # a letter before a hyphen alone does not make one thing
        ("Means", "What are Means?"),
        ("Lambdas", "What are Lambdas?"),
    ],
)
def test_a_plural_title_is_asked_with_are(title: str, question: str) -> None:
    assert title_question(title) == question
