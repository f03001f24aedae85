"""Deduper (exact keys, semantic near copies) and the SimilarityIndex it keeps, tested directly.

The embeddings here are a FAKE (a fixed table of vectors), so every similarity is known exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from langchain_vs.apps._dedup import Deduper
from langchain_vs.eval import SimilarityIndex


class TableFakeEmbeddings(Embeddings):
    """FAKE embeddings: each text's vector is looked up in a table; records what it embedded."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table
        self.embedded: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.append(list(texts))
        return [self.table[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.table[text]


# Unit vectors after normalizing: a·b = 0.6 and a·c = 0.8 exactly (3-4-5 triangles), b·c = 0.96.
TABLE = {"a": [1.0, 0.0], "b": [3.0, 4.0], "c": [4.0, 3.0], "d": [0.0, 1.0]}
TABLE |= {"zero": [0.0, 0.0], "nothing": [0.0, 0.0]}  # zero vectors stay zero


def _semantic(threshold: float) -> tuple[Deduper, TableFakeEmbeddings]:
    embeddings = TableFakeEmbeddings(TABLE)
    return Deduper("semantic", threshold, embeddings), embeddings


# -- exact --------------------------------------------------------------------------------


def test_exact_ignores_case_and_runs_of_white_space() -> None:
    keeper = Deduper("exact", 0.9, None)
    texts = ["New York", "new york", "  NEW \t\n York ", "New  York"]
    assert keeper.keep(texts) == ([0], 3, 0)


def test_exact_keeps_texts_that_differ_in_punctuation_or_inner_spacing() -> None:
    keeper = Deduper("exact", 0.9, None)
    texts = ["New York", "New York!", "New-York", "NewYork", "New York."]
    assert keeper.keep(texts) == ([0, 1, 2, 3, 4], 0, 0)


def test_exact_keys_persist_across_calls_and_positions_are_per_call() -> None:
    keeper = Deduper("exact", 0.9, None)
    assert keeper.keep(["Paris", "Lyon"]) == ([0, 1], 0, 0)
    assert keeper.keep(["Nice", "PARIS", "nice", "lyon "]) == ([0], 3, 0)
    assert keeper.keep([]) == ([], 0, 0)


# -- semantic -----------------------------------------------------------------------------


def test_a_similarity_equal_to_the_threshold_is_a_near_duplicate() -> None:
    keeper, _ = _semantic(0.6)
    assert keeper.keep(["a", "b"]) == ([0], 0, 1)  # a·b == 0.6 >= 0.6: out


def test_a_similarity_just_below_the_threshold_is_kept() -> None:
    keeper, _ = _semantic(math.nextafter(0.6, 1.0))
    assert keeper.keep(["a", "b"]) == ([0, 1], 0, 0)  # 0.6 < threshold: in


def test_the_index_persists_across_calls() -> None:
    keeper, _ = _semantic(0.8)
    assert keeper.keep(["a"]) == ([0], 0, 0)
    assert keeper.keep(["d", "c"]) == ([0], 0, 1)  # c·a == 0.8, found from the first call
    assert keeper.keep(["b"]) == ([], 0, 1)  # b·d == 0.8, kept in the second call


def test_a_dropped_near_duplicate_is_not_compared_against() -> None:
    keeper, _ = _semantic(0.6)
    # c is near a (0.8): dropped. d·c == 0.6 would make d near c too, but d·a == 0.
    assert keeper.keep(["a", "c", "d"]) == ([0, 2], 0, 1)


def test_exact_duplicates_are_counted_first_and_never_embedded() -> None:
    keeper, embeddings = _semantic(0.99)
    assert keeper.keep(["a", "A", "d", " a "]) == ([0, 2], 2, 0)
    assert keeper.keep(["D", "a"]) == ([], 2, 0)
    assert embeddings.embedded == [["a", "d"]]  # the second call had nothing new to embed


def test_zero_vectors_are_never_near_anything() -> None:
    keeper, _ = _semantic(0.01)
    assert keeper.keep(["zero", "nothing", "a"]) == ([0, 1, 2], 0, 0)


# -- the index ----------------------------------------------------------------------------


def test_an_empty_index_has_no_nearest() -> None:
    index = SimilarityIndex()
    assert len(index) == 0 and index.nearest(np.array([1.0, 0.0])) is None


@pytest.mark.parametrize("count", [63, 64, 65, 129, 300])
def test_growing_past_the_first_rows_keeps_every_vector_in_order(count: int) -> None:
    index = SimilarityIndex()
    vectors = np.eye(count)  # each row is most like itself only
    assert [index.add(v) for v in vectors] == list(range(count))
    assert len(index) == count
    for position, vector in enumerate(vectors):
        found = index.nearest(vector)
        assert found is not None and found[0] == position and found[1] == pytest.approx(1.0)


def test_nearest_gives_the_best_similarity_among_the_kept_vectors() -> None:
    index = SimilarityIndex()
    for row in ([1.0, 0.0], [0.6, 0.8], [0.0, 1.0]):
        index.add(np.array(row))
    found = index.nearest(np.array([0.8, 0.6]))
    assert found is not None and found[0] == 1 and found[1] == pytest.approx(0.96)
    zero = index.nearest(np.zeros(2))
    assert zero is not None and zero[1] == 0.0


def test_a_distinct_field_repeated_is_a_duplicate_and_a_near_copy_frees_its_field():
    values = [{"name": "Ann"}, {"name": "ann "}, {"name": "Bo"}, {"name": "Cy"}]
    keeper = Deduper("exact", 0.9, None, fields=("name",))
    assert keeper.keep(["a", "b", "c"], values[:3]) == ([0, 2], 0, 0)
    assert keeper.field_duplicates == 1
    semantic, _ = _semantic(0.7)
    semantic.fields = ("name",)
    # "c" is a near copy of "b" (0.96): dropped, so its name is free for a later record.
    assert semantic.keep(["b", "c"], [{"name": "Bo"}, {"name": "Cy"}]) == ([0], 0, 1)
    assert semantic.keep(["a"], [{"name": "Cy"}]) == ([0], 0, 0)
    unnamed = Deduper("exact", 0.9, None, fields=("name",))
    assert unnamed.keep(["x", "y"], [{}, {"name": None}]) == ([0, 1], 0, 0)  # nothing repeated
    with pytest.raises(ValueError, match="needs the records' values"):
        Deduper("exact", 0.9, None, fields=("name",)).keep(["x"])
