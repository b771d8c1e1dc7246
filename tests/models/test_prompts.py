"""The prompt format shared by fine-tuning and serving."""

from __future__ import annotations

import pytest

from core.text import cited_numbers
from models.prompts import (
    REFUSAL,
    SYSTEM_PROMPT,
    PromptSource,
    build_messages,
    fixed_prefix,
    is_refusal,
    render_chatml,
)

SOURCES = [
    PromptSource(n=1, text="Dropout keeps each node\nwith probability p.", breadcrumbs=["Flashcards", "Dropout"]),
    PromptSource(n=2, text="Adam combines momentum with RMSProp.", breadcrumbs=[]),
]


def test_messages_number_sources_with_breadcrumbs_then_question():
    system, user = build_messages("  How does   dropout work? ", SOURCES)
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert user["role"] == "user"
    assert user["content"] == (
        "Sources:\n"
        "[1] (Flashcards > Dropout) Dropout keeps each node with probability p.\n"
        "[2] Adam combines momentum with RMSProp.\n\n"
        "Question: How does dropout work?"
    )


def test_system_prompt_states_the_refusal_and_citation_format():
    assert REFUSAL in SYSTEM_PROMPT and "[1]" in SYSTEM_PROMPT


def test_long_sources_are_cut_to_max_words():
    long = PromptSource(n=1, text=" ".join(f"w{i}" for i in range(500)))
    content = build_messages("q?", [long], max_source_words=20)[1]["content"]
    assert "w19 ..." in content and "w20" not in content


@pytest.mark.parametrize(
    ("answer", "cited"),
    [("Dropout drops nodes [1]. Adam [2][1].", [1, 2, 1]), ("No markers.", []), ("Year [2019] is not [1]", [1])],
)
def test_cited_numbers(answer, cited):
    assert cited_numbers(answer) == cited


@pytest.mark.parametrize(
    ("answer", "refused"),
    [(REFUSAL, True), ("  the notes do not cover this", True), ("The notes say dropout [1].", False)],
)
def test_is_refusal(answer, refused):
    assert is_refusal(answer) is refused


def test_chatml_rendering_starts_with_the_cacheable_prefix():
    text = render_chatml(build_messages("q?", SOURCES))
    assert text.startswith(fixed_prefix())
    assert text.endswith("<|im_start|>assistant\n")
    assert text.count("<|im_start|>") == 3


def test_empty_question_and_bad_number_are_rejected():
    with pytest.raises(ValueError):
        build_messages("  ", SOURCES)
    with pytest.raises(ValueError):
        PromptSource(n=0, text="x")
