"""The one abstain decision: the service, the extractive writer and eval's threshold sweep all call it.

Tests of the evidence, each a function below (why each exists, with its measurements: docs/ABSTAIN.md):
- strength: the best source's cosine with the question; weak everywhere means the notes are about something else;
- unknown terms: at moderate evidence, enough of the question's topic words occur nowhere in the notes
  (a near-topic question: "how does mixture-of-experts routing work?");
- key-term coverage: at moderate evidence, even the best source holds too little of the question's key-term
  weight (`TermRarity.shared`), or, for a question the embedder cannot read (CJK, Thai: [UNK] to MiniLM), none does;
- an unnamed subject or compared side: what the question asks about is a name the notes never use and the
  embedder reads only as pieces ("SimCLR", "dropconnect vs dropout");
- exceptions that answer: a name a note is about or defines (`held_name`, `defines`), and weak evidence whose
  missing words are everyday ones outside the asked subject while one source holds most known key terms
  (`known_coverage`).
Every rule reads the question in the notes' wording first (`in_notes_wording`: "autodiff" -> "automatic
differentiation", "regularisation" -> "regularization", acronyms spelt out by the retrieved passages).
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
# answers, 0.06 for an English question), so a Russian question keeps the cosine rules
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
    never use (`unknown_terms` of them, one more when none is a name: docs/ABSTAIN.md), whose subject is a name
    the notes never use (`unnamed`, `unnamed_subject`), or whose key terms no source holds. Weak evidence answers
    too for a question about a name a source holds (`named`, `held_name`), unless it also names something the
    notes lack that the embedder reads only as pieces. For a question the embedder cannot read (`blind`,
    `cosine_blind`), only the last: no source holds its key terms, at any cosine. A comparison one of whose sides
    is a name the notes never use (`uncompared`, `unnamed_compared`) abstains at any cosine: the cosine measures
    the side they hold ("dropconnect vs dropout?", 0.45 through dropout). Weak evidence answers too when one source
    holds `known_term_coverage` of its key terms the notes use (`known`: `known_coverage`), as the module says."""
    if blind:
        return coverage < config.key_term_coverage
    if uncompared:
        return True
    everyday = not any(w in opaque for w in unknown)  # its everyday words may be missing, not its names
    if strength < config.abstain_threshold:
        if named and everyday:
            return False
        if everyday and known >= config.known_term_coverage and len(unknown) < config.unknown_terms and not unnamed:
            return False
        return bool(unknown) or not opaque or coverage < config.named_term_coverage
    # everyday words alone ("which algorithm is recommended ... what quantity") take one more to mark it near-topic
    many_unknown = len(unknown) >= config.unknown_terms + (1 if everyday else 0)
    near_topic = many_unknown or coverage < config.key_term_coverage or bool(unnamed)
    return strength < config.near_topic_threshold and near_topic
