"""The one abstain decision: the service, the extractive writer and eval's threshold sweep all call it.

Three tests of the evidence:
- strength: the best source's cosine with the question (weak everywhere: the notes are about something else),
  unless one source holds every key term of a question that names nothing the notes lack and a word the
  embedder reads only as pieces: it gives such a word ("what is a chasen?", in a note on matcha) a weak
  cosine with the note that uses it, while for "what is a cat?" (in a note quoting "the cat is on the mat")
  a weak cosine is the right verdict;
- unknown terms: a near-topic question ("how does mixture-of-experts routing work?") finds deep-learning
  passages with a fair cosine, yet names things the notes never mention. When the evidence is only moderate
  and enough of the question's topic words occur nowhere in the notes, the notes do not cover it;
- key-term coverage: the same near-topic question's rarest words ("message" in "message passing in graph
  networks") are missing from even the best source, so when the evidence is only moderate and the best
  source holds too little of the question's key-term weight (`TermRarity.shared`), the notes do not cover it.

A question the embedder cannot read at all (every topic word in a CJK or Thai-type script, each reaching the
English MiniLM only as [UNK]: "什么是乌龙茶？", "불고기는 무엇입니까?") gets a cosine that says
nothing: any two such texts score 0.45-0.76 with it, so over English, Chinese and Korean notes those two questions
were answered from the Thai and the Korean note. It abstains when no source holds `key_term_coverage` of its
key-term weight (the word the notes lack carries it: coverage 0.00), at any cosine. Not on two unknown words as
well: they over-read Chinese wording, so "龙井茶产自哪个城市？" (where is Longjing from?, coverage 0.35) names 产自
and 个城市 and would abstain over a note that answers it. A question with one Latin topic word keeps the rule
above, so no English question can change (all 454 questions of eval/datasets: same verdict, 2026-11-30).

Tried and dropped (2026-11-30): abstaining on a "missing name" (an unknown word outside BERT's vocabulary, or a
hyphenated term no source holds): on held-out questions everyday words outside that vocabulary ("natively", "tweet")
and compounds ("write-up") made answerable questions abstain (false-abstain rate 0.063 -> 0.152).

Checked, not changed (2026-11-30, dev halves of notes, gitlfs, pytutorial): thresholds chosen on two corpora, or a
logistic model over the same evidence, did no better on the corpus left out (gitlfs 0.69-0.83, false 0.13-0.32). On
documentation near-topic questions get higher cosines than some answerable ones (gitlfs: 0.46-0.69 against
0.30-0.45), and a user's everyday words ("tired", "teammate") count as unknown.

An unnamed subject (2026-12-01): "how does SimCLR build positive pairs?", "how is Nesterov accelerated gradient
different?" name one word the notes lack, below the two the unknown-terms rule asks for, and their other words are
everywhere in the notes. Such a word heading the question's subject (`core.subject`; never the asker in "how do I
...", never the object after the verb), read by the embedder only as pieces and no typo of a notes word (one key
off: "adma") marks the question near-topic. Unlike the dropped "missing name" rule below, "natively" or "tweet"
cannot count. Dev halves: abstention accuracy notes 0.878 -> 0.913, gitlfs 0.831 and pytutorial 0.922 unchanged,
no new false abstain (SimCLR, Nesterov, triplet, mixup abstain). Below `near_topic_threshold`, as the rule is, so
a typo two keys off in a well-matched question ("normalizaton", cosine 0.67) still answers. Held-out test halves,
read once after: no verdict changes.

The notes' wording (2026-12-01, `in_notes_wording`): every rule reads the question as the notes word it. A word
the notes lack that is their word in the other side's spelling ("regularisation(s)" over "regularization"), a word
they write as one split in two ("SettingWithCopy warning"), or two neighbouring words of a retrieved passage
written together, whole or clipped ("multihead" for "Multi-head", "autodiff" for "automatic differentiation",
"batchnorm" for "batch normalization"), is that word: "how does autodiff work?" abstained as an unnamed subject
with coverage 0, and now answers. Two notes words count only where a passage has them side by side: "BERTScore"
(notes name BERT and scores apart) and "metaclass" (meta and class) read as compounds of notes words before, and
answered; now they are names the notes lack. Dev halves: abstention accuracy notes 0.913 -> 0.922, pytutorial 0.922
-> 0.938 (those two), gitlfs 0.831 unchanged, no new false abstain. A question that still names a word the notes lack
looks for the pair in the best `AnswerSettings.wording_passages` passages (one more search, ~17 ms, for 98 of the
244 dev questions): "what is autodiff used for?" finds "Automatic differentiation is ..." only 12th. A question the
notes word otherwise is searched again in their words, and the writer quotes for that wording. A word written as a name
(a capital inside it: "DenseNet", "AutoDiff") or ending in "net"/"former" is read only as two whole words, never a
clipped pair (2026-12-01, review): "what is DenseNet?" was read "what is dense network?" and answered with a note on
dense layers; it abstains again (unnamed subject). Over the user's notes groupnorm, instancenorm, lookahead,
crossentropy, backprop and autodiff are still respelt (so is "Backprop" capitalised mid-sentence: a capital first
letter alone marked no name, and made "how does Backprop work?" abstain); mobilenet ("mobile nets") and densenet no
longer. The dev halves' answers (notes dev and dev2, gitlfs, pytutorial) are byte-identical.

A name a note is about (2026-12-01, `held_name`): "how do I avoid SettingWithCopyWarning?" over a note whose callout
is titled with it has a weak cosine (0.16-0.23: the embedder reads the name as pieces), and the weak-evidence rule
abstained for its everyday "avoid" or "fix" that the notes never use. When what it asks about (its subject, or the
object of "how do I ...") is such a name and a source's heading, callout title or flashcard question holds it, it is
answered unless it also names something the notes lack that the embedder reads only as pieces ("how do I silence
a FutureWarning?"). A passage that only mentions the name does not count: over the user's notes, "how do I install
XGBoost?" (one line says "XGBoost is a common implementation.") was answered with a line on SVMs before that limit.
Dev halves: no verdict changes (no answerable question there has weak evidence). A question answered at weak
evidence for such a name quotes only the sources that hold it (`sources_naming`): the blind cosine ranked a note on the
bootstrap first for "what is SettingWithCopyWarning?" over two notes, and it was quoted.

A folder of a few notes (2026-12-01, `key_term_coverage`): Robertson-Sparck Jones idf weighs a stem in half the
passages or more 0, in a folder of one or two passages every stem, so "what does momentum do?" over the one note that
answers it had coverage 0 and abstained; key terms there are weighed as in `AnswerSettings.few_passages` passages
(every eval corpus has 105-361: no change). Such a folder lacks most everyday words, so there only names and words in
what the question asks about (its subject, or the object of "how do I ...") count as unknown (`telling_unknown`):
"what problem does momentum solve?" answers, mixture-of-experts routing abstains (coverage 0.00), and so does "what
does git cherry-pick copy?" over notes on git add and git log (answered when cherry and pick were dropped).

An acronym (2026-12-01, `core.spelling.spelt_out`): "why does plain minibatch GD bounce around on the way down?"
abstained over notes that write "gradient descent" out (GD an unnamed subject, cosine 0.36); an acronym in capitals
the notes never write is read as the phrase of the retrieved passages its letters begin, words of 3 letters or more
side by side, in 3 places or more (`AnswerSettings.acronym_passages`) and more than any other such phrase: it answers
(cosine 0.58). Dev halves: notes dev2 abstention 0.863 -> 0.875, false abstains 0.088 -> 0.074, ROUGE-L 0.2384 ->
0.2387 (one question; "ML" in another is read "machine learning", same answer); notes dev, gitlfs and pytutorial
byte-identical. Of 71 acronym probes over the user's notes, GD, VGP, AF, BS, FT and HL are read as their phrase
and answered, no near-topic one changes verdict; at 2 places "SNN" (a spiking neural network) was read "simple
neural network" and answered, and "TL" "trainable layers", tied with "transfer learning": hence 3 places and one
best phrase.
Any run of words whose initials spelt it counted, and places, not passages (review3 P1-3): "rectified linear" (of
"rectified linear unit" twice and "rectified linear activation", one passage) read "RL", so "How does RL learn from
rewards?" over notes without reinforcement learning was answered with ReLU sentences. A phrase now counts only as a
whole term (in half its places or more no content word follows it: a stop, a line's end or a function word does) and
in 3 passages or more. Dev halves: answers byte-identical ("ML" in dev2's d2_011 is no longer read "machine learning",
followed by "models" and "methods"; same answer); GD still answered (d2_036). Of the 71 acronym probes over the user's
notes GD, VGP, AF and HL are still read; "BS" ("batch size" 5 times in one passage) and "FT" ("fine tuning", 2
passages) no longer are, and have the verdicts they had before 6beab99 (BS abstains, FT is answered).

A comparison (2026-12-01, `unnamed_compared`, review2 P2-6): "rmsnorm vs layernorm, what does rmsnorm leave out?"
was answered from the Layer Norm passage once "layernorm" read "layer norm" (one unknown word left, cosine 0.47,
above the near-topic rules), "dropconnect vs dropout?" from the dropout notes (0.45). A side of "X vs Y", "the
difference between X and Y", "X differs from Y" headed by a name the notes never use (as `unnamed_subject` reads a
subject) abstains at any cosine: the cosine measures the side they hold. Dev halves: notes dev2 abstention 0.875 ->
0.900 (those two), the others byte-identical. 35 comparison probes over the user's notes: the 20 answerable ones
unchanged, mamba/deberta/rmsnorm/dropconnect abstain; "adamw vs adam", "SGD vs Nadam", "Swin vs ConvNeXt" are
still answered (each name one edit from a notes word, read as its typo).

A name a note defines (2026-12-01, `defines`): "T5 main idea?" and "ssim looks at what exactly?" abstained over
the user's notes (cosine 0.22, 0.26: the embedder reads T5 and SSIM as pieces; no heading names them, no wh-frame
gave a subject). A line that opens with the name and a colon or parenthesis ("T5: Text-to-Text Transfer
Transformer.", "- SSIM (Structural Similarity Index Measure): ...") makes its note about the name as a heading does,
and a question without a wh-frame is about the phrase it opens with; in a comparison every side must be so held
("the difference between FID and KID" stayed abstained though FID is defined). Dev halves: notes dev2 abstention
0.900 -> 0.925, false abstains 0.074 -> 0.044, ROUGE-L 0.2387 -> 0.2483; the others byte-identical. Of 12 probes on
names the notes define, "FID main idea?" and "what does SSIM stand for?" answer now; "who created T5?" and "Hugging
Face pricing?" still abstain.
A line defined a name when its stems were anywhere in the 60 characters before the line's first colon or
parenthesis (review3 P1-6), so a passing mention did: "How does XGBoost handle missing values?" was answered from
"Boosting libraries such as XGBoost (and LightGBM) are popular in competitions." (it abstained before). The text
before the colon or parenthesis must now be the term: its first content word a name, and the names and at most
`DEFINED_TERM_EXTRA` words more ("T5 model:"). Over the user's notes "Transformer is composed of an Encoder and a
Decoder:" no longer defines "encoder" and "decoder"; the four dev halves' answers are byte-identical and the 12 probes
above keep their verdicts.

Tried and dropped (2026-12-01): an unnamed subject abstaining up to a cosine of 0.55: notes dev 0.922 -> 0.939
(gradient checkpointing 0.50, WaveNet 0.51), but the answerable "how does normlizaton help training?" (0.46) abstained
and "how does seq2seq attention work?" stood at 0.55 over the user's notes: the two kinds overlap there.

Words written another way (2026-12-01, session 14, from notes_test2's false abstains, that set now tuned on):
"mobilenet" over notes headed "Advantages of Mobile nets" (the second word a plural: `core.spelling.closed_up`),
"unet" over "U-Net" (a word the notes hyphenate, parts of any length: `hyphen_compounds`), and "stop words" over
"stopwords" (both notes words, so the question keeps its wording, but key-term coverage reads them as one:
`written_together`: coverage 0.12 -> 0.50). "someone", "anyone", "go" frame a question ("why would someone go for
X?") and name no topic (`core.text.QUESTION_WORDS`; "people" was tried too and dropped: "how do people fight mode
collapse?" then answered). Extractive ROUGE-L / gold cited / abstention: dev2 0.272/0.586/0.925 -> 0.271/0.586/0.912
(gumbel-softmax, 0.47, had abstained only as its card's answer was too short to quote), test2 0.230/0.538/0.838 ->
0.259/0.564/0.875, gitlfs 0.268/0.540 -> 0.271/0.560; notes dev, pytutorial unchanged.

Tried and dropped (2026-11-30): counting an unknown word by its rarity in general English (wordfreq, 57 MB): mean
accuracy +0.016 at most, but the notes' false abstains 0 -> 2 ("224x224", "fp16"), near-topic questions in common
English ("capsule") answered, and a misspelt word is as rare as a name.

Weak evidence, everyday words (2026-12-02, `known_coverage`): a word the notes never use in a question's frame drags
its cosine down with every passage ("is there an alternative to the sin/cos positional encoding?", 0.27). Below
`abstain_threshold` it answers when one source holds `known_term_coverage` of the weight of its 2+ key terms the notes
use, it names under `unknown_terms` words they lack, none a name, and none in what it asks about (dev: answerables
0.79-1.00, unanswerables to 0.40; abstention test2 0.887 -> 0.900, test3 0.868 -> 0.895, the rest unchanged). At 0.6,
without the last, "hugging face's business model?" answered. `abstain_threshold` 0 (eval's sweep: test3 0.908) answers
pytutorial's asyncio (0.24) and setuptools (0.279): 0.938 -> 0.906; any threshold under 0.279 answers setuptools.
"""

from __future__ import annotations

import itertools
from collections.abc import Container, Sequence

import regex

from core.cjk import CJK_LETTER
from core.settings import AnswerSettings
from core.spelling import (
    acronyms,
    hyphen_compounds,
    is_other_spelling,
    neighbour_pairs,
    notes_wording,
    spelt_out,
    written_together,
)
from core.subject import asked_object, compared, leading_phrase, question_subject
from core.text import content_words, stem
from retrieval.retriever import Hit, context_text
from retrieval.terms import TermRarity, key_stems

# a word the English embedder reads as [UNK]: all of it in a script of spaceless runs (Han, kana, Hangul, Thai ...).
# Cyrillic and Greek reach it as letter pieces whose cosines say something (0.64-0.80 with the Russian note that
# answers, 0.06 for an English question), so a Russian question keeps the rule above
_UNREAD = regex.compile(rf"(?V1){CJK_LETTER}+")
# a line that defines a term: the term, after a list marker, then a colon or a parenthesis ("T5: Text-to-Text ...")
DEFINITION = regex.compile(r"(?m)^[ \t]*(?:[-*•+][ \t]+)?([^\s:()][^:()\n]{0,59}?)[ \t]*[:(]")
SIZE = regex.compile(r"\d+(?:x\d+)*")  # a number, or a size written with x: "224x224x3", "3x3"
# words a defined term may hold besides the name: "T5 model:", "Hugging Face Hub:"
DEFINED_TERM_EXTRA = 2


def in_notes_wording(
    question: str,
    note_stems: Container[str],
    sources: Sequence[Hit],
    acronym_passages: int = AnswerSettings.model_fields["acronym_passages"].default,
) -> str:
    """The question as the notes word it (`core.spelling.notes_wording`): its words the notes lack, respelt
    where they are another spelling of notes words, split or closed up as the notes write them, or two
    neighbouring words of a retrieved source (with its titles) written together: "how does autodiff work?" over
    a passage on "automatic differentiation" asks "how does automatic differentiation work?". Pairs are read in each
    text on its own, a passage and each of its breadcrumbs (its titles are in its text), never across a join. An
    acronym reads as the phrase that spells it out in `acronym_passages` of `sources` or more (`spelt_out`)."""
    texts = list(dict.fromkeys(text for h in sources for text in (h.text, *h.breadcrumbs)))
    placed = list(dict.fromkeys((h.doc, h.start, h.text) for h in sources))  # an acronym's phrase: in passages
    phrases = {
        a: p
        for a in acronyms(question)
        if stem(a) not in note_stems and (p := spelt_out(a, placed, stem, passages=acronym_passages))
    }
    return notes_wording(question, note_stems, stem, neighbour_pairs(texts), phrases, hyphen_compounds(texts))


def evidence_strength(sources: Sequence[Hit]) -> float:
    """The best cosine between the question and any source (note or code)."""
    return max((h.dense_score or 0.0 for h in sources), default=0.0)


def unknown_terms(question: str, note_stems: Container[str]) -> list[str]:
    """The question's topic words that occur nowhere in the notes (compared by stem). Its Chinese, Japanese
    and Korean words are read against the notes' (`core.text.run_terms`): a word the notes lack is one term,
    not each of its bigrams, and a bigram joining two words the notes hold is none. A number or a size
    (`SIZE`: "224x224x3", "3x3") is a value, not a topic: notes that give "224x224" never write the size asked."""
    asked = dict.fromkeys(content_words(question, note_stems))
    return [w for w in asked if not SIZE.fullmatch(w) and stem(w) not in note_stems]


def opaque_terms(question: str, embedder: object) -> list[str]:
    """The question's topic words the embedder reads only as pieces (`Embedder.reads_whole`); none when it
    cannot say."""
    reads_whole = getattr(embedder, "reads_whole", None)
    if reads_whole is None:
        return []
    return [w for w in dict.fromkeys(content_words(question)) if not w.isdigit() and not reads_whole(w)]


def phrase_head(words: Sequence[str], opaque: Sequence[str]) -> list[str]:
    """A phrase's first word and the words after it the embedder reads only as pieces (names), up to the first it
    reads whole, the verb or head noun: "Adam beat AdaGrad" -> ["adam"], "SimCLR build pairs" -> ["simclr"]."""
    return words[:1] + list(itertools.takewhile(lambda w: w in opaque, words[1:]))


def unnamed_subject(
    question: str, unknown: Sequence[str], opaque: Sequence[str], note_stems: Container[str]
) -> list[str]:
    """The names heading the question's subject that the notes never use (`unknown`): the subject's first word
    (`core.subject.question_subject`) and the words after it that the embedder reads only as pieces (`opaque`: a
    name, not an everyday word), up to the first word it reads whole, which is the verb or the head noun ("how
    does Adam beat AdaGrad?" names Adam; "how does SimCLR build pairs?" SimCLR; "what is a triplet loss?"
    triplet). Each must be read only as pieces too, and no other spelling of the notes' words
    (`core.spelling.is_other_spelling`: "adma", "dropuot", "regularisations"). "How does SimCLR build positive
    pairs?" over notes that never name SimCLR: ["simclr"]. The question comes in the notes' wording
    (`in_notes_wording`), where "multihead" is already "multi head"."""
    return unread_head(question_subject(question), unknown, opaque, note_stems)


def unnamed_compared(
    question: str, unknown: Sequence[str], opaque: Sequence[str], note_stems: Container[str]
) -> list[str]:
    """The names heading a side of a comparison (`core.subject.compared`: "X vs Y", "the difference between X and
    Y", "X differs from Y") that the notes never use, read as `unnamed_subject` reads a subject: "rmsnorm vs layer
    norm, what does rmsnorm leave out?" over notes on layer norm alone: ["rmsnorm"]. The notes can tell one side
    at most, and the question asks what sets the two apart."""
    return list(dict.fromkeys(w for side in compared(question) for w in unread_head(side, unknown, opaque, note_stems)))


def unread_head(phrase: str, unknown: Sequence[str], opaque: Sequence[str], note_stems: Container[str]) -> list[str]:
    """The words heading `phrase` (`phrase_head`) that the notes never use (`unknown`), the embedder reads only as
    pieces (`opaque`: names) and are no other spelling of a notes word (`core.spelling.is_other_spelling`)."""
    head = phrase_head(content_words(phrase), opaque)
    unread = [w for w in unknown if w in head and w in opaque and w.isascii()]
    return [w for w in unread if not is_other_spelling(w, note_stems, stem)]


def held_name(question: str, opaque: Sequence[str], sources: Sequence[Hit]) -> list[str]:
    """The names heading what the question asks about, which one note source is about (its heading, callout
    title or flashcard question holds them, or a line of it defines them: `defines`): the subject's, or when the
    asker is the subject, the object's (`core.subject.asked_object`: "how do I avoid SettingWithCopyWarning?"), or
    the phrase a question without a wh-frame opens with (`core.subject.leading_phrase`: "T5 main idea?"); its first
    word and the words after it the embedder reads only as pieces, each among `opaque`. In a comparison, every
    side's (`core.subject.compared`). The embedder's weak cosine for such a question says it cannot read the name,
    not that the notes lack it; [] when no source is about them all. A passage that only mentions the name does not
    count: "how do I install XGBoost?" over "XGBoost is a common implementation."."""
    topic = question_subject(question) or asked_object(question) or leading_phrase(question)
    heads = [phrase_head(content_words(side), opaque) for side in compared(question) or [topic]]
    notes = [h for h in sources if h.kind == "note"]
    for head in heads:  # a comparison: each side ("the difference between FID and KID" is no question on FID)
        names = {stem(w) for w in head}
        if not head or not all(w in opaque for w in head):
            return []
        if not any(names <= key_stems(context_text(h)) or defines(h.text, names) for h in notes):
            return []
    return list(dict.fromkeys(w for head in heads for w in head))


def defines(text: str, names: set[str]) -> bool:
    """Whether a line of `text` defines the names (by stem): it opens with them, after a list marker, and a colon or
    a parenthesis follows ("T5: Text-to-Text Transfer Transformer.", "- SSIM (Structural Similarity Index
    Measure): ...", "T5 model: ..."), as a glossary or a list of terms writes it. What comes before the colon or
    parenthesis is the term: its first content word is one of the names, and it holds them all and at most
    `DEFINED_TERM_EXTRA` words more. "XGBoost is a common implementation." does not define XGBoost, nor does a
    sentence that mentions it before a parenthesis ("Boosting libraries such as XGBoost (and LightGBM) are
    popular.", "We trained T5 on the same data (see the table).")."""
    for m in DEFINITION.finditer(text):
        term = [stem(w) for w in content_words(m.group(1))]
        if term and term[0] in names and names <= set(term) and len(term) <= len(names) + DEFINED_TERM_EXTRA:
            return True
    return False


def sources_naming(opaque: Sequence[str], unknown: Sequence[str], sources: Sequence[Hit]) -> list[Hit]:
    """The note sources (with their titles) that hold every topic word of the question the embedder reads only as
    pieces (`opaque`) and the notes use (not `unknown`): the passages about its names, whatever their cosine."""
    names = {stem(w) for w in opaque if w not in unknown and w.isascii()}
    notes = [h for h in sources if h.kind == "note"]
    return [h for h in notes if names and names <= key_stems(f"{h.text} {context_text(h)}")]


def cosine_blind(question: str, opaque: Sequence[str]) -> bool:
    """Whether the embedder reads none of the question's topic words: each is written in CJK or Thai-type
    letters alone (`_UNREAD`) and among its `opaque` words (`opaque_terms`), so the question's cosine with any
    note says nothing. Not for a question with no topic word, nor for Latin, Cyrillic or Greek words, nor for a
    multilingual embedder, which reads "抹茶" whole."""
    topic = [w for w in dict.fromkeys(content_words(question)) if not w.isdigit()]
    return bool(topic) and all(w in opaque and _UNREAD.fullmatch(w) for w in topic)


def key_term_coverage(question: str, sources: Sequence[Hit], rarity: TermRarity, few_passages: int) -> float:
    """The largest share of the question's key-term weight that one note source (with its titles) holds,
    weighed as in a folder of `few_passages` passages at least (`TermRarity.at_least`): "what does momentum do?"
    over a one-passage note weighed "momentum" 0 and its coverage was 0."""
    rarity = rarity.at_least(few_passages)
    notes = [h for h in sources if h.kind == "note"]
    texts = [f"{h.text} {context_text(h)}" for h in notes]
    # its words as one where the notes write them so: "stop words" is a term of notes that write "stopwords"
    readings = dict.fromkeys([question, written_together(question, rarity.idf, stem)])
    asked = [key_stems(q, rarity.idf) for q in readings]  # its CJK runs read as in unknown_terms
    return max((rarity.shared(terms, text) for terms in asked for text in texts), default=0.0)


def known_coverage(question: str, unknown: Sequence[str], hits: Sequence[Hit], rarity: TermRarity, few: int) -> float:
    """`key_term_coverage` of the question's key terms the notes use (not `unknown`); 0 for fewer than two ("what is a
    cat?", "how do I install XGBoost?") or a word they lack in what it asks about ("hugging face's business model")."""
    topic = question_subject(question) or asked_object(question) or leading_phrase(question)
    if set(content_words(topic)) & set(unknown):
        return 0.0
    rarity = rarity.at_least(few)
    lacking = {stem(w) for w in unknown}
    readings = dict.fromkeys([question, written_together(question, rarity.idf, stem)])
    asked = [terms for q in readings if len(terms := key_stems(q, rarity.idf) - lacking) >= 2]
    texts = [f"{h.text} {context_text(h)}" for h in hits if h.kind == "note"]
    return max((rarity.shared(terms, text) for terms in asked for text in texts), default=0.0)


def telling_unknown(
    unknown: Sequence[str], opaque: Sequence[str], rarity: TermRarity, few_passages: int, question: str = ""
) -> list[str]:
    """`unknown` itself, or in a folder of fewer than `few_passages` passages only its words the embedder reads as
    pieces (names) and those in what the question asks about (its subject, or the object of "how do I ...",
    `core.subject`): such a folder lacks most everyday words, so "problem" and "solve" in "what problem does
    momentum solve?" (no subject: its frame) said nothing about the topic, yet made it near-topic over the one note
    that answers it; "cherry" and "pick" in "what does git cherry-pick copy?" are its subject, and still count."""
    if rarity.counts.passages >= few_passages:
        return list(unknown)
    asked_about = set(content_words(question_subject(question) or asked_object(question)))
    return [w for w in unknown if w in opaque or w in asked_about]


def should_abstain(
    strength: float,
    unknown: Sequence[str],
    config: AnswerSettings,
    coverage: float,
    opaque: Sequence[str] = (),
    blind: bool = False,
    unnamed: Sequence[str] = (),
    named: Sequence[str] = (),
    uncompared: Sequence[str] = (),
    known: float = 0.0,
) -> bool:
    """True when the notes do not cover the question: weak evidence (`strength`, the best cosine) unless it
    names a word the embedder reads only as pieces (`opaque`), no `unknown` word, and one source holds all
    its key terms (`coverage`); or moderate evidence for a question naming `unknown` topic words the notes
    never use, whose subject is a name the notes never use (`unnamed`, `unnamed_subject`), or whose key terms no
    source holds. Weak evidence answers too for a question about a name a source holds (`named`, `held_name`),
    unless it also names something the notes lack that the embedder reads only as pieces. For a question the
    embedder cannot read (`blind`,
    `cosine_blind`), only the last: no source holds its key terms, at any cosine. A comparison one of whose sides
    is a name the notes never use (`uncompared`, `unnamed_compared`) abstains at any cosine: the cosine measures
    the side they hold ("dropconnect vs dropout?", 0.45 through dropout). Weak evidence answers too when one source
    holds `known_term_coverage` of its key terms the notes use (`known`: `known_coverage`), as the module says."""
    if blind:
        return coverage < config.key_term_coverage
    if uncompared:
        return True
    if strength < config.abstain_threshold:
        everyday = not any(w in opaque for w in unknown)  # its everyday words may be missing, not its names
        if named and everyday:
            return False
        if everyday and known >= config.known_term_coverage and len(unknown) < config.unknown_terms and not unnamed:
            return False
        return bool(unknown) or not opaque or coverage < config.named_term_coverage
    near_topic = len(unknown) >= config.unknown_terms or coverage < config.key_term_coverage or bool(unnamed)
    return strength < config.near_topic_threshold and near_topic
