"""How deep a JSON value nests: one walk for the reader's depth cap and the schema's."""

from __future__ import annotations

from typing import Any

__all__ = ["nests_deeper_than"]


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects and arrays more than ``limit`` levels deep.

    Breadth-first, level by level, so it costs one pass over the value and no recursion.

    Examples:
        >>> nests_deeper_than({"a": [1, {"b": []}]}, 2), nests_deeper_than([[[]]], 3)
        (True, False)
    """
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)
