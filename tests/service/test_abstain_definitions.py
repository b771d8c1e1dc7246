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
from tests.notes_settings import served_notes

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
