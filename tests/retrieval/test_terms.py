"""TermRarity: idf per stem over the passages, and the share of a question's key terms a text holds.

Expected values derived by hand: 3 passages; "lora" in 1 (idf ln(2.5/1.5) = ln(5/3) = 0.5108), "model" in 2
(ln(1.5/2.5) < 0, floored to 0), a stem in none counts as unseen (ln(3.5/0.5) = ln 7 = 1.9459).
"""

from __future__ import annotations

import math

import pytest

from retrieval.terms import TermRarity, key_stems

PASSAGES = ["LoRA model", "model training", "data"]


def test_idf_is_robertson_sparck_jones_floored_at_zero() -> None:
    rarity = TermRarity.of_passages(PASSAGES)
    assert rarity.idf["lora"] == pytest.approx(math.log(5 / 3))
    assert rarity.idf["model"] == 0.0
    assert rarity.unseen == pytest.approx(math.log(7))


def test_shared_weighs_the_question_terms_by_rarity() -> None:
    rarity = TermRarity.of_passages(PASSAGES)
    # "model" weighs nothing, so a text with "lora" holds all of the question's weight
    assert rarity.shared({"lora", "model"}, "LoRA adapters") == pytest.approx(1.0)
    # an unseen stem ("gpu") is the heaviest: 0.5108 / (0.5108 + 1.9459)
    assert rarity.shared({"lora", "gpu"}, "LoRA rocks") == pytest.approx(0.2079, abs=1e-4)
    assert rarity.shared(set(), "LoRA") == 0.0


def test_key_stems_drop_function_and_question_words() -> None:
    assert key_stems("What does the rank of LoRA control?") == {"rank", "lora", "control"}
