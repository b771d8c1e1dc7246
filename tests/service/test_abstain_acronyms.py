"""A question that writes an acronym the notes never use ("GD") is read as the phrase of the notes it spells out
("gradient descent"), where that phrase stands often enough in the passages retrieved for it. A user's question
"why does plain minibatch GD bounce around on the way down?" abstained over notes that only ever write gradient
descent out. Real embedder, index and quoting writer over HTTP; phrase counts worked out by hand."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.notes_settings import notes_client, served_notes

NOTES = {
    # "gradient descent" in four places
    "descent.md": "# Gradient descent\n\nGradient descent updates the weights against the gradient of the cost.\n\n"
    "## Batch gradient descent\n\nBatch gradient descent takes one step per pass over the whole training set, so its "
    "steps are smooth but slow.\n\n## Mini-batch gradient descent\n\nMini-batch gradient descent takes a step after "
    "each mini-batch: the noise of the batches makes the cost oscillate on the way to the minimum.\n",
    # "simple neural network" in two places: too few to be what "SNN" (a spiking neural network) stands for
    "nets.md": "# Networks\n\nA simple neural network has one hidden layer. A simple neural network can still fit any "
    "smooth function with enough units.\n",
}
# review3 P1-3: "rectified linear" in three places of one passage, each the head of a longer term ("rectified linear
# unit", "rectified linear activation"): no reading of "RL", which these notes do not cover
ACTIVATIONS = {
    "activations.md": "# Activation functions\n\n## ReLU\nThe rectified linear unit outputs max(0, x). "
    "A rectified linear activation keeps gradients alive for positive inputs.\n"
    "Leaky variants of the rectified linear unit give negative inputs a small slope so that units do not die.\n\n"
    "## Sigmoid\nThe sigmoid squashes its input into (0, 1) and saturates for large inputs, which slows learning.\n",
    "optim.md": "# Optimizers\n\n## SGD\nStochastic gradient descent steps against the gradient of a minibatch. "
    "Gradient descent with momentum keeps a running average of past gradients.\n"
    "Plain gradient descent on the full batch is slow for large datasets.\n",
}
# review3 P1-5: "importance sampling" in three places; "IS" of a question typed in capitals is no acronym
SAMPLING = {
    "dropout.md": "# Dropout\n\nDropout zeroes a random half of the units at each training step, so units cannot "
    "co-adapt.\nAt test time every unit is kept and the weights are scaled.\n",
    "sampling.md": "# Importance sampling\n\n"
    "Importance sampling draws from an easier proposal distribution and reweights each draw.\n"
    "Importance sampling weights are the ratio of target to proposal density.\n"
    "Self-normalised importance sampling divides by the sum of the weights.\n",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    with served_notes(tmp_path_factory.mktemp("acronyms"), NOTES) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def ask(root: Path, notes: dict[str, str], questions: list[str]) -> list[dict]:
    with notes_client(root, notes) as c:
        return [c.post("/api/ask", json={"question": q}).json() for q in questions]


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        # before: abstained, "GD" an unnamed subject the notes never use
        ("what does GD update?", "Gradient descent updates the weights against the gradient of the cost"),
        ("how does GD move the weights?", "Gradient descent updates the weights against the gradient of the cost"),
        ("how does GD handle the noise?", "the noise of the batches makes the cost oscillate"),
    ],
)
def test_an_acronym_the_notes_spell_out_is_answered(client: httpx.Client, question: str, quote: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert quote in answer["text"], answer["text"]


@pytest.mark.parametrize(
    "question",
    [
        "how does an SNN spike?",
        "what does an SNN fire?",
        # GD is the notes' phrase, SGD is not: a side of the comparison they never name (answered by the GD
        # sentence with this rule alone)
        "how does SGD differ from GD?",
    ],
)
def test_an_acronym_for_a_phrase_written_twice_still_abstains(client: httpx.Client, question: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert answer["abstained"], answer["text"]


def test_the_head_of_a_longer_term_is_no_reading_of_an_acronym(tmp_path: Path) -> None:
    """Before: both answered with the ReLU sentences ("RL" read "rectified linear")."""
    for answer in ask(tmp_path, ACTIVATIONS, ["How does RL learn from rewards?", "What is the discount factor in RL?"]):
        assert answer["abstained"], answer["text"]


def test_a_question_typed_in_capitals_has_no_acronyms(tmp_path: Path) -> None:
    """Before: "WHAT IS DROPOUT?" was read "WHAT importance sampling DROPOUT?" and quoted the sampling note."""
    questions = ["WHAT IS DROPOUT?", "HOW DOES DROPOUT WORK AT TEST TIME?"]
    for answer, quote in zip(ask(tmp_path, SAMPLING, questions), ["Dropout zeroes", "At test time"], strict=True):
        assert not answer["abstained"], answer["text"]
        assert quote in answer["text"] and "mportance" not in answer["text"], answer["text"]
