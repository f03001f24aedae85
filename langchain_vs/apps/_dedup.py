"""Duplicate records: the same text (ignoring case and spaces), or near by embedding similarity.

Example:
    >>> keeper = Deduper("exact", 0.9, None)
    >>> keeper.keep(["Paris", "paris ", "Lyon"])
    ([0, 2], 1, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.embeddings import Embeddings

__all__ = ["DedupMode", "Deduper", "exact_key"]

DedupMode = Literal["exact", "semantic"]


def exact_key(text: str) -> str:
    """What makes two records the same: their text, ignoring case and runs of white space."""
    return " ".join(text.casefold().split())


class Deduper:
    """Exact keys, and (semantic mode) unit embeddings of everything kept so far."""

    def __init__(self, mode: DedupMode, threshold: float, embeddings: Embeddings | None) -> None:
        self.mode = mode
        self.threshold = threshold
        self.keys: set[str] = set()
        self.embeddings = embeddings
        self.vectors: Any = None  # numpy rows, grown by doubling
        self.size = 0

    def keep(self, texts: Sequence[str]) -> tuple[list[int], int, int]:
        """Which of ``texts`` are new (their positions), and the exact and near duplicates."""
        kept, exact, near = [], 0, 0
        fresh = []
        for position, text in enumerate(texts):
            key = exact_key(text)
            if key in self.keys:
                exact += 1
                continue
            self.keys.add(key)
            fresh.append(position)
        if self.mode == "exact" or not fresh:
            return fresh, exact, 0
        from langchain_vs.eval import unit_embeddings

        vectors = unit_embeddings([texts[p] for p in fresh], self.embeddings)
        for position, vector in zip(fresh, vectors, strict=True):
            if self.size and float((self.vectors[: self.size] @ vector).max()) >= self.threshold:
                near += 1
                continue
            self._add(vector)
            kept.append(position)
        return kept, exact, near

    def _add(self, vector: Any) -> None:
        import numpy as np

        if self.vectors is None or self.size == len(self.vectors):
            grown = np.zeros((max(64, 2 * self.size), len(vector)))
            if self.vectors is not None:
                grown[: self.size] = self.vectors[: self.size]
            self.vectors = grown
        self.vectors[self.size] = vector
        self.size += 1
