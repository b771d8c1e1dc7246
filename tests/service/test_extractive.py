"""best_sentences quotes answers: never a flashcard's question, a title, or any question at all."""

from __future__ import annotations

import pytest

from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit
from service.extractive import answer_spans, best_sentences, led_list_end, list_body, quoted, titled

CARD = (
    "What is the vanishing gradient problem?\n"
    "Optimisation of parameters uses gradient descent to find the best parameters. "
    "The vanishing gradient problem occurs when the gradient becomes exponentially small, so that the update "
    "of the parameter becomes insignificant.\n"
)
OFFSET = 500  # the card sits further into its document: spans are absolute


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def hit(text: str, context: list[tuple[int, int]], start: int = OFFSET) -> Hit:
    return Hit(
        node_id="n",
        doc="cards.txt",
        kind="note",
        breadcrumbs=["Deep Learning Flashcards"],
        start=start,
        end=start + len(text),
        text=text,
        score=1.0,
        context_spans=[(start + s, start + e) for s, e in context],
    )


def test_a_flashcard_answers_with_its_answer_line_not_its_question(embedder: Embedder) -> None:
    question_line = (0, CARD.index("\n"))
    card = hit(CARD, [question_line])
    (best,) = best_sentences("What is the vanishing gradient problem?", [card], embedder, n=1)
    assert best.text.startswith("The vanishing gradient problem occurs")
    assert (best.start, best.end) == (OFFSET + CARD.index(best.text), OFFSET + CARD.index(best.text) + len(best.text))
    quoted = best_sentences("What is the vanishing gradient problem?", [card], embedder, n=5)
    assert all("?" not in x.text for x in quoted)


def test_a_flashcard_whose_whole_answer_is_short_is_quoted(embedder: Embedder) -> None:
    """A card answered in one word ("Relu", 4 characters, under the 20 a sentence needs) is quoted: it is all the
    card says under its question. Two short lines, or a short lead-in ending in ":", are not."""
    card = "What activation should the output layer of a non-negative regression use\nRelu"
    front = (0, card.index("\n"))
    assert answer_spans(hit(card, [front])) == [(card.index("Relu"), len(card))]
    asked = "which output activation for a target that is never negative?"
    (best,) = best_sentences(asked, [hit(card, [front])], embedder)
    assert best.text == "Relu"
    assert answer_spans(hit(card + "\nTanh", [front])) == []
    assert answer_spans(hit(card.replace("Relu", "Options:"), [front])) == []
    assert answer_spans(hit("Relu", [])) == []  # no title or question over it: a stray word, no answer


def test_a_title_is_never_the_answer(embedder: Embedder) -> None:
    text = "Learning Rate Decay Schedules Explained\nThe step size shrinks as training goes on, so late updates settle."
    titled = hit(text, [(0, text.index("\n"))])
    quoted = best_sentences("learning rate decay schedules explained", [titled], embedder, n=3)
    assert [x.text for x in quoted] == ["The step size shrinks as training goes on, so late updates settle."]


def test_questions_are_dropped_even_without_context_spans(embedder: Embedder) -> None:
    text = "Why does dropout regularise a network?\nDropout zeroes random activations, so units cannot co-adapt."
    old_index_hit = hit(text, [])  # an index written before context spans existed
    (best,) = best_sentences("why does dropout regularise", [old_index_hit], embedder, n=1)
    assert best.text == "Dropout zeroes random activations, so units cannot co-adapt."


def test_a_heading_run_into_a_sentence_leaves_the_sentence() -> None:
    text = "Table of Contents Key Concepts Traditional Fine-Tuning Fine-tuning a whole model is expensive."
    heading = (0, text.index(" Fine-tuning a"))
    spans = answer_spans(hit(text, [heading], start=0))
    assert [text[s:e] for s, e in spans] == ["Fine-tuning a whole model is expensive."]


def test_list_items_are_quoted_without_their_bullets() -> None:
    """Quoted items are joined into one answer, where "- " and "2. " would read as stray dashes and numbers."""
    text = (
        "How to reduce overfitting\n- Use dropout between the dense layers\n2. Stop early when validation loss rises\n"
        "Both keep the network from memorising its training set."  # prose too: the items are sentences
    )
    spans = answer_spans(hit(text, [(0, text.index("\n"))], start=0))
    items = [
        "Use dropout between the dense layers",
        "Stop early when validation loss rises",
        "Both keep the network from memorising its training set.",
    ]
    assert [text[s:e] for s, e in spans] == items


def test_key_terms_pick_the_sentence_that_names_the_asked_topic(embedder: Embedder) -> None:
    """Two sentences about adapters; the one holding the question's rare term wins once terms are weighed."""
    from retrieval.terms import TermRarity
    from service.extractive import QuoteWeights

    text = (
        "Adapters add small trainable layers to a frozen network for each new task. "
        "The rank r of LoRA trades adapter size against quality.\n"
    )
    passage = hit(text, [])
    rarity = TermRarity.of_passages([text, "networks learn layers", "tasks and layers", "small networks"])
    (best,) = best_sentences(
        "how does the rank affect it?", [passage], embedder, n=1, weights=QuoteWeights(terms=1.0), rarity=rarity
    )
    assert best.text.startswith("The rank r of LoRA")


def test_a_sentence_kept_twice_in_the_notes_is_quoted_once(embedder: Embedder) -> None:
    text = "Dropout zeroes random activations during training.\n"
    first, second = hit(text, []), hit(text, [], start=OFFSET + 1000)
    quoted = best_sentences("what does dropout do?", [first, second], embedder, n=2)
    assert [x.text for x in quoted] == ["Dropout zeroes random activations during training."]


RNN = (
    "Recurrent networks feed their output back in at every time step. "
    "Their gradients get smaller and smaller as the number of time steps grows, which is called the vanishing "
    "gradient problem. "
    "One of the first popular solutions to this problem is called Long Short-Term Memory, by Hochreiter and "
    "Schmidhuber."
)


def test_a_sentence_is_read_in_its_passage(embedder: Embedder) -> None:
    # alone, "this problem" names nothing; in its passage it is the vanishing gradient, so the sentence that
    # names the fix is quoted rather than the one that restates the problem
    question = "who proposed an early remedy for shrinking gradients in recurrent nets?"
    (best,) = best_sentences(question, [hit(RNN, [])], embedder, n=1)
    assert best.text.startswith("One of the first popular solutions")
    alone = embedder.embed([s.strip() + "." for s in RNN.split(".") if s.strip()]) @ embedder.embed([question])[0]
    assert alone.argmax() != 2  # embedded alone, another sentence looks closer
    assert (best.start, best.end) == (OFFSET + RNN.index("One of"), OFFSET + len(RNN))


def test_a_sentence_past_the_models_window_is_embedded_alone(embedder: Embedder) -> None:
    filler = "Padding words about convolution kernels and strides fill this passage. " * 40  # > 256 tokens
    late = filler + "Dropout randomly zeroes activations during training to regularise the network."
    (best,) = best_sentences("what does dropout do during training?", [hit(late, [])], embedder, n=1)
    assert best.text.startswith("Dropout randomly zeroes")


WRAPPED = (
    "Python evaluates a default value only once, when the\n"
    "function is defined. This makes a difference when the default is a\n"
    "mutable object such as a list;\n"
    ":func:`copy.copy` or *None* avoid it.\n"
    "- a bullet starts a new line\n"
)


def test_a_sentence_of_hard_wrapped_prose_is_one_candidate() -> None:
    texts = [WRAPPED[s:e] for s, e in answer_spans(hit(WRAPPED, [], start=0))]
    assert texts == [
        "Python evaluates a default value only once, when the\nfunction is defined.",
        "This makes a difference when the default is a\nmutable object such as a list;\n"
        ":func:`copy.copy` or *None* avoid it.",
        "a bullet starts a new line",
    ]


def test_a_second_passage_joins_only_a_short_quote(embedder: Embedder) -> None:
    first = hit("Dropout randomly zeroes activations during training, which regularises the network.", [])
    second = hit("Dropout is switched off at inference time.", [], start=OFFSET + 1000)
    question = "what does dropout do?"
    both = best_sentences(question, [first, second], embedder, n=2, words=40)  # 11 + 7 words fit
    assert sorted(x.source for x in both) == [0, 1]
    (alone,) = best_sentences(question, [first, second], embedder, n=2, words=15)  # they do not
    assert alone == both[0]
    card = hit(first.text + " " + second.text, [])  # the same two sentences in one passage: no limit
    assert len(best_sentences(question, [card], embedder, n=2, words=15)) == 2


def test_a_second_passage_about_something_else_is_no_hedge(embedder: Embedder) -> None:
    """Notes on many topics: the runner-up passage shares only "made" with the question, so it is not quoted."""
    from retrieval.terms import TermRarity
    from service.extractive import QuoteWeights

    saturn = hit("Saturn's rings are made mostly of water ice, with some rock and dust.", [])
    custard = hit("Creme brulee is a custard whose crust is made with a torch.", [], start=OFFSET + 1000)
    rarity = TermRarity.of_passages([saturn.text, custard.text, "Espresso is brewed under pressure.", "Tea leaves"])
    question = "what are Saturn's rings made of?"
    hedged = best_sentences(question, [saturn, custard], embedder, n=2, words=40, rarity=rarity)
    assert [x.source for x in hedged] == [0, 1]  # without a key-term bar the custard joins
    weights = QuoteWeights(hedge_terms=0.33)
    (alone,) = best_sentences(question, [saturn, custard], embedder, n=2, words=40, rarity=rarity, weights=weights)
    assert alone.source == 0
    both_dropout = [hit("Dropout zeroes activations in training.", []), hit("Dropout is off at inference.", [], 900)]
    rarity = TermRarity.of_passages([h.text for h in both_dropout] + ["Batch norm", "Weight decay"])
    kept = best_sentences(
        "what does dropout do?", both_dropout, embedder, n=2, words=40, rarity=rarity, weights=weights
    )
    assert len(kept) == 2  # "dropout" is in every passage that matters here: no bar, the second one joins


def test_code_and_data_are_not_quoted() -> None:
    text = (
        "The server answers with a JSON body.\n"
        '{ "event": "upload", "oid": "bf3e3e2af9366a3b" }\n'
        "$ git remote add origin https://example.com/foo.git\n"
        ">>> print(fib(10))\n"
        "```\n"
        "[1, 2, 3]\n"
        "[The batch docs](./batch.md) describe the ref property.\n"
        "You can write the function like this instead::\n"
        "An rpm package can be built by running ```./rpm/build_rpms.bsh```.\n"
    )
    assert [text[s:e] for s, e in answer_spans(hit(text, [], start=0))] == [
        "The server answers with a JSON body.",
        "[The batch docs](./batch.md) describe the ref property.",
        "An rpm package can be built by running ```./rpm/build_rpms.bsh```.",  # inline backticks are no fence
    ]


def test_two_sentences_quoted_from_one_passage_cite_two_exact_spans(embedder: Embedder) -> None:
    """Each quoted sentence is cited to its own characters: the heading between them is not cited, as it was
    when a source kept one span from the first quote's start to the last one's end."""
    from core.settings import AnswerSettings
    from service.answer import citation
    from service.writers import ExtractiveWriter

    before = "# Regularisation\n\nWeight decay adds the squared weights to the loss.\n\n"
    passage = (
        "Dropout zeroes random activations during training, so units cannot co-adapt.\n"
        "Dropout at inference\n"
        "At inference time dropout is switched off and every unit is used.\n"
    )
    document = before + passage
    heading = (passage.index("Dropout at"), passage.index("At inference"))
    source = hit(passage, [heading], start=len(before))
    draft = ExtractiveWriter(embedder, AnswerSettings(quote_sentences=2)).quote("what does dropout do?", [source])
    assert draft is not None
    cited = citation(1, source, draft.quotes[1])
    assert [s.quote for s in cited.spans] == [
        "Dropout zeroes random activations during training, so units cannot co-adapt.",
        "At inference time dropout is switched off and every unit is used.",
    ]
    for s in cited.spans:
        assert document[s.start : s.end] == s.quote  # the source document's characters at those offsets
    first, second = cited.spans
    assert document[first.end : second.start] == "\nDropout at inference\n"  # between the quotes: not cited
    assert (cited.start, cited.end) == (first.start, second.end) and document[cited.start : cited.end] == cited.quote


FENCED = (
    "# Locks\n"
    "\n"
    "List the locks of a repository with a GET request.\n"
    "\n"
    "```js\n"
    "// GET https://lfs.example.com/locks?path=a\n"
    "// Accept: application/vnd.git-lfs+json\n"
    "```\n"
    "\n"
    "The server answers with every lock it holds.\n"
)


def fenced_hit(with_code_spans: bool) -> Hit:
    """The real structure inference and passages of FENCED, as retrieval returns the passage."""
    from ingest.loaders import LoadedFile
    from ingest.passages import leaves, section_nodes
    from ingest.schema import SourceDoc, sha256_bytes
    from ingest.structure import infer_structure
    from retrieval.retriever import hit_from_node

    source = SourceDoc("locking.md", FENCED, sha256_bytes(FENCED.encode()))
    (node,) = leaves(section_nodes(source, infer_structure(LoadedFile(source, "markdown")).sections))
    if not with_code_spans:  # an index written before code blocks were marked
        node.metadata.pop("code_spans")
    return hit_from_node(node, 1.0)


def test_a_comment_line_in_a_code_fence_is_never_a_candidate() -> None:
    fenced = fenced_hit(with_code_spans=True)
    quotable = [fenced.text[s:e] for s, e in answer_spans(fenced)]
    assert quotable == [
        "List the locks of a repository with a GET request.",
        "The server answers with every lock it holds.",
    ]
    old = [fenced.text[s:e] for s, e in answer_spans(fenced_hit(with_code_spans=False))]
    assert any(q.startswith("// GET") for q in old)  # what the text rules alone let through


LED = (
    "Transformer is composed of an Encoder and a Decoder:\n"
    "- The Encoder turns the input into hidden states\n"
    "- The Decoder turns hidden states into the output\n"
    "Attention weighs every position.\n"
)


@pytest.mark.parametrize(
    ("text", "context", "quote_end"),
    [
        (LED, [], LED.index("\nAttention")),  # the lead-in's quote runs over both items
        (
            LED,
            [(LED.index("- The Decoder"), LED.index("\nAttention"))],
            LED.index("\n- The Decoder"),
        ),  # not into context
        ("Steps:\n" + "".join(f"- step {i}\n" for i in range(9)), [], len("Steps:")),  # 9 items: never cut short
        ("Two losses: MLM and NSP\n- later item\n", [], len("Two losses: MLM and NSP")),  # ends no line with ":"
        ("Remember:\nplain text follows\n", [], len("Remember:")),  # no list below
    ],
)
def test_a_lead_in_is_quoted_with_the_list_it_leads_into(text: str, context: list, quote_end: int) -> None:
    lead_end = text.index("\n")
    assert led_list_end(hit(text, context), lead_end) == quote_end


def test_a_long_list_is_not_quoted_after_its_lead_in() -> None:
    long = "Metrics:\n" + "".join(f"- metric {i} with a few more words\n" for i in range(6))  # 36 words > 30
    assert led_list_end(hit(long, []), len("Metrics:")) == len("Metrics:")


def test_quoted_items_lose_their_bullets() -> None:
    assert quoted(LED[: LED.index("\nAttention")]) == (
        "Transformer is composed of an Encoder and a Decoder: The Encoder turns the input into hidden states; "
        "The Decoder turns hidden states into the output"
    )
    assert quoted("Key points:\n- Skip connections help.\n- BN after each conv") == (
        "Key points: Skip connections help. BN after each conv"  # an item's own stop is its separator
    )


def test_a_chosen_lead_in_quotes_its_list_and_cites_it_whole(embedder: Embedder) -> None:
    (best,) = best_sentences("what is a transformer composed of?", [hit(LED, [])], embedder, n=1)
    assert best.text.startswith("Transformer is composed of an Encoder and a Decoder: The Encoder turns")
    assert (best.start, best.end) == (OFFSET, OFFSET + LED.index("\nAttention"))


def test_a_terse_best_source_never_lends_its_place_to_another_topic(embedder: Embedder) -> None:
    """The best source is a title over lines too short to quote; the runner-up is about rivers. Before, the
    rivers sentence was quoted as the answer to "What is the Adam optimizer?"; now a sentence from another
    passage must name the question (as a hedge must), so nothing is quoted and the service abstains. (One short
    line alone under the title is quoted: `test_a_flashcard_whose_whole_answer_is_short_is_quoted`.)"""
    from core.settings import AnswerSettings
    from retrieval.terms import TermRarity
    from service.extractive import QuoteWeights

    terse = "Adam optimizer\nupdate rule:"
    rivers = "A meander is a bend in a river channel that migrates as the outer bank erodes."
    others = [
        "A white dwarf is the dense remnant core left after a low-mass star sheds its outer layers.",
        "Sourdough rises because wild yeast and lactic bacteria ferment the flour.",
        "Castling moves the king two squares towards a rook, which jumps over it.",
    ]
    rarity = TermRarity.of_passages([terse, rivers, *others])
    hits = [hit(terse, [(0, len("Adam optimizer"))]), hit(rivers, [], start=0)]
    weights = QuoteWeights.of(AnswerSettings())
    assert best_sentences("What is the Adam optimizer?", hits, embedder, weights=weights, rarity=rarity) == []
    (meander,) = best_sentences("What is a meander?", hits, embedder, n=1, weights=weights, rarity=rarity)
    assert meander.text == rivers  # a sentence that names the question is quoted as before


TERSE = "## Adam optimizer\n- adaptive moments\n- bias correction\n\n- default lr 1e-3\n"


def section(text: str, context: list[tuple[int, int]], title: str) -> Hit:
    return Hit(
        node_id="n",
        doc="optim.md",
        kind="note",
        breadcrumbs=["Optimizers", title],
        start=OFFSET,
        end=OFFSET + len(text),
        text=text,
        score=1.0,
        context_spans=[(OFFSET + s, OFFSET + e) for s, e in context],
    )


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (TERSE, (TERSE.index("- adaptive"), TERSE.rindex("\n"))),  # a blank line inside the list is no end
        ("## Adam optimizer\n- adaptive moments\n", None),  # one item: a stub, as before
        ("## Adam optimizer\n" + "".join(f"- item {i}\n" for i in range(9)), None),  # 9 items: item by item
        (TERSE + "Adam rescales each step by a running estimate of the gradient's size.\n", None),  # prose too
        ("## Adam optimizer\n- adaptive moments\n    m = b1 * m + (1 - b1) * g\n", None),  # a line of no list
        ("## Git\n- staging\n  - git add\n- committing\n  - git commit\n", None),  # nested: not one run (P3-3)
    ],
)
def test_a_short_list_that_is_all_a_passage_says_is_one_candidate(text: str, body: tuple | None) -> None:
    title = (0, text.index("\n"))
    assert list_body(section(text, [title], "Adam optimizer"), [title]) == body
    if body:
        assert answer_spans(section(text, [title], "Adam optimizer")) == [body]


def test_terse_notes_are_quoted_as_their_list_under_its_title(embedder: Embedder) -> None:
    """Before, "What is the Adam optimizer?" over these notes was answered "beta1 0.9, beta2 0.999": the one
    item long enough to be a sentence. The list is quoted whole, with the title it sits under, and the quote
    cites the title and the items."""
    text = TERSE + "- beta1 0.9, beta2 0.999\n"
    (best,) = best_sentences("What is the Adam optimizer?", [section(text, [(0, 17)], "Adam optimizer")], embedder, n=1)
    assert best.text == "Adam optimizer: adaptive moments; bias correction; default lr 1e-3; beta1 0.9, beta2 0.999"
    assert (best.start, best.end) == (OFFSET, OFFSET + len(text) - 1)


def test_a_flashcard_front_or_another_title_is_not_put_before_a_list() -> None:
    card = "How do I fight overfitting?\n- dropout\n- early stopping\n"
    assert titled(section(card, [(0, 27)], "How do I fight overfitting?"), 28, "dropout; early stopping") == (
        28,
        "dropout; early stopping",
    )
    bold = "## **Nesterov** momentum\n- look-ahead gradient\n- faster convergence\n"  # review P3-2
    assert titled(section(bold, [(0, 24)], "Nesterov momentum"), 25, "look-ahead gradient; faster convergence") == (
        0,
        "Nesterov momentum: look-ahead gradient; faster convergence",
    )
    nested = "# Optimizers\n\n- adaptive moments\n- bias correction\n"  # the list is not under its own title
    assert titled(section(nested, [(0, 12)], "Adam optimizer"), 14, "adaptive moments; bias correction") == (
        14,
        "adaptive moments; bias correction",
    )


def test_a_next_sentence_far_below_the_first_is_not_quoted(embedder: Embedder) -> None:
    """The margin: a second sentence joins only while its score is within `margin` of the first's."""
    from service.extractive import QuoteWeights

    passage = hit(CARD, [(0, CARD.index("\n"))])

    def quote(margin: float = float("inf")) -> list:
        return best_sentences(
            "what is the vanishing gradient problem?", [passage], embedder, n=2, weights=QuoteWeights(margin=margin)
        )

    both = quote()
    assert len(both) == 2
    assert both[0].similarity - both[1].similarity > 0.0
    gap = both[0].similarity - both[1].similarity
    (alone,) = quote(gap / 2)
    assert alone.text == both[0].text
    assert len(quote(gap * 2)) == 2
