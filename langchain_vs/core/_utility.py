"""MBR utilities: how much two candidates agree, as a k x k matrix; the lexical one.

``selection="mbr"`` picks argmax_i sum_j p_j * u(c_i, c_j). A utility is any callable from the k
candidate texts to their k x k matrix (one call a draw, so an embedding utility embeds the texts
once). [`lexical_utility()`][langchain_vs.core.lexical_utility] is pure Python and always there; the
embedding-cosine utility and
the choice between the two (``utility="auto"``) live in
[`langchain_vs.quality`][langchain_vs.quality].

Examples:
    >>> [[round(u, 2) for u in row] for row in lexical_utility(["a red cat", "a red dog"])]
    [[1.0, 0.67], [0.67, 1.0]]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

__all__ = [
    "UTILITY_NAMES",
    "Utility",
    "UtilityName",
    "checked_matrix",
    "display_name",
    "lexical_utility",
]

Utility = Callable[[Sequence[str]], Sequence[Sequence[float]]]
"""A callable from k texts to the k x k matrix of their agreements (higher: more alike)."""

UtilityName = Literal["auto", "lexical", "embedding"]
"""``auto``: embedding cosine when the ``embeddings`` extra is installed, else ``lexical``."""

UTILITY_NAMES: tuple[str, ...] = get_args(UtilityName)

_WORD = re.compile(r"\w+")


def display_name(component: Any) -> str:
    """How a scorer or utility is named in records and messages.

    Its ``name`` attribute, else its ``__name__`` (a function), else its type's name.
    """
    for attribute in ("name", "__name__"):
        name = getattr(component, attribute, None)
        if isinstance(name, str) and name:
            return name
    return type(component).__name__


def lexical_utility(texts: Sequence[str]) -> list[list[float]]:
    """Token-set F1 between every two texts: 2|A & B| / (|A| + |B|) over case-folded words.

    Cheap (sets, no alignment), symmetric, 1 on the diagonal; two texts without words agree
    fully with each other and not at all with a text that has some.
    """
    words = [frozenset(_WORD.findall(text.casefold())) for text in texts]
    return [[2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0 for b in words] for a in words]


def checked_matrix(utility: Any, matrix: Any, size: int) -> list[list[float]]:
    """``matrix`` as a ``size`` x ``size`` list of finite floats.

    Raises:
        ValueError: a wrong shape, or an entry that is not a finite number, naming the utility.
    """
    name = display_name(utility)
    rows = list(matrix) if isinstance(matrix, Sequence) or hasattr(matrix, "tolist") else None
    if rows is None or len(rows) != size or any(len(row) != size for row in rows):
        raise ValueError(
            f"utility {name!r} must return a {size} x {size} matrix (one row and one column "
            f"per candidate), got {type(matrix).__name__}"
        )
    checked = []
    for i, row in enumerate(rows):
        values = []
        for j, value in enumerate(row):
            try:
                number = math.nan if isinstance(value, bool | str) else float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number):
                raise ValueError(f"utility {name!r} gave u({i}, {j}) = {value!r}, not a number")
            values.append(number)
        checked.append(values)
    return checked
