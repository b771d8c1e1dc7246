"""Weak evidence for a question about a name a note defines on a line of its own ("T5: Text-to-Text Transfer
Transformer. ...", "- SSIM (Structural Similarity Index Measure): ..."), as a glossary or a list of metrics writes
it: the embedder reads the name only as pieces, so "T5 main idea?" and "ssim looks at what exactly?" abstained over
the user's notes that answer them (cosine 0.22 and 0.26). Such a line makes the note about the name, as a heading
does (`held_name`); a passage that only mentions it still does not. Real embedder, index and writer over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.text import stem
from retrieval.retriever import Hit
from service.abstain import defines, held_name
from tests.notes_settings import notes_client, served_notes

GLOSSARY = (
    "Hugging Face: a widely-used unified API for tokenizers and model inference.\n"
    "T5: Text-to-Text Transfer Transformer. It converts all NLP tasks into text-to-text format.\n"
    "RoBERTa: removes Next Sentence Prediction and focuses more on MLM.\n"
)
METRICS = (
    "- FID (Fréchet Inception Distance): measures distribution similarity between generated and real images.\n"
    "- SSIM (Structural Similarity Index Measure): focuses on structural similarity (luminance, contrast, structure).\n"
)


def hit(text: str) -> Hit:
    return Hit("n", "d.md", "note", [], 0, len(text), text, score=1.0, dense_score=0.2)


def test_a_line_that_opens_with_a_name_and_a_colon_or_parenthesis_defines_it() -> None:
    assert defines(GLOSSARY, {"t5"}) and defines(GLOSSARY, {stem("hugging"), "face"})
    assert defines(METRICS, {"ssim"})
    assert not defines("XGBoost is a common implementation.", {"xgboost"})  # mentioned, not defined
    assert not defines("Models: BERT, T5 and BART.", {"t5"})  # a list after another term's colon
    assert defines("The T5 model (Raffel et al.): text to text.", {"t5"})  # the name and a word or two
    # a sentence that mentions the name before a parenthesis (review3 P1-6): the name is not what it opens with, or
    # not the whole of what comes before
    assert not defines("Boosting libraries such as XGBoost (and LightGBM) are popular in competitions.", {"xgboost"})
    assert not defines("We trained T5 on the same data (see the table).", {"t5"})
    assert not defines("T5 was trained on far more text than BERT (see the table).", {"t5"})
    assert not defines("Models like ResNet50 (with skip connections) train deeper networks.", {"resnet50"})


def test_a_defined_name_is_held() -> None:
    assert held_name("T5 main idea?", ["t5"], [hit(GLOSSARY)]) == ["t5"]  # no wh-frame: the phrase it opens with
    assert held_name("ssim looks at what exactly?", ["ssim"], [hit(METRICS)]) == ["ssim"]
    assert held_name("T5 main idea?", ["t5"], [hit("Encoder-decoder models such as T5 and BART.")]) == []
    # a comparison: every side must be held, and KID is not ("the difference between FID and KID" is not on FID)
    assert held_name("what's the difference between FID and KID?", ["fid", "kid"], [hit(METRICS)]) == []
    assert held_name("what's the difference between FID and SSIM?", ["fid", "ssim"], [hit(METRICS)]) == ["fid", "ssim"]


def test_a_question_on_a_defined_name_is_answered(tmp_path: Path) -> None:
    """Before: abstained (weak cosine, "main" and "idea" nowhere in the notes, no heading naming T5)."""
    notes = {
        "nlp.md": f"# Language models\n\n{GLOSSARY}",
        "gan.md": f"# GAN\n\n## Common metrics\n\n{METRICS}",
        "trees.md": "# Boosting\n\nXGBoost is a common implementation. Boosting fits each new tree to the errors of "
        "the trees before it.\n",
    }
    with served_notes(tmp_path, notes) as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": "T5 main idea?"}, timeout=60).json()
    assert not answer["abstained"], answer["text"]
    assert "T5: Text-to-Text Transfer Transformer" in answer["text"], answer["text"]


def test_a_name_mentioned_before_a_parenthesis_is_not_held(tmp_path: Path) -> None:
    """Before (review3 P1-6): answered with the decision tree sentence and "Boosting libraries such as XGBoost (and
    LightGBM) are popular in competitions.", a passing mention: the notes say nothing of how XGBoost does it."""
    notes = {
        "trees.md": "# Decision trees\n\nA decision tree splits the data on the feature that most reduces impurity.\n"
        "Boosting libraries such as XGBoost (and LightGBM) are popular in competitions.\n"
        "Random forests average many trees grown on bootstrap samples.\n"
        "Gradient boosting fits each new tree to the residuals of the ensemble so far.\n",
        "cnn.md": "# Convolutional networks\n\n"
        "A convolution slides a small kernel over the image and sums the products.\n"
        "Pooling keeps the largest activation in each window.\n"
        "Models like ResNet50 (with skip connections) train deeper networks.\n",
    }
    with notes_client(tmp_path, notes) as client:
        answer = client.post("/api/ask", json={"question": "How does XGBoost handle missing values?"}).json()
    assert answer["abstained"], answer["text"]
