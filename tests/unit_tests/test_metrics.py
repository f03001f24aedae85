import math

import pytest

from langchain_vs.eval._embeddings import HashedNgramEmbeddings
from langchain_vs.eval._metrics import (
    answer_counts,
    coverage,
    distinct_n,
    js_divergence,
    kl_divergence,
    lexical_diversity,
    rouge_l,
    self_bleu,
    semantic_diversity,
    vendi_score,
)

SAME = ["the cat sat on the mat"] * 3
VARIED = ["the cat sat on the mat", "a storm rolled over the harbour", "quantum tax policy"]


def test_hashed_embeddings_are_unit_vectors_and_stable():
    emb = HashedNgramEmbeddings(dimensions=64)
    (vector,) = emb.embed_documents(["Hello world"])
    assert len(vector) == 64 and math.isclose(sum(v * v for v in vector), 1.0)
    assert emb.embed_query("Hello   WORLD") == vector  # case and spacing folded
    assert emb.embed_query("") == [0.0] * 64


def test_semantic_diversity_orders_sets():
    assert semantic_diversity(SAME) == pytest.approx(0.0, abs=1e-12)
    assert semantic_diversity(VARIED) > 0.5
    with pytest.raises(ValueError, match="at least 2 texts"):
        semantic_diversity(["one"])


def test_rouge_l_and_lexical_diversity():
    assert rouge_l("a b c", "a c") == pytest.approx(0.8)  # LCS 2: P=1, R=2/3
    assert rouge_l("x y", "z") == 0.0
    assert rouge_l("", "") == 1.0
    assert lexical_diversity(SAME) == 0.0
    assert lexical_diversity(["a b", "c d"]) == 1.0


def test_distinct_n():
    assert distinct_n(["a b a b"], n=1) == 0.5
    assert distinct_n(["a b c", "a b d"], n=2) == 0.75
    assert distinct_n(["a"], n=2) == 0.0
    with pytest.raises(ValueError, match="at least 1"):
        distinct_n(["a"], n=0)


def test_self_bleu_is_high_for_repeats():
    assert self_bleu(SAME) == pytest.approx(1.0)
    assert self_bleu(VARIED) < 0.2


def test_vendi_counts_effective_distinct_texts():
    assert vendi_score(SAME) == pytest.approx(1.0, abs=1e-6)
    assert 2.0 < vendi_score(VARIED) <= 3.0 + 1e-9


def test_kl_js_and_coverage_against_a_reference():
    uniform = {str(face): 1 / 6 for face in range(1, 7)}
    fair = {str(face): 10 for face in range(1, 7)}
    collapsed = {"4": 60}
    assert kl_divergence(fair, uniform) == pytest.approx(0.0, abs=1e-9)
    assert kl_divergence(collapsed, uniform) == pytest.approx(math.log(6), rel=1e-4)
    assert math.isfinite(kl_divergence({"7": 1}, uniform))  # an answer with no reference mass
    assert js_divergence(fair, uniform) == 0.0
    assert 0.0 < js_divergence(collapsed, uniform) <= 1.0
    assert js_divergence({"a": 1}, {"b": 1}) == pytest.approx(1.0)
    assert coverage(collapsed, uniform) == pytest.approx(1 / 6)
    assert coverage({"Texas": 1}, {"California": 0.5, "Texas": 0.3, "Ohio": 0.2}, top_n=2) == 0.5
    with pytest.raises(ValueError, match="positive mass"):
        kl_divergence({}, uniform)
    with pytest.raises(ValueError, match="negative"):
        js_divergence({"a": -1}, uniform)


def test_answer_counts_normalize():
    assert answer_counts(["Texas.", " texas", "New  York!"]) == {"texas": 2, "new york": 1}
