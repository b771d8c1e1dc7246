"""A comparison one of whose sides the notes never name abstains, at any cosine: the cosine measures the side they
hold. Over the user's notes "rmsnorm vs layernorm, what does rmsnorm leave out?" (review2 P2-6) was answered from
the Layer Norm passage (cosine 0.47 once "layernorm" was read "layer norm"), and "dropconnect vs dropout?" from the
dropout notes (0.45). Real embedder, index and quoting writer over HTTP."""

from __future__ import annotations

import httpx
import pytest

from core.settings import AnswerSettings
from service.abstain import should_abstain
from tests.notes_settings import served_notes

NOTES = {
    "norms.md": "# Normalization\n\n## Batch norm\n\nBatch norm normalizes each feature over the mini-batch, so it "
    "depends on the batch size.\n\n## Layer norm\n\nLayer norm normalizes along the feature dimensions within one "
    "sample, subtracting the mean and dividing by the standard deviation, so it does not depend on the batch size.\n",
    "dropout.md": "# Dropout\n\nDropout switches off random units during training, so the network cannot rely on any "
    "single unit. At test time every unit is kept.\n",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    with served_notes(tmp_path_factory.mktemp("compare"), NOTES) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


@pytest.mark.parametrize(
    "question",
    [
        # before: each answered with the side the notes hold (Layer norm's sentence, or Dropout's)
        "rmsnorm vs layernorm, what does rmsnorm leave out?",
        "how does rmsnorm differ from layer norm?",
        "dropconnect vs dropout?",
        "what is the difference between dropout and dropconnect?",
    ],
)
def test_a_comparison_with_a_side_the_notes_never_name_abstains(client: httpx.Client, question: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert answer["abstained"], answer["text"]


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        ("batch norm vs layer norm?", "Layer norm normalizes along the feature dimensions"),
        ("how does layer norm differ from batch norm?", "Layer norm normalizes along the feature dimensions"),
        ("dropout vs layer norm?", "Dropout switches off random units"),
    ],
)
def test_a_comparison_of_things_the_notes_name_is_answered(client: httpx.Client, question: str, quote: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert quote in answer["text"], answer["text"]


def test_an_unnamed_side_abstains_at_any_cosine() -> None:
    config = AnswerSettings()
    assert should_abstain(0.9, ["rmsnorm"], config, 1.0, ["rmsnorm"], uncompared=["rmsnorm"])
    assert not should_abstain(0.9, ["rmsnorm"], config, 1.0, ["rmsnorm"])  # one unknown word, strong evidence
