"""Near duplicates by meaning: an index of unit vectors that finds the most similar one so far.

Dataset dedup (keep a record only if nothing kept is as similar as the threshold) and RAG answer
merging (give a near duplicate's probability to the kept answer it is most like) both walk texts
in order against what they kept; this index is that walk's one data structure.

Examples:
    >>> import numpy as np
    >>> index = SimilarityIndex()
    >>> index.nearest(np.array([1.0, 0.0])) is None
    True
    >>> index.add(np.array([1.0, 0.0])), index.add(np.array([0.0, 1.0]))
    (0, 1)
    >>> position, similarity = index.nearest(np.array([0.6, 0.8]))
    >>> position, round(similarity, 2)
    (1, 0.8)
"""

from __future__ import annotations

import numpy as np

__all__ = ["SimilarityIndex"]

_FIRST_ROWS = 64


class SimilarityIndex:
    """Unit vectors kept in order (rows grown by doubling, so adding is amortized O(d))."""

    def __init__(self) -> None:
        self._rows: np.ndarray | None = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def nearest(self, vector: np.ndarray) -> tuple[int, float] | None:
        """The position and cosine similarity of the kept vector most like ``vector``.

        ``None`` while the index is empty. ``vector`` must be a unit (or zero) vector, like the
        rows of [`unit_embeddings()`][langchain_vs.eval.unit_embeddings].
        """
        if self._rows is None or not self._size:
            return None
        similarities = self._rows[: self._size] @ vector
        best = int(similarities.argmax())
        return best, float(similarities[best])

    def add(self, vector: np.ndarray) -> int:
        """Keep ``vector``; returns its position."""
        if self._rows is None or self._size == len(self._rows):
            grown = np.zeros((max(_FIRST_ROWS, 2 * self._size), len(vector)))
            if self._rows is not None:
                grown[: self._size] = self._rows[: self._size]
            self._rows = grown
        self._rows[self._size] = vector
        self._size += 1
        return self._size - 1
