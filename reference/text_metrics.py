"""BLEU and ROUGE: the two text-generation metrics the notes compare outputs with.

Both work on token lists, so the caller decides how text is split (whitespace here, as in the notes'
examples); that keeps the n-gram arithmetic visible instead of hidden inside a tokenizer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Tokens = Sequence[str]


def ngram_counts(tokens: Tokens, n: int) -> Counter[tuple[str, ...]]:
    """Count the n-grams of one token list; both metrics are built from these counts.

    Notes: 001 flashcard "Bleu score using bi grams" ("The cat 2, clipped 1": "the cat" occurs twice).

    >>> sorted(ngram_counts("the cat the cat".split(), 2).items())
    [(('cat', 'the'), 1), (('the', 'cat'), 2)]
    """
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class BleuScore:
    """BLEU in [0, 1] with the parts it is made of, so a reader can check each factor."""

    score: float
    precisions: list[float]
    brevity_penalty: float
    hyp_len: int
    ref_len: int


def corpus_bleu(hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]], max_n: int = 4) -> BleuScore:
    """Corpus BLEU: clipped n-gram precisions, their geometric mean, times a brevity penalty.

    Notes: 001 flashcard "Bleu score" ("The Bleu score is the geometric mean of all four n-gram
    precisions"), and "How is accuracy of machine translation measured" ("Modified precision we give
    each word credit up to the max amount time it appears in the reference sentence").
    Counts are summed over the corpus before dividing (not averaged per sentence), and no smoothing is
    applied: as the notes say, "If there are not 4 gram matches then the 4 gram precision is 0", and
    so is BLEU. ``references[i]`` holds every reference for ``hypotheses[i]``.

    The notes' clipping example, unigrams only: "the" x7 against "the cat is on the mat" scores 2/7.

    >>> hypothesis, reference = ["the"] * 7, "the cat is on the mat".split()
    >>> bleu = corpus_bleu([hypothesis], [[reference]], max_n=1)
    >>> round(bleu.precisions[0], 4), bleu.brevity_penalty
    (0.2857, 1.0)
    """
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for hyp, refs in zip(hypotheses, references, strict=True):
        hyp_len += len(hyp)
        # The closest reference length counts (the shorter one on a tie), as in sacrebleu and mteval.
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
        for n in range(1, max_n + 1):
            hyp_counts = ngram_counts(hyp, n)
            max_ref_counts: Counter[tuple[str, ...]] = Counter()
            for ref in refs:
                max_ref_counts |= ngram_counts(ref, n)  # | keeps the max count per n-gram
            matches[n - 1] += sum(min(c, max_ref_counts[g]) for g, c in hyp_counts.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)

    precisions = [m / t if t else 0.0 for m, t in zip(matches, totals, strict=True)]
    # Short outputs would otherwise win on precision alone, so they pay exp(1 - r/c); long ones already
    # lose precision on their extra n-grams, so the penalty is capped at 1.
    brevity_penalty = min(1.0, math.exp(1 - ref_len / hyp_len)) if hyp_len else 0.0
    geo_mean = math.exp(sum(math.log(p) for p in precisions) / max_n) if min(precisions) > 0 else 0.0
    return BleuScore(brevity_penalty * geo_mean, precisions, brevity_penalty, hyp_len, ref_len)


def sentence_bleu(hypothesis: Tokens, references: Sequence[Tokens], max_n: int = 4) -> BleuScore:
    """BLEU of one sentence: the corpus formula over a corpus of one, so both agree by construction.

    Notes: 001 flashcard "Bleu score". The notes' bigram example (refs "the cat is in the mat" and
    "there is a cat on the mat", output "the cat the cat on the mat") has bigram precision 4/6.

    >>> refs = ["the cat is in the mat".split(), "there is a cat on the mat".split()]
    >>> b = sentence_bleu("the cat the cat on the mat".split(), refs, max_n=2)
    >>> round(b.precisions[1], 4)
    0.6667
    """
    return corpus_bleu([hypothesis], [references], max_n=max_n)


@dataclass(frozen=True)
class RougeScore:
    """Precision, recall and F1 of one ROUGE variant."""

    precision: float
    recall: float
    fmeasure: float


def _prf(overlap: int, n_pred: int, n_ref: int) -> RougeScore:
    """Turn an overlap count into P/R/F1, with 0 instead of a division by zero."""
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_ref if n_ref else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return RougeScore(precision, recall, f)


def rouge_n(reference: Tokens, prediction: Tokens, n: int = 1) -> RougeScore:
    """ROUGE-N: n-gram overlap between a generated summary and a reference summary.

    Notes: 001 flashcard "Rouge score" ("Rouge 1 recall = number of word matches / number of words in
    reference", "Rouge 1 precision = number of word matches / number of words in machine generated
    summary"). Repeated n-grams match at most as often as they occur on both sides.

    >>> r = rouge_n("the cat sat on the mat".split(), "the cat lay on a mat".split(), n=1)
    >>> round(r.precision, 4), round(r.recall, 4)
    (0.6667, 0.6667)
    """
    ref_counts, pred_counts = ngram_counts(reference, n), ngram_counts(prediction, n)
    overlap = sum((ref_counts & pred_counts).values())  # & keeps the min count per n-gram
    return _prf(overlap, sum(pred_counts.values()), sum(ref_counts.values()))


def lcs_length(a: Tokens, b: Tokens) -> int:
    """Length of the longest common subsequence, by dynamic programming over two rows.

    Notes: 001 flashcard "Rouge score" ("it uses the length of the longest common subsequence"). Unlike
    n-grams, the matched words need not be adjacent, only in the same order.

    >>> lcs_length("a b c d".split(), "a c b d".split())
    3
    """
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(reference: Tokens, prediction: Tokens) -> RougeScore:
    """ROUGE-L: P/R/F1 from the longest common subsequence instead of contiguous n-grams.

    Notes: 001 flashcard "Rouge score" ("Rouge L, instead of using unigram or bigrams, it uses the
    length of the longest common subsequence"; "Recall = LCS(ref, gen) / number of words in reference").

    >>> r = rouge_l("police killed the gunman".split(), "police kill the gunman".split())
    >>> round(r.fmeasure, 4)
    0.75
    """
    return _prf(lcs_length(reference, prediction), len(prediction), len(reference))
