"""Another spelling of the notes' words: whether a word the notes lack is a slip of the keyboard, a British or
American form, or notes words written together (whole or clipped), and the question in the notes' own words.

A question's word that occurs nowhere in the notes is evidence they do not cover it ("SimCLR", "mixup"),
unless it is a typo of a word they do use ("adma" for "adam", "dropuot" for "dropout"), the other side of the
Atlantic's spelling ("regularisation" over notes that write "regularization"), or two neighbouring words of the
notes written together ("multihead" for "Multi-head", "autodiff" for "automatic differentiation", "SettingWithCopy
warning" for "SettingWithCopyWarning"): such a word must not make the service abstain. Two words count only
where they stand side by side in the passages retrieved for the question, so "BERTScore" over notes that name
BERT and a score apart is still a name the notes lack. An acronym the question writes in capitals ("GD") is the
phrase of those passages its letters begin ("gradient descent"), when it stands there often enough and no other
phrase does as often: "SNN" over notes with "simple neural network" twice is still a name the notes lack.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping

from core.text import QUESTION_WORDS, STOPWORDS, WH_WORDS

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
# a question's words as the notes' vocabulary holds them (core.text.ASCII_WORD), with where they stand
TOKEN = re.compile(r"[A-Za-z0-9]+")
# British and American endings, both ways round: a word is tried in the other spelling only when the notes lack
# it, and kept only when the notes hold that spelling ("colour" -> "color"; "four" is never read as "for": the
# -our rule wants 6 letters)
VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), to)
    for pattern, to in [
        (r"is(e|es|ed|ing|er|ers|ation|ations)$", r"iz\1"),  # regularise, optimiser, normalisation
        (r"iz(e|es|ed|ing|er|ers|ation|ations)$", r"is\1"),
        (r"ys(e|es|ed|ing)$", r"yz\1"),  # analyse
        (r"yz(e|es|ed|ing)$", r"ys\1"),
        (r"(?<=\w{3})our(s|ed|ing|ful|ite|ites)?$", r"or\1"),  # colour, behaviour, favourite
        (r"(?<=\w{3})or(s|ed|ing|ful|ite|ites)?$", r"our\1"),
        (r"([bt])re(s)?$", r"\1er\2"),  # centre, fibre
        (r"([bt])er(s)?$", r"\1re\2"),
        (r"ll(ed|ing|er|ers)$", r"l\1"),  # modelling, labelled
        (r"(?<=[^aeiou][aeiou])l(ed|ing|er|ers)$", r"ll\1"),
        (r"ence(s)?$", r"ense\1"),  # defence, licence
        (r"ense(s)?$", r"ence\1"),
        (r"ogue(s)?$", r"og\1"),  # catalogue, dialogue
        (r"og(s)?$", r"ogue\1"),
        (r"ices$", "ex"),  # indices, vertices
        (r"ices$", "ix"),  # matrices
        (r"(ex|ix)$", "ices"),
    ]
)
MIN_PART = 3  # each of two words written together: "mixup" is not mix + up ("up" is too short to tell)
# endings that make a name of the word before them ("DenseNet", "Longformer"): a name so written is one thing, not
# the notes' two words of which these begin the second ("DenseNet" is no "dense network")
NAME_SUFFIXES = frozenset(["net", "nets", "former", "formers"])
# a word written as a proper name: a capital after a small letter inside it ("DenseNet", "AutoDiff")
CAMEL_CASE = re.compile(r"[a-z][A-Z]")
# a word written with hyphens between its parts: "U-Net", "t-SNE", "state-of-the-art"
HYPHENATED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
# an acronym as a question writes it, capitals alone, perhaps a plural "s": "GD", "EWMA", "LLMs"
ACRONYM = re.compile(r"([A-Z]{2,6})s?")
# words in capitals that are no acronym: what a question says to ask, in a question typed in capitals or shouted
NOT_ACRONYMS = STOPWORDS | WH_WORDS | QUESTION_WORDS
# a question with this many words in capitals, most of its words, is typed in capitals (`in_capitals`)
CAPITALS_TYPED = 3


def one_edit(word: str) -> Iterator[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away from `word` (lowercase
    ASCII letters and digits; a word of another script has none of the last two)."""
    yield from swaps(word)
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
        for c in LETTERS:
            if tail:
                yield head + c + tail[1:]
            yield head + c + tail


def is_misspelling(word: str, known: Container[str], key: Callable[[str], str] = str) -> bool:
    """Whether `word`, or its `key` (a stem: "regularisations" -> "regularisation"), is one edit (`one_edit`)
    from a word whose `key` is in `known`. Words of under 4 letters are not read as typos: "gan" is one edit
    from "can" and "man"; a word of 4 only by two letters swapped ("adma" is "adam"): one letter more or another
    makes a name of it ("gptq" is not "gpt" or "gpt2", "ddim" not "dim" or "ndim")."""
    if len(word) < 4:
        return False
    if len(word) == 4:
        return any(key(w) in known for w in swaps(word))
    return any(key(w) in known for base in dict.fromkeys([word, key(word)]) for w in one_edit(base) if w)


def swaps(word: str) -> Iterator[str]:
    """`word` with two neighbouring letters swapped, each way it can be."""
    for i in range(len(word) - 1):
        yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def variant_spelling(word: str, known: Container[str], key: Callable[[str], str] = str) -> str | None:
    """The notes' spelling of `word` when it is the British or American form of a word whose `key` is in
    `known` ("regularisation" -> "regularization", "colours" -> "colors", "indices" -> "index"); else None."""
    for base in dict.fromkeys([word, key(word)]):
        for pattern, to in VARIANTS:
            other = pattern.sub(to, base)
            if other != base and key(other) in known:
                return other
    return None


def neighbour_pairs(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Every two words that stand next to each other in `texts`, lowercased, once each in the order they first
    stand ("Multi-head self-attention": (multi, head), (head, self), (self, attention))."""
    pairs: dict[tuple[str, str], None] = {}
    for text in texts:
        words = TOKEN.findall(text.lower())
        pairs.update(dict.fromkeys(zip(words, words[1:], strict=False)))
    return list(pairs)


def closed_up(word: str, pairs: Iterable[tuple[str, str]], clipped: bool = True) -> tuple[str, str] | None:
    """The two neighbouring words (`neighbour_pairs`) that `word` writes together, whole or each clipped to its
    start, each part 3 letters or more: "multihead" (multi head), "layernorm" (layer normalization), "autodiff"
    (automatic differentiation); None when no such pair stands in the text. Two whole words come before clipped
    ones, and the first pair in `pairs` (the best-ranked passage's) before later ones. Clipped only when
    `clipped`, and never to a second part that is a name's ending (`NAME_SUFFIXES`): "densenet" is not "dense
    network". The second word may be the plural of the part: "mobilenet" is "Mobile nets", whole words both."""
    splits = [(word[:i], word[i:]) for i in range(MIN_PART, len(word) - MIN_PART + 1)]
    pairs = list(pairs)
    whole = set(splits)
    for first, second in pairs:
        if (first, second) in whole or (first, second.removesuffix("s")) in whole:  # "mobilenet": "Mobile nets"
            return first, second
    if not clipped:
        return None
    splits = [(head, tail) for head, tail in splits if tail not in NAME_SUFFIXES]
    for first, second in pairs:
        for head, tail in splits:
            if first.startswith(head) and second.startswith(tail):
                return first, second
    return None


def hyphen_compounds(texts: Iterable[str]) -> dict[str, str]:
    """The words that `texts` write hyphenated, written together, each to its parts apart: "U-Net" -> {"unet": "u
    net"}, "t-SNE" -> {"tsne": "t sne"}. Parts of any length: a question's "unet" is the notes' "U-Net", where two
    words written together (`closed_up`) want parts of 3 letters or more."""
    compounds: dict[str, str] = {}
    for text in texts:
        for m in HYPHENATED.finditer(text.lower()):
            parts = m.group().split("-")
            compounds.setdefault("".join(parts), " ".join(parts))
    return compounds


def written_together(question: str, known: Container[str], key: Callable[[str], str] = str) -> str:
    """`question` with each two neighbouring content words that the notes write as one word written so: "what are
    stop words?" -> "what are stopwords?" over notes that write "stopwords". Both words may be notes words: not a
    wording of the question (`notes_wording` keeps "BLEU score" apart), a reading of which terms it asks about."""
    tokens = list(TOKEN.finditer(question))
    out, at, i = [], 0, 0
    while i < len(tokens) - 1:
        pair = tokens[i : i + 2]
        whole = all(t.group().isalpha() and len(t.group()) >= MIN_PART for t in pair)  # "mix up" is no "mixup"
        if whole and (joined := _one_word(question, pair, known, key)):
            out.append(question[at : tokens[i].start()] + joined)
            at, i = tokens[i + 1].end(), i + 2
            continue
        i += 1
    return "".join(out) + question[at:]


def acronyms(question: str) -> list[str]:
    """The acronyms the question writes (`ACRONYM`), lowercased, once each: "is GD or SGD noisier?" -> [gd, sgd].
    Never a function or question word ("IS", "HOW", "DOES"), and none in a question typed in capitals
    (`in_capitals`): in "WHAT IS DROPOUT?" a capital tells nothing, and "IS" was read "importance sampling"."""
    if in_capitals(question):
        return []
    found = (ACRONYM.fullmatch(t.group()) for t in TOKEN.finditer(question))
    spelt = (m.group(1).lower() for m in found if m)
    return list(dict.fromkeys(a for a in spelt if a not in NOT_ACRONYMS))


def in_capitals(question: str) -> bool:
    """Whether the question is typed in capitals: `CAPITALS_TYPED` words or more of 2 letters or more are, and they
    are most of its words ("WHAT IS DROPOUT?", "HOW DOES GD WORK?"; not "GD vs SGD?" nor "is GD or SGD noisier?")."""
    words = [w for w in TOKEN.findall(question) if len(w) > 1 and w.isalpha()]
    capitals = sum(w.isupper() for w in words)
    return capitals >= CAPITALS_TYPED and 2 * capitals > len(words)


def spelt_out(
    acronym: str, texts: Iterable[tuple[str, int, str]], key: Callable[[str], str] = str, *, passages: int
) -> str | None:
    """The phrase of `texts` whose words' initials spell `acronym` ("gd" -> "gradient descent"): words of 3 letters
    or more, none of them a function word, with only a space or a hyphen between them ("vectors; add EOS" is no
    phrase). It must be a whole term, not the head of a longer one: in most of its places no content word follows
    it ("rectified linear" of "rectified linear unit" and "rectified linear activation" is no reading of "RL"; a
    stop, a line's end or a function word ends "gradient descent"). It must stand in `passages` passages or more
    (`AnswerSettings.acronym_passages`: "gradient descent" in most of those read for "GD", "simple neural network"
    in 1 of those read for "SNN", a spiking one), so a note that repeats a term once is one witness, and in more
    than any other phrase so spelt
    ("TL" over passages with "transfer learning" and "trainable layers" twice each is neither). Phrases are told
    apart by their words' `key` (a stem: "fine tuning" and "fine tune" are one phrase), written as most often. Each
    text comes with where it stands (a document and the offset of the text in it), so a sentence two overlapping
    passages both hold counts once, for the first of them. None when no phrase qualifies."""
    n = len(acronym)
    places = dict[tuple[str, ...], dict[tuple[str, int], tuple[str, int]]]()  # place -> the passage first holding it
    heads = dict[tuple[str, ...], set[tuple[str, int]]]()  # the places where a content word follows
    written = dict[tuple[str, ...], Counter[tuple[str, ...]]]()
    for where, offset, text in texts:
        tokens = list(TOKEN.finditer(text))
        for i in range(len(tokens) - n + 1):
            run = tuple(t.group().lower() for t in tokens[i : i + n])
            if "".join(w[0] for w in run) != acronym or not all(_phrase_word(w) for w in run):
                continue
            if all(text[a.end() : b.start()] in (" ", "-") for a, b in itertools.pairwise(tokens[i : i + n])):
                phrase, place = tuple(key(w) for w in run), (where, offset + tokens[i].start())
                places.setdefault(phrase, {}).setdefault(place, (where, offset))
                if i + n < len(tokens) and _goes_on(text, tokens[i + n - 1], tokens[i + n]):
                    heads.setdefault(phrase, set()).add(place)
                written.setdefault(phrase, Counter())[run] += 1
    witnesses = {
        phrase: len(set(at.values()))
        for phrase, at in places.items()
        if 2 * len(heads.get(phrase, ())) <= len(at)  # a whole term in half its places or more
    }
    ranked = sorted(witnesses, key=witnesses.__getitem__, reverse=True)
    if not ranked or witnesses[ranked[0]] < passages:
        return None
    if len(ranked) > 1 and witnesses[ranked[1]] == witnesses[ranked[0]]:
        return None
    return " ".join(written[ranked[0]].most_common(1)[0][0])


def _goes_on(text: str, last: re.Match[str], after: re.Match[str]) -> bool:
    """Whether the word `after` goes on the phrase that ends with `last`: a content word (`_phrase_word`) with only
    a space or a hyphen between ("rectified linear unit"; not "gradient descent.", "gradient descent with")."""
    return text[last.end() : after.start()] in (" ", "-") and _phrase_word(after.group().lower())


def _phrase_word(word: str) -> bool:
    """A word an acronym's letter may stand for: a content word of letters, 3 or more ("get a data" spells no GD)."""
    return word.isalpha() and len(word) >= 3 and word not in STOPWORDS


def written_as_name(word: str) -> bool:
    """Whether the question writes the word as a proper name, a capital inside it ("DenseNet", "MobileNet"). A
    capital first letter alone is not: "how does Backprop work?" means back propagation."""
    return bool(CAMEL_CASE.search(word))


def notes_wording(
    question: str,
    known: Container[str],
    key: Callable[[str], str],
    pairs: Iterable[tuple[str, str]],
    phrases: Mapping[str, str] | None = None,
    compounds: Mapping[str, str] | None = None,
) -> str:
    """`question` with each word the notes lack (its `key` not in `known`) written as they write it: words the
    question splits that the notes write as one ("SettingWithCopy warning" -> "settingwithcopywarning"), the
    other side's spelling (`variant_spelling`), an acronym it writes in capitals as the phrase `phrases` holds for it
    (`spelt_out`: "GD" -> "gradient descent"), and neighbouring words of `pairs` written together
    (`closed_up`: "autodiff" -> "automatic differentiation"; a word written as a proper name, `written_as_name`,
    only to two whole words: "DenseNet" stays a name the notes lack), and a word they write hyphenated as
    `compounds` holds it (`hyphen_compounds`: "unet" -> "u net"). Typos are left as they are: a word one key from a
    notes word is as often another word ("focal", "local")."""
    pairs, phrases, compounds = list(pairs), phrases or {}, compounds or {}
    tokens = list(TOKEN.finditer(question))
    out, at, i = [], 0, 0
    while i < len(tokens):
        word = tokens[i].group().lower()
        end, spelt = i + 1, None
        for j in range(min(len(tokens), i + 4), i + 1, -1):  # the longest run first
            lacked = any(key(t.group().lower()) not in known for t in tokens[i:j])  # "BLEU score" stays two words
            if lacked and (joined := _one_word(question, tokens[i:j], known, key)):
                end, spelt = j, joined
                break
        if spelt is None and not word.isdigit() and key(word) not in known:
            acronym = ACRONYM.fullmatch(tokens[i].group())
            spelt = phrases.get(acronym.group(1).lower()) if acronym else None
            spelt = spelt or variant_spelling(word, known, key) or compounds.get(word)
            # a name the question writes as one ("DenseNet") is read clipped from no two notes words
            clipped = not written_as_name(tokens[i].group())
            if spelt is None and word.isalpha() and (pair := closed_up(word, pairs, clipped)):
                spelt = " ".join(pair)
        if spelt is not None:
            out.append(question[at : tokens[i].start()] + spelt)
            at = tokens[end - 1].end()
        i = end
    return "".join(out) + question[at:]


def _one_word(question: str, tokens: list[re.Match[str]], known: Container[str], key: Callable[[str], str]) -> str:
    """The tokens written together, lowercased, when the notes write them so (its `key` in `known`) and the question
    writes them as one phrase (`_adjoining`); "" otherwise. A join of 5 letters or fewer ("to do" -> "todo") is as
    likely chance as one word split, and so is one with a function word ("grow the" -> "growthe", a stem of
    "growth")."""
    words = [t.group().lower() for t in tokens]
    joined = "".join(words)
    if len(joined) > 5 and not any(w in STOPWORDS for w in words) and key(joined) in known:
        return joined if _adjoining(question, tokens) else ""
    return ""


def _adjoining(question: str, tokens: list[re.Match[str]]) -> bool:
    """Whether the tokens are one phrase: only spaces, hyphens or underscores between them."""
    return all(not question[a.end() : b.start()].strip(" -_") for a, b in zip(tokens, tokens[1:], strict=False))


def is_other_spelling(word: str, known: Container[str], key: Callable[[str], str] = str) -> bool:
    """A typo (`is_misspelling`) or the other side's spelling (`variant_spelling`) of the notes' words."""
    return is_misspelling(word, known, key) or variant_spelling(word, known, key) is not None
