"""Follow-up questions are rewritten with the turn they lean on; standalone ones are left alone."""

from __future__ import annotations

import pytest

from service.conversation import rewrite_query

LORA = [{"role": "user", "content": "What does LoRA keep frozen?"}, {"role": "assistant", "content": "W [1]."}]

CASES = [
    ("and how is it merged at inference time?", LORA, "What does LoRA keep frozen? and how is it merged"),
    ("why does that help?", LORA, "What does LoRA keep frozen? why does that help?"),
    ("What is batch normalization used for in CNN training?", LORA, None),
    ("and how is it merged at inference time?", [], None),
]


@pytest.mark.parametrize(("question", "history", "expected_prefix"), CASES)
def test_rewrite_query(question: str, history: list, expected_prefix: str | None) -> None:
    query = rewrite_query(question, history)
    if expected_prefix is None:
        assert query == question
    else:
        assert query.startswith(expected_prefix)
