"""A question's subject by its shape: the abstain rule's reading of a question (its spelling: test_spelling.py)."""

from __future__ import annotations

import pytest

from core.subject import asked_object, compared, leading_phrase, question_subject


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How does SimCLR build positive pairs from augmented views?", "SimCLR build positive pairs"),
        ("what is a metaclass and when would I want one?", "metaclass"),
        ("what does the METEOR metric add over BLEU?", "METEOR metric add"),
        ("how is Nesterov accelerated gradient different from momentum?", "Nesterov accelerated gradient different"),
        ("what does a triplet loss with anchors optimize?", "triplet loss"),
        ("how exactly does dropout work?", "dropout"),
        ("why does Adam use the second moment?", "Adam use"),  # a determiner opens the object
        ("how do I convert my history?", ""),  # the asker
        ("can we use LoRA here?", ""),  # no wh-word
        ("Explain mixup.", ""),
        ("what?", ""),
        ("what's a metaclass?", "metaclass"),
        ("whats a metaclass", "metaclass"),
    ],
)
def test_question_subject(question: str, subject: str) -> None:
    assert question_subject(question) == subject


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("how do I avoid SettingWithCopyWarning?", "SettingWithCopyWarning"),
        ("how do I fix the SettingWithCopy warning?", "SettingWithCopy warning"),
        ("how can I get rid of SettingWithCopyWarning?", "SettingWithCopyWarning"),  # a phrasal verb's particles
        ("how do I build a C extension with setuptools?", "C extension"),  # "with" ends it: setuptools is not it
        ("how do I set up autoscaling for pods?", "autoscaling"),
        ("what is a metaclass?", ""),  # a subject, not the asker
        ("how do I?", ""),
        ("explain SettingWithCopyWarning", ""),
    ],
)
def test_asked_object(question: str, thing: str) -> None:
    assert asked_object(question) == thing


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("rmsnorm vs layer norm, what does rmsnorm leave out?", ["rmsnorm", "layer norm"]),  # one clause at a time
        ("dropconnect vs. dropout?", ["dropconnect", "dropout"]),
        ("what's the difference between a parameter and a hyperparameter?", ["parameter", "hyperparameter"]),
        ("compare a candidate sentence with a reference", ["candidate sentence", "reference"]),
        (
            "how is Nesterov accelerated gradient different from plain momentum?",
            ["Nesterov accelerated gradient", "plain momentum"],
        ),
        ("how does SGD differ from GD?", ["SGD", "GD"]),
        ("when is distributed training worth it compared to one node?", ["one node"]),  # "it": no side
        ("what is dropout?", []),
        ("should I use an LSTM or a GRU?", []),  # "or" is no comparison word: "X or Y" is as often a choice
    ],
)
def test_compared(question: str, sides: list[str]) -> None:
    assert compared(question) == sides


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("T5 main idea?", "T5 main idea"),
        ("ssim looks at what exactly?", "ssim looks"),  # "at" ends the phrase
        ("what is T5?", ""),  # a wh-frame: question_subject reads it
        ("who wrote vit?", "vit"),  # "who" is the subject: its verb's object is asked about
        ("who came up with the dropout idea?", "dropout idea"),
        ("who uses the mask branch?", "mask branch"),
    ],
)
def test_leading_phrase(question: str, phrase: str) -> None:
    assert leading_phrase(question) == phrase
