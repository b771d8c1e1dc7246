"""A question that writes an acronym the notes never use ("GD") is read as the phrase of the notes it spells out
("gradient descent"), where that phrase stands often enough in the passages retrieved for it. A user's question
"why does plain minibatch GD bounce around on the way down?" abstained over notes that only ever write gradient
descent out. Real embedder, index and quoting writer over HTTP; phrase counts worked out by hand."""

from __future__ import annotations

import httpx
import pytest

from tests.notes_settings import served_notes

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


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    with served_notes(tmp_path_factory.mktemp("acronyms"), NOTES) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


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
