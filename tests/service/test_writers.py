"""The extractive writer through the service's own pipeline, on the real notes and index."""

from __future__ import annotations

import pytest

from service.answer import AnswerPipeline
from service.runtime import Runtime

QUESTIONS = ["what does LoRA keep frozen?", "why does the vanishing gradient hurt RNNs?", "what is dropout for?"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_quotes_are_exact_answer_sentences(runtime: Runtime, question: str) -> None:
    served = runtime.served
    pipeline = AnswerPipeline(served.retriever, runtime.embedder, runtime.settings.answer)  # no model: quotes
    answer = pipeline.answer(question)
    assert not answer.abstained and answer.writer == "extractive" and answer.generated_tokens == 0
    assert answer.citations, answer.text
    for c in answer.citations:
        assert served.reader.source_text(c.doc)[c.start : c.end] == c.quote  # cited to the character
        assert not c.quote.rstrip().endswith("?")  # never a flashcard's question
    assert all(s.citations for s in answer.sentences)


def test_a_near_topic_question_abstains(runtime: Runtime) -> None:
    pipeline = AnswerPipeline(runtime.served.retriever, runtime.embedder, runtime.settings.answer)
    answer = pipeline.answer("how does a mixture-of-experts layer route tokens between experts?")
    assert answer.abstained and answer.writer == "abstained" and not answer.citations
