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


def test_a_small_folder_is_weighed_as_a_larger_one_on_its_own_counts() -> None:
    """The 3 passages weighed as 20 (the abstain check's floor): "lora" in 1, ln(19.5/1.5) = ln 13; "model" in 2,
    ln(18.5/2.5) = ln 7.4; unseen ln(20.5/0.5) = ln 41. A folder as large is itself. The copy is kept on the
    instance, so it goes with its generation: a module-level lru_cache kept up to four retired generations' counts
    alive after re-ingests (review2 P3-3)."""
    import gc
    import weakref

    rarity = TermRarity.of_passages(PASSAGES)
    floored = rarity.at_least(20)
    assert floored.idf["lora"] == pytest.approx(math.log(13))
    assert floored.idf["model"] == pytest.approx(math.log(7.4))
    assert floored.unseen == pytest.approx(math.log(41))
    assert rarity.at_least(20) is floored  # counted once per generation
    assert rarity.at_least(3) is rarity
    retired = weakref.ref(floored)
    del rarity, floored
    gc.collect()
    assert retired() is None
