"""Duplicate records: the same text (ignoring case and spaces), or near by embedding similarity.

A structured record can also be a duplicate by a field that must differ between records (a
persona's name): its value repeats a kept record's, ignoring case and spaces.

Examples:
    >>> keeper = Deduper("exact", 0.9, None)
    >>> keeper.keep(["Paris", "paris ", "Lyon"])
    ([0, 2], 1, 0)
    >>> keeper = Deduper("exact", 0.9, None, fields=("name",))
    >>> keeper.keep(["a", "b", "c"], [{"name": "Ann"}, {"name": " ann"}, {"name": "Bo"}])
    ([0, 2], 0, 0)
    >>> keeper.field_duplicates
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings

from langchain_vs.core import text_key

if TYPE_CHECKING:
    from langchain_vs.eval import SimilarityIndex

__all__ = ["DedupMode", "Deduper"]

DedupMode = Literal["exact", "semantic"]


class Deduper:
    """Exact keys, and (semantic mode) unit embeddings of everything kept so far."""

    def __init__(
        self,
        mode: DedupMode,
        threshold: float,
        embeddings: Embeddings | None,
        *,
        fields: Sequence[str] = (),
    ) -> None:
        self.mode = mode
        self.threshold = threshold
        self.keys: set[str] = set()
        self.embeddings = embeddings
        self.index: SimilarityIndex | None = None  # made on first use: numpy is an extra
        self.fields = tuple(fields)
        self.field_keys: set[tuple[str, str]] = set()  # (field, value key) of kept records
        self.field_duplicates = 0

    def _field_keys(self, value: Any) -> set[tuple[str, str]]:
        if not self.fields:
            return set()
        # A field the record leaves out (or null) repeats nothing.
        return {
            (name, text_key(str(value[name])))
            for name in self.fields
            if isinstance(value, dict) and value.get(name) is not None
        }

    def keep(
        self, texts: Sequence[str], values: Sequence[Any] | None = None
    ) -> tuple[list[int], int, int]:
        """Which of ``texts`` are new (their positions), and the exact and near duplicates.

        ``values`` (the records' objects, with ``fields``) are checked for repeated fields;
        those duplicates are counted in `field_duplicates`.
        """
        kept, exact, near = [], 0, 0
        fresh = []
        for position, text in enumerate(texts):
            key = text_key(text)
            if key in self.keys:
                exact += 1
                continue
            self.keys.add(key)
            fresh.append(position)
        if self.fields:  # a field repeated within the batch or from before
            fresh = [p for p in fresh if self._fresh_fields(values, p)]
        if self.mode == "exact" or not fresh:
            return fresh, exact, 0
        from langchain_vs.eval import SimilarityIndex, unit_embeddings

        index = self.index = self.index or SimilarityIndex()
        vectors = unit_embeddings([texts[p] for p in fresh], self.embeddings)
        for position, vector in zip(fresh, vectors, strict=True):
            nearest = index.nearest(vector)
            if nearest is not None and nearest[1] >= self.threshold:
                near += 1
                if self.fields:  # a near copy is not kept: its fields are free again
                    self.field_keys -= self._field_keys(_value(values, position))
                continue
            index.add(vector)
            kept.append(position)
        return kept, exact, near

    def _fresh_fields(self, values: Sequence[Any] | None, position: int) -> bool:
        """Whether the record's fields are all new; if so, they are taken."""
        keys = self._field_keys(_value(values, position))
        if keys & self.field_keys:
            self.field_duplicates += 1
            return False
        self.field_keys |= keys
        return True


def _value(values: Sequence[Any] | None, position: int) -> Any:
    if values is None:
        raise ValueError("a Deduper with fields needs the records' values")
    return values[position]
