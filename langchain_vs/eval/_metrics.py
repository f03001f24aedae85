"""Diversity and distribution metrics: pure, typed functions on texts or answer counts.

Text metrics (higher = more diverse unless stated):
[`semantic_diversity()`][langchain_vs.eval.semantic_diversity],
[`lexical_diversity()`][langchain_vs.eval.lexical_diversity] (from pairwise ROUGE-L),
[`distinct_n()`][langchain_vs.eval.distinct_n], [`vendi_score()`][langchain_vs.eval.vendi_score],
and
[`self_bleu()`][langchain_vs.eval.self_bleu] (higher = *less* diverse). Distribution metrics compare
the answers a method
produced with a reference distribution: [`kl_divergence()`][langchain_vs.eval.kl_divergence],
[`js_divergence()`][langchain_vs.eval.js_divergence],
[`coverage()`][langchain_vs.eval.coverage]. The embedding, Vendi and divergence metrics need numpy
and [`self_bleu()`][langchain_vs.eval.self_bleu]
sacrebleu (the ``metrics`` extra); without it they raise ``ImportError`` with the ``pip install``
line, and the others work on the core install.

Examples:
    >>> round(lexical_diversity(["the red car", "the red car", "a blue boat"]), 3)
    0.667
    >>> js_divergence({"1": 5, "2": 5}, {"1": 0.5, "2": 0.5})
    0.0
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from langchain_vs.eval._embeddings import default_embeddings
from langchain_vs.eval._requires import require

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "answer_counts",
    "coverage",
    "distinct_n",
    "js_divergence",
    "kl_divergence",
    "lexical_diversity",
    "rouge_l",
    "self_bleu",
    "semantic_diversity",
    "unit_embeddings",
    "valid_answer_rate",
    "vendi_score",
]

_PUNCTUATION = re.compile(r"[^\w\s]")


def _need_two(texts: Sequence[str], what: str) -> None:
    if len(texts) < 2:
        raise ValueError(f"{what} needs at least 2 texts, got {len(texts)}")


def unit_embeddings(texts: Sequence[str], embeddings: Embeddings | None = None) -> np.ndarray:
    """The texts' embeddings as unit rows (zero rows stay zero); default: default_embeddings()."""
    require("numpy", what="unit_embeddings")
    import numpy as np

    vectors = np.asarray(
        (embeddings or default_embeddings()).embed_documents(list(texts)), dtype=np.float64
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


def semantic_diversity(texts: Sequence[str], embeddings: Embeddings | None = None) -> float:
    """1 - mean pairwise cosine similarity of the texts' embeddings (0 = all identical).

    Args:
        texts: At least two texts.
        embeddings: Any LangChain ``Embeddings``; default
            [`default_embeddings()`][langchain_vs.eval.default_embeddings] (MiniLM when the
            ``embeddings``
            extra is installed, else lexical). Compare values made with the same embeddings only.
    """
    _need_two(texts, "semantic_diversity")
    unit = unit_embeddings(texts, embeddings)
    import numpy as np

    similarity = unit @ unit.T
    upper = similarity[np.triu_indices(len(texts), k=1)]
    return float(1.0 - upper.mean())


def _tokens(text: str) -> list[str]:
    return text.casefold().split()


def rouge_l(a: str, b: str) -> float:
    """ROUGE-L F1 of two texts on lower-cased whitespace tokens (longest common subsequence)."""
    x, y = _tokens(a), _tokens(b)
    if not x or not y:
        return 1.0 if x == y else 0.0
    previous = [0] * (len(y) + 1)
    for token in x:
        current = [0]
        for j, other in enumerate(y, 1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[-1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(x), lcs / len(y)
    return 2 * precision * recall / (precision + recall)


def lexical_diversity(texts: Sequence[str]) -> float:
    """1 - mean pairwise ROUGE-L F1 (the VS reference's lexical measure; 0 = all identical)."""
    _need_two(texts, "lexical_diversity")
    scores = [rouge_l(a, b) for a, b in combinations(texts, 2)]
    return 1.0 - math.fsum(scores) / len(scores)


def distinct_n(texts: Iterable[str], n: int = 2) -> float:
    """Distinct n-grams / all n-grams over the texts (lower-cased whitespace tokens).

    Returns 0.0 when the texts hold no n-gram at all.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    grams = [
        tuple(tokens[i : i + n])
        for tokens in map(_tokens, texts)
        for i in range(len(tokens) - n + 1)
    ]
    return len(set(grams)) / len(grams) if grams else 0.0


def self_bleu(texts: Sequence[str]) -> float:
    """Mean sentence BLEU of each text against all the others as references, in [0, 1].

    Definition: sacrebleu's ``sentence_bleu`` (13a tokenization, exponential smoothing) of text
    *i* with every other text as a reference, averaged over *i* and divided by 100. Higher means
    the texts repeat each other more (1 = identical).
    """
    _need_two(texts, "self_bleu")
    require("sacrebleu", what="self_bleu")
    from sacrebleu import BLEU

    bleu = BLEU(effective_order=True)
    scores = [
        bleu.sentence_score(text, [other for j, other in enumerate(texts) if j != i]).score
        for i, text in enumerate(texts)
    ]
    return math.fsum(scores) / len(scores) / 100.0


def vendi_score(texts: Sequence[str], embeddings: Embeddings | None = None) -> float:
    """The Vendi score: exp of the entropy of the eigenvalues of K/n (K = cosine similarities).

    Reads as an effective number of distinct texts: 1 when all are identical, n when all are
    orthogonal.
    """
    if not texts:
        raise ValueError("vendi_score needs at least 1 text")
    unit = unit_embeddings(texts, embeddings)
    import numpy as np

    eigenvalues = np.linalg.eigvalsh(unit @ unit.T / len(texts))
    positive = eigenvalues[eigenvalues > 1e-12]
    return float(np.exp(-np.sum(positive * np.log(positive))))


def answer_counts(texts: Iterable[str]) -> Counter[str]:
    """Count answers after lower-casing, dropping punctuation and folding white space."""
    return Counter(" ".join(_PUNCTUATION.sub(" ", t.casefold()).split()) for t in texts)


def _aligned(
    counts: Mapping[str, float], reference: Mapping[str, float]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    if any(v < 0 for v in counts.values()) or any(v < 0 for v in reference.values()):
        raise ValueError("counts and reference must not be negative")
    require("numpy", what="kl_divergence and js_divergence")
    import numpy as np

    support = sorted(set(counts) | set(reference))
    p = np.array([float(counts.get(key, 0.0)) for key in support])
    q = np.array([float(reference.get(key, 0.0)) for key in support])
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("counts and reference each need some positive mass")
    return support, p / p.sum(), q / q.sum()


def kl_divergence(
    counts: Mapping[str, float], reference: Mapping[str, float], *, epsilon: float = 1e-6
) -> float:
    """KL(P || Q) in nats of the observed answer distribution P from the reference Q.

    An answer the reference gives no mass would make KL infinite; every answer in either
    support gets ``epsilon`` added to its reference mass (then renormalized) instead. Report
    [`js_divergence()`][langchain_vs.eval.js_divergence] beside it when such answers are common.
    """
    _, p, q = _aligned(counts, reference)
    import numpy as np

    q = (q + epsilon) / (q + epsilon).sum()
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def js_divergence(counts: Mapping[str, float], reference: Mapping[str, float]) -> float:
    """Jensen-Shannon divergence in bits, in [0, 1]: finite even for answers of zero mass."""
    _, p, q = _aligned(counts, reference)
    import numpy as np

    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    return max(0.0, (kl(p) + kl(q)) / 2)


def coverage(
    counts: Mapping[str, float], reference: Mapping[str, float], *, top_n: int | None = None
) -> float:
    """Share of the reference's answers (its ``top_n`` likeliest, or all) that were produced."""
    ranked = sorted((k for k, v in reference.items() if v > 0), key=lambda k: -reference[k])
    wanted = ranked[:top_n] if top_n is not None else ranked
    if not wanted:
        raise ValueError("the reference has no answer with positive mass")
    return sum(1 for key in wanted if counts.get(key, 0) > 0) / len(wanted)


def valid_answer_rate(counts: Mapping[str, float], reference: Mapping[str, float]) -> float:
    """Share of the answers that are among the reference's answers (a quality figure).

    ``counts`` as [`answer_counts()`][langchain_vs.eval.answer_counts] gives them. An answer the
    reference does not know ("You
    rolled a 4!" for a die) is invalid, whatever its diversity.

    Examples:
        >>> valid_answer_rate(answer_counts(["4", "Six", "6", "4."]), {"4": 1, "6": 1})
        0.75
    """
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("counts hold no answers: nothing to rate")
    return sum(v for key, v in counts.items() if key in reference) / total
