"""The arithmetic of the distribution algebra: weights checked, reweighted, tilted, ranked.

[`VerbalizedDistribution`][langchain_vs.core.VerbalizedDistribution] delegates here (its
``reweight``, ``tilt``,
``top`` and quality picks); these functions see only numbers, so every invalid weight is refused
in one place, with a message, before it can become a NaN.

Examples:
    >>> [round(p, 3) for p in tilted([0.5, 0.5], [1.0, 0.0], beta=1.0)]
    [0.731, 0.269]
    >>> reweighted([0.5, 0.5], [0.0, 0.0], what="reweight")
    Traceback (most recent call last):
    ...
    ValueError: reweight gave every candidate weight 0: nothing is left to normalize
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["best_position", "checked_number", "reweighted", "tilted", "top_positions"]


def checked_number(value: Any, *, what: str) -> float:
    """``value`` as a finite float; ``ValueError`` naming ``what`` for a bool, NaN, inf or text."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _normalized(weights: Sequence[float], *, what: str) -> list[float]:
    top = max(weights)
    if top <= 0.0:
        raise ValueError(f"{what} gave every candidate weight 0: nothing is left to normalize")
    # Scaled by the largest first, as from_weighted does: no overflow, no underflow to 0/0.
    scaled = [w / top for w in weights]
    total = math.fsum(scaled)
    return [w / total for w in scaled]


def reweighted(probabilities: Sequence[float], weights: Sequence[Any], *, what: str) -> list[float]:
    """``p'`` proportional to ``p * w``; each ``w`` a finite number of at least 0.

    Raises:
        ValueError: a weight that is negative, NaN, infinite or not a number, a wrong count,
            or weights that leave every candidate at 0.
    """
    if len(weights) != len(probabilities):
        raise ValueError(
            f"{what} needs one weight per candidate: got {len(weights)} for {len(probabilities)}"
        )
    checked = []
    for position, weight in enumerate(weights):
        number = checked_number(weight, what=f"{what}'s weight for candidate {position}")
        if number < 0.0:
            raise ValueError(f"{what}'s weight for candidate {position} is {number!r}; use w >= 0")
        checked.append(number)
    return _normalized([p * w for p, w in zip(probabilities, checked, strict=True)], what=what)


def tilted(probabilities: Sequence[float], scores: Sequence[Any], *, beta: Any) -> list[float]:
    """The reward tilt ``p'`` proportional to ``p * exp(s / beta)``, computed in the log domain.

    Subtracting the largest exponent first keeps every one at most 0, so no score and no
    ``beta`` overflows; small ``beta`` approaches best-of-k, large ``beta`` keeps
    ``p``. A candidate with ``p = 0`` stays at 0.
    """
    beta = checked_number(beta, what="beta")
    if beta <= 0.0:
        raise ValueError(f"beta must be above 0 (small: near best-of-k; large: keep p), got {beta}")
    if len(scores) != len(probabilities):
        raise ValueError(
            f"tilt needs one score per candidate: got {len(scores)} for {len(probabilities)}"
        )
    values = [checked_number(s, what=f"the score of candidate {i}") for i, s in enumerate(scores)]
    # Scores are measured from the best one a candidate with p > 0 has: every (s - best) / beta
    # is at most 0, so it can only underflow (to weight 0), never overflow to inf - inf.
    best = max(s for p, s in zip(probabilities, values, strict=True) if p > 0.0)
    logs = [
        math.log(p) + (s - best) / beta if p > 0.0 else -math.inf
        for p, s in zip(probabilities, values, strict=True)
    ]
    top = max(logs)
    return _normalized([math.exp(x - top) for x in logs], what="tilt")


def top_positions(probabilities: Sequence[float], m: Any) -> list[int]:
    """The positions of the ``m`` likeliest (earlier first on ties), in their original order."""
    if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= len(probabilities):
        raise ValueError(f"m must be an int from 1 to {len(probabilities)}, got {m!r}")
    ranked = sorted(range(len(probabilities)), key=lambda i: (-probabilities[i], i))
    return sorted(ranked[:m])


def best_position(values: Sequence[float], probabilities: Sequence[float]) -> int:
    """The position of the highest value; ties go to the likelier, then to the earlier."""
    return max(range(len(values)), key=lambda i: (values[i], probabilities[i], -i))
