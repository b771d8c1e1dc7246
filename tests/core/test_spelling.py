"""Another spelling of the notes' words (core.spelling): typos, British and American forms, words written
together or apart, and the question reworded as the notes word it. Expected values are worked out by hand."""

from __future__ import annotations

import pytest

from core.settings import AnswerSettings
from core.spelling import (
    acronyms,
    closed_up,
    hyphen_compounds,
    is_misspelling,
    is_other_spelling,
    neighbour_pairs,
    notes_wording,
    one_edit,
    spelt_out,
    variant_spelling,
    written_together,
)
from core.text import stem


def stems(text: str) -> set[str]:
    return {stem(w) for w in text.lower().split()}


def test_one_edit_reaches_swaps_deletions_replacements_and_insertions() -> None:
    near = set(one_edit("adma"))
    assert {"adam", "adm", "adman", "edma", "adma"} <= near
    assert "mada" not in near  # two edits away
    # 4 deletions + 3 swaps + 4 x 36 replacements + 5 x 36 insertions
    assert len(list(one_edit("adma"))) == 4 + 3 + 4 * 36 + 5 * 36


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("adma", True),
        ("dropuot", True),
        ("simclr", False),
        ("gan", False),
        ("normalizaton", True),
        ("gptq", False),  # a name a letter longer than "gpt", a letter other than "gpt2"
        ("adm", False),
        ("dropot", True),  # a letter short of "dropout": a typo once the word has 5+ letters
    ],
)
def test_is_misspelling(word: str, expected: bool) -> None:
    known = {"adam", "dropout", "can", "normalization", "clr", "gpt", "gpt2"}
    assert is_misspelling(word, known) is expected


def test_a_typo_is_read_on_the_stem_too() -> None:
    """ "regularisations" is two edits from "regularization" (s -> z, the plural s); its stem "regularisation" is
    one, and stem("regularization") = "regulariz" is what the notes' vocabulary holds."""
    known = stems("regularization")
    assert known == {"regulariz"}
    assert is_misspelling("regularisations", known, stem)
    assert not is_misspelling("regularisations", known)  # without the stem: two edits


@pytest.mark.parametrize(
    ("word", "notes", "expected"),
    [
        ("regularisation", "regularization", "regularization"),
        ("regularisations", "regularization", "regularization"),  # on the stem "regularisation"
        ("optimiser", "optimizer", "optimizer"),
        ("colours", "color", "colors"),
        ("color", "colour", "colour"),
        ("centre", "center", "center"),
        ("modelling", "modeling", "modeling"),
        ("labeled", "labelled", "labelled"),
        ("indices", "index", "index"),
        ("matrices", "matrix", "matrix"),
        ("four", "for", None),  # the -our rule wants 3 letters before it
        ("focal", "local", None),  # one key off, but no spelling rule: a typo, not a variant
    ],
)
def test_variant_spelling(word: str, notes: str, expected: str | None) -> None:
    assert variant_spelling(word, stems(notes), stem) == expected


def test_neighbour_pairs_are_the_words_side_by_side() -> None:
    pairs = [("multi", "head"), ("head", "self"), ("self", "attention")]
    assert neighbour_pairs(["Multi-head self-attention.", "multi head"]) == pairs  # once each, in order


def test_a_name_is_not_clipped_from_notes_words() -> None:
    """A clipped second part that ends names ("net", "former") is no clipping; whole words still are; a word
    written as a proper name (a capital inside it) is read whole only; a capital first letter alone does not
    make a name."""
    assert closed_up("densenet", [("dense", "network")]) is None
    assert closed_up("longformer", [("long", "formerly")]) is None
    assert closed_up("densenet", [("dense", "net")]) == ("dense", "net")
    pairs = [("automatic", "differentiation"), ("group", "norm")]
    known = stems("automatic differentiation group norm what is")
    assert notes_wording("what is AutoDiff?", known, stem, pairs) == "what is AutoDiff?"
    assert notes_wording("what is Autodiff?", known, stem, pairs) == "what is automatic differentiation?"
    backprop = [("back", "propagation")]
    assert notes_wording("how does Backprop work?", stems("back propagation"), stem, backprop) == (
        "how does back propagation work?"
    )
    assert notes_wording("what is GroupNorm?", known, stem, pairs) == "what is group norm?"


def test_closed_up_prefers_whole_words_then_the_first_pair() -> None:
    """Both pairs fit "layernorm": the whole words win wherever they stand; of two clipped fits, the earlier."""
    assert closed_up("layernorm", [("layer", "normalization"), ("layer", "norm")]) == ("layer", "norm")
    clipped = [("layer", "normalizes"), ("layer", "normalization")]
    assert closed_up("layernorm", clipped) == ("layer", "normalizes")
    assert closed_up("layernorm", clipped[::-1]) == ("layer", "normalization")


@pytest.mark.parametrize(
    ("word", "text", "expected"),
    [
        ("multihead", "Multi-head self-attention", ("multi", "head")),
        ("autodiff", "Automatic differentiation applies the chain rule", ("automatic", "differentiation")),
        ("batchnorm", "Batch normalization standardizes", ("batch", "normalization")),
        ("layernorm", "layer normalization", ("layer", "normalization")),
        ("bertscore", "BERT is an encoder. The BLEU score counts n-grams", None),  # both words, never side by side
        ("metaclass", "meta tags; a class statement", None),
        ("mixup", "mix up the labels", None),  # "up": under 3 letters, too short to tell
        ("simclr", "similar clear", None),  # "clr" starts no word
    ],
)
def test_closed_up_needs_the_two_words_side_by_side(word: str, text: str, expected: tuple[str, str] | None) -> None:
    assert closed_up(word, neighbour_pairs([text])) == expected


@pytest.mark.parametrize(
    ("question", "notes", "wording"),
    [
        (
            "how does autodiff work?",
            "Automatic differentiation applies the chain rule",
            "how does automatic differentiation work?",
        ),
        ("what do regularisations do?", "Regularization adds a penalty", "what do regularization do?"),
        (  # split in two where the notes write one word
            "how do I avoid the SettingWithCopy warning?",
            "A SettingWithCopyWarning is raised",
            "how do I avoid the settingwithcopywarning?",
        ),
        ("how is the BLEU score computed?", "BLEU score bleuscore", "how is the BLEU score computed?"),  # both known
        ("how is BERTScore computed?", "BERT is an encoder. The BLEU score", "how is BERTScore computed?"),
        ("what does the adma optimizer do?", "Adam optimizer", "what does the adma optimizer do?"),  # typos stay
    ],
)
def test_notes_wording(question: str, notes: str, wording: str) -> None:
    known = stems(notes.replace(".", " "))
    assert notes_wording(question, known, stem, neighbour_pairs([notes])) == wording


def test_other_spelling_is_a_typo_or_a_variant_never_two_notes_words() -> None:
    assert is_other_spelling("dropuot", {"dropout"})
    assert is_other_spelling("regularisation", stems("regularization"), stem)
    assert not is_other_spelling("bertscore", {"bert", "score"})  # a name unless a passage writes "BERT score"


def test_acronyms_are_words_written_in_capitals() -> None:
    assert acronyms("is GD or SGD noisier than Adam, and what about LLMs and gd?") == ["gd", "sgd", "llm"]
    assert acronyms("what is T5 or a ReLU?") == []  # a digit, a small letter: no acronym
    assert acronyms("GD vs SGD?") == ["gd", "sgd"]
    # a question typed in capitals, and a function or question word: none ("IS" was read "importance sampling")
    assert acronyms("WHAT IS DROPOUT?") == [] and acronyms("HOW DOES GD WORK?") == []
    assert acronyms("what IS the GD rule, and HOW?") == ["gd"]


DESCENT = "Each step of gradient descent is small."


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # three places: the phrase the acronym spells out
        (
            [("a", 0, DESCENT), ("a", 40, "Batch gradient descent is slow."), ("b", 0, "Use gradient-descent.")],
            "gradient descent",
        ),
        ([("a", 0, DESCENT), ("b", 0, DESCENT)], None),  # two places: not often enough
        # one sentence in two overlapping passages of a document stands in one place
        ([("a", 0, DESCENT), ("a", 0, DESCENT), ("a", 0, DESCENT), ("b", 0, DESCENT)], None),
        # words apart by a stop, or a function word, spell out nothing: "gradient. Descent", "get the data"
        ([("a", 0, "the gradient. Descent"), ("b", 0, "the gradient; descent"), ("c", 0, "gradient, descent")], None),
        # as many places for two phrases: neither
        ([(d, 0, "gradient descent and good defaults") for d in "abc"], None),
        # one phrase however its words end: "gradient descents" counts with "gradient descent"
        ([("a", 0, "gradient descents"), ("b", 0, DESCENT), ("c", 0, DESCENT)], "gradient descent"),
        # three places of one passage are one witness (review3 P1-3: one note repeating a term)
        ([("a", 0, f"{DESCENT} {DESCENT} Use gradient-descent."), ("b", 0, DESCENT)], None),
        # the head of a longer term in most of its places: "good defaults" of "good defaults matter", not "GD"
        (
            [(d, 0, "Good defaults matter. Pick good defaults first.") for d in "abc"] + [("d", 0, "good defaults")],
            None,
        ),
        # a term followed by a verb in some of its places, ended by a stop or a function word in the others
        ([("a", 0, "Gradient descent steps downhill."), ("b", 0, DESCENT), ("c", 0, DESCENT)], "gradient descent"),
    ],
)
def test_an_acronym_is_spelt_out_by_a_phrase_of_the_notes(texts: list, expected: str | None) -> None:
    assert spelt_out("gd", texts, stem, passages=3) == expected


def test_the_passages_an_acronym_needs_are_a_setting() -> None:
    """The bar of 3 passages is `AnswerSettings.acronym_passages` (review P3-3), read where `spelt_out` is called:
    "gradient descent" in two passages is no reading of "GD" at the default, and is one at a bar of 2."""
    two = [("a", 0, DESCENT), ("b", 0, DESCENT)]
    assert AnswerSettings().acronym_passages == 3
    assert spelt_out("gd", two, stem, passages=AnswerSettings().acronym_passages) is None
    assert spelt_out("gd", two, stem, passages=2) == "gradient descent"
    assert spelt_out("gd", [("a", 0, DESCENT)], stem, passages=2) is None  # one witness is below 2


def test_an_acronym_is_read_as_its_phrase() -> None:
    """Only where the question writes it in capitals and the notes lack it: "gd" in small letters stays a word."""
    known = stems("gradient descent updates the weights")
    phrases = {"gd": "gradient descent"}
    assert notes_wording("what does GD update?", known, stem, [], phrases) == "what does gradient descent update?"
    assert notes_wording("what does gd update?", known, stem, [], phrases) == "what does gd update?"


def test_a_function_word_is_never_half_of_a_split_word() -> None:
    """ "grow the" joined is "growthe", whose stem is "growth": "how do dilated convolutions grow the receptive
    field?" read "... growthe receptive field?" over notes that write "growth" and never "grow"."""
    known = stems("the growth of the receptive field")
    question = "how do dilated convolutions grow the receptive field?"
    assert notes_wording(question, known, stem, []) == question


def test_a_name_may_close_up_a_plural_second_word() -> None:
    """ "MobileNet" over notes headed "Advantages of Mobile nets": two whole words, the second its plural; a clipped
    plural is no reading ("densenet" is still no "dense networks")."""
    assert closed_up("mobilenet", neighbour_pairs(["Advantages of Mobile nets"])) == ("mobile", "nets")
    assert closed_up("densenet", neighbour_pairs(["dense networks"])) is None
    known = stems("advantages of mobile nets why would")
    pairs = neighbour_pairs(["Advantages of Mobile nets"])
    assert notes_wording("why would I pick MobileNet?", known, stem, pairs) == "why would I pick mobile nets?"


def test_hyphen_compounds_are_the_notes_hyphenated_words_written_together() -> None:
    texts = ["The U-Net network has 23 layers.", "t-SNE plots; U-Net again", "state-of-the-art"]
    assert hyphen_compounds(texts) == {"unet": "u net", "tsne": "t sne", "stateoftheart": "state of the art"}
    known = stems("u net network has layers how does the decoder work")
    compounds = hyphen_compounds(texts)
    assert notes_wording("how does the unet decoder work?", known, stem, [], None, compounds) == (
        "how does the u net decoder work?"
    )
    # a word the notes hold is theirs already: only words they lack are respelt
    assert notes_wording("how does the network work?", known, stem, [], None, {"network": "net work"}) == (
        "how does the network work?"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what are stop words and why strip them?", "what are stopwords and why strip them?"),
        ("is a data set the same as a sample?", "is a dataset the same as a sample?"),
        ("what do stop signs mean?", "what do stop signs mean?"),  # "stopsigns": no notes word
        ("stop, words are kept", "stop, words are kept"),  # not side by side: a comma between
        ("what is on line learning?", "what is on line learning?"),  # "on" is a function word
    ],
)
def test_written_together_joins_two_words_the_notes_write_as_one(question: str, expected: str) -> None:
    known = stems("stopwords dataset online stop words data set sample line learning signs")
    assert written_together(question, known, stem) == expected
