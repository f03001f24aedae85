"""Duplicate records: the same text (ignoring case and spaces), or near by embedding similarity.

Example:
    >>> keeper = Deduper("exact", 0.9, None)
    >>> keeper.keep(["Paris", "paris ", "Lyon"])
    ([0, 2], 1, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from langchain_core.embeddings import Embeddings

from langchain_vs.core import text_key

if TYPE_CHECKING:
    from langchain_vs.eval import SimilarityIndex

__all__ = ["DedupMode", "Deduper"]

DedupMode = Literal["exact", "semantic"]


class Deduper:
    """Exact keys, and (semantic mode) unit embeddings of everything kept so far."""

    def __init__(self, mode: DedupMode, threshold: float, embeddings: Embeddings | None) -> None:
        self.mode = mode
        self.threshold = threshold
        self.keys: set[str] = set()
        self.embeddings = embeddings
        self.index: SimilarityIndex | None = None  # made on first use: numpy is an extra

    def keep(self, texts: Sequence[str]) -> tuple[list[int], int, int]:
        """Which of ``texts`` are new (their positions), and the exact and near duplicates."""
        kept, exact, near = [], 0, 0
        fresh = []
        for position, text in enumerate(texts):
            key = text_key(text)
            if key in self.keys:
                exact += 1
                continue
            self.keys.add(key)
            fresh.append(position)
        if self.mode == "exact" or not fresh:
            return fresh, exact, 0
        from langchain_vs.eval import SimilarityIndex, unit_embeddings

        index = self.index = self.index or SimilarityIndex()
        vectors = unit_embeddings([texts[p] for p in fresh], self.embeddings)
        for position, vector in zip(fresh, vectors, strict=True):
            nearest = index.nearest(vector)
            if nearest is not None and nearest[1] >= self.threshold:
                near += 1
                continue
            index.add(vector)
            kept.append(position)
        return kept, exact, near
