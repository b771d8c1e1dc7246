"""Which questions ask for code: they get reference code among their sources (service.answer.is_code_question)."""

from __future__ import annotations

import pytest

from service.answer import is_code_question


@pytest.mark.parametrize(
    "question",
    [
        "how do I implement a GRU cell?",
        "how can I compute a BLEU score in code?",
        "give me a python snippet for softmax",
        "write a function that computes IoU of two boxes",
        "pseudocode for k-means please",
        "how would I do attention in numpy?",
        "show me the code for beam search",
        "write me bleu with clipped n-gram counts",
        "code to turn tokenized documents into word count vectors?",
        "how could I code k-nearest neighbours?",
        "a gru cell from scratch, step by step?",
        "numpy function that clips gradients by their global norm?",
    ],
)
def test_asks_for_code(question: str) -> None:
    assert is_code_question(question)


@pytest.mark.parametrize(
    "question",
    [
        "what is a GRU?",
        "why does beam search use length normalization?",
        "how does BLEU compute its brevity penalty?",
        "what does a function's derivative tell you about its minimum?",
        "which class does an SVM predict for a point on the margin?",
        "what would a rewrite mean for the model?",
        "which barcode format do the notes mention?",
        "write me a summary of dropout",
        "write me a short explanation of attention",
        "will asyncio speed up my CPU-bound python code?",
        "is vit trained from scratch or pretrained?",
        "difference between fine-tuning and training from scratch?",
        "how could I write a better summary of attention?",
        "how do I build intuition for backprop?",
    ],
)
def test_does_not_ask_for_code(question: str) -> None:
    assert not is_code_question(question)
